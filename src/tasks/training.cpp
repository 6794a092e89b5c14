// The training driver: runs a task's iterations, writes metrics, recordings, weights, run.json and
// checkpoints, and stops cleanly on request (Ctrl-C, --stop-after).

#include "tasks/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <new>
#include <optional>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "comm/agree.h"
#include "core/checksum.h"
#include "core/input_limits.h"
#include "eprop/error.h"
#include "tasks/training_output.h"
#include "tasks/training_progress.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// 2: CRC-32 of state.bin and of progress.json, state in sections with lengths.
constexpr int kCheckpointFormat = 2;

nlohmann::json recording_info(const IterationResult& r) {
  return {{"iteration", r.iteration},
          {"phase", r.phase},
          {"begin_ms", r.begin_ms},
          {"end_ms", r.end_ms}};
}

constexpr const char* kRunFiles[] = {"run.json",       "metrics.csv",         "config.toml",
                                     "weights.csv",    "weights_initial.csv", "checkpoint",
                                     "checkpoint.tmp", "recordings"};

// Refuses to write into a directory that holds another run, unless asked to replace it; then the
// old run moves to DIR/.previous-run (returned) until the new one has started successfully.
fs::path prepare_out_dir(const fs::path& out, bool overwrite) {
  if (out.empty()) throw ConfigError("no output directory given (--out DIR)");
  if (fs::exists(out) && !fs::is_directory(out)) {
    throw ConfigError(out.string() + ": exists and is not a directory");
  }
  const bool has_run = fs::exists(out / "run.json") || fs::exists(out / "checkpoint") ||
                       fs::exists(out / "metrics.csv");
  if (has_run && !overwrite) {
    throw ConfigError(out.string() + ": holds a previous run (continue it with --resume " +
                      out.string() + ", or pass --overwrite to replace it)");
  }
  fs::create_directories(out);
  if (!has_run) return {};
  const fs::path aside = out / ".previous-run";
  fs::remove_all(aside);
  fs::create_directory(aside);
  for (const char* name : kRunFiles) {
    if (fs::exists(out / name)) fs::rename(out / name, aside / name);
  }
  return aside;
}

// The new run failed before it started properly: its files go, the old run comes back.
void restore_previous_run(const fs::path& out, const fs::path& aside) {
  for (const char* name : kRunFiles) {
    fs::remove_all(out / name);
    if (fs::exists(aside / name)) fs::rename(aside / name, out / name);
  }
  fs::remove_all(aside);
}

std::string failure_reason(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) return "out of memory";
  return e.what();
}

// Under several ranks every rank runs the driver (the simulation is theirs together): all take
// part in the gathers and the checkpoints, rank 0 alone writes files and prints progress.
class Driver {
  /// The state and progress at the start of the running iteration (see arm_interrupt).
  struct Snapshot {
    std::string state;
    nlohmann::json progress;
  };

 public:
  Driver(const TrainConfig& config, TrainingSession& session, const TrainOptions& options,
         fs::path previous_run = {})
      : previous_run_(std::move(previous_run)),
        config_(config),
        session_(session),
        options_(options),
        comm_(session.simulation().communicator()),
        writes_(comm_.writes()),
        reporter_(writes_ ? options.progress : ProgressMode::quiet, options.progress_stream,
                  config.task),
        checkpoint_every_(options.checkpoint_every >= 0 ? options.checkpoint_every
                                                        : config.integer("run.checkpoint_every")) {}

  void write_start() {
    const std::string weights = weights_csv(session_.simulation(), session_.projections());
    agree(comm_, [&] {
      if (!writes_) return;
      write_file_atomic(options_.out / "config.toml", to_toml(config_));
      write_file_atomic(options_.out / "weights_initial.csv", weights);
      write_run_json("running");
    });
  }

