#pragma once

// Internal interface between the training driver (training.cpp) and the per-task loops
// (training_sine.cpp, training_nmnist.cpp, training_evidence.cpp).

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eprop/simulation.h"
#include "tasks/task_random.h"
#include "tasks/train_config.h"
#include "tasks/training.h"

namespace eprop::tasks {

/// What the recorders saw during one iteration (rows of the recorders, unchanged).
struct IterationRecordings {
  std::vector<MultimeterRecording> multimeters;  ///< readout first, then recurrent traces
  std::vector<SpikeRecording> spikes;
};

struct IterationResult {
  std::int64_t iteration = 0;  ///< 1-based
  std::string phase;           ///< training, validation, early-stopping or test
  double loss = 0.0;
  double error = std::numeric_limits<double>::quiet_NaN();  ///< NaN for regression tasks
  double begin_ms = 0.0;  ///< the iteration's first time stamp is begin_ms + 1
  double end_ms = 0.0;
  IterationRecordings recordings;
};

/// A plastic projection for weights_initial.csv / weights.csv: its role and where its source
/// and target populations start within their group (input, recurrent or readout neurons; the
/// evidence task's recurrent group is its regular then its adaptive population).
struct ProjectionInfo {
  std::size_t connection = 0;  ///< index into spec.connections
  std::string name;            ///< in_rec, rec_rec or rec_out
  std::int64_t source_offset = 0;
  std::int64_t target_offset = 0;
};

class TrainingSession {
 public:
  virtual ~TrainingSession() = default;

  [[nodiscard]] virtual Simulation& simulation() = 0;
  /// Iterations the run will have if nothing stops it early.
  [[nodiscard]] virtual std::int64_t planned_iterations() const = 0;
  [[nodiscard]] virtual bool finished() const = 0;
  /// Simulates the next iteration; returns the iteration(s) it completed.
  virtual std::vector<IterationResult> step() = 0;
  /// Simulates what follows the last iteration (extension, final update).
  virtual void finish() = 0;
  /// Loop state beyond the simulation state, for checkpoints.
  [[nodiscard]] virtual nlohmann::json save_progress() const = 0;
  virtual void load_progress(const nlohmann::json& progress) = 0;
  [[nodiscard]] virtual std::vector<ProjectionInfo> projections() const = 0;
};

/// Builds the session of config.task. Throws ConfigError / DataError for bad settings or data.
std::unique_ptr<TrainingSession> make_session(const TrainConfig& config,
                                              const TrainOptions& options);

std::unique_ptr<TrainingSession> make_sine_session(const TrainConfig& config);
std::unique_ptr<TrainingSession> make_nmnist_session(const TrainConfig& config,
                                                     const NmnistOpener& open);
std::unique_ptr<TrainingSession> make_evidence_session(const TrainConfig& config);
/// Lemniscate and handwriting (the sine session with pattern_task.h's network).
std::unique_ptr<TrainingSession> make_pattern_session(const TrainConfig& config);

// Helpers shared by the task loops (training_common.cpp).

/// data.numpy_compatible: numpy's draws in the scripts' order, else counter-based draws.
DrawMode draw_mode(const TrainConfig& config);

/// Sets the [optimizer] values of the config on every plastic connection of the spec (only the
/// keys the user gave, so that defaults stay bit-identical to the task builders), and the
/// [recurrent] values on the given populations.
void apply_config_to_spec(const TrainConfig& config, NetworkSpec& spec,
                          const std::vector<std::string>& recurrent_populations);

/// Builds the simulation; engine errors are prefixed with the config's origin.
Simulation build_simulation(const TrainConfig& config, const NetworkSpec& spec);

/// Moves every recording out of the simulation (which keeps none).
IterationRecordings take_recordings(Simulation& sim);

/// Rows of `rec` with begin < time <= end.
MultimeterRecording slice(const MultimeterRecording& rec, double begin, double end);

/// Spikes of `rec` with begin < time <= end.
SpikeRecording slice(const SpikeRecording& rec, double begin, double end);

/// Appends the rows of `piece` with begin < time <= end to `into` (recordings read in pieces;
/// `into` empty or with the same recorders).
void append_window(IterationRecordings& into, const IterationRecordings& piece, double begin,
                   double end);

/// Advances the simulation to `ms` (no-op if already there).
void advance_to(Simulation& sim, double ms);

/// NEST's learning-rate switch on every plastic connection.
void set_eta_all(Simulation& sim, const std::vector<std::size_t>& plastic, double eta);

/// Indices of connections whose synapse model is an e-prop synapse.
std::vector<std::size_t> plastic_connections(const NetworkSpec& spec);

/// Early-stopping and phase schedule of SPEC 11.3: decides the phase of each iteration from the
/// errors of the iterations before, as the NEST script's pipeline does (the error it sees is
/// the one of the iteration before the phase now starting).
class PhaseSchedule {
 public:
  PhaseSchedule(std::int64_t n_train, std::int64_t n_test, bool early_stopping,
                std::int64_t validate_every, std::int64_t n_early_stop, double criterion);

  /// Phase of the next iteration given the errors of all iterations before the previous one
  /// (`errors.size()` >= started - 1); empty string when the run is over.
  std::string next(const std::vector<double>& errors);
  [[nodiscard]] std::int64_t started() const { return started_; }
  [[nodiscard]] bool stopped_early() const { return stop_; }
  /// Upper bound of the iterations a run can have (for data drawn up front).
  [[nodiscard]] std::int64_t capacity() const;
  [[nodiscard]] std::int64_t planned() const;

  [[nodiscard]] nlohmann::json save() const;
  void load(const nlohmann::json& j);

 private:
  std::int64_t n_train_, n_test_;
  bool early_stopping_;
  std::int64_t validate_every_, n_early_stop_;
  double criterion_;
  // Position in the script's loops.
  enum Stage : int { kValidate = 0, kCheck = 1, kEarlyStop = 2, kTrain = 3, kTest = 4 };
  int stage_ = kValidate;
  std::int64_t k_train_ = 0;      // training iteration of the script's loop
  std::int64_t validation_ = -1;  // index of the last validation iteration
  std::int64_t es_done_ = 0;      // early-stopping iterations started
  std::int64_t es_pending_ = -1;  // index whose error is still to be added to es_sum_
  double es_sum_ = 0.0;
  std::int64_t k_test_ = 0;
  std::int64_t started_ = 0;
  bool stop_ = false;
};

}  // namespace eprop::tasks
