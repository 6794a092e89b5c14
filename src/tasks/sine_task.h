#pragma once

// Sine-wave pattern generation with event-driven e-prop (SPEC 11.1, NEST example
// eprop_supervised_regression_sine-waves.py) or with the `_bsshslm_2020` family (SPEC 11.2,
// eprop_supervised_regression_sine-waves_bsshslm_2020.py), and the short variants used by NEST's
// regression tests (SPEC 13.2, 13.5). Weights, input spikes and the target are drawn in the NEST
// scripts' order from tasks/task_random.h: with numpy's legacy generator (the default here), a
// spec built here reproduces NEST's numbers; counter-based draws give an equivalent task.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eprop/simulation.h"
#include "eprop/spec.h"
#include "tasks/task_random.h"

namespace eprop::tasks {

/// Population names of the sine-task network (the NEST scripts' variable names in words).
namespace sine_pop {
inline constexpr std::string_view input_generator = "input_generator";  // spike_generator
inline constexpr std::string_view input = "input";                      // parrot_neuron
inline constexpr std::string_view recurrent = "recurrent";
inline constexpr std::string_view readout = "readout";  // eprop_readout
inline constexpr std::string_view target_generator = "target_generator";
inline constexpr std::string_view learning_window_generator = "learning_window_generator";
inline constexpr std::string_view final_update_generator = "final_update_generator";
}  // namespace sine_pop

/// kappa of SPEC 11.1: the event-driven task scales weights and eta by 1 - kappa.
inline constexpr double kSineKappa = 0.97;

/// Optional recorders besides the readout multimeter (which is always the first recorder).
struct SineTaskRecording {
  /// The readout multimeter also records V_m and error_signal.
  bool readout_dynamics = false;
  /// Multimeter (V_m, surrogate_gradient, learning_signal) on the first n recurrent neurons.
  std::size_t n_record_rec = 0;
  /// Spike recorders on the input parrots and on the recurrent neurons.
  bool spikes = false;
  /// Weight recorders on the in, rec and out projections.
  bool weights = false;
};

struct SineTaskConfig {
  std::int64_t n_iter = 200;
  std::int64_t sequence = 1000;  ///< steps per sequence (dt = 1 ms)
  std::size_t n_in = 100;
  std::size_t n_rec = 100;
  std::size_t n_out = 1;
  std::uint32_t seed = 1;  ///< np.random.seed (or the Philox key of counter-based draws)
  DrawMode draws = DrawMode::numpy_compatible;
  Precision precision = Precision::single_precision;
  /// eprop_iaf, eprop_iaf_adapt, eprop_iaf_psc_delta, eprop_iaf_psc_delta_adapt, or
  /// eprop_iaf_bsshslm_2020 / eprop_iaf_adapt_bsshslm_2020 for the SPEC 11.2 network (start from
  /// sine_bsshslm_config()).
  std::string model = "eprop_iaf";
  std::string optimizer = "gradient_descent";  ///< or "adam" (beta 0.9/0.999, epsilon 1e-7)
  bool optimize_each_step = false;
  double surrogate_gradient_width = 1.0 / 33.3;
  /// Steps simulated after the task and the offset (2 steps event-driven, 4 bsshslm).
  std::int64_t extension_sim = 3;
  /// Spike of weight 1000 into all parrots and recurrent neurons at task + 1 ms (bsshslm:
  /// task + 3 ms) so that every plastic synapse applies its pending update (the NEST regression
  /// tests have none).
  bool final_update = true;
  /// Recurrent parameters set last (e.g. adapt_beta, adapt_tau of SPEC 13.2).
  std::map<std::string, ParamValue> recurrent_overrides;
  /// Pattern tasks (SPEC 11.5, pattern_task.h): one fixed target per readout instead of the
  /// drawn sines shared by all readouts (empty: sines).
  std::vector<std::vector<double>> fixed_targets;
  /// Per-neuron recurrent tau_m (SPEC 11.5: NEST's nest.random.normal(tau_m, tau_m_std) drawn with
  /// the NEST kernel's random stream, rng_seed = seed, one virtual process); empty: common tau_m.
  std::vector<double> tau_m_per_neuron;
  /// Event-driven models: kappa and kappa_reg of the recurrent neurons; the weights (and the
  /// default eta, psc_delta c_reg) are scaled by 1 - kappa (SPEC 11.1).
  double kappa = kSineKappa;
  double tau_m_readout = 30.0;  ///< readout tau_m, also the synapses' tau_m_readout
  double eta = 0.0;             ///< learning rate; 0: the sine task's (1e-4, event-driven * scale^2)
  double adam_epsilon = 1e-7;
  SineTaskRecording recording;
};

/// Everything drawn for one task, in NEST's layout.
struct SineTaskData {
  std::vector<double> w_in;   ///< [n_rec][n_in], float32 values
  std::vector<double> w_rec;  ///< [n_rec][n_rec], float32 values, zero diagonal
  std::vector<double> w_out;  ///< [n_out][n_rec], float32 values
  std::vector<double> b;      ///< [n_rec][n_out] feedback weights, float32 values
  std::vector<std::vector<double>> input_spike_times;  ///< per input neuron, ms, all iterations
  std::vector<double> target;                          ///< one sequence, sequence values
};

/// True for eprop_iaf_bsshslm_2020 and eprop_iaf_adapt_bsshslm_2020.
[[nodiscard]] bool is_bsshslm_model(std::string_view model);

/// SPEC 11.2 as shipped: eprop_iaf_bsshslm_2020, 200 iterations, extension 1 step, surrogate
/// width 1.0 * |V_th| = 0.03, final update on.
[[nodiscard]] SineTaskConfig sine_bsshslm_config();

/// Duration of the task (n_iter * sequence, ms).
[[nodiscard]] double sine_task_duration(const SineTaskConfig& config);

/// Steps between a generator time and the readout step that sees it: 2 (offset_gen +
/// delay_in_rec) event-driven, 4 bsshslm (+ delay_rec_out + delay_out_norm).
[[nodiscard]] double sine_task_offset(const SineTaskConfig& config);

/// Draws weights, frozen input and target in the order of the NEST scripts
/// (W_in, W_rec, W_out, B, input, amplitudes, phases). Throws ConfigError for bad sizes or models.
/// bsshslm: no weight scaling, and the first step of each sequence carries no input spikes.
[[nodiscard]] SineTaskData draw_sine_task_data(const SineTaskConfig& config);

/// The whole network, with spec.simulate = {task + offset + extension_sim} ms.
[[nodiscard]] NetworkSpec sine_task_network(const SineTaskConfig& config);

/// Per-iteration loss `0.5 * mean_readouts sum_t (y - y*)^2` from a readout multimeter that
/// recorded readout_signal and target_signal over n_iter consecutive sequences.
/// Throws DataError if the recording does not hold exactly n_iter * sequence samples per readout.
[[nodiscard]] std::vector<double> sine_task_losses(const MultimeterRecording& recording,
                                                   std::int64_t n_iter, std::int64_t sequence);

/// numpy.linspace(start, stop, num) with endpoint (numpy 1.24's arithmetic).
[[nodiscard]] std::vector<double> numpy_linspace(double start, double stop, std::int64_t num);

/// numpy's superimposed-sines target: amplitudes uniform(0.5, 2), phases uniform(0, 2 pi).
[[nodiscard]] std::vector<double> superimposed_sines(std::int64_t steps,
                                                     std::span<const double> amplitudes,
                                                     std::span<const double> phases,
                                                     std::span<const std::int64_t> periods);

}  // namespace eprop::tasks
