// N-MNIST in the original family (the _bsshslm_2020 models; PAPER_EXPERIMENTS 5.3, original
// column): the same draws as e-prop+, the original's network (update interval per sample, kernel
// learning window, cross-entropy readouts, gradients summed over a group), everything 2 ms later
// as its readout path is two steps longer, and a run that trains and is scored.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "tasks/nmnist_task.h"

namespace eprop::tasks {
namespace {

// label = index % 10; input i spikes at steps (i + label) % 11 and 13 + (i * label) % 5.
NmnistSample sample(std::size_t index) {
  NmnistSample s;
  s.label = static_cast<int>(index % 10);
  s.steps.resize(kNmnistTaskInputs);
  for (std::size_t i = 0; i < kNmnistTaskInputs; ++i) {
    const auto label = static_cast<std::size_t>(s.label);
    s.steps[i] = {static_cast<std::int32_t>((i + label) % 11),
                  static_cast<std::int32_t>(13 + (i * label) % 5)};
  }
  return s;
}

NmnistTaskConfig small(const std::string& model) {
  NmnistTaskConfig c;
  c.model = model;
  c.group_size = 4;
  c.n_iter_train = 3;
  c.n_iter_test = 1;
  c.sequence = 20;
  c.learning_window = 5;
  c.n_rec = 20;
  c.precision = Precision::double_precision;
  c.draws = DrawMode::counter_based;
  return c;
}

const PopulationSpec& find(const NetworkSpec& net, std::string_view name) {
  return *std::find_if(net.populations.begin(), net.populations.end(),
                       [&](const PopulationSpec& p) { return p.name == name; });
}

TEST(NmnistOriginal, SameDrawsWithoutTheEventDrivenScaling) {
  const NmnistTaskConfig plus = small("eprop_iaf");
  const NmnistTaskConfig original = small("eprop_iaf_bsshslm_2020");
  const NmnistTaskData a = draw_nmnist_task_data(plus, 8, 8);
  const NmnistTaskData b = draw_nmnist_task_data(original, 8, 8);
  EXPECT_EQ(a.mask_in, b.mask_in);
  EXPECT_EQ(a.mask_rec, b.mask_rec);
  EXPECT_EQ(a.w_in, b.w_in);
  EXPECT_EQ(a.w_rec, b.w_rec);
  ASSERT_EQ(a.plan.size(), b.plan.size());
  for (std::size_t k = 0; k < a.plan.size(); ++k) EXPECT_EQ(a.plan[k].samples, b.plan[k].samples);
  // e-prop+ scales W_out by 1 - kappa (0.01) and B by 1 / (1 - kappa); the original does not.
  for (std::size_t k = 0; k < a.w_out.size(); ++k) {
    EXPECT_NEAR(a.w_out[k], b.w_out[k] * 0.01, 1e-12 * std::abs(b.w_out[k]));
  }
  EXPECT_DOUBLE_EQ(nmnist_eta_train(original), 5e-3);
  EXPECT_DOUBLE_EQ(nmnist_task_offset(original), 4.0);
  EXPECT_DOUBLE_EQ(nmnist_task_offset(plus), 2.0);
}

TEST(NmnistOriginal, NetworkOfTheOriginalFamily) {
  const NmnistTaskConfig c = small("eprop_iaf_bsshslm_2020");
  const NmnistTaskData d = draw_nmnist_task_data(c, 8, 8);
  const NetworkSpec net =
      nmnist_task_network(c, d, [](NmnistSplit, std::size_t i) { return sample(i); });
  EXPECT_EQ(net.kernel.eprop_update_interval, 20.0);
  EXPECT_EQ(net.kernel.eprop_learning_window, 5.0);
  EXPECT_TRUE(net.kernel.eprop_reset_neurons_on_update);
  EXPECT_EQ(find(net, nmnist_pop::recurrent).model, "eprop_iaf_bsshslm_2020");
  const PopulationSpec& readout = find(net, nmnist_pop::readout);
  EXPECT_EQ(readout.model, "eprop_readout_bsshslm_2020");
  EXPECT_EQ(std::get<std::string>(readout.params.at("loss")), "cross_entropy");
  // As in NEST's _bsshslm_2020 examples and the authors' script: input scaled by 1 - kappa_out.
  EXPECT_FALSE(std::get<bool>(readout.params.at("regular_spike_arrival")));
  // Targets of the first samples switch 4 ms after their inputs start (0 and 20 ms).
  const PopulationSpec& target = find(net, nmnist_pop::target_generator);
  EXPECT_EQ(target.amplitude_times.at(0).at(0), 4.0);
  EXPECT_EQ(target.amplitude_times.at(0).at(1), 24.0);
  std::size_t plastic = 0;
  for (const ConnectionSpec& conn : net.connections) {
    if (conn.synapse != "eprop_synapse_bsshslm_2020") continue;
    ++plastic;
    EXPECT_EQ(conn.optimizer.batch_size, c.group_size);
    EXPECT_EQ(conn.tau_m_readout, 100.0);
    EXPECT_FALSE(conn.average_gradient);
  }
  EXPECT_EQ(plastic, 3U);
  EXPECT_EQ(net.recorders.at(0).start, 4.0);
}

// The recorded windows are where the scores expect them (a missing sample throws), and the
// weights move with a learning rate and stay with eta = 0.
std::vector<double> plastic_weights(const Simulation& sim) {
  std::vector<double> w;
  for (std::size_t c = 0; c < sim.spec().connections.size(); ++c) {
    if (sim.spec().connections[c].synapse != "eprop_synapse_bsshslm_2020") continue;
    for (const auto& s : sim.weights(c)) w.push_back(s.weight);
  }
  return w;
}

TEST(NmnistOriginal, TrainsAndIsScored) {
  for (const double eta : {0.0, 5e-3}) {
    NmnistTaskConfig c = small("eprop_iaf_bsshslm_2020");
    c.eta_train = eta;
    const NmnistTaskData d = draw_nmnist_task_data(c, 8, 8);
    const NetworkSpec net =
        nmnist_task_network(c, d, [](NmnistSplit, std::size_t i) { return sample(i); });
    Simulation sim(net);
    const std::vector<double> before = plastic_weights(sim);
    const NmnistEvaluation result = run_nmnist_task(sim, c, d);
    ASSERT_EQ(result.loss.size(), 4U);
    for (const double loss : result.loss) EXPECT_TRUE(std::isfinite(loss) && loss > 0.0);
    const std::vector<double> after = plastic_weights(sim);
    ASSERT_EQ(before.size(), after.size());
    std::size_t changed = 0;
    for (std::size_t k = 0; k < before.size(); ++k) changed += before[k] != after[k] ? 1 : 0;
    if (eta == 0.0) {
      EXPECT_EQ(changed, 0U);
    } else {
      EXPECT_GT(changed, before.size() / 4) << "eta " << eta;
    }
  }
}

}  // namespace
}  // namespace eprop::tasks
