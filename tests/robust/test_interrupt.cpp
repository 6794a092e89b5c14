// Issue 14: Ctrl-C inside one long simulate(). With an interrupt flag the steps run in pieces
// that look at the flag in between; the pieces give the numbers of one call, and a set flag ends
// the call with Interrupted.

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "eprop/error.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

// Everything a user reads back: spikes, multimeter samples and every plastic weight.
std::vector<double> numbers_of(const Simulation& sim) {
  std::vector<double> v;
  for (const auto& s : sim.spike_recordings()) {
    v.insert(v.end(), s.time.begin(), s.time.end());
    for (const auto i : s.index) v.push_back(static_cast<double>(i));
  }
  for (const auto& m : sim.multimeters()) {
    for (const auto& values : m.values) v.insert(v.end(), values.begin(), values.end());
  }
  for (std::size_t c = 0; c < sim.spec().connections.size(); ++c) {
    if (sim.spec().connections[c].synapse != "eprop_synapse") continue;
    for (const auto& w : sim.weights(c)) v.push_back(w.weight);
  }
  return v;
}

TEST(Interrupt, Issue14PiecesGiveTheNumbersOfOneCall) {
  const NetworkSpec spec = test_support::regression_network("eprop_iaf", "adam");
  Simulation whole(spec);
  Simulation pieces(spec);
  const std::atomic<bool> never{false};
  pieces.set_interrupt(&never);
  whole.simulate(500.0);  // the 5 iterations of SPEC 13.2
  pieces.simulate(500.0);
  ASSERT_EQ(whole.steps_done(), 500);
  EXPECT_EQ(pieces.steps_done(), 500);
  const std::vector<double> a = numbers_of(whole);
  const std::vector<double> b = numbers_of(pieces);
  ASSERT_GT(a.size(), 1000U);
  EXPECT_TRUE(a == b);  // bit for bit
}

TEST(Interrupt, Issue14SetFlagStopsTheCall) {
  Simulation sim(test_support::regression_network("eprop_iaf", "gradient_descent"));
  const std::atomic<bool> stop{true};
  sim.set_interrupt(&stop);
  EXPECT_THROW(sim.simulate(1e6), Interrupted);
  EXPECT_EQ(sim.steps_done(), 0);
  sim.set_interrupt(nullptr);
  sim.simulate(10.0);
  EXPECT_GT(sim.steps_done(), 0);
}

}  // namespace
}  // namespace eprop
