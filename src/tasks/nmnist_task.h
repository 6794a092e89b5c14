#pragma once

// N-MNIST classification with event-driven e-prop (SPEC 11.4, NEST example
// eprop_supervised_classification_neuromorphic_mnist.py): 1196 parrots -> n_rec eprop_iaf ->
// 10 eprop_readout with sparse connectivity. Weights, sparsity masks and the data loader's
// shuffles are drawn in the script's order from tasks/task_random.h; with numpy's legacy generator
// (the default here) a network built here is the one NEST builds.
//
// This layer does no file I/O: the caller lists the data set (io/nmnist.h), draws the task data
// here, and hands the builder a function that loads sample `index` of a split. Typical use:
//
//   auto train = io::list_nmnist_split(root, "Train"), test = io::list_nmnist_split(root, "Test");
//   NmnistTaskData data = draw_nmnist_task_data(config, train.samples.size(), test.samples.size());
//   // source(split, index) returns {label, io::load_nmnist_sample(path, config.sequence).steps}
//   NetworkSpec net = nmnist_task_network(config, data, source);
//   Simulation sim(net);
//   NmnistEvaluation result = run_nmnist_task(sim, config, data);

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eprop/simulation.h"
#include "eprop/spec.h"
#include "tasks/task_random.h"

namespace eprop::tasks {

inline constexpr std::size_t kNmnistTaskInputs = 1196;     ///< 2 x 34 x 34 minus 1116 blocked
inline constexpr std::size_t kNmnistTaskAllInputs = 2312;  ///< 2 x 34 x 34 (all_pixels)
inline constexpr std::size_t kNmnistTaskClasses = 10;      ///< one readout per digit

/// Population names of the N-MNIST network (the NEST script's variables in words).
namespace nmnist_pop {
inline constexpr std::string_view input_generator = "input_generator";  // spike_generator
inline constexpr std::string_view input = "input";                      // parrot_neuron
inline constexpr std::string_view recurrent = "recurrent";
inline constexpr std::string_view readout = "readout";                    // eprop_readout
inline constexpr std::string_view target_generator = "target_generator";  // one per class
inline constexpr std::string_view learning_window_generator = "learning_window_generator";
inline constexpr std::string_view final_update_generator = "final_update_generator";
}  // namespace nmnist_pop

enum class NmnistSplit { train, test };

/// Optional recorders besides the readout multimeter (always the first recorder).
struct NmnistTaskRecording {
  bool readout_dynamics = false;  ///< the readout multimeter also records V_m and error_signal
  std::size_t n_record_rec = 0;   ///< multimeter (V_m, surrogate_gradient, learning_signal)
  bool spikes = false;            ///< spike recorders on the input parrots and recurrent neurons
};

/// Hyper-parameters; the defaults are those of SPEC 11.4.
struct NmnistTaskConfig {
  std::int64_t group_size = 100;      ///< samples per iteration
  std::int64_t n_iter_train = 10;     ///< training iterations (200 for convergence)
  std::int64_t n_iter_test = 2;       ///< test iterations after training (eta_test)
  std::int64_t sequence = 300;        ///< steps per sample (dt = 1 ms)
  std::int64_t learning_window = 10;  ///< last steps of each sample with a learning signal
  std::int64_t extension_sim = 1;
  std::int64_t final_update_sim = 3;
  std::size_t n_rec = 150;
  double sparsity_in_rec = 0.75;  ///< probability that a mask entry is 0
  double sparsity_rec_rec = 0.99;
  double sparsity_rec_out = 0.0;
  /// > 0: every recurrent neuron gets exactly this many recurrent inputs from distinct other
  /// neurons (the paper's fixed indegree) instead of the sparsity_rec_rec mask.
  std::size_t indegree_rec_rec = 0;
  /// false: NEST's tutorial drops its 1116 blocklisted channels (1196 inputs); true: all 2312
  /// pixels of both polarities are inputs, as in the paper's script.
  bool all_pixels = false;
  /// "nest": the tutorial's scaled normal / Glorot draws; "paper": W_in N(0, 0.03^2), W_rec
  /// N(0, 0.02^2), W_out U(-0.006, 0.006), B N(0, 10^2), none scaled by 1 - kappa.
  std::string weight_init = "nest";
  /// Resting (and initial) potential of the readouts; readout_signal = v + E_L (paper: -0.1).
  double readout_E_L = 0.0;
  /// Recurrent kappa and kappa_reg; scale = 1 - kappa rescales c_reg, W_out, B and eta.
  double kappa = 0.99;
  std::optional<double> eta_train;  ///< default 5e-3 * scale^2 (= 5e-7)
  double eta_test = 0.0;
  /// eprop_iaf, eprop_iaf_adapt (adapt_beta 0), eprop_iaf_psc_delta or _psc_delta_adapt (e-prop+),
  /// or the original family: eprop_iaf_bsshslm_2020 or eprop_iaf_adapt_bsshslm_2020 (adapt_beta
  /// 0) with eprop_readout_bsshslm_2020 (cross-entropy), one update interval per sample whose last
  /// learning_window steps carry the learning signal, neurons reset every interval, gradients
  /// summed over a group and applied once per iteration, weights and eta not scaled by 1 - kappa,
  /// everything 2 ms later (nmnist_task_offset).
  std::string model = "eprop_iaf";
  std::string surrogate_gradient_function = "piecewise_linear";
  double surrogate_gradient_height = 0.5;
  double surrogate_gradient_width = 1.0 / 1.7;
  std::uint32_t seed = 1;  ///< np.random.seed (or the Philox key of counter-based draws)
  DrawMode draws = DrawMode::numpy_compatible;
  Precision precision = Precision::single_precision;
  /// NEST 3.10's script re-sets the input, target and learning-window generators (and eta) at
  /// the start of every iteration k, time k * G * S, before that iteration's Simulate(total_offset).
  /// All of the new group lies after that instant, so nothing of it is skipped; what the re-set
  /// discards are the previous group's pending input spikes, i.e. events of its last sample mapped
  /// to step >= sequence (t_us >= 335480 with 300 steps; none in the 1,100 samples of
  /// nmnist-small). True reproduces this; false keeps those spikes as well.
  /// (An older script set the generators 2 ms later, after one leading Simulate(total_offset),
  /// which dropped the first sample's target and window switches; NEST 3.10 does not.)
  bool nest_generator_reset = true;
  /// Spike of weight 1000 into all parrots and recurrent neurons after the last iteration so
  /// that every plastic synapse applies its pending update.
  bool final_update = true;
  std::map<std::string, ParamValue> recurrent_overrides;  ///< set last
  NmnistTaskRecording recording;
};

/// One iteration: group_size samples of one split, with eta_train (train) or eta_test.
struct NmnistIterationPlan {
  NmnistSplit split = NmnistSplit::train;
  bool train = true;
  std::vector<std::size_t> samples;  ///< indices into the split's listing
};

/// Everything drawn, in NEST's [target][source] layout (float64, as the script).
struct NmnistTaskData {
  std::vector<double> w_in;           ///< [n_rec][inputs], masked
  std::vector<double> w_rec;          ///< [n_rec][n_rec], zero diagonal, masked
  std::vector<double> w_out;          ///< [10][n_rec], Glorot uniform * scale, masked
  std::vector<double> b;              ///< [n_rec][10], randn / scale
  std::vector<std::uint8_t> mask_in;  ///< the masks as drawn (1 = keep)
  std::vector<std::uint8_t> mask_rec;
  std::vector<std::uint8_t> mask_out;
  /// NEST's schedule: n_iter_train iterations from the train loader, then n_iter_test from the
  /// test loader. Replace it to run another schedule (e.g. test the same samples before and after).
  std::vector<NmnistIterationPlan> plan;
};

/// A loaded sample: label and per-input sorted time steps (io::load_nmnist_sample).
struct NmnistSample {
  int label = 0;
  std::vector<std::vector<std::int32_t>> steps;  ///< nmnist_task_inputs() lists
};

/// Loads sample `index` of a split; called once per (iteration, position) in plan order.
using NmnistSampleSource = std::function<NmnistSample(NmnistSplit split, std::size_t index)>;

[[nodiscard]] double nmnist_eta_train(const NmnistTaskConfig& config);
/// Steps from an input spike time to the readout step that sees it: 2 (e-prop+), 4 (original).
/// Targets, windows, recordings and scores of sample g start at this offset after it.
[[nodiscard]] double nmnist_task_offset(const NmnistTaskConfig& config);
/// Inputs of the network: kNmnistTaskInputs, or kNmnistTaskAllInputs with all_pixels.
[[nodiscard]] std::size_t nmnist_task_inputs(const NmnistTaskConfig& config);

/// The fixed-indegree recurrent mask ([target][source], 1 = keep): each of the n_rec rows has
/// exactly `indegree` ones at distinct columns other than its own, taken from the front of one
/// permutation of the sources per target (draw quantity mask_rec, block = target).
/// Throws ConfigError unless indegree < n_rec.
[[nodiscard]] std::vector<std::uint8_t> fixed_indegree_mask(TaskRandom& rng, std::size_t n_rec,
                                                            std::size_t indegree);

/// Draws W_in, W_rec, W_out, B, the three masks and the two loaders' permutations (train loader
/// first) in the script's order. n_train / n_test: samples in each split.
/// Throws ConfigError for bad hyper-parameters or a split without samples that the plan needs.
[[nodiscard]] NmnistTaskData draw_nmnist_task_data(const NmnistTaskConfig& config,
                                                   std::size_t n_train, std::size_t n_test);

/// The network for data.plan (one iteration per entry). spec.simulate holds NEST 3.10's sequence
/// of Simulate() calls: per iteration total_offset (2), extension_sim, G * S - 2 - extension_sim;
/// then total_offset, extension_sim and final_update_sim (39 calls for 12 iterations).
/// run_nmnist_task runs it with the learning-rate switches at the start of each iteration.
/// Throws ConfigError for a plan entry without group_size samples and DataError for a sample
/// with a bad label or a wrong number of inputs.
[[nodiscard]] NetworkSpec nmnist_task_network(const NmnistTaskConfig& config,
                                              const NmnistTaskData& data,
                                              const NmnistSampleSource& source);

/// Contents of the generators for one or more iterations: spike times per input, target switch
/// times and values per class, learning-window switch times and values.
struct NmnistStimulus {
  std::vector<std::vector<double>> spike_times;
  std::vector<std::vector<double>> target_times;
  std::vector<std::vector<double>> target_values;
  std::vector<double> window_times;
  std::vector<double> window_values;
};

/// What the script's SetStatus calls at the start of iteration k (time k * G * S, before the
/// iteration's Simulate(total_offset)) put into the input, target and learning-window generators
/// for plan entry `iteration`: spikes at 1 + k * G * S + g * S + step, target and window switches
/// at 2 + k * G * S + g * S (+ S - learning_window). Lets a caller build the network with the
/// first iteration only and set each later one with Simulation::set_spike_times /
/// set_amplitudes at k * G * S, so memory does not grow with the number of iterations.
[[nodiscard]] NmnistStimulus nmnist_iteration_stimulus(const NmnistTaskConfig& config,
                                                       const NmnistIterationPlan& iteration,
                                                       std::int64_t k,
                                                       const NmnistSampleSource& source);

/// Per-iteration loss `0.5 * mean_{readouts, samples} sum_window (y - y*)^2` and error
/// `1 - accuracy`, prediction = argmax over readouts of the window-mean readout_signal, label =
/// argmax of the window-mean target_signal (as NEST's evaluate()).
struct NmnistEvaluation {
  std::vector<double> loss;
  std::vector<double> error;
};

/// Evaluates a readout multimeter (readout_signal, target_signal, start 2 ms) over n_iter
/// iterations. Throws DataError if a window sample is missing.
[[nodiscard]] NmnistEvaluation evaluate_nmnist(const MultimeterRecording& recording,
                                               const NmnistTaskConfig& config, std::int64_t n_iter);

/// evaluate_nmnist over a recording taken in pieces: pieces added in time order make the same
/// sums in the same order as one call on the whole recording, so the numbers are identical, and
/// no piece needs to be kept (training keeps one iteration's readout rows this way).
class NmnistEvaluator {
 public:
  NmnistEvaluator(const NmnistTaskConfig& config, std::int64_t n_iter);
  /// Rows of a readout multimeter, times shifted by -time_shift (ms) onto the first iteration's.
  void add(const MultimeterRecording& recording, double time_shift = 0.0);
  /// Throws DataError if a window sample is missing.
  [[nodiscard]] NmnistEvaluation result() const;

 private:
  NmnistTaskConfig config_;
  std::int64_t n_iter_;
  std::vector<double> y_sum_, target_sum_, loss_;
  std::vector<std::int64_t> count_;
};

/// Runs spec.simulate of a fresh simulation of nmnist_task_network(config, data, ...), setting
/// eta_train / eta_test on the plastic projections at the start of each iteration (time
/// k * G * S, before its three Simulate calls, as the script's SetDefaults; SPEC 8 lag), then
/// evaluates the first multimeter.
[[nodiscard]] NmnistEvaluation run_nmnist_task(Simulation& sim, const NmnistTaskConfig& config,
                                               const NmnistTaskData& data);

}  // namespace eprop::tasks