  void restore(const nlohmann::json& d) {
    metrics_ = metrics_from_json(d.at("metrics"));
    previous_wall_s_ = d.at("wall_time_s").get<double>();
    previous_peak_ = d.at("peak_memory_bytes").get<std::uint64_t>();
    sessions_ = d.at("sessions").get<int>() + 1;
    if (d.contains("first")) first_info_ = d.at("first");
    if (d.contains("last")) last_info_ = d.at("last");
  }

  TrainSummary run() {
    const double sim_start_ms = session_.simulation().time_ms();
    std::int64_t done_here = 0;
    while (!session_.finished()) {
      arm_interrupt();
      const auto t0 = Clock::now();
      std::vector<IterationResult> results;
      try {
        results = session_.step();
      } catch (const Interrupted&) {
        return interrupted_inside();
      }
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      last_step_s_ = dt;
      for (IterationResult& r : results) {
        record(std::move(r), dt / static_cast<double>(results.size()));
        ++done_here;
        const MetricRow& m = metrics_.back();
        reporter_.iteration(
            m.iteration, m.phase, m.loss, m.error, session_.simulation().time_ms() - sim_start_ms,
            static_cast<std::int64_t>(metrics_.size()),
            std::max(session_.planned_iterations(), static_cast<std::int64_t>(metrics_.size())),
            done_here);
        if (options_.on_iteration) {
          options_.on_iteration({m.iteration, m.phase, m.loss, m.error, m.wall_time_s,
                                 static_cast<std::int64_t>(metrics_.size()),
                                 std::max(session_.planned_iterations(),
                                          static_cast<std::int64_t>(metrics_.size()))});
        }
      }
      if (writes_) write_file_atomic(options_.out / "metrics.csv", metrics_csv(metrics_));
      agree(comm_, [&] { check_finite(metrics_.back()); });  // weights and V_m are per rank
      if (!previous_run_.empty()) {  // the new run has started: the old one can go
        if (writes_) fs::remove_all(previous_run_);
        previous_run_.clear();
      }
      if (session_.finished()) break;
      if (writes_) write_run_json("running");
      // A signal may reach the ranks in different iterations: they stop together.
      const bool interrupted =
          !comm_.all(options_.interrupt == nullptr || !options_.interrupt->load());
      const bool stop = options_.stop_after > 0 && done_here >= options_.stop_after;
      if (interrupted || stop)
        return pause(interrupted ? TrainStatus::interrupted : TrainStatus::stopped);
      if (checkpoint_every_ > 0 &&
          static_cast<std::int64_t>(metrics_.size()) % checkpoint_every_ == 0) {
        write_checkpoint(options_.out, session_.simulation(), progress_json());
      }
    }
    session_.finish();
    const std::string weights = weights_csv(session_.simulation(), session_.projections());
    agree(comm_, [&] {
      if (!writes_) return;
      write_last();
      write_file_atomic(options_.out / "weights.csv", weights);
      write_run_json("completed");
      fs::remove_all(options_.out / "checkpoint");
    });
    reporter_.close();
    if (!metrics_.empty()) {
      reporter_.message(fmt::format(
          "{}: {} iterations, final loss {:.6g}, wall time {}; results in {}", config_.task,
          metrics_.size(), metrics_.back().loss, format_duration(wall_s()), options_.out.string()));
    }
    return summary(TrainStatus::completed);
  }

  /// After an exception escaped run(): puts a replaced run back if the new one never got going,
  /// otherwise marks this run failed in run.json (its last checkpoint stays). Returns what the
  /// user is told besides the reason.
  std::string fail(const std::string& reason) {
    reporter_.close();
    if (!writes_) return "";
    if (!previous_run_.empty()) {
      restore_previous_run(options_.out, previous_run_);
      return "; the previous run in " + options_.out.string() + " is kept";
    }
    if (sessions_ == 1 && metrics_.empty()) {  // a new run that never got going leaves nothing
      std::error_code ignored;
      for (const char* name : kRunFiles) fs::remove_all(options_.out / name, ignored);
      return "; nothing was written";
    }
    try {
      write_run_json("failed", reason);
    } catch (const std::exception&) {
      return "";  // e.g. the disk is full: the reason above is all there is
    }
    const bool checkpoint = fs::exists(options_.out / "checkpoint" / "progress.json");
    return "; run.json marks the run failed" +
           std::string(checkpoint ? "; its last checkpoint is kept (continue with --resume " +
                                        options_.out.string() + ")"
                                  : "");
  }

