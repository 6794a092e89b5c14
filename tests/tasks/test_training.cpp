// The training loops of `eprop train`: NEST parity of the sine example, bit-identical resume,
// N-MNIST streamed iteration by iteration = the network laid out up front, output files.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eprop/error.h"
#include "io/nmnist_opener.h"
#include "tasks/evidence_task.h"
#include "tasks/nmnist_task.h"
#include "tasks/training.h"

namespace eprop::tasks {
namespace {

namespace fs = std::filesystem;

const fs::path kShared(EPROP_SHARED_DIR);
const fs::path kBaseline = kShared / "baseline" / "nest_baseline_losses.csv";
const fs::path kNmnist = kShared / "data" / "nmnist-small";

/// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto tag = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = fs::temp_directory_path() / ("eprop_training_test_" + std::to_string(tag));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Columns 0..3 (iteration, phase, loss, error) of metrics.csv, as text.
std::vector<std::string> metric_rows(const fs::path& dir) {
  std::vector<std::string> rows;
  std::istringstream in(read_text(dir / "metrics.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(line.substr(0, line.rfind(',')));
  return rows;
}

std::vector<double> losses(const fs::path& dir) {
  std::vector<double> out;
  for (const std::string& row : metric_rows(dir)) {
    std::istringstream s(row);
    std::string field;
    for (int c = 0; c < 3; ++c) std::getline(s, field, ',');
    out.push_back(std::stod(field));
  }
  return out;
}

std::vector<double> errors(const fs::path& dir) {
  std::vector<double> out;
  for (const std::string& row : metric_rows(dir))
    out.push_back(std::stod(row.substr(row.rfind(',') + 1)));
  return out;
}

TrainOptions quiet(const fs::path& out) {
  TrainOptions o;
  o.out = out;
  o.progress = ProgressMode::quiet;
  o.version = "test";
  return o;
}

NmnistDataset open_nmnist(const std::string& root, std::int64_t sequence,
                          bool all_pixels = false) {
  return io::open_nmnist_dataset(root, sequence, all_pixels);
}

/// Column `column` (0-based, after the iteration) of a baseline CSV of ../shared/baseline.
std::vector<std::string> baseline_column(const fs::path& path, std::size_t column) {
  std::vector<std::string> out;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("iteration", 0) == 0) continue;
    std::istringstream fields(line);
    std::string field;
    for (std::size_t c = 0; c <= column + 1; ++c) std::getline(fields, field, ',');
    out.push_back(field);
  }
  return out;
}

std::vector<double> numbers(const std::vector<std::string>& text) {
  std::vector<double> out;
  for (const std::string& t : text) out.push_back(std::stod(t));
  return out;
}

// SPEC 11.1: with numpy-compatible draws, the first iterations of the shipped example equal
// NEST's (baseline run of NEST 3.10, ../shared/baseline/nest_baseline_losses.csv, column `sine`)
// at rtol 1e-8.
TEST(Training, SineMatchesNestBaselineLosses) {
  if (!fs::exists(kBaseline)) {
    GTEST_SKIP() << kBaseline << " not found (shared baseline absent); skipping NEST parity";
  }
  const std::vector<double> nest = numbers(baseline_column(kBaseline, 0));
  ASSERT_GE(nest.size(), 5U);
  TempDir dir;
  const TrainConfig config =
      parse_train_config("sine", "", "test", {"training.n_iter=5", "data.numpy_compatible=true"});
  const TrainSummary s = train(config, quiet(dir.path()));
  EXPECT_EQ(s.status, TrainStatus::completed);
  const std::vector<double> ours = losses(dir.path());
  ASSERT_EQ(ours.size(), 5U);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_NEAR(ours[k], nest[k], 1e-8 * std::abs(nest[k])) << "iteration " << k + 1;
  }
  EXPECT_TRUE(std::isnan(errors(dir.path())[0]));  // regression: no error column
  for (const char* f :
       {"run.json", "config.toml", "weights.csv", "weights_initial.csv",
        "recordings/first_readout.csv", "recordings/last_readout.csv",
        "recordings/first_spikes_input.csv", "recordings/last_traces_recurrent.csv"}) {
    EXPECT_TRUE(fs::exists(dir.path() / f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "checkpoint"));  // removed when the run completes
}

// SPEC 11.2 (network.model = eprop_iaf_bsshslm_2020), column `sine_bsshslm` of the baseline.
TEST(Training, SineBsshslmMatchesNestBaselineLosses) {
  if (!fs::exists(kBaseline)) GTEST_SKIP() << kBaseline << " not found; skipping NEST parity";
  const std::vector<double> nest = numbers(baseline_column(kBaseline, 1));
  ASSERT_GE(nest.size(), 5U);
  TempDir dir;
  const TrainConfig config =
      parse_train_config("sine", "", "test",
                         {"training.n_iter=5", "network.model=eprop_iaf_bsshslm_2020",
                          "data.numpy_compatible=true"});
  ASSERT_EQ(train(config, quiet(dir.path())).status, TrainStatus::completed);
  const std::vector<double> ours = losses(dir.path());
  ASSERT_EQ(ours.size(), 5U);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_NEAR(ours[k], nest[k], 1e-8 * std::abs(nest[k])) << "iteration " << k + 1;
  }
}

// SPEC 11.3 as shipped (batch 32, Adam, early stopping): the first three iterations (a
// validation and two training iterations) against NEST's
// ../shared/baseline/nest_baseline_evidence_accumulation.csv. (All 59 agree to 5e-16; that run
// takes about a minute.)
TEST(Training, EvidenceMatchesNestBaseline) {
  const fs::path path = kShared / "baseline" / "nest_baseline_evidence_accumulation.csv";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not found; skipping NEST parity";
  const std::vector<std::string> phase = baseline_column(path, 0);
  const std::vector<double> loss = numbers(baseline_column(path, 1));
  const std::vector<double> error = numbers(baseline_column(path, 2));
  TempDir dir;
  TrainOptions options = quiet(dir.path());
  options.stop_after = 3;
  const TrainConfig config =
      parse_train_config("evidence", "", "test", {"data.numpy_compatible=true"});
  ASSERT_EQ(train(config, options).status, TrainStatus::stopped);
  const std::vector<std::string> rows = metric_rows(dir.path());
  const std::vector<double> ours = losses(dir.path());
  const std::vector<double> our_errors = errors(dir.path());
  ASSERT_EQ(rows.size(), 3U);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NE(rows[k].find("," + phase[k] + ","), std::string::npos) << rows[k];
    EXPECT_NEAR(ours[k], loss[k], 1e-8 * loss[k]) << "iteration " << k + 1;
    EXPECT_EQ(our_errors[k], error[k]) << "iteration " << k + 1;
  }
}

