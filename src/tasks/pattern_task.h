#pragma once

// NEST's pattern-generation examples (SPEC 11.5):
// eprop_supervised_regression_lemniscate_bsshslm_2020 and ..._handwriting_bsshslm_2020. They are
// the sine-wave network of SPEC 11.2 (sine_task.h) with 200 eprop_iaf_adapt_bsshslm_2020 neurons
// whose tau_m NEST draws per neuron from its own random stream (core/nest_random.h), two readouts
// with fixed targets (the x and y coordinate of the pattern), and Adam.

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "tasks/sine_task.h"

namespace eprop::tasks {

/// Steps per sequence of the lemniscate task.
inline constexpr std::int64_t kLemniscateSequence = 1258;
/// Steps per pen-displacement data point of the handwriting task.
inline constexpr std::int64_t kHandwritingStepsPerPoint = 8;

/// x and y of the lemniscate: sin(linspace(0, 2 pi, sequence)), sin(linspace(0, 4 pi, sequence)).
[[nodiscard]] std::vector<std::vector<double>> lemniscate_targets(std::int64_t sequence);

/// Reads the handwriting data (rows "dx dy" of pen displacements). Throws DataError naming the
/// file and line.
[[nodiscard]] std::vector<std::array<double, 2>> read_handwriting_data(
    const std::filesystem::path& path);

/// x and y of the handwriting: per column the cumulative sum, divided by its largest |value|,
/// minus its mean (numpy's pairwise sum), interpolated linearly (np.interp) at
/// arange(rows * steps_per_point) / steps_per_point.
[[nodiscard]] std::vector<std::vector<double>> handwriting_targets(
    const std::vector<std::array<double, 2>>& data, std::int64_t steps_per_point);

/// The network and training settings both scripts share (SPEC 11.5) with the given targets
/// (their length is the sequence): 100 inputs, 200 adaptive bsshslm neurons, tau_m drawn per
/// neuron, readout tau_m 50, Adam eta 5e-3 epsilon 1e-8, 200 iterations, numpy draws.
[[nodiscard]] SineTaskConfig pattern_task_config(std::vector<std::vector<double>> targets,
                                                 std::uint32_t seed = 1);

/// The two patterns of the e-prop+ family (PAPER_EXPERIMENTS 5.4, the authors' e-prop+ scripts):
/// the same network and tau_m draws with event-driven eprop_iaf_adapt neurons, kappa = kappa_reg
/// = 0.99 (weights scaled by 1 - kappa), trace cutoff 100 ms, readout tau_m 100 ms, Adam with
/// eta 5e-3 (1 - kappa)^2 = 5e-7 applied once per spike, and the task's c_reg.
enum class PatternTask { lemniscate, handwriting };
inline constexpr double kPatternEpropPlusKappa = 0.99;
inline constexpr double kPatternEpropPlusEta =
    5e-3 * (1.0 - kPatternEpropPlusKappa) * (1.0 - kPatternEpropPlusKappa);
[[nodiscard]] SineTaskConfig pattern_task_config_eprop_plus(
    std::vector<std::vector<double>> targets, PatternTask task, std::uint32_t seed = 1);

/// NEST's tau_m ~ nest.random.normal(mean, std) for n_rec recurrent neurons created after
/// 2 * n_in input nodes (spike generators, parrots) on one virtual process, rng_seed = seed.
[[nodiscard]] std::vector<double> nest_tau_m_draws(std::uint32_t seed, std::size_t n_in,
                                                   std::size_t n_rec, double mean, double std);

}  // namespace eprop::tasks
