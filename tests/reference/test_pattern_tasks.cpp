// NEST parity of the lemniscate and handwriting examples (SPEC 11.5): the first five losses of
// NEST 3.10's scripts as shipped (../shared/baseline/nest_baseline_losses.csv, 200-iteration
// runs, rng_seed 1), reproduced with numpy draws in double at rtol 1e-8. The 200-iteration
// comparison runs as `eprop train` (docs/benchmarks.md).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "tasks/pattern_task.h"

namespace eprop {
namespace {

namespace fs = std::filesystem;
const fs::path kShared(EPROP_SHARED_DIR);
const fs::path kBaseline = kShared / "baseline" / "nest_baseline_losses.csv";
const fs::path kHandwriting = kShared / "data" / "nest-examples" / "chaos_handwriting.txt";

// One column of the baseline CSV, iterations in order.
std::vector<double> baseline_column(const std::string& name) {
  std::ifstream in(kBaseline);
  std::string line;
  std::vector<std::string> header;
  std::vector<double> values;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    std::vector<std::string> cells;
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      continue;
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (header[c] == name) values.push_back(std::stod(cells.at(c)));
    }
  }
  return values;
}

std::vector<double> run_losses(tasks::SineTaskConfig c, std::int64_t n_iter) {
  c.n_iter = n_iter;
  c.precision = Precision::double_precision;
  c.final_update = false;
  Simulation sim(tasks::sine_task_network(c));
  sim.run_schedule();
  return tasks::sine_task_losses(sim.multimeters().at(0), c.n_iter, c.sequence);
}

void expect_relative(const std::vector<double>& actual, const std::vector<double>& expected,
                     double rtol) {
  ASSERT_LE(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_LE(std::abs(actual[i] - expected[i]), rtol * std::abs(expected[i]))
        << "iteration " << i + 1 << ": " << actual[i] << " vs NEST " << expected[i];
  }
}

TEST(ReferencePatternTasks, LemniscateFirstFiveLossesMatchNest) {
  if (!fs::exists(kBaseline)) GTEST_SKIP() << "shared baseline absent: " << kBaseline;
  const tasks::SineTaskConfig c =
      tasks::pattern_task_config(tasks::lemniscate_targets(tasks::kLemniscateSequence));
  expect_relative(run_losses(c, 5), baseline_column("lemniscate_bsshslm"), 1e-8);
}

TEST(ReferencePatternTasks, HandwritingFirstFiveLossesMatchNest) {
  if (!fs::exists(kBaseline) || !fs::exists(kHandwriting)) {
    GTEST_SKIP() << "shared baseline or handwriting data absent under " << kShared;
  }
  const auto data = tasks::read_handwriting_data(kHandwriting);
  ASSERT_EQ(data.size(), 228U);
  const tasks::SineTaskConfig c = tasks::pattern_task_config(
      tasks::handwriting_targets(data, tasks::kHandwritingStepsPerPoint));
  ASSERT_EQ(c.sequence, 1824);
  expect_relative(run_losses(c, 5), baseline_column("handwriting_bsshslm"), 1e-8);
}

// The e-prop+ versions (PAPER_EXPERIMENTS 5.4) against the authors' own scripts: the first five
// losses that their toolbox's verify() expects of eprop_supervised_regression_lemniscate.py and
// ..._handwriting.py at their defaults (seed 1, numpy draws, NEST's tau_m stream). Matching them
// shows that the slow start (313.98 -> 314.27) is the authors' setup, not a different network.
const std::vector<double> kAuthorsEpropPlusLemniscate{313.97780874558964, 314.44451084333986,
                                                      314.33470446142724, 314.34578846060418,
                                                      314.26966573356208};
const std::vector<double> kAuthorsEpropPlusHandwriting{91.20706143549684, 91.24365648440904,
                                                       91.36371455870751, 91.17114245646556,
                                                       91.33388530139359};

TEST(ReferencePatternTasks, EpropPlusLemniscateMatchesTheAuthorsScript) {
  const tasks::SineTaskConfig c = tasks::pattern_task_config_eprop_plus(
      tasks::lemniscate_targets(tasks::kLemniscateSequence), tasks::PatternTask::lemniscate);
  expect_relative(run_losses(c, 5), kAuthorsEpropPlusLemniscate, 1e-12);
}

TEST(ReferencePatternTasks, EpropPlusHandwritingMatchesTheAuthorsScript) {
  if (!fs::exists(kHandwriting)) GTEST_SKIP() << "handwriting data absent: " << kHandwriting;
  const tasks::SineTaskConfig c = tasks::pattern_task_config_eprop_plus(
      tasks::handwriting_targets(tasks::read_handwriting_data(kHandwriting),
                                 tasks::kHandwritingStepsPerPoint),
      tasks::PatternTask::handwriting);
  expect_relative(run_losses(c, 5), kAuthorsEpropPlusHandwriting, 1e-12);
}

TEST(ReferencePatternTasks, TauMIsNestsDrawForTheRecurrentNodeIds) {
  // One vp: node ids do not matter, the recurrent neurons get the stream's first draws
  // (../shared/reference-cases/nest_random_normal.csv, rng_seed 1: 32.0278..., 29.4592...).
  const std::vector<double> tau = tasks::nest_tau_m_draws(1, 100, 200, 30.0, 2.0);
  ASSERT_EQ(tau.size(), 200U);
  EXPECT_EQ(tau[0], 32.02781784560859);
  EXPECT_EQ(tau[1], 29.4592614845328);
}

TEST(ReferencePatternTasks, HandwritingTargetInterpolatesTheNormalisedPenPath) {
  // Two points: cumulative sums (1, 3) -> /3 -> (1/3, 1) -> minus mean 2/3 -> (-1/3, 1/3).
  const auto t = tasks::handwriting_targets({{1.0, -2.0}, {2.0, 0.0}}, 4);
  ASSERT_EQ(t.size(), 2U);
  ASSERT_EQ(t[0].size(), 8U);
  EXPECT_DOUBLE_EQ(t[0][0], -1.0 / 3.0);
  EXPECT_NEAR(t[0][2], 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(t[0][4], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(t[0][7], 1.0 / 3.0);  // past the last point: its value
  EXPECT_DOUBLE_EQ(t[1][0], 0.0);        // (-2, -2) -> (-1, -1) -> 0
}

}  // namespace
}  // namespace eprop
