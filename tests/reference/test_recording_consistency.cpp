// Internal consistency of everything NEST's recorders show (SPEC_recording), on small random
// networks of both e-prop families that mix multimeters (learning_signal and
// eprop_history_duration included), spike recorders, chunked simulate calls, finite and infinite
// trace cutoffs, flush events, ignore-and-spike and multiplicity-2 input spikes:
// * 1 and 3 threads give bit-identical output;
// * chunked simulate calls give the rows of one call (R.7);
// * stepwise and closed-form integration give the same spikes and history bookkeeping, and
//   values within rounding.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "support/random_networks.h"

namespace eprop {
namespace {

using test_support::RunOutcome;

/// Spike times (ms) of n inputs from a small LCG; every fifth input repeats some times, so that
/// its parrot emits spikes of multiplicity 2.
std::vector<std::vector<double>> random_times(std::size_t n, double end, std::uint64_t seed) {
  std::vector<std::vector<double>> times(n);
  std::uint64_t x = seed;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 33) / static_cast<double>(1ULL << 31);
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (double t = 1.0 + std::floor(next() * 12.0); t < end; t += 1.0 + std::floor(next() * 15)) {
      times[i].push_back(t);
      if (i % 5 == 0 && next() < 0.3) times[i].push_back(t);
    }
  }
  return times;
}

PopulationSpec population(std::string name, std::string model, std::size_t n,
                          std::map<std::string, ParamValue> params = {}) {
  PopulationSpec p;
  p.name = std::move(name);
  p.model = std::move(model);
  p.n = n;
  p.params = std::move(params);
  return p;
}

ConnectionSpec connection(std::string source, std::string target, std::string synapse,
                          ConnectionRule rule, double weight) {
  ConnectionSpec c;
  c.source = std::move(source);
  c.target = std::move(target);
  c.synapse = std::move(synapse);
  c.rule = rule;
  c.weight = {weight};
  c.optimizer.type = "adam";
  c.optimizer.eta = 0.01;
  c.optimizer.Wmin = -0.6;  // some initial weights lie outside: clamped at the first update
  c.optimizer.Wmax = 0.35;
  c.optimizer.optimize_each_step = false;
  return c;
}

RecorderSpec multimeter(std::string pop, std::vector<std::string> vars,
                        std::vector<std::int64_t> neurons = {}, double interval = 1.0,
                        double start = 0.0) {
  RecorderSpec r;
  r.population = std::move(pop);
  r.record_from = std::move(vars);
  r.neurons = std::move(neurons);
  r.interval = interval;
  r.start = start;
  return r;
}

RecorderSpec spike_recorder(std::string pop) {
  RecorderSpec r;
  r.type = RecorderType::spike_recorder;
  r.population = std::move(pop);
  return r;
}

