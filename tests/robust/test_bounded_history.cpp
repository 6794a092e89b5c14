// Issue 14: a network whose inputs stop early must not grow its e-prop histories without bound
// (no presynaptic spike ever arrives to prune them), and bounding them must not change a number:
// the weights during and after the silence are those of a run that kept the whole history, with
// per-spike and per-step optimisation (NEST's default).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "eprop/network_file.h"
#include "eprop/simulation.h"
#include "simulation/build_network.h"

namespace eprop {
namespace {

struct Variant {
  std::string name;
  bool bsshslm = false;
  std::string integration = "closed_form";
  bool each_step = false;
  std::string cutoff = "inf";  ///< eprop_isi_trace_cutoff (event-driven family)
};

// gen -> parrots -> rec -> out with feedback; the generators fall silent after 60 ms, and a last
// input spike at `last_spike_ms` (if any) makes every synapse integrate its silent interval.
std::string network_text(const Variant& v, double last_spike_ms) {
  const std::string suffix = v.bsshslm ? "_bsshslm_2020" : "";
  const std::string kernel =
      v.bsshslm ? "eprop_update_interval = 50.0\neprop_learning_window = 50.0\n" : "";
  const std::string cutoff = v.bsshslm ? "" : ", eprop_isi_trace_cutoff = " + v.cutoff;
  const std::string last = last_spike_ms > 0 ? fmt::format(", {}", last_spike_ms) : "";
  const std::string optimizer = fmt::format(
      "optimizer = {{ type = \"gradient_descent\", eta = 0.05, optimize_each_step = {} }}",
      v.each_step && !v.bsshslm ? "true" : "false");
  return fmt::format(R"(
[kernel]
resolution = 1.0
precision = "double"
eligibility_integration = "{integration}"
{kernel}
[[population]]
name = "gen"
model = "spike_generator"
n = 2
spike_times = [[1, 4, 7, 10, 13, 20, 21, 30, 41, 45{last}], [2, 3, 9, 15, 16, 25, 33, 34, 47, 59]]

[[population]]
name = "in"
model = "parrot_neuron"
n = 2

[[population]]
name = "rec"
model = "eprop_iaf{suffix}"
n = 3
params = {{ C_m = 1.0, E_L = 0.0, V_m = 0.0, V_th = 0.2, tau_m = 20.0, t_ref = 2.0, c_reg = 0.5, f_target = 10.0, surrogate_gradient_function = "piecewise_linear", surrogate_gradient_height = 0.3, surrogate_gradient_width = 0.1{cutoff} }}

[[population]]
name = "out"
model = "eprop_readout{suffix}"
n = 1
params = {{ C_m = 1.0, E_L = 0.0, V_m = 0.0, tau_m = 10.0{cutoff} }}

[[population]]
name = "target"
model = "step_rate_generator"
n = 1
amplitude_times = [[2.0, 30.0]]
amplitude_values = [[0.5, -0.3]]

[[connection]]
source = "gen"
target = "in"
rule = "one_to_one"
synapse = "static_synapse"

[[connection]]
source = "in"
target = "rec"
synapse = "eprop_synapse{suffix}"
weight = [[0.15, 0.12], [0.11, 0.16], [0.13, 0.10]]
{optimizer}

[[connection]]
source = "rec"
target = "rec"
allow_autapses = false
synapse = "eprop_synapse{suffix}"
weight = [[0.0, 0.05, -0.04], [0.06, 0.0, 0.03], [-0.02, 0.07, 0.0]]
{optimizer}

[[connection]]
source = "rec"
target = "out"
synapse = "eprop_synapse{suffix}"
weight = [[0.3, -0.2, 0.25]]
{optimizer}

[[connection]]
source = "out"
target = "rec"
synapse = "eprop_learning_signal_connection{suffix}"
weight = [[0.5], [-0.4], [0.3]]

[[connection]]
source = "target"
target = "out"
synapse = "rate_connection_delayed"
receptor_type = 2
)",
                     fmt::arg("integration", v.integration), fmt::arg("kernel", kernel),
                     fmt::arg("last", last), fmt::arg("suffix", suffix),
                     fmt::arg("cutoff", cutoff), fmt::arg("optimizer", optimizer));
}

class BoundedHistory : public testing::TestWithParam<Variant> {};

constexpr double kSilenceMs = 20000.0;  // 20,000 steps without an input spike

TEST_P(BoundedHistory, Issue14HistoryStaysBoundedOverASilentStretch) {
  Simulation sim(parse_network(network_text(GetParam(), 0.0), "silent.toml"));
  sim.simulate(100.0);
  std::uint64_t peak = 0;
  for (double t = 0; t < kSilenceMs; t += 500.0) {
    sim.simulate(500.0);
    peak = std::max(peak, sim.memory_stats().history_entries);
  }
  // 3 recurrent + 1 readout neurons; a few thousand steps at most, not 20,000 per neuron.
  EXPECT_LT(peak, 4U * 2500U) << "history entries " << peak;
}

// Every weight of the network, shard by shard.
std::vector<double> all_weights(const Network<double>& net) {
  std::vector<double> w;
  for (const auto& proj : net.plastic_projections) {
    for (const auto& shard : proj.shards) w.insert(w.end(), shard.weights().begin(), shard.weights().end());
  }
  for (const auto& proj : net.bsshslm_projections) {
    for (const auto& shard : proj.shards) w.insert(w.end(), shard.weights().begin(), shard.weights().end());
  }
  return w;
}

// A last input spike after the silence makes every input synapse integrate its silent interval.
// The reference keeps every history entry until a spike reads it (NEST's algorithm, SPEC 9.1):
// integrating a silent interval early must give its weights to the last bit when stepwise, and
// to rounding when in closed form (the interval's sums are split at another step).
TEST_P(BoundedHistory, Issue14BoundingChangesNoWeight) {
  const Variant v = GetParam();
  const double last = 60.0 + kSilenceMs / 4;
  const NetworkSpec spec = parse_network(network_text(v, last), "net.toml");
  auto bounded = build_network<double>(spec);
  auto unbounded = build_network<double>(spec);
  unbounded->set_history_bound(kNeverSteps);
  const auto silent_steps = static_cast<Step>(last - 10.0);
  bounded->run(silent_steps);
  unbounded->run(silent_steps);
  EXPECT_LT(bounded->history_entries() * 4, unbounded->history_entries());
  // During the silence the weights a user reads are NEST's, which change only at events (with
  // per-step optimisation the early integrated steps wait as pending weights).
  const std::vector<double> during = all_weights(*bounded);
  EXPECT_EQ(during, all_weights(*unbounded));
  bounded->run(110);
  unbounded->run(110);
  const std::vector<double> a = all_weights(*bounded);
  const std::vector<double> b = all_weights(*unbounded);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a, during) << "the last spike must integrate a silent interval that moves weights";
  // Per-step optimisation integrates stepwise in both settings (closed form sums whole
  // intervals).
  const bool exact = v.integration == "stepwise" || v.each_step;
  const double tolerance = exact ? 0.0 : 1e-12;
  for (std::size_t s = 0; s < a.size(); ++s) {
    EXPECT_NEAR(a[s], b[s], tolerance * std::max(1.0, std::abs(b[s]))) << "synapse " << s;
  }
}