// The e-prop+ version (PAPER_EXPERIMENTS 5.2) against the authors' script at batch 1 with numpy
// draws: the first three losses that their toolbox's verify() expects of
// eprop_supervised_classification_evidence-accumulation.py (34.58427289782617, 36.87835068653019,
// 28.89970643558962). Ours differ by up to 6e-7 relative, not to the last digit as the pattern
// tasks do (tests/reference/test_pattern_tasks.cpp); the cause is not found (docs/user/training.md).
TEST(Training, EvidenceEpropPlusNearTheAuthorsScript) {
  TempDir dir;
  const TrainConfig config = parse_train_config(
      "evidence", "", "test",
      {"data.numpy_compatible=true", "network.family=eprop_plus", "training.batch_size=1",
       "training.n_iter_train=3", "training.n_iter_test=0", "training.early_stopping=false",
       "recording.n_record_rec=0"});
  ASSERT_EQ(train(config, quiet(dir.path())).status, TrainStatus::completed);
  const std::vector<double> authors{34.58427289782617, 36.87835068653019, 28.89970643558962};
  const std::vector<double> ours = losses(dir.path());
  ASSERT_EQ(ours.size(), 3U);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(ours[k], authors[k], 1e-6 * authors[k]) << "iteration " << k + 1;
  }
}

