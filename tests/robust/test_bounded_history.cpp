// Issue 14: a network whose inputs stop early must not grow its e-prop histories without bound
// (no presynaptic spike ever arrives to prune them), and bounding them must not change a number:
// the weights (and Adam's moments) during and after the silence are those of a run that kept the
// whole history, with per-spike and per-step optimisation (NEST's default), gradient descent and
// Adam, batches of 1 and 2, in double and float.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "eprop/memory_estimate.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"
#include "simulation/build_network.h"
#include "support/random_networks.h"

namespace eprop {
namespace {

struct Variant {
  std::string name;
  bool bsshslm = false;
  std::string integration = "closed_form";
  bool each_step = false;
  std::string cutoff = "inf";  ///< eprop_isi_trace_cutoff (event-driven family)
  std::string optimizer = "gradient_descent";
  int batch_size = 1;
  std::string precision = "double";
};

Variant each_step_variant(std::string name, std::string cutoff, std::string optimizer,
                          int batch_size, std::string integration = "stepwise",
                          std::string precision = "double") {
  return Variant{std::move(name),      false,      std::move(integration), true, std::move(cutoff),
                 std::move(optimizer), batch_size, std::move(precision)};
}

// gen -> parrots -> rec -> out with feedback; the generators fall silent after 60 ms, and a last
// input spike at `last_spike_ms` (if any) makes every synapse integrate its silent interval.
std::string network_text(const Variant& v, double last_spike_ms) {
  const std::string suffix = v.bsshslm ? "_bsshslm_2020" : "";
  const std::string kernel =
      v.bsshslm ? "eprop_update_interval = 50.0\neprop_learning_window = 50.0\n" : "";
  const std::string cutoff = v.bsshslm ? "" : ", eprop_isi_trace_cutoff = " + v.cutoff;
  const std::string last = last_spike_ms > 0 ? fmt::format(", {}", last_spike_ms) : "";
  // Adam's steps do not scale with the gradient: a smaller eta keeps the weights in range.
  const std::string optimizer = fmt::format(
      "optimizer = {{ type = \"{}\", eta = {}, batch_size = {}, optimize_each_step = {} }}",
      v.optimizer, v.optimizer == "adam" ? 0.002 : 0.05, v.batch_size,
      v.each_step && !v.bsshslm ? "true" : "false");
  return fmt::format(R"(
[kernel]
resolution = 1.0
precision = "{precision}"
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
                     fmt::arg("precision", v.precision), fmt::arg("integration", v.integration),
                     fmt::arg("kernel", kernel), fmt::arg("last", last), fmt::arg("suffix", suffix),
                     fmt::arg("cutoff", cutoff), fmt::arg("optimizer", optimizer));
}

// Test failures name the variant.
void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.name;
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
  // The pending values of per-step optimisation are in the estimate made before the build.
  EXPECT_LE(sim.memory_stats().eprop_synapse_bytes,
            estimate_memory(sim.spec()).eprop_synapse_bytes);
}

// Every weight of the network, shard by shard, and Adam's moments after them (what a user can
// read of a synapse).
template <class Real>
std::vector<double> user_values(const Network<Real>& net) {
  std::vector<double> w;
  const auto add = [&w](const auto& values) { w.insert(w.end(), values.begin(), values.end()); };
  for (const auto& proj : net.plastic_projections) {
    for (const auto& shard : proj.shards) {
      const auto user = shard.user_state();
      add(user.weight);
      add(user.m);
      add(user.v);
    }
  }
  for (const auto& proj : net.bsshslm_projections) {
    for (const auto& shard : proj.shards) add(shard.weights());
  }
  return w;
}

// A last input spike after the silence makes every input synapse integrate its silent interval.
// The reference keeps every history entry until a spike reads it (NEST's algorithm, SPEC 9.1):
// integrating a silent interval early must give its weights to the last bit when stepwise, and
// to rounding when in closed form (the interval's sums are split at another step).
template <class Real>
void expect_bounding_changes_nothing(const Variant& v) {
  const double last = 60.0 + kSilenceMs / 4;
  const NetworkSpec spec = parse_network(network_text(v, last), "net.toml");
  auto bounded = build_network<Real>(spec);
  auto unbounded = build_network<Real>(spec);
  unbounded->set_history_bound(kNeverSteps);
  const auto silent_steps = static_cast<Step>(last - 10.0);
  bounded->run(silent_steps);
  unbounded->run(silent_steps);
  EXPECT_LT(bounded->history_entries() * 4, unbounded->history_entries());
  // During the silence the weights (and moments) a user reads are NEST's, which change only at
  // events (with per-step optimisation the early integrated steps wait as pending values).
  const std::vector<double> during = user_values(*bounded);
  EXPECT_EQ(during, user_values(*unbounded));
  bounded->run(110);
  unbounded->run(110);
  const std::vector<double> a = user_values(*bounded);
  const std::vector<double> b = user_values(*unbounded);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a, during) << "the last spike must integrate a silent interval that moves weights";
  // Per-step optimisation integrates stepwise in both settings (closed form sums whole
  // intervals).
  const bool exact = v.integration == "stepwise" || v.each_step;
  const double tolerance = exact ? 0.0 : 1e-12;
  for (std::size_t s = 0; s < a.size(); ++s) {
    EXPECT_NEAR(a[s], b[s], tolerance * std::max(1.0, std::abs(b[s]))) << "value " << s;
  }
}