  nlohmann::json progress_json() const {
    nlohmann::json driver{{"metrics", metrics_json(metrics_)},
                          {"wall_time_s", wall_s()},
                          {"peak_memory_bytes", peak_bytes()},
                          {"sessions", sessions_}};
    if (!first_info_.is_null()) driver["first"] = first_info_;
    if (!last_info_.is_null()) driver["last"] = last_info_;
    return {{"format", kCheckpointFormat},
            {"task", config_.task},
            {"version", options_.version},
            {"config_toml", to_toml(config_)},
            {"completed_iterations", metrics_.size()},
            {"driver", driver},
            {"session", session_.save_progress()}};
  }

 private:
  // A non-finite loss, weight or membrane voltage: the run is lost from here on, so it stops
  // before a checkpoint could save that state (the last one written stays good).
  void check_finite(const MetricRow& m) const {
    if (options_.allow_divergence) return;
    std::string what = fmt::format("the loss of iteration {} is {}", m.iteration, m.loss);
    if (std::isfinite(m.loss)) {
      const std::string bad = session_.simulation().non_finite_state();
      if (bad.empty()) return;
      what = fmt::format("after iteration {} {}", m.iteration, bad);
    }
    throw DataError(fmt::format(
        "training diverged: {} (is the learning rate optimizer.eta = {:g} too large?); "
        "metrics.csv has every loss so far. Pass --allow-divergence to go on regardless",
        what, config_.values.count("optimizer.eta") != 0 ? config_.number("optimizer.eta") : 0.0));
  }

  void record(IterationResult r, double wall) {
    metrics_.push_back({r.iteration, r.phase, r.loss, r.error, wall});
    const auto max_steps = config_.integer("recording.max_steps");
    // Only the plotted window of an iteration is kept.
    const double end = std::min(r.end_ms, r.begin_ms + static_cast<double>(max_steps));
    for (MultimeterRecording& m : r.recordings.multimeters) m = slice(m, r.begin_ms, end);
    for (SpikeRecording& sp : r.recordings.spikes) sp = slice(sp, r.begin_ms, end);
    if (r.iteration == 1) {
      if (writes_) write_iteration_recordings(options_.out / "recordings", "first", r, max_steps);
      first_info_ = recording_info(r);
    }
    last_ = std::move(r);
  }

  void write_last() {
    if (!last_) return;
    write_iteration_recordings(options_.out / "recordings", "last", *last_,
                               config_.integer("recording.max_steps"));
    last_info_ = recording_info(*last_);
  }

  // Ctrl-C inside an iteration that takes long: the simulation stops within a fraction of a
  // second, so the state at the iteration's start must be at hand for the checkpoint (one copy,
  // taken only while iterations are long; short ones just finish, as before). Ranks decide
  // together: they then look at the signal at the same steps (Simulation::set_interrupt).
  void arm_interrupt() {
    Simulation& sim = session_.simulation();
    sim.set_interrupt(nullptr);
    snapshot_.reset();
    if (options_.interrupt == nullptr) return;
    if (comm_.all(last_step_s_ >= 0 && last_step_s_ < kLongStepSeconds)) return;
    if (!metrics_.empty()) {  // before the first iteration there is nothing worth keeping
      bool copied = true;
      try {
        std::ostringstream state;
        sim.save_state(state);
        snapshot_ = Snapshot{std::move(state).str(), progress_json()};
      } catch (const std::bad_alloc&) {
        copied = false;  // no room for a copy: Ctrl-C waits for the end of the iteration
      }
      if (!comm_.all(copied)) {
        snapshot_.reset();
        return;
      }
    }
    sim.set_interrupt(options_.interrupt);
  }