// Issue 5: with the default counter-based draws (another frozen input, target and initial
// weights than NEST's numpy draws), 200 iterations of the sine task end at or below NEST's loss,
// event-driven (SPEC 11.1) and bsshslm (11.2): the last loss and the mean of the last 10. Float
// precision for speed (about 8 s + 4 s); the margins are wide (seed 1, float: 71.4 vs 75.7 and
// 35.3 vs 61.4).
TEST(Training, SineCounterBasedDrawsEndAtOrBelowNestLoss) {
  if (!fs::exists(kBaseline)) GTEST_SKIP() << kBaseline << " not found; skipping NEST comparison";
  const std::array<std::string, 2> models{"eprop_iaf", "eprop_iaf_bsshslm_2020"};
  for (std::size_t column = 0; column < models.size(); ++column) {
    SCOPED_TRACE(models[column]);
    const std::vector<double> nest = numbers(baseline_column(kBaseline, column));
    ASSERT_EQ(nest.size(), 200U);
    TempDir dir;
    const TrainConfig config = parse_train_config(
        "sine", "", "test",
        {"network.model=" + models[column], "run.precision=float", "recording.spikes=false",
         "recording.n_record_rec=0"});
    ASSERT_FALSE(config.boolean("data.numpy_compatible"));
    ASSERT_EQ(train(config, quiet(dir.path())).status, TrainStatus::completed);
    const std::vector<double> ours = losses(dir.path());
    ASSERT_EQ(ours.size(), 200U);
    const auto last10 = [](const std::vector<double>& v) {
      return std::accumulate(v.end() - 10, v.end(), 0.0) / 10.0;
    };
    EXPECT_LE(ours.back(), nest.back());
    EXPECT_LE(last10(ours), last10(nest));
    EXPECT_LT(ours.back(), 0.8 * ours.front());  // it learned
  }
}

// The evidence network's sizes come from the config (SPEC 11.3 keys network.n_in, n_regular,
// n_adaptive): populations, weight files and recordings follow them.
TEST(Training, EvidenceNetworkSizesFromTheConfig) {
  TempDir dir;
  const TrainConfig config = parse_train_config(
      "evidence", "", "test",
      {"network.n_in=8", "network.n_regular=3", "network.n_adaptive=5", "training.batch_size=1",
       "training.n_iter_train=2", "training.n_iter_test=1", "training.early_stopping=false",
       "recording.n_record_rec=4", "run.precision=float"});
  ASSERT_EQ(train(config, quiet(dir.path())).status, TrainStatus::completed);
  EXPECT_EQ(metric_rows(dir.path()).size(), 3U);
  // projection,source_population,source,target_population,target,weight
  std::istringstream w(read_text(dir.path() / "weights_initial.csv"));
  std::string line;
  std::getline(w, line);
  std::map<std::string, std::size_t> rows;
  long long max_rec_target = -1;
  while (std::getline(w, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f(6);
    for (std::string& x : f) std::getline(fields, x, ',');
    ++rows[f[0]];
    if (f[0] != "rec_out") max_rec_target = std::max(max_rec_target, std::stoll(f[4]));
  }
  EXPECT_EQ(rows["in_rec"], 8U * 8U);
  EXPECT_EQ(rows["rec_rec"], 8U * 8U - 8U);  // no autapses
  EXPECT_EQ(rows["rec_out"], 8U * 2U);
  EXPECT_EQ(max_rec_target, 7);  // adaptive neurons follow the 3 regular ones
  // min(n_record_rec, population size) traced neurons per recurrent population.
  std::set<std::string> traced;
  std::istringstream traces(read_text(dir.path() / "recordings/first_traces_regular.csv"));
  std::getline(traces, line);
  while (std::getline(traces, line)) traced.insert(line.substr(0, line.find(',')));
  EXPECT_EQ(traced.size(), 3U);
}

TEST(Training, ResumedRunIsBitIdentical) {
  TempDir a, b;
  const TrainConfig config = parse_train_config(
      "sine", "", "test", {"training.n_iter=4", "training.sequence=200", "network.n_rec=30"});
  ASSERT_EQ(train(config, quiet(a.path())).status, TrainStatus::completed);
  TrainOptions first = quiet(b.path());
  first.stop_after = 2;
  const TrainSummary paused = train(config, first);
  EXPECT_EQ(paused.status, TrainStatus::stopped);
  EXPECT_EQ(paused.iterations, 2);
  EXPECT_TRUE(fs::exists(b.path() / "checkpoint" / "state.bin"));
  EXPECT_EQ(resume(quiet(b.path())).status, TrainStatus::completed);
  EXPECT_EQ(metric_rows(a.path()), metric_rows(b.path()));
  EXPECT_EQ(read_text(a.path() / "weights.csv"), read_text(b.path() / "weights.csv"));
  EXPECT_EQ(read_text(a.path() / "recordings/last_readout.csv"),
            read_text(b.path() / "recordings/last_readout.csv"));
  // Resuming a completed run has nothing to resume from.
  EXPECT_THROW((void)resume(quiet(b.path())), DataError);
  TrainOptions again = quiet(b.path());
  again.stop_after = 1;
  EXPECT_THROW((void)train(config, again), ConfigError);  // holds a run, no --overwrite
  again.overwrite = true;
  EXPECT_EQ(train(config, again).status, TrainStatus::stopped);
  // Another thread count resumes it to the same numbers (the state does not depend on the split).
  EXPECT_EQ(resume(quiet(b.path()), 3).status, TrainStatus::completed);
  EXPECT_EQ(metric_rows(a.path()), metric_rows(b.path()));
  EXPECT_EQ(read_text(a.path() / "weights.csv"), read_text(b.path() / "weights.csv"));
}

TEST(Training, BadNetworkParameterFailsBeforeAnythingIsWritten) {
  TempDir dir;
  const fs::path out = dir.path() / "run";
  const TrainConfig config =
      parse_train_config("sine", "", "bad.toml", {"recurrent.tau_mm=20", "training.n_iter=1"});
  try {
    (void)train(config, quiet(out));
    FAIL() << "unknown neuron parameter accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tau_mm"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out));
}