// Event-driven: the random learning network, plus a forced eprop_iaf_psc_delta population with
// infinite cutoff feeding the recurrent neurons and the readouts.
NetworkSpec event_driven_network() {
  test_support::RandomNetworkSettings s;
  s.seed = 5;
  s.n_in = 15;
  s.n_rec = 19;
  s.input_times = random_times(s.n_in, 200.0, 3);
  s.input_flush_interval = 17.0;
  s.model = "eprop_iaf_adapt";
  s.rec_params = {{"V_th", 0.25},
                  {"tau_m", 15.0},
                  {"t_ref", 2.0},
                  {"c_reg", 0.2},
                  {"adapt_beta", 0.1},
                  {"adapt_tau", 40.0},
                  {"eprop_isi_trace_cutoff", 12.0},
                  {"flush_event_send_interval", 9.0}};
  s.optimizer.type = "adam";
  s.optimizer.eta = 0.01;
  s.optimizer.optimize_each_step = false;
  s.recorded_rec = {0, 4, 9};
  NetworkSpec net = test_support::random_learning_network(s);
  net.populations.push_back(population("forced", "eprop_iaf_psc_delta", 3,
                                       {{"C_m", 1.0},
                                        {"E_L", 0.0},
                                        {"V_m", 0.0},
                                        {"V_reset", -0.1},
                                        {"V_th", 0.3},
                                        {"t_ref", 2.0},
                                        {"ignore_and_spike", true},
                                        {"ignore_and_spike_offset", 4.0},
                                        {"ignore_and_spike_interval", 11.0}}));
  ConnectionSpec in_forced =
      connection("in", "forced", "eprop_synapse", ConnectionRule::pairwise_bernoulli, 0.2);
  in_forced.p = 0.5;
  net.connections.push_back(in_forced);
  net.connections.push_back(
      connection("forced", "rec", "eprop_synapse", ConnectionRule::all_to_all, 0.5));
  net.connections.push_back(
      connection("forced", "out", "eprop_synapse", ConnectionRule::all_to_all, -0.7));
  net.connections.push_back(connection("out", "forced", "eprop_learning_signal_connection",
                                       ConnectionRule::all_to_all, 0.2));
  net.recorders.push_back(multimeter("rec", {"learning_signal", "eprop_history_duration", "V_m"},
                                     {1, 4, 11, 18}, 2.0, 21.0));
  net.recorders.push_back(multimeter("out", {"eprop_history_duration", "readout_signal"}));
  net.recorders.push_back(multimeter(
      "forced", {"V_m", "surrogate_gradient", "learning_signal", "eprop_history_duration"}));
  net.recorders.push_back(spike_recorder("forced"));
  net.recorders.push_back(spike_recorder("in"));
  RecorderSpec weights;  // forced -> out: spikes at the last step of the first call (37)
  weights.type = RecorderType::weight_recorder;
  weights.connection = static_cast<std::int64_t>(net.connections.size()) - 2;
  net.recorders.push_back(weights);
  net.simulate = {37.0, 90.0, 73.0};
  return net;
}

// _bsshslm_2020: parrots -> free and forced recurrent neurons -> readouts, T = 20 ms.
NetworkSpec bsshslm_network() {
  NetworkSpec net;
  net.kernel.precision = Precision::double_precision;
  net.kernel.eprop_update_interval = 20.0;
  net.kernel.eprop_learning_window = 12.0;
  PopulationSpec gen = population("gen", "spike_generator", 10);
  gen.spike_times = random_times(10, 200.0, 9);
  net.populations = {gen,
                     population("in", "parrot_neuron", 10, {{"flush_event_send_interval", 25.0}}),
                     population("free", "eprop_iaf_adapt_bsshslm_2020", 7,
                                {{"C_m", 1.0},
                                 {"E_L", 0.0},
                                 {"V_m", 0.0},
                                 {"V_th", 0.2},
                                 {"tau_m", 20.0},
                                 {"t_ref", 1.0},
                                 {"c_reg", 20.0},
                                 {"adapt_beta", 0.1},
                                 {"adapt_tau", 40.0},
                                 {"flush_event_send_interval", 20.0}}),
                     population("forced", "eprop_iaf_bsshslm_2020", 2,
                                {{"C_m", 1.0},
                                 {"E_L", 0.0},
                                 {"V_m", 0.0},
                                 {"V_th", 0.2},
                                 {"I_e", 0.05},
                                 {"ignore_and_spike", true},
                                 {"ignore_and_spike_offset", 3.0},
                                 {"ignore_and_spike_interval", 8.0}}),
                     population("out", "eprop_readout_bsshslm_2020", 2,
                                {{"C_m", 1.0},
                                 {"E_L", 0.0},
                                 {"V_m", 0.0},
                                 {"tau_m", 15.0},
                                 {"loss", std::string("mean_squared_error")}}),
                     population("target", "step_rate_generator", 2)};
  net.populations.back().amplitude_times = {{3.0, 90.0}, {3.0, 140.0}};
  net.populations.back().amplitude_values = {{0.4, -0.2}, {-0.3, 0.5}};
  ConnectionSpec to_parrots =
      connection("gen", "in", "static_synapse", ConnectionRule::one_to_one, 1.0);
  net.connections.push_back(to_parrots);
  const char* plastic = "eprop_synapse_bsshslm_2020";
  for (const char* target : {"free", "forced"}) {
    ConnectionSpec c = connection("in", target, plastic, ConnectionRule::pairwise_bernoulli, 0.3);
    c.p = 0.6;
    c.optimizer.Wmin = -10.0;  // checked at Connect in this family (tau_m_readout is given)
    c.optimizer.Wmax = 10.0;
    net.connections.push_back(c);
  }
  for (const char* source : {"free", "forced"}) {
    for (const char* target : {"free", "forced", "out"}) {
      ConnectionSpec c = connection(source, target, plastic, ConnectionRule::all_to_all, 0.05);
      c.optimizer.Wmin = -10.0;
      c.optimizer.Wmax = 10.0;
      c.tau_m_readout = 15.0;
      c.allow_autapses = false;
      net.connections.push_back(c);
    }
  }
  for (const char* target : {"free", "forced"}) {
    net.connections.push_back(connection("out", target,
                                         "eprop_learning_signal_connection_bsshslm_2020",
                                         ConnectionRule::all_to_all, 0.3));
  }
  ConnectionSpec target =
      connection("target", "out", "rate_connection_delayed", ConnectionRule::one_to_one, 1.0);
  target.receptor_type = 2;
  net.connections.push_back(target);
  net.recorders = {
      multimeter("free", {"V_m", "learning_signal", "eprop_history_duration"}, {0, 3, 6}),
      multimeter("forced",
                 {"V_m", "surrogate_gradient", "learning_signal", "eprop_history_duration"}),
      multimeter("out", {"readout_signal", "error_signal", "eprop_history_duration"}),
      spike_recorder("free"), spike_recorder("forced")};
  net.simulate = {45.0, 20.0, 135.0};
  return net;
}

