// The e-prop+ versions of evidence accumulation, lemniscate and handwriting (PAPER_EXPERIMENTS
// 5.2, 5.4): the same task instance as the original family (same draws), the authors' e-prop+
// parameters, and the evidence task's mean-squared-error score on a constructed recording.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "eprop/simulation.h"
#include "tasks/evidence_task.h"
#include "tasks/pattern_task.h"

namespace eprop::tasks {
namespace {

const PopulationSpec& find(const NetworkSpec& net, std::string_view name) {
  const auto it = std::find_if(net.populations.begin(), net.populations.end(),
                               [&](const PopulationSpec& p) { return p.name == name; });
  EXPECT_NE(it, net.populations.end()) << name;
  return *it;
}

double param(const PopulationSpec& p, const std::string& name) {
  return std::get<double>(p.params.at(name));
}

TEST(EpropPlusEvidence, SameDrawsTwoMillisecondsLaterAndTheAuthorsParameters) {
  EvidenceTaskConfig original;
  original.batch_size = 2;
  original.draws = DrawMode::counter_based;
  EvidenceTaskConfig plus = original;
  plus.eprop_plus = true;
  const EvidenceTaskData a = draw_evidence_task_data(original, 1);
  const EvidenceTaskData b = draw_evidence_task_data(plus, 1);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.w_out, b.w_out);
  ASSERT_EQ(a.input_spike_times.size(), b.input_spike_times.size());
  for (std::size_t i = 0; i < a.input_spike_times.size(); ++i) {
    ASSERT_EQ(a.input_spike_times[i].size(), b.input_spike_times[i].size());
    for (std::size_t k = 0; k < a.input_spike_times[i].size(); ++k) {
      EXPECT_EQ(b.input_spike_times[i][k], a.input_spike_times[i][k] + 2.0);
    }
  }
  const NetworkSpec net = evidence_task_network(plus, b);
  const PopulationSpec& adaptive = find(net, evidence_pop::adaptive);
  EXPECT_EQ(find(net, evidence_pop::regular).model, "eprop_iaf");
  EXPECT_EQ(adaptive.model, "eprop_iaf_adapt");
  EXPECT_EQ(find(net, evidence_pop::readout).model, "eprop_readout");
  EXPECT_EQ(param(adaptive, "kappa"), 0.95);
  EXPECT_NEAR(param(adaptive, "c_reg"), 300.0 / 2250.0 * 150.0 / (0.05 * 0.05), 1e-9);
  EXPECT_NEAR(param(adaptive, "surrogate_gradient_width"), 1.0 / 1.7, 1e-15);
  // The learning window opens at each sequence's recall (2100 ms in) and closes at its end.
  const PopulationSpec& window = find(net, evidence_pop::learning_window_generator);
  EXPECT_EQ(window.amplitude_times[0],
            (std::vector<double>{4.0, 2104.0, 2254.0, 4354.0}));
  EXPECT_EQ(window.amplitude_values[0], (std::vector<double>{0.0, 1.0, 0.0, 1.0}));
  // Readout weights times 1 - kappa, feedback weights divided by it; Adam every step.
  const NetworkSpec original_net = evidence_task_network(original, a);
  for (std::size_t c = 0; c < net.connections.size(); ++c) {
    const ConnectionSpec& p = net.connections[c];
    const ConnectionSpec& o = original_net.connections[c];
    const double factor = p.target == evidence_pop::readout && p.synapse == "eprop_synapse" ? 0.05
                          : p.source == evidence_pop::readout && p.target != evidence_pop::readout
                              ? 20.0
                              : 1.0;
    if (p.synapse == "rate_connection_delayed") continue;
    ASSERT_EQ(p.weight.size(), o.weight.size()) << c;
    for (std::size_t k = 0; k < p.weight.size(); ++k) {
      EXPECT_NEAR(p.weight[k], o.weight[k] * factor, 1e-12 * std::abs(o.weight[k])) << c;
    }
    if (p.synapse == "eprop_synapse") {
      EXPECT_TRUE(p.optimizer.optimize_each_step);
      EXPECT_EQ(p.optimizer.batch_size, 1);
    }
  }
  EXPECT_EQ(evidence_plastic_connections(net).size(), 8U);
  EXPECT_NO_THROW(Simulation{net});
}

// One sequence, two readouts: readout 0 at 0.25 and readout 1 at 0.5 throughout the recall window,
// target one-hot on readout 1: loss = 1/2 (150 * 0.25^2 + 150 * 0.5^2) / 2 readouts; correct.
TEST(EpropPlusEvidence, MeanSquaredErrorScore) {
  MultimeterRecording rec;
  rec.population = "readout";
  rec.variables = {"readout_signal", "target_signal"};
  rec.values.resize(2);
  for (std::int64_t k = 0; k < 2; ++k) {
    for (std::int64_t t = 0; t < kEvidenceSequence; ++t) {
      rec.index.push_back(k);
      rec.time.push_back(5.0 + static_cast<double>(t));
      rec.values[0].push_back(k == 0 ? 0.25 : 0.5);
      rec.values[1].push_back(k == 0 ? 0.0 : 1.0);
    }
  }
  const auto mse = evidence_task_scores(rec, 1, 0, 1, EvidenceLoss::mean_squared_error).at(0);
  EXPECT_NEAR(mse.loss, 0.5 * (150 * 0.0625 + 150 * 0.25) / 2.0, 1e-12);
  EXPECT_EQ(mse.error, 0.0);
}

TEST(EpropPlusPatterns, EventDrivenNetworkWithTheSameTauMDraws) {
  const auto targets = lemniscate_targets(kLemniscateSequence);
  const SineTaskConfig original = pattern_task_config(targets);
  const SineTaskConfig plus = pattern_task_config_eprop_plus(targets, PatternTask::lemniscate);
  EXPECT_EQ(plus.tau_m_per_neuron, original.tau_m_per_neuron);
  EXPECT_EQ(plus.fixed_targets, original.fixed_targets);
  EXPECT_EQ(plus.model, "eprop_iaf_adapt");
  EXPECT_NEAR(plus.eta, 5e-7, 1e-20);
  EXPECT_EQ(std::get<double>(plus.recurrent_overrides.at("c_reg")), 0.12);
  EXPECT_EQ(std::get<double>(
                pattern_task_config_eprop_plus(targets, PatternTask::handwriting)
                    .recurrent_overrides.at("c_reg")),
            0.08);
  const NetworkSpec net = sine_task_network(plus);
  const PopulationSpec& rec = net.populations.at(2);
  EXPECT_EQ(rec.model, "eprop_iaf_adapt");
  EXPECT_EQ(rec.neuron_params.at("tau_m"), original.tau_m_per_neuron);
  EXPECT_EQ(param(rec, "kappa"), 0.99);
  EXPECT_EQ(param(rec, "eprop_isi_trace_cutoff"), 100.0);
  EXPECT_NO_THROW(Simulation{net});
}

}  // namespace
}  // namespace eprop::tasks