std::vector<double> plastic_weights(const Simulation& sim) {
  std::vector<double> w;
  for (std::size_t c = 1; c <= 3; ++c) {  // in -> rec, rec -> rec, rec -> out
    for (const SynapseWeight& syn : sim.weights(c)) w.push_back(syn.weight);
  }
  return w;
}

// Pending weights (per-step optimisation) travel with the state: a simulation saved inside the
// silence, after early integrations, and restored continues to the weights of one that ran
// through.
TEST(BoundedHistoryState, Issue14PendingWeightsSurviveSaveAndLoad) {
  const double last = 60.0 + kSilenceMs / 4;
  const NetworkSpec spec = parse_network(
      network_text(Variant{"each_step", false, "stepwise", true, "inf"}, last), "net.toml");
  Simulation through(spec);
  Simulation saved(spec);
  through.simulate(3000.0);
  saved.simulate(3000.0);
  std::stringstream state;
  saved.save_state(state);
  Simulation resumed(spec);
  resumed.load_state(state);
  through.simulate(last + 100.0 - 3000.0);
  resumed.simulate(last + 100.0 - 3000.0);
  EXPECT_EQ(plastic_weights(through), plastic_weights(resumed));
}

INSTANTIATE_TEST_SUITE_P(
    Issue14, BoundedHistory,
    testing::Values(Variant{"closed_form_cutoff_inf", false, "closed_form", false, "inf"},
                    Variant{"stepwise_cutoff_inf", false, "stepwise", false, "inf"},
                    Variant{"closed_form_cutoff_15", false, "closed_form", false, "15.0"},
                    Variant{"each_step_closed_form", false, "closed_form", true, "inf"},
                    Variant{"each_step_stepwise", false, "stepwise", true, "inf"},
                    Variant{"each_step_cutoff_15", false, "stepwise", true, "15.0"},
                    Variant{"bsshslm", true, "closed_form", false, "inf"}),
    [](const testing::TestParamInfo<Variant>& p) { return p.param.name; });

}  // namespace
}  // namespace eprop