TEST_P(BoundedHistory, Issue14BoundingChangesNoWeight) {
  const Variant& v = GetParam();
  if (v.precision == "float") return expect_bounding_changes_nothing<float>(v);
  expect_bounding_changes_nothing<double>(v);
}

// eta changed between simulate calls inside a silence: NEST applies the new eta to the steps of
// the silent interval that its next event integrates, which an early integration has already
// optimised with the old one. The weights then differ; keep_per_step_histories (what
// Simulation::expect_eta_changes asks for) keeps NEST's histories and numbers.
TEST(BoundedHistoryEta, Issue14EtaChangesInsideASilenceKeepTheHistory) {
  for (const std::string optimizer : {"gradient_descent", "adam"}) {
    const double last = 60.0 + kSilenceMs / 4;
    Variant v = each_step_variant(optimizer, "inf", optimizer, 1);
    const NetworkSpec spec = parse_network(network_text(v, last), "net.toml");
    auto bounded = build_network<double>(spec);
    auto kept = build_network<double>(spec);
    auto nest = build_network<double>(spec);
    kept->keep_per_step_histories();
    nest->set_history_bound(kNeverSteps);
    for (auto* net : {bounded.get(), kept.get(), nest.get()}) {
      net->run(3000);
      for (auto& proj : net->plastic_projections) {
        for (auto& shard : proj.shards) shard.config().set_eta(shard.config().eta / 4);
      }
      net->run(static_cast<Step>(last) + 100 - 3000);
    }
    EXPECT_EQ(user_values(*kept), user_values(*nest)) << optimizer;
    EXPECT_NE(user_values(*bounded), user_values(*nest)) << optimizer;
  }
}

// Weight and Adam moments of every synapse of the plastic connections.
std::vector<double> plastic_values(const Simulation& sim) {
  std::vector<double> w;
  for (std::size_t c = 1; c <= 3; ++c) {  // in -> rec, rec -> rec, rec -> out
    for (const SynapseState& syn : sim.synapse_states(c)) {
      w.insert(w.end(), {syn.weight, syn.m, syn.v});
    }
  }
  return w;
}

// Pending values (per-step optimisation) travel with the state: a simulation saved inside the
// silence, after early integrations, and restored continues to the weights and moments of one
// that ran through (they differ from those of the silence's start only once the pending values
// become the user's).
class PendingState : public testing::TestWithParam<Variant> {};

TEST_P(PendingState, Issue14PendingValuesSurviveSaveAndLoad) {
  const double last = 60.0 + kSilenceMs / 4;
  const NetworkSpec spec = parse_network(network_text(GetParam(), last), "net.toml");
  Simulation through(spec);
  Simulation saved(spec);
  through.simulate(3000.0);
  saved.simulate(3000.0);
  std::stringstream state;
  saved.save_state(state);
  Simulation resumed(spec);
  resumed.load_state(state);
  EXPECT_EQ(plastic_values(through), plastic_values(resumed));
  through.simulate(last + 100.0 - 3000.0);
  resumed.simulate(last + 100.0 - 3000.0);
  EXPECT_EQ(plastic_values(through), plastic_values(resumed));
}

