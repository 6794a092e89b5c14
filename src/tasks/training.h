#pragma once

// `eprop train`: runs one of the NEST e-prop examples of SPEC 11 iteration by iteration
// (docs/user/training.md). Each iteration is simulated with its own simulate() calls; its
// recordings are read, scored and cleared right away, so memory stays flat. Results, recordings
// of the first and last iteration, weights and checkpoints go to an output directory; every file
// is written to a temporary name and renamed.
//
// This layer reads no data set itself: the caller hands in a function that opens N-MNIST
// (apps/eprop wires it to io/nmnist.h).

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "tasks/nmnist_task.h"
#include "tasks/train_config.h"

namespace eprop::tasks {

/// An opened N-MNIST data set: sample counts of both splits and a loader.
struct NmnistDataset {
  std::size_t n_train = 0;
  std::size_t n_test = 0;
  NmnistSampleSource source;
};

/// Opens the data set at `root` with samples binned into `sequence` steps, inputs as
/// io::load_nmnist_sample(file, sequence, all_pixels). Throws DataError.
using NmnistOpener =
    std::function<NmnistDataset(const std::string& root, std::int64_t sequence, bool all_pixels)>;

/// One completed iteration, as TrainOptions::on_iteration sees it.
struct IterationProgress {
  std::int64_t iteration = 0;  ///< 1-based
  std::string phase;
  double loss = 0.0;
  double error = 0.0;          ///< NaN for regression tasks
  double wall_time_s = 0.0;    ///< of this iteration
  std::int64_t completed = 0;  ///< iterations completed (all sessions)
  std::int64_t planned = 0;    ///< expected total
};

enum class ProgressMode {
  quiet,  ///< nothing
  plain,  ///< one log line per iteration
  live,   ///< one status line rewritten with '\r' (terminals)
};

struct TrainOptions {
  std::filesystem::path out;  ///< output directory (resume: the run's directory)
  ProgressMode progress = ProgressMode::plain;
  std::FILE* progress_stream = stderr;
  /// Checkpoint every N iterations; negative: take run.checkpoint_every of the config.
  std::int64_t checkpoint_every = -1;
  /// Stop (with a checkpoint, as on Ctrl-C) after this many iterations of this session; 0: never.
  std::int64_t stop_after = 0;
  /// Set asynchronously (SIGINT): finish the iteration, write a checkpoint and the metrics, stop.
  const std::atomic<bool>* interrupt = nullptr;
  /// Called once the network is built and the run is about to start (the CLI installs its
  /// Ctrl-C handler here, so that Ctrl-C during a long construction ends the program at once).
  std::function<void()> on_start;
  /// Replace a previous run in `out`. It is set aside and deleted only once the new run has
  /// completed its first iteration; a failure before that puts it back.
  bool overwrite = false;
  /// Go on when a loss is not finite (by default training stops with a "diverged" error).
  bool allow_divergence = false;
  std::string version;     ///< program version for run.json
  std::string resume_task;  ///< resume(): the task the caller expects (empty: any)
  std::string command;     ///< command line for run.json
  NmnistOpener open_nmnist;
  /// Called after each iteration (on the training thread), besides the progress output.
  std::function<void(const IterationProgress&)> on_iteration;
};

enum class TrainStatus { completed, interrupted, stopped };

/// Thrown by train() for a config with estimate_only set, once the network is described and
/// the data checked: what() is the memory estimate (eprop/memory_estimate.h).
class MemoryEstimateReport : public Error {
 public:
  using Error::Error;
};

struct TrainSummary {
  TrainStatus status = TrainStatus::completed;
  std::int64_t iterations = 0;  ///< iterations completed so far (all sessions)
  double final_loss = 0.0;
  double wall_time_s = 0.0;  ///< all sessions
};

/// Trains a new run into options.out. Everything is validated (config, data, network) before
/// the directory is touched. Throws ConfigError / DataError; a failure after the run started
/// marks it "failed" in run.json with the reason and keeps its last checkpoint.
TrainSummary train(const TrainConfig& config, const TrainOptions& options);

/// Continues the run in options.out from its checkpoint: the network is rebuilt from the saved
/// configuration and the saved state is loaded, so the losses equal an uninterrupted run's.
/// `threads` (0: as saved) must equal the saved thread count. Throws ConfigError / DataError.
TrainSummary resume(const TrainOptions& options, std::size_t threads = 0);

}  // namespace eprop::tasks