struct Outcome : RunOutcome {
  std::vector<WeightRecording> weight_log;
};

Outcome run(NetworkSpec spec, std::size_t threads, EligibilityIntegration integration,
            std::vector<double> simulate) {
  spec.kernel.threads = threads;
  spec.kernel.eligibility_integration = integration;
  spec.simulate = std::move(simulate);
  Outcome out;
  Simulation sim(spec);
  sim.run_schedule();
  out.traces = sim.multimeters();
  out.spikes = sim.spike_recordings();
  out.weight_log = sim.weight_recordings();
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse.rfind("eprop_synapse", 0) == 0) {
      out.weights.push_back(sim.weights(c));
    }
  }
  return out;
}

/// tolerance 0: bit for bit. History durations must always agree exactly.
void expect_same(const Outcome& a, const Outcome& b, double rtol) {
  ASSERT_EQ(a.weight_log.size(), b.weight_log.size());
  for (std::size_t w = 0; w < a.weight_log.size(); ++w) {
    EXPECT_EQ(a.weight_log[w].time, b.weight_log[w].time);
    EXPECT_EQ(a.weight_log[w].source, b.weight_log[w].source);
    EXPECT_EQ(a.weight_log[w].target, b.weight_log[w].target);
    const auto& x = a.weight_log[w].weight;
    const auto& y = b.weight_log[w].weight;
    ASSERT_EQ(x.size(), y.size());
    for (std::size_t r = 0; r < x.size(); ++r) {
      ASSERT_NEAR(x[r], y[r], rtol * std::abs(y[r])) << "weight_recorder row " << r;
    }
  }
  ASSERT_EQ(a.traces.size(), b.traces.size());
  for (std::size_t m = 0; m < a.traces.size(); ++m) {
    EXPECT_EQ(a.traces[m].index, b.traces[m].index);
    EXPECT_EQ(a.traces[m].time, b.traces[m].time);
    for (std::size_t v = 0; v < a.traces[m].variables.size(); ++v) {
      const auto& x = a.traces[m].values[v];
      const auto& y = b.traces[m].values[v];
      ASSERT_EQ(x.size(), y.size());
      const bool exact = rtol == 0 || a.traces[m].variables[v] == "eprop_history_duration";
      for (std::size_t r = 0; r < x.size(); ++r) {
        if (exact) {
          ASSERT_EQ(x[r], y[r]) << a.traces[m].population << " " << a.traces[m].variables[v]
                                << " row " << r;
        } else {
          ASSERT_NEAR(x[r], y[r], rtol * std::abs(y[r]) + 1e-12)
              << a.traces[m].population << " " << a.traces[m].variables[v] << " row " << r;
        }
      }
    }
  }
  ASSERT_EQ(a.spikes.size(), b.spikes.size());
  for (std::size_t s = 0; s < a.spikes.size(); ++s) {
    EXPECT_EQ(a.spikes[s].index, b.spikes[s].index) << a.spikes[s].population;
    EXPECT_EQ(a.spikes[s].time, b.spikes[s].time) << a.spikes[s].population;
  }
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (std::size_t c = 0; c < a.weights.size(); ++c) {
    ASSERT_EQ(a.weights[c].size(), b.weights[c].size());
    for (std::size_t k = 0; k < a.weights[c].size(); ++k) {
      const double x = a.weights[c][k].weight;
      const double y = b.weights[c][k].weight;
      if (rtol == 0) {
        ASSERT_EQ(x, y) << "connection " << c << " synapse " << k;
      } else {
        ASSERT_NEAR(x, y, rtol * std::abs(y) + 1e-12) << "connection " << c << " synapse " << k;
      }
    }
  }
}

