// Simulation::set_synapses / synapse_states: NEST's SetStatus on e-prop connections (weight, and
// Adam's m and v) on a live simulation. NEST's facts used: a weight set before the first Simulate
// is the weight the synapse was connected with; SetStatus checks Wmin <= weight <= Wmax after
// storing the weight (SPEC_recording R.8); m and v exist per synapse for Adam only (SPEC 8).

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <stdexcept>
#include <vector>

#include "eprop/error.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

// The sine-task regression network (SPEC 13.2): connections 1, 2, 3 are the plastic in, rec and
// out projections, all_to_all with [target][source] weight matrices.
constexpr std::size_t kRec = 2;
constexpr std::size_t kOut = 3;

SynapseChange change(std::size_t index, std::optional<double> weight,
                     std::optional<double> m = std::nullopt,
                     std::optional<double> v = std::nullopt) {
  return {index, weight, m, v};
}

double changed(double w, std::size_t k) { return 0.5 * w + 0.01 * static_cast<double>(k % 5); }

std::size_t n_sources(const NetworkSpec& spec, const ConnectionSpec& c) {
  for (const auto& p : spec.populations) {
    if (p.name == c.source) return p.n;
  }
  throw std::logic_error("no population " + c.source);
}

void expect_same_run(const Simulation& a, const Simulation& b) {
  const auto ma = a.multimeters();
  const auto mb = b.multimeters();
  ASSERT_EQ(ma.size(), mb.size());
  for (std::size_t m = 0; m < ma.size(); ++m) EXPECT_EQ(ma[m].values, mb[m].values);
  for (std::size_t c : {std::size_t{1}, kRec, kOut}) {
    const auto sa = a.synapse_states(c);
    const auto sb = b.synapse_states(c);
    ASSERT_EQ(sa.size(), sb.size());
    for (std::size_t k = 0; k < sa.size(); ++k) {
      EXPECT_EQ(sa[k].weight, sb[k].weight);
      EXPECT_EQ(sa[k].m, sb[k].m);
      EXPECT_EQ(sa[k].v, sb[k].v);
    }
  }
}

class SynapseStateTest : public ::testing::TestWithParam<const char*> {};

// SetStatus(weight) before the first Simulate is Connect with that weight.
TEST_P(SynapseStateTest, WeightsSetBeforeTheRunEqualConnectingWithThem) {
  const NetworkSpec spec = test_support::regression_network(GetParam(), "adam");
  Simulation set_live(spec);
  NetworkSpec connected_spec = spec;
  for (std::size_t c : {kRec, kOut}) {
    ConnectionSpec& conn = connected_spec.connections[c];
    const std::size_t n_s = n_sources(spec, conn);
    std::vector<SynapseChange> changes;
    const auto states = set_live.synapse_states(c);
    for (std::size_t k = 0; k < states.size(); ++k) {
      const double w = changed(states[k].weight, k);
      changes.push_back(change(k, w));
      conn.weight.at(static_cast<std::size_t>(states[k].target) * n_s +
                     static_cast<std::size_t>(states[k].source)) = w;
    }
    set_live.set_synapses(c, changes);
  }
  Simulation connected(connected_spec);
  set_live.simulate(300.0);
  connected.simulate(300.0);
  expect_same_run(set_live, connected);
}

// Writing back what synapse_states reads, between two simulate() calls, changes nothing; in
// single precision too (float -> double -> float is exact).
TEST_P(SynapseStateTest, WritingBackTheStateMidRunChangesNothing) {
  for (Precision precision : {Precision::double_precision, Precision::single_precision}) {
    NetworkSpec spec = test_support::regression_network(GetParam(), "adam");
    spec.kernel.precision = precision;
    Simulation whole(spec);
    whole.simulate(300.0);
    Simulation split(spec);
    split.simulate(137.0);
    for (std::size_t c : {std::size_t{1}, kRec, kOut}) {
      std::vector<SynapseChange> changes;
      const auto states = split.synapse_states(c);
      for (std::size_t k = 0; k < states.size(); ++k) {
        changes.push_back(change(k, states[k].weight, states[k].m, states[k].v));
      }
      split.set_synapses(c, changes);
    }
    split.simulate(163.0);
    expect_same_run(whole, split);
  }
}

