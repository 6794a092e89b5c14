// The draw sources of the task builders (tasks/task_random.h): the numpy-compatible source is
// numpy's sequence unchanged; counter-based draws are pure functions of (seed, quantity, block,
// index) with the right distributions; the tasks built from them.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "eprop/error.h"
#include "tasks/evidence_task.h"
#include "tasks/numpy_random.h"
#include "tasks/sine_task.h"
#include "tasks/task_random.h"

namespace eprop::tasks {
namespace {

// The numpy source makes exactly NumpyRandomState's calls, whatever the keys say.
TEST(TaskRandom, NumpySourceIsTheNumpySequence) {
  NumpyRandomState numpy(7);
  const auto source = make_task_random(DrawMode::numpy_compatible, 7);
  const std::vector<double> p{0.3, 0.7};
  EXPECT_EQ(source->normal({TaskDraw::w_rec, 3}, 5), numpy.randn(5));  // odd: cache carried over
  EXPECT_EQ(source->normal({TaskDraw::w_in}, 3), numpy.randn(3));
  EXPECT_EQ(source->uniform01({TaskDraw::input_spikes}, 4), numpy.rand(4));
  EXPECT_EQ(source->uniform({TaskDraw::w_out}, -0.5, 2.0, 4), numpy.uniform(-0.5, 2.0, 4));
  EXPECT_EQ(source->below({TaskDraw::cue_sides}, 2, 9), numpy.choice(2, 9));
  EXPECT_EQ(source->choice({TaskDraw::cues}, p, 7), numpy.choice(p, 7));
  EXPECT_EQ(source->permutation({TaskDraw::train_order}, 50), numpy.permutation(50));
  EXPECT_EQ(source->uniform01({TaskDraw::w_in}, 2), numpy.rand(2));
}

TEST(TaskRandom, CounterDrawsDependOnlyOnSeedQuantityBlockAndIndex) {
  const auto a = make_task_random(DrawMode::counter_based, 1);
  const auto b = make_task_random(DrawMode::counter_based, 1);
  // Other draws in between, or in another order, change nothing; a shorter draw is a prefix.
  const std::vector<double> w = a->normal({TaskDraw::w_in}, 100);
  (void)b->uniform01({TaskDraw::input_spikes}, 1000);
  (void)b->normal({TaskDraw::w_rec}, 7);
  std::vector<double> head = b->normal({TaskDraw::w_in}, 10);
  EXPECT_EQ(head, std::vector<double>(w.begin(), w.begin() + 10));
  EXPECT_EQ(b->normal({TaskDraw::w_in}, 100), w);
  EXPECT_EQ(a->permutation({TaskDraw::test_order}, 30), b->permutation({TaskDraw::test_order}, 30));
  // Quantities, blocks and seeds are independent streams.
  EXPECT_NE(a->normal({TaskDraw::w_rec}, 100), w);
  EXPECT_NE(a->normal({TaskDraw::w_in, 1}, 100), w);
  EXPECT_NE(make_task_random(DrawMode::counter_based, 2)->normal({TaskDraw::w_in}, 100), w);
  EXPECT_NE(make_task_random(DrawMode::numpy_compatible, 1)->normal({TaskDraw::w_in}, 100), w);
}

TEST(TaskRandom, CounterDrawsHaveTheirDistributions) {
  const auto rng = make_task_random(DrawMode::counter_based, 12345);
  constexpr std::size_t kN = 200000;
  const std::vector<double> z = rng->normal({TaskDraw::feedback}, kN);
  const double mean = std::accumulate(z.begin(), z.end(), 0.0) / kN;
  double var = 0.0;
  for (const double x : z) var += (x - mean) * (x - mean);
  var /= kN;
  EXPECT_NEAR(mean, 0.0, 0.01);  // 4.5 standard errors
  EXPECT_NEAR(var, 1.0, 0.015);
  EXPECT_NEAR(static_cast<double>(std::count_if(z.begin(), z.end(),
                                                [](double x) { return std::abs(x) < 1.0; })) /
                  kN,
              0.6827, 0.005);

  const std::vector<double> u = rng->uniform({TaskDraw::w_out}, -2.0, 3.0, kN);
  EXPECT_GE(*std::min_element(u.begin(), u.end()), -2.0);
  EXPECT_LT(*std::max_element(u.begin(), u.end()), 3.0);
  EXPECT_NEAR(std::accumulate(u.begin(), u.end(), 0.0) / kN, 0.5, 0.02);

  const std::vector<std::int64_t> k = rng->below({TaskDraw::cue_sides}, 3, kN);
  for (std::int64_t v = 0; v < 3; ++v) {
    EXPECT_NEAR(static_cast<double>(std::count(k.begin(), k.end(), v)) / kN, 1.0 / 3.0, 0.005);
  }
  EXPECT_TRUE(std::all_of(k.begin(), k.end(), [](std::int64_t v) { return v >= 0 && v < 3; }));

  const std::vector<double> p{0.3, 0.7};
  const std::vector<std::int64_t> c = rng->choice({TaskDraw::cues}, p, kN);
  EXPECT_NEAR(static_cast<double>(std::count(c.begin(), c.end(), 1)) / kN, 0.7, 0.005);

  std::vector<std::int64_t> perm = rng->permutation({TaskDraw::train_order}, 1000);
  std::vector<std::int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(perm, identity);
  std::sort(perm.begin(), perm.end());
  EXPECT_EQ(perm, identity);
  EXPECT_THROW((void)rng->below({TaskDraw::cue_sides}, 0, 1), ConfigError);
}

double spike_rate(const std::vector<std::vector<double>>& times, double steps) {
  double spikes = 0.0;
  for (const auto& t : times) spikes += static_cast<double>(t.size());
  return spikes / (steps * static_cast<double>(times.size()));
}

// Both modes build the same task: the same weight scale, spike rate and target normalisation.
TEST(TaskRandom, SineTaskIsTheSameTaskInBothModes) {
  SineTaskConfig numpy;
  numpy.n_iter = 1;
  SineTaskConfig counter = numpy;
  counter.draws = DrawMode::counter_based;
  const SineTaskData a = draw_sine_task_data(numpy);
  const SineTaskData b = draw_sine_task_data(counter);
  EXPECT_NE(a.w_in, b.w_in);
  EXPECT_NE(a.target, b.target);
  const auto rms = [](const std::vector<double>& w) {
    return std::sqrt(std::inner_product(w.begin(), w.end(), w.begin(), 0.0) /
                     static_cast<double>(w.size()));
  };
  const double expected = (1.0 - kSineKappa) / 10.0;  // randn / sqrt(100) * (1 - kappa)
  EXPECT_NEAR(rms(b.w_in), expected, 0.03 * expected);
  EXPECT_NEAR(rms(b.w_rec), expected * std::sqrt(0.99), 0.03 * expected);
  EXPECT_NEAR(spike_rate(b.input_spike_times, 1000.0), 0.05, 0.003);
  EXPECT_EQ(b.target.front(), 0.0);
  double max_abs = 0.0;
  for (const double y : b.target) max_abs = std::max(max_abs, std::abs(y));
  EXPECT_DOUBLE_EQ(max_abs, 1.0);
  for (std::size_t j = 0; j < 100; ++j) EXPECT_EQ(b.w_rec[j * 100 + j], 0.0);
}

// The batch of a phase does not depend on how many phases are drawn (the training loop draws
// more when early stopping extends the run), in both modes.
TEST(TaskRandom, EvidenceBatchesDoNotDependOnTheNumberOfPhases) {
  for (const DrawMode mode : {DrawMode::numpy_compatible, DrawMode::counter_based}) {
    SCOPED_TRACE(std::string(draw_mode_name(mode)));
    EvidenceTaskConfig c;
    c.batch_size = 3;
    c.draws = mode;
    const EvidenceTaskData two = draw_evidence_task_data(c, 2);
    const EvidenceTaskData one = draw_evidence_task_data(c, 1);
    EXPECT_EQ(two.w_in, one.w_in);
    EXPECT_EQ(std::vector<int>(two.labels.begin(), two.labels.begin() + 3), one.labels);
    const double phase_end = 3.0 * static_cast<double>(kEvidenceSequence);
    for (std::size_t i = 0; i < one.input_spike_times.size(); ++i) {
      std::vector<double> first;
      for (const double t : two.input_spike_times[i]) {
        if (t <= phase_end) first.push_back(t);
      }
      EXPECT_EQ(first, one.input_spike_times[i]) << "input " << i;
    }
  }
}

// Counter-based evidence batches follow the task's statistics: balanced labels, background rate
// p/4 on the last group, cue rate on the favoured side.
TEST(TaskRandom, CounterEvidenceBatchesHaveTheTaskStatistics) {
  EvidenceTaskConfig c;
  c.batch_size = 50;
  c.draws = DrawMode::counter_based;
  const EvidenceTaskData d = draw_evidence_task_data(c, 2);
  ASSERT_EQ(d.labels.size(), 100U);
  const auto ones = std::count(d.labels.begin(), d.labels.end(), 1);
  EXPECT_GT(ones, 30);
  EXPECT_LT(ones, 70);
  std::vector<std::vector<double>> background(d.input_spike_times.begin() + 30,
                                              d.input_spike_times.end());
  EXPECT_NEAR(spike_rate(background, 100.0 * kEvidenceSequence), 0.01, 0.001);
}

}  // namespace
}  // namespace eprop::tasks
