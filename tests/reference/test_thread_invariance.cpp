// Results must not depend on the number of threads (DESIGN: reproducibility). Spikes, recorded
// traces and final weights are compared bit for bit for 1, 2 and 3 threads on the short NEST
// regression network (SPEC 13.2, with Adam and per-step optimisation) and on a random sparse
// network built with the counter-based connection rules.

#include <gtest/gtest.h>

#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

struct Outcome {
  std::vector<MultimeterRecording> traces;
  std::vector<SpikeRecording> spikes;
  std::vector<std::vector<SynapseWeight>> weights;
};

Outcome run_with_threads(NetworkSpec spec, std::size_t threads) {
  spec.kernel.threads = threads;
  Simulation sim(spec);
  sim.run_schedule();
  Outcome out{sim.multimeters(), sim.spike_recordings(), {}};
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse == "eprop_synapse") out.weights.push_back(sim.weights(c));
  }
  return out;
}

void expect_identical(const Outcome& a, const Outcome& b) {
  ASSERT_EQ(a.traces.size(), b.traces.size());
  for (std::size_t m = 0; m < a.traces.size(); ++m) {
    EXPECT_EQ(a.traces[m].time, b.traces[m].time);
    EXPECT_EQ(a.traces[m].values, b.traces[m].values);  // exact
  }
  ASSERT_EQ(a.spikes.size(), b.spikes.size());
  for (std::size_t s = 0; s < a.spikes.size(); ++s) {
    EXPECT_EQ(a.spikes[s].index, b.spikes[s].index);
    EXPECT_EQ(a.spikes[s].time, b.spikes[s].time);
  }
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (std::size_t c = 0; c < a.weights.size(); ++c) {
    ASSERT_EQ(a.weights[c].size(), b.weights[c].size());
    for (std::size_t k = 0; k < a.weights[c].size(); ++k) {
      EXPECT_EQ(a.weights[c][k].source, b.weights[c][k].source);
      EXPECT_EQ(a.weights[c][k].target, b.weights[c][k].target);
      EXPECT_EQ(a.weights[c][k].weight, b.weights[c][k].weight);
    }
  }
}

NetworkSpec random_sparse_network() {
  NetworkSpec net;
  net.kernel.precision = Precision::single_precision;
  net.kernel.seed = 7;
  std::vector<std::vector<double>> times(20);
  for (std::size_t i = 0; i < times.size(); ++i) {
    for (double t = 1.0 + static_cast<double>(i % 7); t < 300.0; t += 9.0 + static_cast<double>(i % 5)) {
      times[i].push_back(t);
    }
  }
  net.populations.push_back({"gen", "spike_generator", 20, {}, times, {}, {}});
  net.populations.push_back({"in", "parrot_neuron", 20, {{"flush_event_send_interval", 25.0}}, {}, {}, {}});
  net.populations.push_back({"rec", "eprop_iaf_adapt", 37,
                             {{"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}, {"V_th", 0.3},
                              {"tau_m", 15.0}, {"t_ref", 1.0}, {"c_reg", 0.2},
                              {"eprop_isi_trace_cutoff", 30.0}, {"flush_event_send_interval", 40.0},
                              {"adapt_beta", 0.1}, {"adapt_tau", 50.0}},
                             {}, {}, {}});
  net.populations.push_back({"out", "eprop_readout", 3, {{"C_m", 1.0}, {"E_L", 0.0}, {"tau_m", 10.0}}, {}, {}, {}});
  net.populations.push_back({"target", "step_rate_generator", 3, {}, {}, {{2, 100}, {2, 150}, {2, 200}},
                             {{0.5, -0.5}, {-0.2, 0.4}, {0.1, 0.0}}});
  net.populations.push_back({"window", "step_rate_generator", 1, {}, {}, {{2}}, {{1.0}}});
  OptimizerSpec adam;
  adam.type = "adam";
  adam.eta = 0.01;
  auto connect = [&](const char* s, const char* t, ConnectionRule rule, const char* syn, double w) {
    ConnectionSpec c;
    c.source = s;
    c.target = t;
    c.rule = rule;
    c.synapse = syn;
    c.weight = {w};
    c.optimizer = adam;
    net.connections.push_back(c);
    return net.connections.size() - 1;
  };
  connect("gen", "in", ConnectionRule::one_to_one, "static_synapse", 1.0);
  const auto in_rec = connect("in", "rec", ConnectionRule::pairwise_bernoulli, "eprop_synapse", 0.4);
  net.connections[in_rec].p = 0.3;
  const auto rec_rec = connect("rec", "rec", ConnectionRule::fixed_indegree, "eprop_synapse", 0.1);
  net.connections[rec_rec].indegree = 5;
  net.connections[rec_rec].allow_autapses = false;
  connect("rec", "out", ConnectionRule::all_to_all, "eprop_synapse", 0.05);
  connect("out", "rec", ConnectionRule::all_to_all, "eprop_learning_signal_connection", 0.3);
  net.connections[connect("target", "out", ConnectionRule::one_to_one, "rate_connection_delayed", 1.0)]
      .receptor_type = 2;
  net.connections[connect("window", "out", ConnectionRule::all_to_all, "rate_connection_delayed", 1.0)]
      .receptor_type = 1;
  RecorderSpec mm;
  mm.population = "out";
  mm.record_from = {"V_m", "readout_signal", "error_signal"};
  net.recorders.push_back(mm);
  RecorderSpec spikes;
  spikes.type = RecorderType::spike_recorder;
  spikes.population = "rec";
  net.recorders.push_back(spikes);
  net.simulate = {150.0, 150.0};
  return net;
}

TEST(ThreadInvariance, RegressionNetworkIsBitIdentical) {
  auto config = test_support::regression_config("eprop_iaf", "adam");
  config.recording.spikes = true;
  const NetworkSpec spec = tasks::sine_task_network(config);
  const Outcome one = run_with_threads(spec, 1);
  expect_identical(one, run_with_threads(spec, 2));
  expect_identical(one, run_with_threads(spec, 3));
}

TEST(ThreadInvariance, RandomSparseNetworkIsBitIdentical) {
  const NetworkSpec spec = random_sparse_network();
  const Outcome one = run_with_threads(spec, 1);
  ASSERT_FALSE(one.spikes.at(0).index.empty()) << "the test network must be active";
  expect_identical(one, run_with_threads(spec, 2));
  expect_identical(one, run_with_threads(spec, 3));
}

}  // namespace
}  // namespace eprop