// New moments mid-run are what the synapse holds afterwards, and the optimizer continues from
// them (the weights of the synapses optimised since differ from an untouched run's).
TEST_P(SynapseStateTest, AdamMomentsSetMidRunAreUsed) {
  const NetworkSpec spec = test_support::regression_network(GetParam(), "adam");
  Simulation untouched(spec);
  Simulation changed_run(spec);
  untouched.simulate(150.0);
  changed_run.simulate(150.0);
  const auto before = changed_run.synapse_states(kOut);
  std::vector<SynapseChange> changes;
  for (std::size_t k = 0; k < before.size(); ++k) {
    changes.push_back(change(k, std::nullopt, 0.25 + 0.01 * static_cast<double>(k), 0.5));
  }
  changed_run.set_synapses(kOut, changes);
  const auto after = changed_run.synapse_states(kOut);
  for (std::size_t k = 0; k < after.size(); ++k) {
    EXPECT_EQ(after[k].weight, before[k].weight);
    EXPECT_EQ(after[k].m, *changes[k].m);
    EXPECT_EQ(after[k].v, 0.5);
  }
  untouched.simulate(150.0);
  changed_run.simulate(150.0);
  // Every synapse optimised since (its weight moved) moved differently from its new moments.
  const auto a = untouched.synapse_states(kOut);
  const auto b = changed_run.synapse_states(kOut);
  std::size_t moved = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].weight == before[k].weight) continue;
    ++moved;
    EXPECT_NE(a[k].weight, b[k].weight) << "synapse " << k;
  }
  EXPECT_GT(moved, a.size() / 4);
}

// The engine splits projections by target over threads; a synapse's index (its place in
// weights()) names the same synapse whatever the thread count, and the results stay equal.
TEST_P(SynapseStateTest, ThreadsDoNotChangeWhichSynapseIsSet) {
  NetworkSpec spec = test_support::regression_network(GetParam(), "adam");
  Simulation one(spec);
  spec.kernel.threads = 3;
  Simulation three(spec);
  for (Simulation* sim : {&one, &three}) {
    sim->simulate(120.0);
    for (std::size_t c : {std::size_t{1}, kRec, kOut}) {
      std::vector<SynapseChange> changes;
      const auto states = sim->synapse_states(c);
      for (std::size_t k = 0; k < states.size(); k += 7) {
        changes.push_back(change(k, changed(states[k].weight, k), 0.01, 0.02));
      }
      sim->set_synapses(c, changes);
    }
    sim->simulate(180.0);
  }
  expect_same_run(one, three);
}

INSTANTIATE_TEST_SUITE_P(BothFamilies, SynapseStateTest,
                         ::testing::Values("eprop_iaf", "eprop_iaf_bsshslm_2020"));

// NEST stores the weight, then checks it against [Wmin, Wmax] and raises: the changes before it
// and the out-of-range weight stay, those after it are not made.
TEST(SynapseStateErrors, WeightOutsideBoundsIsStoredThenRaises) {
  Simulation sim(test_support::regression_network("eprop_iaf", "adam"));
  const auto before = sim.synapse_states(kOut);
  const std::vector<SynapseChange> changes{change(0, 0.125), change(1, 1000.0), change(2, 0.5)};
  EXPECT_THROW(sim.set_synapses(kOut, changes), ConfigError);
  const auto after = sim.synapse_states(kOut);
  EXPECT_EQ(after[0].weight, 0.125);
  EXPECT_EQ(after[1].weight, 1000.0);
  EXPECT_EQ(after[2].weight, before[2].weight);
}

TEST(SynapseStateErrors, BadChangesAreRejectedBeforeAnythingChanges) {
  Simulation gd(test_support::regression_network("eprop_iaf", "gradient_descent"));
  const auto before = gd.synapse_states(kOut);
  // gradient descent has no moments
  EXPECT_THROW(gd.set_synapses(kOut, {change(0, 0.125), change(1, std::nullopt, 0.0)}),
               ConfigError);
  EXPECT_EQ(gd.synapse_states(kOut)[0].weight, before[0].weight);
  EXPECT_THROW(gd.set_synapses(kOut, {change(before.size(), 0.0)}), std::out_of_range);
  EXPECT_THROW(gd.set_synapses(0, {change(0, 0.0)}), ConfigError);  // static
  EXPECT_THROW(gd.set_synapses(99, {}), std::out_of_range);

  Simulation adam(test_support::regression_network("eprop_iaf", "adam"));
  EXPECT_THROW(adam.set_synapses(kOut, {change(0, std::nullopt, std::nullopt, -1.0)}),
               ConfigError);
  EXPECT_THROW(adam.set_synapses(kOut, {change(0, std::nan(""))}), ConfigError);
}

}  // namespace
}  // namespace eprop
