// SPEC Appendix B: micro-network golden traces from NEST 3.10 (spikes, voltages, surrogate
// gradients, learning signals, final weights), double precision, rtol 1e-8. The network is built
// through the C++ API here; tests/cli runs the same networks from TOML through `eprop run`.
// Expected values: tests/networks/appendix_b_expected.json (transcribed from SPEC.md).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "eprop/simulation.h"

namespace {

using eprop::ConnectionRule;
using eprop::ConnectionSpec;
using eprop::NetworkSpec;

struct RunCase {
  std::string name;
  std::string model;
  std::string optimizer;
  bool each_step;
};

NetworkSpec appendix_b_network(const RunCase& c) {
  NetworkSpec net;
  net.kernel.precision = eprop::Precision::double_precision;
  net.populations.push_back({"gen", "spike_generator", 2, {},
                             {{1, 4, 7, 10, 13, 20, 21, 30, 41, 45}, {2, 3, 9, 15, 16, 25, 33, 34, 47}},
                             {}, {}, {}});
  net.populations.push_back({"in", "parrot_neuron", 2, {}, {}, {}, {}, {}});
  std::map<std::string, eprop::ParamValue> rec = {
      {"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}, {"V_th", 0.2}, {"tau_m", 20.0}, {"t_ref", 2.0},
      {"c_reg", 0.5}, {"f_target", 10.0}, {"kappa", 0.95}, {"kappa_reg", 0.9},
      {"surrogate_gradient_function", std::string("piecewise_linear")},
      {"surrogate_gradient_height", 0.3}, {"surrogate_gradient_width", 0.1},
      {"eprop_isi_trace_cutoff", 15.0}};
  if (c.model == "eprop_iaf_adapt") {
    rec["adapt_beta"] = 0.05;
    rec["adapt_tau"] = 30.0;
  }
  net.populations.push_back({"rec", c.model, 3, rec, {}, {}, {}, {}});
  net.populations.push_back({"out", "eprop_readout", 1,
                             {{"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}, {"tau_m", 10.0},
                              {"eprop_isi_trace_cutoff", 15.0}},
                             {}, {}, {}, {}});
  net.populations.push_back({"target", "step_rate_generator", 1, {}, {}, {{2, 30}}, {{0.5, -0.3}}, {}});
  net.populations.push_back({"window", "step_rate_generator", 1, {}, {}, {{2}}, {{1.0}}, {}});

  eprop::OptimizerSpec opt;
  opt.type = c.optimizer;
  opt.eta = 0.05;
  opt.optimize_each_step = c.each_step;
  opt.Wmin = -10;
  opt.Wmax = 10;
  auto connect = [&](std::string src, std::string tgt, ConnectionRule rule, std::string syn,
                     std::vector<double> w) {
    ConnectionSpec s;
    s.source = std::move(src);
    s.target = std::move(tgt);
    s.rule = rule;
    s.synapse = std::move(syn);
    s.weight = std::move(w);
    s.optimizer = opt;
    net.connections.push_back(s);
    return net.connections.size() - 1;
  };
  connect("gen", "in", ConnectionRule::one_to_one, "static_synapse", {1.0});
  connect("in", "rec", ConnectionRule::all_to_all, "eprop_synapse",
          {0.15, 0.12, 0.11, 0.16, 0.13, 0.10});
  const auto rr = connect("rec", "rec", ConnectionRule::all_to_all, "eprop_synapse",
                          {0, 0.05, -0.04, 0.06, 0, 0.03, -0.02, 0.07, 0});
  net.connections[rr].allow_autapses = false;
  connect("rec", "out", ConnectionRule::all_to_all, "eprop_synapse", {0.3, -0.2, 0.25});
  connect("out", "rec", ConnectionRule::all_to_all, "eprop_learning_signal_connection",
          {0.5, -0.4, 0.3});
  net.connections[connect("target", "out", ConnectionRule::all_to_all, "rate_connection_delayed",
                          {1.0})]
      .receptor_type = 2;
  net.connections[connect("window", "out", ConnectionRule::all_to_all, "rate_connection_delayed",
                          {1.0})]
      .receptor_type = 1;

  eprop::RecorderSpec spikes;
  spikes.type = eprop::RecorderType::spike_recorder;
  spikes.population = "rec";
  net.recorders.push_back(spikes);
  eprop::RecorderSpec out_mm;
  out_mm.population = "out";
  out_mm.record_from = {"V_m"};
  net.recorders.push_back(out_mm);
  eprop::RecorderSpec rec_mm;
  rec_mm.population = "rec";
  rec_mm.neurons = {0};
  rec_mm.record_from = {"V_m", "surrogate_gradient", "learning_signal"};
  net.recorders.push_back(rec_mm);
  net.simulate = {60.0};
  return net;
}

nlohmann::json expected_runs() {
  std::ifstream in(std::string(EPROP_TEST_NETWORKS_DIR) + "/appendix_b_expected.json");
  return nlohmann::json::parse(in)["runs"];
}

void expect_close(double actual, double expected, const std::string& what) {
  const double tol = 1e-8 * std::abs(expected) + 1e-12;
  EXPECT_NEAR(actual, expected, tol) << what;
}

class AppendixB : public ::testing::TestWithParam<RunCase> {};

void expect_matches_nest(const RunCase& c, eprop::EligibilityIntegration integration,
                         std::size_t threads) {
  SCOPED_TRACE(std::string(eprop::to_string(integration)) + ", " + std::to_string(threads) +
               " threads");
  const auto expected = expected_runs()[c.name];
  eprop::NetworkSpec spec = appendix_b_network(c);
  spec.kernel.eligibility_integration = integration;
  spec.kernel.threads = threads;
  eprop::Simulation sim(spec);
  sim.run_schedule();

  const auto spikes = sim.spike_recordings().at(0);
  for (int j = 0; j < 3; ++j) {
    std::vector<double> got;
    for (std::size_t r = 0; r < spikes.index.size(); ++r) {
      if (spikes.index[r] == j) got.push_back(spikes.time[r]);
    }
    EXPECT_EQ(got, expected["spikes"][std::to_string(j)].get<std::vector<double>>())
        << "spikes of rec" << j;
  }

  const auto mms = sim.multimeters();
  for (const auto& trace : expected["traces"]) {
    const bool readout = trace["file"].get<std::string>().rfind("out", 0) == 0;
    const auto& mm = mms.at(readout ? 0 : 1);
    const std::string var = trace["variable"];
    const auto want = trace["values"].get<std::vector<double>>();
    std::size_t v = 0;
    while (mm.variables[v] != var) ++v;
    ASSERT_EQ(mm.time.size(), want.size()) << var;
    for (std::size_t r = 0; r < want.size(); ++r) {
      expect_close(mm.values[v][r], want[r], var + " at t=" + std::to_string(mm.time[r]));
    }
  }

  std::map<std::tuple<std::string, std::int64_t, std::string, std::int64_t>, double> got;
  const std::vector<std::tuple<std::size_t, std::string, std::string>> plastic = {
      {1, "in", "rec"}, {2, "rec", "rec"}, {3, "rec", "out"}};
  for (const auto& [conn, src, tgt] : plastic) {
    for (const auto& w : sim.weights(conn)) got[{src, w.source, tgt, w.target}] = w.weight;
  }
  for (const auto& w : expected["weights"]) {
    const auto key = std::make_tuple(w[0].get<std::string>(), w[1].get<std::int64_t>(),
                                     w[2].get<std::string>(), w[3].get<std::int64_t>());
    ASSERT_TRUE(got.count(key)) << w.dump();
    expect_close(got[key], w[4].get<double>(), "weight " + w.dump());
  }
}

TEST_P(AppendixB, MatchesNest) {
  for (const auto integration :
       {eprop::EligibilityIntegration::stepwise, eprop::EligibilityIntegration::closed_form}) {
    for (const std::size_t threads : {1U, 2U, 3U}) expect_matches_nest(GetParam(), integration, threads);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Runs, AppendixB,
    ::testing::Values(
        RunCase{"appendix_b_eprop_iaf_gradient_descent_each", "eprop_iaf", "gradient_descent", true},
        RunCase{"appendix_b_eprop_iaf_gradient_descent_spike", "eprop_iaf", "gradient_descent",
                false},
        RunCase{"appendix_b_eprop_iaf_adam_each", "eprop_iaf", "adam", true},
        RunCase{"appendix_b_eprop_iaf_adam_spike", "eprop_iaf", "adam", false},
        RunCase{"appendix_b_eprop_iaf_adapt_gradient_descent_each", "eprop_iaf_adapt",
                "gradient_descent", true}),
    [](const ::testing::TestParamInfo<RunCase>& run) { return run.param.name.substr(11); });

}  // namespace