// Silent inputs (3 s without flush events) with per-step optimisation: the early integrations
// happen at steps that depend only on each source, so spikes and weights do not depend on the
// number of threads.
class SilentThreads : public testing::TestWithParam<Variant> {};

TEST_P(SilentThreads, Issue14EarlyIntegrationIsThreadInvariant) {
  const Variant& v = GetParam();
  test_support::RandomNetworkSettings s = test_support::silent_sources_settings();
  s.precision = v.precision == "float" ? Precision::single_precision : Precision::double_precision;
  s.optimizer.type = v.optimizer;
  s.optimizer.batch_size = v.batch_size;
  s.optimizer.eta = v.optimizer == "adam" ? 0.002 : 0.01;
  NetworkSpec spec = test_support::random_learning_network(s);
  spec.kernel.threads = 1;
  const test_support::RunOutcome one = test_support::run_outcome(spec);
  for (const std::size_t threads : {2, 3}) {
    spec.kernel.threads = threads;
    test_support::expect_identical(one, test_support::run_outcome(spec));
  }
}

// Per-step optimisation with every optimizer and batch size: closed-form integration falls back
// to the stepwise loop there, so both settings are covered; float and double.
const auto kPerStepVariants = testing::Values(
    each_step_variant("each_step_closed_form", "inf", "gradient_descent", 1, "closed_form"),
    each_step_variant("each_step_stepwise", "inf", "gradient_descent", 1, "stepwise"),
    each_step_variant("each_step_cutoff_15", "15.0", "gradient_descent", 1, "stepwise"),
    each_step_variant("adam_stepwise", "inf", "adam", 1, "stepwise"),
    each_step_variant("adam_closed_form_float", "inf", "adam", 1, "closed_form", "float"),
    each_step_variant("adam_cutoff_15", "15.0", "adam", 1, "stepwise"),
    each_step_variant("batch_2_stepwise", "inf", "gradient_descent", 2, "stepwise"),
    each_step_variant("batch_2_closed_form_float", "inf", "gradient_descent", 2, "closed_form",
                      "float"),
    each_step_variant("batch_2_cutoff_15", "15.0", "gradient_descent", 2, "stepwise"),
    each_step_variant("adam_batch_2_stepwise", "inf", "adam", 2, "stepwise"),
    each_step_variant("adam_batch_2_float", "inf", "adam", 2, "stepwise", "float"),
    each_step_variant("adam_batch_2_cutoff_15", "15.0", "adam", 2, "stepwise"));

const auto kVariantName = [](const testing::TestParamInfo<Variant>& p) { return p.param.name; };

INSTANTIATE_TEST_SUITE_P(
    Issue14, BoundedHistory,
    testing::Values(Variant{"closed_form_cutoff_inf", false, "closed_form", false, "inf"},
                    Variant{"stepwise_cutoff_inf", false, "stepwise", false, "inf"},
                    Variant{"closed_form_cutoff_15", false, "closed_form", false, "15.0"},
                    Variant{"stepwise_adam_batch_2_float", false, "stepwise", false, "inf", "adam",
                            2, "float"},
                    Variant{"bsshslm", true, "closed_form", false, "inf"}),
    kVariantName);
INSTANTIATE_TEST_SUITE_P(PerStep, BoundedHistory, kPerStepVariants, kVariantName);
INSTANTIATE_TEST_SUITE_P(PerStep, PendingState, kPerStepVariants, kVariantName);
INSTANTIATE_TEST_SUITE_P(
    PerStep, SilentThreads,
    testing::Values(each_step_variant("gradient_descent_batch_2", "inf", "gradient_descent", 2,
                                      "stepwise"),
                    each_step_variant("adam", "inf", "adam", 1, "stepwise", "float"),
                    each_step_variant("adam_batch_2", "inf", "adam", 2, "closed_form")),
    kVariantName);

}  // namespace
}  // namespace eprop