// The training loop sets each iteration's group with set_spike_times / set_amplitudes; the
// result must equal nmnist_task_network() with every iteration laid out up front, for both
// generator modes, in losses, errors and final weights.
TEST(Training, NmnistStreamedEqualsNetworkLaidOutUpFront) {
  if (!fs::exists(kNmnist)) {
    GTEST_SKIP() << kNmnist << " not found (shared data absent); skipping the N-MNIST check";
  }
  for (const bool reset : {true, false}) {
    SCOPED_TRACE(reset ? "nest_generator_reset" : "no reset");
    TempDir dir;
    const TrainConfig config = parse_train_config(
        "nmnist", "", "test",
        {"data.root=" + kNmnist.string(), "training.group_size=3", "training.n_iter_train=2",
         "training.n_iter_test=1", "network.n_rec=20", "optimizer.eta=1e-5",
         std::string("training.nest_generator_reset=") + (reset ? "true" : "false")});
    TrainOptions options = quiet(dir.path());
    options.open_nmnist = open_nmnist;
    ASSERT_EQ(train(config, options).status, TrainStatus::completed);

    NmnistTaskConfig c;
    c.group_size = 3;
    c.n_iter_train = 2;
    c.n_iter_test = 1;
    c.n_rec = 20;
    c.eta_train = 1e-5;
    c.nest_generator_reset = reset;
    c.draws = DrawMode::counter_based;  // the default of `eprop train`
    c.precision = Precision::double_precision;
    c.recording.readout_dynamics = true;
    const NmnistDataset data = open_nmnist(kNmnist.string(), c.sequence);
    const NmnistTaskData d = draw_nmnist_task_data(c, data.n_train, data.n_test);
    Simulation sim(nmnist_task_network(c, d, data.source));
    const NmnistEvaluation ev = run_nmnist_task(sim, c, d);
    EXPECT_EQ(losses(dir.path()), ev.loss);
    EXPECT_EQ(errors(dir.path()), ev.error);
    // weights.csv rows: projection,source_population,source,target_population,target,weight
    std::istringstream w(read_text(dir.path() / "weights.csv"));
    std::string line;
    std::getline(w, line);
    std::size_t rows = 0;
    const std::vector<std::size_t> plastic{1, 2, 3};
    std::vector<SynapseWeight> expected;
    for (const std::size_t p : plastic) {
      const auto ws = sim.weights(p);
      expected.insert(expected.end(), ws.begin(), ws.end());
    }
    while (std::getline(w, line)) {
      ASSERT_LT(rows, expected.size());
      EXPECT_EQ(std::stod(line.substr(line.rfind(',') + 1)), expected[rows].weight) << line;
      ++rows;
    }
    EXPECT_EQ(rows, expected.size());
  }
}

