#pragma once

#include <cstdint>
#include <limits>

namespace eprop {

/// Simulation time in integer steps of the kernel resolution.
using Step = std::int64_t;

/// NEST's "infinite" duration: a step count that is never reached.
inline constexpr Step kNeverSteps = std::numeric_limits<Step>::max() / 4;

/// Local index of a neuron inside its population.
using LocalIndex = std::uint32_t;

}  // namespace eprop
