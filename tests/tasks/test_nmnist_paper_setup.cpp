// The N-MNIST settings of the paper's script (PAPER_EXPERIMENTS 5.3) as general task options:
// fixed-indegree recurrent connectivity, the paper's weight initialisation, all 2312 pixels and
// a learning window over the whole sample. NEST's tutorial defaults are checked against numpy in
// tests/reference/test_nmnist_task.cpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "io/nmnist.h"
#include "tasks/nmnist_task.h"
#include "tasks/task_random.h"

namespace eprop::tasks {
namespace {

namespace fs = std::filesystem;

const fs::path kSmallData = fs::path(EPROP_SHARED_DIR) / "data" / "nmnist-small";

double std_dev(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double sq = 0.0;
  for (const double x : v) sq += (x - mean) * (x - mean);
  return std::sqrt(sq / static_cast<double>(v.size()));
}

std::vector<double> off_diagonal(const std::vector<double>& w, std::size_t n) {
  std::vector<double> out;
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (k / n != k % n) out.push_back(w[k]);
  }
  return out;
}

// A sample with one spike per input at step (input % 7), label = index % 10.
NmnistSample sample_with_inputs(std::size_t n_in, std::size_t index) {
  NmnistSample s;
  s.label = static_cast<int>(index % 10);
  s.steps.resize(n_in);
  for (std::size_t i = 0; i < n_in; ++i) s.steps[i] = {static_cast<std::int32_t>(i % 7)};
  return s;
}

TEST(NmnistPaperSetup, FixedIndegreeGivesEachNeuronExactlyKOtherSources) {
  for (const DrawMode mode : {DrawMode::numpy_compatible, DrawMode::counter_based}) {
    const auto rng = make_task_random(mode, 62779435);
    const std::size_t n = 150, k = 15;
    const std::vector<std::uint8_t> mask = fixed_indegree_mask(*rng, n, k);
    ASSERT_EQ(mask.size(), n * n);
    std::vector<std::size_t> outdegree(n, 0);
    for (std::size_t target = 0; target < n; ++target) {
      std::size_t indegree = 0;
      for (std::size_t source = 0; source < n; ++source) {
        const std::uint8_t m = mask[target * n + source];
        ASSERT_TRUE(m == 0 || m == 1);
        indegree += m;
        outdegree[source] += m;
      }
      EXPECT_EQ(indegree, k) << "target " << target;
      EXPECT_EQ(mask[target * n + target], 0) << "autapse at " << target;
    }
    // Sources are drawn per target, not the same k for all of them.
    EXPECT_GT(*std::max_element(outdegree.begin(), outdegree.end()), k / 2);
    EXPECT_LT(*std::max_element(outdegree.begin(), outdegree.end()), n / 2);
  }
  const auto rng = make_task_random(DrawMode::counter_based, 1);
  EXPECT_EQ(fixed_indegree_mask(*rng, 5, 4).size(), 25U);  // all other neurons
  EXPECT_THROW((void)fixed_indegree_mask(*rng, 5, 5), ConfigError);
}

TEST(NmnistPaperSetup, DrawnRecurrentWeightsFollowTheFixedIndegree) {
  NmnistTaskConfig c;
  c.n_rec = 40;
  c.indegree_rec_rec = 4;
  c.draws = DrawMode::counter_based;
  const NmnistTaskData d = draw_nmnist_task_data(c, 10, 10);
  for (std::size_t target = 0; target < c.n_rec; ++target) {
    std::size_t nonzero = 0;
    for (std::size_t source = 0; source < c.n_rec; ++source) {
      const double w = d.w_rec[target * c.n_rec + source];
      EXPECT_EQ(w != 0.0, d.mask_rec[target * c.n_rec + source] == 1);
      nonzero += w != 0.0 ? 1 : 0;
    }
    EXPECT_EQ(nonzero, 4U);
  }
  c.indegree_rec_rec = c.n_rec;
  EXPECT_THROW((void)draw_nmnist_task_data(c, 10, 10), ConfigError);
}

TEST(NmnistPaperSetup, PaperWeightsHaveThePapersDistributions) {
  NmnistTaskConfig c;
  c.weight_init = "paper";
  c.all_pixels = true;
  c.sparsity_in_rec = 0.0;
  c.sparsity_rec_rec = 0.0;
  c.kappa = 0.97;  // the paper's init is not rescaled by 1 - kappa
  c.draws = DrawMode::counter_based;
  const NmnistTaskData d = draw_nmnist_task_data(c, 10, 10);
  ASSERT_EQ(d.w_in.size(), 150U * 2312U);
  EXPECT_NEAR(std_dev(d.w_in), 0.03, 0.03 * 0.01);  // 346,800 draws
  EXPECT_NEAR(std_dev(off_diagonal(d.w_rec, 150)), 0.02, 0.02 * 0.05);
  EXPECT_NEAR(std_dev(d.b), 10.0, 10.0 * 0.06);  // 1,500 draws
  ASSERT_EQ(d.w_out.size(), 10U * 150U);
  const auto [lo, hi] = std::minmax_element(d.w_out.begin(), d.w_out.end());
  EXPECT_GE(*lo, -0.006);
  EXPECT_LT(*hi, 0.006);
  EXPECT_LT(*lo, -0.005);  // spread over the whole interval
  EXPECT_GT(*hi, 0.005);
  c.weight_init = "glorot";
  EXPECT_THROW((void)draw_nmnist_task_data(c, 10, 10), ConfigError);
}

TEST(NmnistPaperSetup, AllPixelsNetworkHas2312InputsAndAFullWindowNeverCloses) {
  NmnistTaskConfig c;
  c.all_pixels = true;
  c.group_size = 2;
  c.n_iter_train = 1;
  c.n_iter_test = 0;
  c.sequence = 20;
  c.learning_window = 20;
  c.n_rec = 10;
  const NmnistTaskData d = draw_nmnist_task_data(c, 4, 4);
  const auto source = [](NmnistSplit, std::size_t i) {
    return sample_with_inputs(kNmnistTaskAllInputs, i);
  };
  const NetworkSpec net = nmnist_task_network(c, d, source);
  for (const PopulationSpec& p : net.populations) {
    if (p.name == nmnist_pop::input || p.name == nmnist_pop::input_generator) {
      EXPECT_EQ(p.n, kNmnistTaskAllInputs) << p.name;
    }
    if (p.name == nmnist_pop::learning_window_generator) {
      // Opened at the start of each sample (2 and 22 ms) and never closed.
      EXPECT_EQ(p.amplitude_times.at(0), (std::vector<double>{2.0, 22.0}));
      EXPECT_EQ(p.amplitude_values.at(0), (std::vector<double>{1.0, 1.0}));
    }
  }
  // A sample with the tutorial's 1196 inputs does not fit the 2312-input network.
  const auto blocked = [](NmnistSplit, std::size_t i) {
    return sample_with_inputs(kNmnistTaskInputs, i);
  };
  EXPECT_THROW((void)nmnist_task_network(c, d, blocked), DataError);
}

TEST(NmnistPaperSetup, AllPixelsReaderKeepsEveryEvent) {
  if (!fs::exists(kSmallData)) {
    GTEST_SKIP() << "N-MNIST subset not found at " << kSmallData.string()
                 << " (shared data absent); skipping the all-pixels reader check";
  }
  const io::NmnistSplitListing test = io::list_nmnist_split(kSmallData, "Test");
  const fs::path& file = test.samples.at(0).path;
  const io::NmnistSampleSpikes all = io::load_nmnist_sample(file, 300, true);
  const io::NmnistSampleSpikes kept = io::load_nmnist_sample(file, 300, false);
  ASSERT_EQ(all.steps.size(), io::kNmnistChannels);
  ASSERT_EQ(kept.steps.size(), io::kNmnistInputs);
  std::size_t n_all = 0;
  for (const auto& s : all.steps) n_all += s.size();
  EXPECT_EQ(n_all, all.n_events);
  EXPECT_EQ(all.n_blocked, 0U);
  // Input i of the tutorial is channel active[i] of the full input set.
  const std::vector<std::uint32_t>& active = io::nmnist_active_channels();
  for (std::size_t i = 0; i < kept.steps.size(); ++i) {
    EXPECT_EQ(kept.steps[i], all.steps[active[i]]) << "input " << i;
  }
}

}  // namespace
}  // namespace eprop::tasks