// `--preset paper` (PAPER_EXPERIMENTS 5.3) for 3 iterations of 20 samples: 2312 inputs all-to-all,
// fixed recurrent indegree 15, full window, validation and test with eta 0.
TEST(Training, NmnistPaperPresetRuns) {
  if (!fs::exists(kNmnist)) {
    GTEST_SKIP() << kNmnist << " not found (shared data absent); skipping the N-MNIST check";
  }
  TempDir dir;
  std::vector<std::string> settings = preset_settings("nmnist", "paper");
  settings.insert(settings.end(), {"data.root=" + kNmnist.string(), "training.group_size=20",
                                   "training.n_iter_train=2", "training.n_iter_test=1"});
  const TrainConfig config = parse_train_config("nmnist", "", "test", settings);
  TrainOptions options = quiet(dir.path());
  options.open_nmnist = open_nmnist;
  ASSERT_EQ(train(config, options).status, TrainStatus::completed);
  // Early stopping validates before the first training iteration (and every 10th).
  std::vector<std::string> phases;
  for (const std::string& row : metric_rows(dir.path())) {
    std::istringstream fields(row);
    std::string phase;
    std::getline(fields, phase, ',');  // iteration
    std::getline(fields, phase, ',');
    phases.push_back(phase);
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"validation", "training", "training", "test"}));
  for (const double l : losses(dir.path())) EXPECT_TRUE(std::isfinite(l) && l > 0.0) << l;
  for (const double e : errors(dir.path())) EXPECT_TRUE(e >= 0.0 && e <= 1.0) << e;
  std::istringstream w(read_text(dir.path() / "weights.csv"));
  std::string line;
  std::getline(w, line);
  std::size_t in_rec = 0, rec_rec = 0;
  while (std::getline(w, line)) {
    std::istringstream row(line);
    std::vector<std::string> f(6);
    for (std::string& field : f) std::getline(row, field, ',');
    in_rec += f[1] == "input" && f[3] == "recurrent" ? 1 : 0;
    rec_rec += f[1] == "recurrent" && f[3] == "recurrent" ? 1 : 0;
  }
  EXPECT_EQ(in_rec, 2312U * 150U);
  EXPECT_EQ(rec_rec, 15U * 150U);
}

// `--preset paper_original` (PAPER_EXPERIMENTS 5.3, original column: gradient descent eta 5e-3 on
// gradients summed over the whole 300 ms window) stays finite over 5 updates. With the readouts'
// spike input at full weight (regular_spike_arrival on, unlike the authors' script) the loss grew
// at every update and the softmax overflowed to nan in the 4th (docs/user/training.md).
TEST(Training, NmnistPaperOriginalPresetStaysFinite) {
  if (!fs::exists(kNmnist)) {
    GTEST_SKIP() << kNmnist << " not found (shared data absent); skipping the N-MNIST check";
  }
  TempDir dir;
  std::vector<std::string> settings = preset_settings("nmnist", "paper_original");
  settings.insert(settings.end(),
                  {"data.root=" + kNmnist.string(), "training.group_size=20",
                   "training.n_iter_train=5", "training.n_iter_test=0",
                   "training.early_stopping=false", "recording.n_record_rec=0"});
  const TrainConfig config = parse_train_config("nmnist", "", "test", settings);
  TrainOptions options = quiet(dir.path());
  options.open_nmnist = open_nmnist;
  ASSERT_EQ(train(config, options).status, TrainStatus::completed);
  const std::vector<double> loss = losses(dir.path());
  ASSERT_EQ(loss.size(), 5U);
  // train() also fails the run on non-finite weights or voltages (Simulation::non_finite_state).
  for (const double l : loss) EXPECT_TRUE(std::isfinite(l) && l > 0.0) << l;
}

}  // namespace
}  // namespace eprop::tasks

