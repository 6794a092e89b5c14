#pragma once

// Evidence accumulation with the `_bsshslm_2020` family (SPEC 11.3, NEST example
// eprop_supervised_classification_evidence-accumulation_bsshslm_2020.py) and the short variant of
// NEST's classification test (SPEC 13.6). n_in inputs in 4 groups (left cues, right cues, recall,
// background) -> n_regular eprop_iaf_bsshslm_2020 + n_adaptive eprop_iaf_adapt_bsshslm_2020 -> 2
// cross-entropy readouts (40, 50, 50 in the example). Weights and every batch are drawn in the
// script's order from tasks/task_random.h; with numpy's legacy generator (the default here) a
// network built here is the one NEST builds.
//
// The script draws a fresh batch at the start of every iteration ("phase"). Because the draws
// only depend on how many batches were drawn before, all batches are drawn up front and the
// generators hold the whole run; the pipeline then only changes eta between phases.
//
//   EvidenceTaskConfig config;                              // SPEC 11.3 as shipped
//   EvidenceRun run = run_evidence_task(config);            // phases with label, loss, error

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eprop/simulation.h"
#include "eprop/spec.h"
#include "tasks/task_random.h"

namespace eprop::tasks {

/// Population names (the NEST script's variables in words).
namespace evidence_pop {
inline constexpr std::string_view input_generator = "input_generator";  // spike_generator
inline constexpr std::string_view input = "input";                      // parrot_neuron
inline constexpr std::string_view regular = "regular";    // eprop_iaf_bsshslm_2020
inline constexpr std::string_view adaptive = "adaptive";  // eprop_iaf_adapt_bsshslm_2020
inline constexpr std::string_view readout = "readout";    // eprop_readout_bsshslm_2020
inline constexpr std::string_view target_generator = "target_generator";
inline constexpr std::string_view learning_window_generator = "learning_window_generator";
inline constexpr std::string_view final_update_generator = "final_update_generator";
}  // namespace evidence_pop

/// Time steps of one sequence: 7 cues of 100 steps after 50-step gaps, 1050 steps of background,
/// 150 recall steps (the learning window).
inline constexpr std::int64_t kEvidenceSequence = 2250;
inline constexpr std::int64_t kEvidenceRecall = 150;
/// One readout per class (left, right).
inline constexpr std::size_t kEvidenceReadouts = 2;

/// kappa and kappa_reg of the e-prop+ version (PAPER_EXPERIMENTS 5.2).
inline constexpr double kEvidenceEpropPlusKappa = 0.95;
/// Its learning rate, 5e-3 / 150 (1 - kappa)^2: Adam applied every step of the recall window.
inline constexpr double kEvidenceEpropPlusEta =
    5e-3 / 150.0 * (1.0 - kEvidenceEpropPlusKappa) * (1.0 - kEvidenceEpropPlusKappa);

struct EvidenceTaskConfig {
  /// The e-prop+ version of the task (PAPER_EXPERIMENTS 5.2, the authors' e-prop+ script) instead
  /// of NEST's `_bsshslm_2020` example: event-driven eprop_iaf / eprop_iaf_adapt neurons that are
  /// never reset, kappa = kappa_reg = 0.95, trace cutoff 100 ms, c_reg 300 / 2250 * 150 /
  /// (1 - kappa)^2, surrogate height 0.5 width 1 / 1.7, eprop_readout with the mean squared error
  /// to the one-hot target in the recall window (a learning-window generator), readout weights
  /// times 1 - kappa and feedback weights divided by it, Adam every step with batch 1. The same
  /// draws; input spikes come 2 ms later so that the readouts see each step when the original
  /// network's do (its two extra delays), and the phases and scores keep their times.
  /// Start from evidence_eprop_plus_config() for its learning rate.
  bool eprop_plus = false;
  /// Input neurons, a multiple of 4: groups of n_in / 4 for left cues, right cues, recall and
  /// background, in that order.
  std::size_t n_in = 40;
  std::size_t n_regular = 50;   ///< eprop_iaf_bsshslm_2020 neurons (recurrent indices first)
  std::size_t n_adaptive = 50;  ///< eprop_iaf_adapt_bsshslm_2020 neurons (after the regular)
  std::int64_t batch_size = 32;
  std::int64_t n_iter_train = 50;
  std::int64_t n_iter_test = 4;
  /// Validate (eta_test) every validate_every training iterations and, once the error is below
  /// stop_criterion, run n_iter_early_stop more validation iterations and stop if their mean is.
  bool early_stopping = true;
  std::int64_t validate_every = 10;
  std::int64_t n_iter_early_stop = 8;
  double stop_criterion = 0.07;
  double eta_train = 5e-3;
  double eta_test = 0.0;
  std::uint32_t seed = 1;  ///< np.random.seed (or the Philox key of counter-based draws)
  DrawMode draws = DrawMode::numpy_compatible;
  Precision precision = Precision::single_precision;
  std::size_t threads = 1;
  /// Spike of weight 1000 into all parrots and recurrent neurons after the last phase so that
  /// every plastic synapse applies its pending update (NEST's test has none).
  bool final_update = true;
  /// The readout multimeter also records V_m, readout_signal_unnorm and error_signal.
  bool readout_dynamics = false;
  /// Step (ms) of each phase at which eta is set: the script sets it between Simulate calls,
  /// after the 4-step offset that precedes the first phase.
  double eta_offset = 4.0;
};

/// Everything drawn, in NEST's layout ([target][source] weight matrices; n_rec = n_regular +
/// n_adaptive).
struct EvidenceTaskData {
  std::vector<double> w_in;   ///< [n_rec][n_in], float32 values
  std::vector<double> w_rec;  ///< [n_rec][n_rec], float32 values, zero diagonal
  std::vector<double> w_out;  ///< [2][n_rec], float32 values (Glorot uniform)
  std::vector<double> b;      ///< [n_rec][2] feedback weights, float32 values
  std::vector<std::vector<double>> input_spike_times;  ///< per input neuron, ms, all phases
  std::vector<int> labels;  ///< per sequence of all phases: 1 if more than 3 cues were right
  std::int64_t n_phases = 0;
};

/// Draws the weights, then n_phases batches (SPEC 13.6 draw order). Throws ConfigError for bad
/// sizes (n_in not a positive multiple of 4, no regular or no adaptive neuron, batch_size < 1,
/// n_phases < 1, spike times beyond float32's exact integers).
[[nodiscard]] EvidenceTaskData draw_evidence_task_data(const EvidenceTaskConfig& config,
                                                       std::int64_t n_phases);

/// The network for data.n_phases phases, all trained with config.eta_train; spec.simulate =
/// {n_phases * batch * 2250 + 5} ms as in NEST's test (the final-update spike, if any, comes
/// 1 ms later). The readout multimeter (recorder 0) records readout_signal and target_signal
/// from 4 ms on.
[[nodiscard]] NetworkSpec evidence_task_network(const EvidenceTaskConfig& config,
                                                const EvidenceTaskData& data);

/// Indices in spec.connections of the plastic (eprop_synapse, eprop_synapse_bsshslm_2020)
/// connections.
[[nodiscard]] std::vector<std::size_t> evidence_plastic_connections(const NetworkSpec& spec);

/// EvidenceTaskConfig{} with eprop_plus set and its learning rate.
[[nodiscard]] EvidenceTaskConfig evidence_eprop_plus_config();

/// Loss and error of one phase (batch). Cross-entropy (the original): loss = -mean over
/// sequences and recall steps of sum_k y*_k ln y_k; mean squared error (e-prop+): loss = 1/2
/// mean over sequences and readouts of sum_t (y_k - y*_k)^2 over the recall steps. Error = 1 -
/// accuracy of the argmax of the recall-mean readout signal.
enum class EvidenceLoss { cross_entropy, mean_squared_error };
struct EvidenceScore {
  double loss = 0.0;
  double error = 0.0;
};

/// Scores of phases [first, first + count) from a readout multimeter that recorded
/// readout_signal and target_signal from 4 ms on. Throws DataError if samples are missing.
[[nodiscard]] std::vector<EvidenceScore> evidence_task_scores(
    const MultimeterRecording& readout, std::int64_t batch_size, std::int64_t first,
    std::int64_t count, EvidenceLoss loss = EvidenceLoss::cross_entropy);
/// The loss a configuration's readouts are scored with.
[[nodiscard]] inline EvidenceLoss evidence_loss(const EvidenceTaskConfig& config) {
  return config.eprop_plus ? EvidenceLoss::mean_squared_error : EvidenceLoss::cross_entropy;
}

struct EvidencePhase {
  std::string label;  ///< "training", "validation", "early-stopping" or "test"
  double eta = 0.0;
  EvidenceScore score;
};

struct EvidenceRun {
  std::vector<EvidencePhase> phases;
  bool stopped_early = false;
  double simulated_ms = 0.0;
};

/// Number of phases the pipeline runs without early stopping (SPEC 11.3: 50 + 5 + 4 = 59).
[[nodiscard]] std::int64_t evidence_planned_phases(const EvidenceTaskConfig& config);

/// The script's training pipeline (SPEC 11.3): validation every validate_every training
/// iterations, early stopping, then the test iterations, each phase one batch with its own eta.
/// The network holds exactly the batches the run uses (the final-update spike follows the last
/// one); when early stopping changes the number of phases, the run is repeated with the right
/// number (the decisions are deterministic, so the repeat takes the same path).
[[nodiscard]] EvidenceRun run_evidence_task(const EvidenceTaskConfig& config);

}  // namespace eprop::tasks