void check_network(const NetworkSpec& spec) {
  const auto stepwise = EligibilityIntegration::stepwise;
  const auto closed_form = EligibilityIntegration::closed_form;
  const Outcome reference = run(spec, 1, stepwise, spec.simulate);
  ASSERT_GT(reference.spikes.at(0).index.size(), 5U) << "the test network must be active";
  ASSERT_GT(reference.spikes.at(1).index.size(), 5U) << "the forced neurons must spike";
  for (const WeightRecording& w : reference.weight_log) ASSERT_FALSE(w.time.empty());
  {
    SCOPED_TRACE("3 threads");
    expect_same(reference, run(spec, 3, stepwise, spec.simulate), 0);
  }
  {
    SCOPED_TRACE("one simulate call");
    expect_same(reference, run(spec, 1, stepwise, {200.0}), 0);
  }
  {
    SCOPED_TRACE("closed form, 2 threads");
    expect_same(reference, run(spec, 2, closed_form, spec.simulate), 1e-9);
  }
}

TEST(RecordingConsistency, EventDrivenRandomNetwork) {
  check_network(event_driven_network());
}

TEST(RecordingConsistency, BsshslmRandomNetwork) {
  check_network(bsshslm_network());
}

// Simulation::take_recordings after every simulate call (as training reads an iteration in
// pieces): the pieces, concatenated, are the rows of one run, and each take leaves nothing behind.
TEST(RecordingConsistency, RecordingsTakenInPiecesAreTheRowsOfOneRun) {
  const NetworkSpec spec = event_driven_network();
  const Outcome reference = run(spec, 1, EligibilityIntegration::stepwise, spec.simulate);
  NetworkSpec pieces = spec;
  pieces.kernel.eligibility_integration = EligibilityIntegration::stepwise;
  Simulation sim(pieces);
  std::vector<MultimeterRecording> traces = sim.multimeters();
  std::vector<SpikeRecording> spikes = sim.spike_recordings();
  const auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  for (double ms = 0; ms < 200.0; ms += 37.0) {
    sim.simulate(std::min(37.0, 200.0 - ms));
    auto [m, s] = sim.take_recordings();
    for (std::size_t k = 0; k < m.size(); ++k) {
      append(traces[k].index, m[k].index);
      append(traces[k].time, m[k].time);
      for (std::size_t v = 0; v < m[k].values.size(); ++v) append(traces[k].values[v], m[k].values[v]);
    }
    for (std::size_t k = 0; k < s.size(); ++k) {
      append(spikes[k].index, s[k].index);
      append(spikes[k].time, s[k].time);
    }
    for (const MultimeterRecording& left : sim.multimeters()) EXPECT_TRUE(left.time.empty());
    for (const SpikeRecording& left : sim.spike_recordings()) EXPECT_TRUE(left.time.empty());
  }
  ASSERT_EQ(traces.size(), reference.traces.size());
  for (std::size_t k = 0; k < traces.size(); ++k) {
    EXPECT_EQ(traces[k].variables, reference.traces[k].variables);
    EXPECT_EQ(traces[k].index, reference.traces[k].index);
    EXPECT_EQ(traces[k].time, reference.traces[k].time);
    EXPECT_EQ(traces[k].values, reference.traces[k].values);
  }
  ASSERT_EQ(spikes.size(), reference.spikes.size());
  for (std::size_t k = 0; k < spikes.size(); ++k) {
    EXPECT_EQ(spikes[k].index, reference.spikes[k].index);
    EXPECT_EQ(spikes[k].time, reference.spikes[k].time);
  }
}

}  // namespace
}  // namespace eprop