namespace eprop::tasks {
namespace {

// The evidence loop (phase by phase, recordings cleared as it goes, final-update spike placed
// after the phases run) scores every phase exactly as run_evidence_task, including the
// early-stopping schedule's decisions, in both draw modes.
TEST(Training, EvidenceEqualsTheScriptPipeline) {
  for (const DrawMode mode : {DrawMode::numpy_compatible, DrawMode::counter_based}) {
    const bool numpy = mode == DrawMode::numpy_compatible;
    SCOPED_TRACE(std::string(draw_mode_name(mode)));
    TempDir dir;
    const TrainConfig config = parse_train_config(
        "evidence", "", "test",
        {"training.batch_size=2", "training.n_iter_train=3", "training.n_iter_test=1",
         "training.validate_every=1", "training.stop_criterion=0.9",
         "training.n_iter_early_stop=2", "run.precision=float",
         std::string("data.numpy_compatible=") + (numpy ? "true" : "false")});
    ASSERT_EQ(train(config, quiet(dir.path())).status, TrainStatus::completed);
    EvidenceTaskConfig e;
    e.batch_size = 2;
    e.n_iter_train = 3;
    e.n_iter_test = 1;
    e.validate_every = 1;
    e.stop_criterion = 0.9;
    e.n_iter_early_stop = 2;
    e.precision = Precision::single_precision;
    e.draws = mode;
    const EvidenceRun run = run_evidence_task(e);
    if (numpy) {
      // This configuration stops early: validation, training, validation, training,
      // validation, 2 x early-stopping, the last training iteration, test.
      EXPECT_TRUE(run.stopped_early);
      ASSERT_EQ(run.phases.size(), 9U);
      EXPECT_EQ(run.phases[5].label, "early-stopping");
    }
    const std::vector<std::string> rows = metric_rows(dir.path());
    ASSERT_EQ(rows.size(), run.phases.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      std::istringstream s(rows[k]);
      std::string iteration, phase, loss, error;
      std::getline(s, iteration, ',');
      std::getline(s, phase, ',');
      std::getline(s, loss, ',');
      std::getline(s, error, ',');
      EXPECT_EQ(phase, run.phases[k].label) << k;
      EXPECT_EQ(std::stod(loss), run.phases[k].score.loss) << k;
      EXPECT_EQ(std::stod(error), run.phases[k].score.error) << k;
    }
    EXPECT_TRUE(fs::exists(dir.path() / "recordings/first_spikes_adaptive.csv"));
    EXPECT_TRUE(fs::exists(dir.path() / "recordings/last_traces_adaptive.csv"));
  }
}

}  // namespace
}  // namespace eprop::tasks

namespace eprop::tasks {
namespace {

// Checkpoints before and after early stopping re-sets the evidence generators with more batches.
TEST(Training, EvidenceResumesAcrossEarlyStopping) {
  TempDir a, b;
  const TrainConfig config = parse_train_config(
      "evidence", "", "test",
      {"training.batch_size=2", "training.n_iter_train=3", "training.n_iter_test=1",
       "training.validate_every=1", "training.stop_criterion=0.9", "training.n_iter_early_stop=2",
       "run.precision=float", "data.numpy_compatible=true"});  // numpy's draws stop early here
  ASSERT_EQ(train(config, quiet(a.path())).status, TrainStatus::completed);
  TrainOptions options = quiet(b.path());
  options.stop_after = 4;  // before the first early-stopping iteration (6)
  ASSERT_EQ(train(config, options).status, TrainStatus::stopped);
  options.stop_after = 3;  // after it
  ASSERT_EQ(resume(options).status, TrainStatus::stopped);
  ASSERT_EQ(resume(quiet(b.path())).status, TrainStatus::completed);
  EXPECT_EQ(metric_rows(a.path()), metric_rows(b.path()));
  EXPECT_EQ(read_text(a.path() / "weights.csv"), read_text(b.path() / "weights.csv"));
}

}  // namespace
}  // namespace eprop::tasks
