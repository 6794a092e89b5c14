// Issue 14: a weight or membrane voltage that is no longer finite is found and named, so that
// training stops with "diverged" (tasks/training.cpp) before a checkpoint saves that state, not
// only when a loss is inf or nan.

#include <gtest/gtest.h>

#include <string>

#include <fmt/format.h>

#include "eprop/network_file.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

// gen -> parrot -> readout through an eprop_synapse of weight `weight`; `readout` and
// `optimizer` are the readout's parameters and the synapse's optimizer.
NetworkSpec network(const std::string& readout, const std::string& optimizer,
                    double weight = 0.5) {
  return parse_network(fmt::format(R"(
[kernel]
resolution = 1.0
precision = "double"

[[population]]
name = "gen"
model = "spike_generator"
spike_times = [[1, 3, 5, 7, 9, 11, 13, 15, 17, 19]]

[[population]]
name = "in"
model = "parrot_neuron"

[[population]]
name = "out"
model = "eprop_readout"
params = {{ {} }}

[[population]]
name = "target"
model = "step_rate_generator"
amplitude_times = [[2.0]]
amplitude_values = [[1.0]]

[[connection]]
source = "gen"
target = "in"
synapse = "static_synapse"

[[connection]]
source = "in"
target = "out"
synapse = "eprop_synapse"
weight = {}
optimizer = {{ type = "gradient_descent", optimize_each_step = false, {} }}

[[connection]]
source = "target"
target = "out"
synapse = "rate_connection_delayed"
receptor_type = 2
)",
                                   readout, weight, optimizer),
                       "divergence.toml");
}

TEST(Divergence, Issue14FiniteStateIsNotReported) {
  Simulation sim(network("C_m = 1.0, tau_m = 10.0", "eta = 0.05"));
  sim.simulate(30.0);
  EXPECT_EQ(sim.non_finite_state(), "");
}

TEST(Divergence, Issue14InfiniteWeightIsNamed) {
  // An unbounded weight so large that the readout's voltage, its error and then the gradient
  // overflow.
  Simulation sim(network("C_m = 1.0, tau_m = 10.0", "eta = 0.05, Wmin = -inf, Wmax = inf", 1e308));
  sim.simulate(30.0);
  const std::string what = sim.non_finite_state();
  EXPECT_NE(what.find("the weight of connection #1 (in -> out) from neuron 0 to neuron 0 is"),
            std::string::npos)
      << what;
}

TEST(Divergence, Issue14InfiniteVoltageIsNamed) {
  // A constant current whose steady state (tau_m / C_m * I_e) exceeds the largest double.
  // It overflows in step 2, before the second input spike makes the synapse learn from it.
  Simulation sim(network("C_m = 1.0, tau_m = 10.0, I_e = 1e308", "eta = 0.05"));
  sim.simulate(3.0);
  const std::string what = sim.non_finite_state();
  EXPECT_NE(what.find("V_m of neuron 0 of population 'out' is"), std::string::npos) << what;
}

}  // namespace
}  // namespace eprop
