// format_network writes what parse_network reads back: the NEST example networks survive the
// round trip exactly, so `eprop run` on an exported file is the same simulation.

#include <gtest/gtest.h>

#include "eprop/network_file.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

TEST(NetworkWriter, RoundTripReproducesTheSimulation) {
  auto config = test_support::regression_config("eprop_iaf_psc_delta_adapt", "adam");
  config.n_iter = 2;
  config.recording.spikes = true;
  const NetworkSpec original = tasks::sine_task_network(config);
  const NetworkSpec reread = parse_network(format_network(original), "exported.toml");
  EXPECT_EQ(format_network(reread), format_network(original));

  Simulation a(original);
  Simulation b(reread);
  a.run_schedule();
  b.run_schedule();
  EXPECT_EQ(a.multimeters()[0].values, b.multimeters()[0].values);
  EXPECT_EQ(a.spike_recordings()[0].time, b.spike_recordings()[0].time);
  const auto wa = a.weights(1);
  const auto wb = b.weights(1);
  ASSERT_EQ(wa.size(), wb.size());
  for (std::size_t k = 0; k < wa.size(); ++k) EXPECT_EQ(wa[k].weight, wb[k].weight);
}

TEST(NetworkWriter, PerNeuronParametersRoundTrip) {
  auto config = test_support::regression_config("eprop_iaf", "gradient_descent");
  config.n_iter = 1;
  NetworkSpec original = tasks::sine_task_network(config);
  PopulationSpec& rec = original.populations.at(2);
  std::vector<double> tau_m;
  for (std::size_t j = 0; j < rec.n; ++j) tau_m.push_back(20.0 + 0.1 * static_cast<double>(j));
  rec.neuron_params["tau_m"] = tau_m;
  rec.params.erase("tau_m");
  const NetworkSpec reread = parse_network(format_network(original), "exported.toml");
  EXPECT_EQ(reread.populations.at(2).neuron_params.at("tau_m"), tau_m);
  EXPECT_EQ(format_network(reread), format_network(original));
}

}  // namespace
}  // namespace eprop
