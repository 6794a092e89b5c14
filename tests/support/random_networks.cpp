#include "support/random_networks.h"

#include <gtest/gtest.h>

#include <limits>

#include "comm/communicator.h"

namespace eprop::test_support {

NetworkSpec random_learning_network(const RandomNetworkSettings& s) {
  NetworkSpec net;
  net.kernel.precision = s.precision;
  net.kernel.seed = s.seed;
  std::map<std::string, ParamValue> rec = {{"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}};
  for (const auto& [key, value] : s.rec_params) rec[key] = value;
  net.populations.push_back({"gen", "spike_generator", s.n_in, {}, s.input_times, {}, {}, {}});
  net.populations.push_back(
      {"in", "parrot_neuron", s.n_in, {{"flush_event_send_interval", s.input_flush_interval}}, {},
       {}, {}, {}});
  net.populations.push_back({"rec", s.model, s.n_rec, rec, {}, {}, {}, {}});
  net.populations.push_back({"out", "eprop_readout", 3,
                             {{"C_m", 1.0}, {"E_L", 0.0}, {"tau_m", s.readout_tau_m}}, {}, {}, {}, {}});
  const auto& switches = s.target_switch_times;
  net.populations.push_back({"target", "step_rate_generator", 3, {}, {},
                             {{2, switches[0]}, {2, switches[1]}, {2, switches[2]}},
                             {{0.5, -0.5}, {-0.2, 0.4}, {0.1, 0.0}}, {}});
  net.populations.push_back(
      {"window", "step_rate_generator", 1, {}, {}, {s.window_times}, {s.window_values}, {}});
  auto connect = [&](const char* source, const char* target, ConnectionRule rule,
                     const char* synapse, double weight) -> ConnectionSpec& {
    ConnectionSpec c;
    c.source = source;
    c.target = target;
    c.rule = rule;
    c.synapse = synapse;
    c.weight = {weight};
    c.optimizer = s.optimizer;
    net.connections.push_back(c);
    return net.connections.back();
  };
  connect("gen", "in", ConnectionRule::one_to_one, "static_synapse", 1.0);
  connect("in", "rec", ConnectionRule::pairwise_bernoulli, "eprop_synapse", 0.4).p = 0.3;
  ConnectionSpec& rec_rec =
      connect("rec", "rec", ConnectionRule::fixed_indegree, "eprop_synapse", 0.1);
  rec_rec.indegree = 5;
  rec_rec.allow_autapses = false;
  connect("rec", "out", ConnectionRule::all_to_all, "eprop_synapse", 0.05);
  connect("out", "rec", ConnectionRule::all_to_all, "eprop_learning_signal_connection", 0.3);
  connect("target", "out", ConnectionRule::one_to_one, "rate_connection_delayed", 1.0)
      .receptor_type = 2;
  connect("window", "out", ConnectionRule::all_to_all, "rate_connection_delayed", 1.0)
      .receptor_type = 1;
  RecorderSpec readouts;
  readouts.population = "out";
  readouts.record_from = {"V_m", "readout_signal", "error_signal"};
  net.recorders.push_back(readouts);
  if (!s.recorded_rec.empty()) {
    RecorderSpec rec_mm;
    rec_mm.population = "rec";
    rec_mm.neurons = s.recorded_rec;
    rec_mm.record_from = {"V_m", "surrogate_gradient", "learning_signal"};
    net.recorders.push_back(rec_mm);
  }
  RecorderSpec spikes;
  spikes.type = RecorderType::spike_recorder;
  spikes.population = "rec";
  net.recorders.push_back(spikes);
  net.simulate = s.simulate;
  return net;
}

NetworkSpec random_sparse_network(std::uint64_t seed, std::size_t n_in, std::size_t n_rec,
                                  double duration_ms, Precision precision) {
  RandomNetworkSettings s;
  s.precision = precision;
  s.seed = seed;
  s.n_in = n_in;
  s.n_rec = n_rec;
  s.input_times.resize(n_in);
  for (std::size_t i = 0; i < n_in; ++i) {
    for (double t = 1.0 + static_cast<double>(i % 5); t < duration_ms;
         t += 7.0 + static_cast<double>(i % 4)) {
      s.input_times[i].push_back(t);
    }
  }
  s.input_flush_interval = 20.0;
  s.model = "eprop_iaf_adapt";
  s.rec_params = {{"V_th", 0.3},       {"tau_m", 15.0},      {"t_ref", 1.0},
                  {"c_reg", 0.2},      {"adapt_beta", 0.1},  {"adapt_tau", 50.0},
                  {"eprop_isi_trace_cutoff", 30.0},          {"flush_event_send_interval", 40.0}};
  s.optimizer.type = "adam";
  s.optimizer.eta = 0.01;
  return random_learning_network(s);
}

void expect_identical(const RunOutcome& a, const RunOutcome& b) {
  ASSERT_EQ(a.traces.size(), b.traces.size());
  for (std::size_t m = 0; m < a.traces.size(); ++m) {
    EXPECT_EQ(a.traces[m].index, b.traces[m].index);
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
  EXPECT_EQ(a.closed_form_synapses, b.closed_form_synapses);
}

RunOutcome run_outcome(const NetworkSpec& spec, std::shared_ptr<Communicator> comm) {
  Simulation sim(spec, std::move(comm));
  sim.run_schedule();
  RunOutcome out{sim.multimeters(), sim.spike_recordings(), {},
                 sim.communicator().sum(sim.memory_stats().closed_form_synapses)};
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse.starts_with("eprop_synapse")) {
      out.weights.push_back(sim.weights(c));
    }
  }
  return out;
}

RandomNetworkSettings silent_sources_settings() {
  RandomNetworkSettings s;
  s.seed = 9;
  s.n_in = 13;
  s.n_rec = 29;
  s.input_times.resize(s.n_in);
  for (std::size_t i = 0; i < s.n_in; ++i) {
    for (double t = 1.0 + static_cast<double>(i % 5); t < 120.0;
         t += 6.0 + static_cast<double>(i % 3)) {
      s.input_times[i].push_back(t);
    }
    if (i % 2 == 0) s.input_times[i].push_back(3100.0 + static_cast<double>(i));
  }
  s.input_flush_interval = std::numeric_limits<double>::infinity();
  s.rec_params = {{"V_th", 0.3}, {"tau_m", 15.0}, {"t_ref", 1.0}, {"c_reg", 0.2}};
  s.optimizer.eta = 0.01;
  s.simulate = {1600.0, 1600.0};
  return s;
}

}  // namespace eprop::test_support
