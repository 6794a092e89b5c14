// Issue 14: Ctrl-C inside one long simulate(). With an interrupt flag the steps run in pieces
// that look at the flag in between; the pieces give the numbers of one call, and a set flag ends
// the call with Interrupted.

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "eprop/error.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

std::string state_of(const Simulation& sim) {
  std::ostringstream out;
  sim.save_state(out);
  return out.str();
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
  EXPECT_EQ(state_of(whole), state_of(pieces));  // neurons, synapses, histories, recordings
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