  TrainSummary interrupted_inside() {
    if (!snapshot_) {  // in the first iteration of a new run: as if it never started
      const std::string outcome = fail("interrupted");
      reporter_.message("interrupted in the first iteration" + outcome);
      return summary(TrainStatus::interrupted);
    }
    return pause(TrainStatus::interrupted, &*snapshot_);
  }

  TrainSummary pause(TrainStatus status, const Snapshot* at = nullptr) {
    if (at != nullptr) {
      write_checkpoint(options_.out, session_.simulation(), at->progress, &at->state);
    } else {
      write_checkpoint(options_.out, session_.simulation(), progress_json());
    }
    agree(comm_, [&] {
      if (!writes_) return;
      write_last();
      write_run_json(status == TrainStatus::interrupted ? "interrupted" : "stopped");
    });
    reporter_.close();
    reporter_.message(fmt::format(
        "{} {} iteration {}: checkpoint written; continue with: eprop train --resume {}",
        status == TrainStatus::interrupted ? "interrupted" : "stopped",
        at != nullptr ? "inside" : "after",
        at != nullptr ? metrics_.size() + 1 : metrics_.size(), options_.out.string()));
    return summary(status);
  }

  [[nodiscard]] double wall_s() const {
    return previous_wall_s_ + std::chrono::duration<double>(Clock::now() - start_).count();
  }
  [[nodiscard]] std::uint64_t peak_bytes() const {
    return std::max(previous_peak_, peak_rss_bytes());
  }

  TrainSummary summary(TrainStatus status) const {
    TrainSummary s;
    s.status = status;
    s.iterations = static_cast<std::int64_t>(metrics_.size());
    s.final_loss = metrics_.empty() ? std::nan("") : metrics_.back().loss;
    s.wall_time_s = wall_s();
    return s;
  }

  void write_run_json(const std::string& status, const std::string& error = "") {
    const Simulation& sim = session_.simulation();
    const MemoryStats stats = sim.memory_stats();
    nlohmann::json j;
    j["task"] = config_.task;
    j["status"] = status;
    if (!error.empty()) j["error"] = error;
    j["version"] = options_.version;
    if (!options_.command.empty()) j["command"] = options_.command;
    j["config"] = config_json(config_);
    j["seed"] = config_.integer("data.seed");
    j["random_numbers"] =
        draw_mode(config_) == DrawMode::numpy_compatible
            ? "numpy-compatible (legacy MT19937 RandomState, np.random.seed(seed), the NEST "
              "scripts' draw order) for weights, inputs, targets, masks and shuffles"
            : "counter-based (Philox keyed by seed; one stream per quantity, each element "
              "addressed by its indices) for weights, inputs, targets, masks and shuffles";
    j["iterations"] = {{"completed", metrics_.size()}, {"planned", session_.planned_iterations()}};
    j["simulated_ms"] = sim.time_ms();
    j["steps"] = sim.steps_done();
    j["wall_time_s"] = wall_s();
    j["sessions"] = sessions_;
    j["peak_memory_bytes"] = peak_bytes();
    j["eprop_synapses"] = stats.eprop_synapses;
    j["eprop_synapse_bytes"] = stats.eprop_synapse_bytes;
    j["history_entries"] = stats.history_entries;
    j["closed_form_synapses"] = stats.closed_form_synapses;
    j["bytes_per_synapse"] = stats.eprop_synapses > 0
                                 ? static_cast<double>(stats.eprop_synapse_bytes) /
                                       static_cast<double>(stats.eprop_synapses)
                                 : 0.0;
    if (!metrics_.empty()) {
      const MetricRow& last = metrics_.back();
      j["final"] = {
          {"iteration", last.iteration},
          {"phase", last.phase},
          {"loss", last.loss},
          {"error", std::isnan(last.error) ? nlohmann::json(nullptr) : nlohmann::json(last.error)}};
    }
    if (!first_info_.is_null()) j["recordings"]["first"] = first_info_;
    if (!last_info_.is_null()) j["recordings"]["last"] = last_info_;
    write_file_atomic(options_.out / "run.json", j.dump(2) + "\n");
  }

