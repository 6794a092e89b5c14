#pragma once

#include <cstdint>
#include <limits>

namespace eprop {

/// Simulation time in integer steps of the kernel resolution.
using Step = std::int64_t;

/// NEST's "infinite" duration: a step count that is never reached.
inline constexpr Step kNeverSteps = std::numeric_limits<Step>::max() / 4;

/// Longest time, in steps, that an input may name (2^50 steps: 3.6 years at 0.1 ms). Longer
/// times are rejected before they are rounded to integers (llround would overflow).
inline constexpr double kMaxInputSteps = 1125899906842624.0;

/// Most neurons in one population, and most connections into one neuron (fixed_indegree):
/// neuron indices are 32-bit.
inline constexpr std::int64_t kMaxPopulationSize = std::int64_t{1} << 31;

/// Most worker threads a network or training run may ask for.
inline constexpr std::int64_t kMaxThreads = 1024;

/// Local index of a neuron inside its population.
using LocalIndex = std::uint32_t;

}  // namespace eprop