  static constexpr double kLongStepSeconds = 0.25;
  std::optional<Snapshot> snapshot_;
  double last_step_s_ = -1;  ///< wall time of the previous iteration; -1: none yet

  fs::path previous_run_;  ///< a replaced run, until this one has completed an iteration
  const TrainConfig& config_;
  TrainingSession& session_;
  const TrainOptions& options_;
  Communicator& comm_;
  bool writes_;  ///< rank 0
  ProgressReporter reporter_;
  std::int64_t checkpoint_every_;
  Clock::time_point start_ = Clock::now();
  std::vector<MetricRow> metrics_;
  std::optional<IterationResult> last_;
  nlohmann::json first_info_, last_info_;
  double previous_wall_s_ = 0.0;
  std::uint64_t previous_peak_ = 0;
  int sessions_ = 1;
};

nlohmann::json read_progress(const fs::path& out) {
  const fs::path path = out / "checkpoint" / "progress.json";
  if (!fs::exists(path)) {
    throw DataError(out.string() + ": no checkpoint to resume from (" + path.string() +
                    " is missing)");
  }
  std::string text;
  try {
    text = read_input_file(path, "checkpoint progress file", kMaxProgressFileBytes);
    check_json_nesting(text, path.string());
  } catch (const ConfigError& e) {
    throw DataError(e.what());
  }
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    const int format = j.at("format").get<int>();
    if (format != kCheckpointFormat) {
      throw DataError(fmt::format(
          "{}: checkpoint format {} is not the format {} this eprop reads (written by another "
          "version; start the run again)",
          path.string(), format, kCheckpointFormat));
    }
    if (j.at("progress_crc32").get<std::uint32_t>() != progress_checksum(j)) {
      throw DataError(path.string() + ": checksum mismatch (the file is damaged)");
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path.string() + ": unreadable checkpoint (" + e.what() + ")");
  }
}

// Runs the driver; an error on the way is reported with what became of the run.
TrainSummary run_guarded(Driver& driver, const TrainOptions& options, bool start) {
  try {
    if (start) driver.write_start();
    if (options.on_start) options.on_start();
    return driver.run();
  } catch (const std::exception& e) {
    const std::string reason = failure_reason(e);
    const std::string outcome = driver.fail(reason);
    if (dynamic_cast<const ConfigError*>(&e) != nullptr) throw ConfigError(reason + outcome);
    throw DataError(reason + outcome);
  }
}

// The state is trusted only after its size and checksum match those recorded in progress.json.
// The checkpoint holds one part per rank that wrote it; every rank of this run, however many
// there are now, reads all parts and keeps what falls into its own neurons.
void load_state(Simulation& sim, const fs::path& dir, const nlohmann::json& progress) {
  const int ranks = progress.value("ranks", 1);
  if (ranks < 1 || (ranks > 1 && (!progress.contains("rank_states") ||
                                  progress.at("rank_states").size() != static_cast<std::size_t>(ranks - 1)))) {
    throw DataError(dir.string() + "/progress.json: the list of state parts is incomplete");
  }
  std::vector<std::ifstream> files(static_cast<std::size_t>(ranks));
  std::vector<std::istream*> parts;
  for (int rank = 0; rank < ranks; ++rank) {
    const nlohmann::json& recorded =
        rank == 0 ? progress : progress.at("rank_states").at(static_cast<std::size_t>(rank - 1));
    const std::string size_key = rank == 0 ? "state_bytes" : "bytes";
    const std::string crc_key = rank == 0 ? "state_crc32" : "crc32";
    const fs::path path = dir / state_file_name(rank);
    std::ifstream& state = files[static_cast<std::size_t>(rank)];
    state.open(path, std::ios::binary);
    if (!state || !fs::is_regular_file(path)) throw DataError(path.string() + ": missing");
    if (fs::file_size(path) != recorded.value(size_key, std::uint64_t{0})) {
      throw DataError(path.string() + ": size does not match progress.json (incomplete checkpoint)");
    }
    if (crc32(state) != recorded.value(crc_key, std::uint64_t{0})) {
      throw DataError(path.string() + ": checksum mismatch (the file is damaged)");
    }
    state.clear();
    state.seekg(0);
    parts.push_back(&state);
  }
  try {
    sim.load_state(parts);
  } catch (const DataError& e) {
    throw DataError((dir / state_file_name(0)).string() + ": " + e.what());
  }
}

}  // namespace

TrainSummary train(const TrainConfig& given, const TrainOptions& options) {
  TrainConfig config = given;
  // The data set is found again on --resume from any working directory.
  if (const auto it = config.values.find("data.root"); it != config.values.end()) {
    const std::string& root = std::get<std::string>(it->second);
    if (!root.empty()) it->second = fs::absolute(root).lexically_normal().string();
  }
  // Everything that can fail on bad input happens before the output directory is touched; under
  // several ranks they agree on it (the simulation spans them all, rank 0 owns the directory).
  const std::shared_ptr<Communicator> world = world_communicator();
  std::unique_ptr<TrainingSession> session;
  fs::path previous_run;
  const auto prepare = [&] {
    session = make_session(config, options);
    if (world->writes()) previous_run = prepare_out_dir(options.out, options.overwrite);
  };
  if (config.estimate_only) {
    prepare();  // throws the estimate
  } else {
    agree(*world, prepare);
  }
  Driver driver(config, *session, options, previous_run);
  return run_guarded(driver, options, true);
}

namespace {

// Reads the checkpoint and rebuilds its session with this rank's share of the saved state.
std::unique_ptr<TrainingSession> resumed_session(const TrainOptions& options, std::size_t threads,
                                                 TrainConfig& config, nlohmann::json& progress) {
  progress = read_progress(options.out);
  const fs::path origin = options.out / "checkpoint" / "progress.json";
  try {
    const std::string task = progress.at("task").get<std::string>();
    if (!options.resume_task.empty() && options.resume_task != task) {
      throw ConfigError(fmt::format("--resume {}: the run there trains '{}', not '{}'",
                                    options.out.string(), task, options.resume_task));
    }
    const std::string toml = progress.at("config_toml").get<std::string>();
    // Checkpoints written before data.numpy_compatible existed drew everything with numpy.
    std::vector<std::string> legacy;
    if (toml.find("numpy_compatible") == std::string::npos) {
      legacy.emplace_back("data.numpy_compatible=true");
    }
    config = parse_train_config(task, toml, origin.string(), legacy);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(origin.string() + ": unreadable checkpoint (" + e.what() + ")");
  }
  // The state does not depend on the split over ranks and threads: any thread count resumes it.
  if (threads != 0) config.values["run.threads"] = static_cast<std::int64_t>(threads);
  std::unique_ptr<TrainingSession> session = make_session(config, options);
  load_state(session->simulation(), options.out / "checkpoint", progress);
  return session;
}

}  // namespace

TrainSummary resume(const TrainOptions& options, std::size_t threads) {
  const std::shared_ptr<Communicator> world = world_communicator();
  std::unique_ptr<TrainingSession> session;
  TrainConfig config;
  nlohmann::json progress;
  agree(*world, [&] { session = resumed_session(options, threads, config, progress); });
  try {
    session->load_progress(progress.at("session"));
    Driver driver(config, *session, options);
    driver.restore(progress.at("driver"));
    return run_guarded(driver, options, false);
  } catch (const nlohmann::json::exception& e) {
    const fs::path origin = options.out / "checkpoint" / "progress.json";
    throw DataError(origin.string() + ": unreadable checkpoint (" + e.what() + ")");
  }
}


}  // namespace eprop::tasks
