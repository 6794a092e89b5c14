// Per-neuron tau_m of the event-driven recurrent models (eprop_iaf*, as the e-prop+ lemniscate
// and handwriting tasks draw it): a uniform per-neuron array is the scalar parameter bit for
// bit; with tau_m varying, each synapse filters its presynaptic trace with its target's alpha
// (SPEC 5.3), and closed-form integration equals the stepwise reference.

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

constexpr std::size_t kRecurrent = 2;  // population index in the sine-task network

// The SPEC 13.2 sine network (5 iterations of 100 ms, double) with per-spike optimisation, so
// that closed-form integration applies to its non-adaptive models.
NetworkSpec network(const std::string& model, EligibilityIntegration integration) {
  auto config = test_support::regression_config(model, "gradient_descent");
  config.optimize_each_step = false;
  config.recording.n_record_rec = 4;
  NetworkSpec net = tasks::sine_task_network(config);
  net.kernel.eligibility_integration = integration;
  return net;
}

struct Outcome {
  std::vector<std::vector<double>> readout, recurrent;
  std::vector<double> weights;
};

std::vector<double> plastic_weights(const Simulation& sim) {
  std::vector<double> weights;
  for (const std::size_t c : {1, 2, 3}) {
    for (const auto& w : sim.weights(c)) weights.push_back(w.weight);
  }
  return weights;
}

Outcome run(const NetworkSpec& net) {
  Simulation sim(net);
  sim.run_schedule();
  return {sim.multimeters().at(0).values, sim.multimeters().at(1).values, plastic_weights(sim)};
}

std::vector<double> spread_tau_m(std::size_t n) {
  std::vector<double> tau_m;
  for (std::size_t j = 0; j < n; ++j) tau_m.push_back(22.0 + 16.0 * static_cast<double>(j % 7) / 6.0);
  return tau_m;
}

TEST(PerNeuronTauM, UniformArrayEqualsScalarBitForBit) {
  for (const std::string model : {"eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta",
                                  "eprop_iaf_psc_delta_adapt"}) {
    for (const auto integration :
         {EligibilityIntegration::closed_form, EligibilityIntegration::stepwise}) {
      const NetworkSpec scalar = network(model, integration);
      NetworkSpec array = scalar;
      PopulationSpec& rec = array.populations[kRecurrent];
      const double tau_m = std::get<double>(rec.params.at("tau_m"));
      rec.neuron_params["tau_m"] = std::vector<double>(rec.n, tau_m);
      rec.params["tau_m"] = 1.0;  // replaced by the array
      const Outcome a = run(scalar);
      const Outcome b = run(array);
      EXPECT_EQ(a.readout, b.readout) << model;
      EXPECT_EQ(a.recurrent, b.recurrent) << model;
      EXPECT_EQ(a.weights, b.weights) << model;
    }
  }
}

TEST(PerNeuronTauM, ClosedFormEqualsStepwise) {
  for (const std::string model : {"eprop_iaf", "eprop_iaf_psc_delta"}) {
    NetworkSpec closed = network(model, EligibilityIntegration::closed_form);
    PopulationSpec& rec = closed.populations[kRecurrent];
    rec.neuron_params["tau_m"] = spread_tau_m(rec.n);
    NetworkSpec stepwise = closed;
    stepwise.kernel.eligibility_integration = EligibilityIntegration::stepwise;
    const Outcome a = run(closed);
    const Outcome b = run(stepwise);
    ASSERT_EQ(a.weights.size(), b.weights.size());
    std::size_t changed = 0;
    const std::vector<double> initial = plastic_weights(Simulation(closed));
    for (std::size_t k = 0; k < a.weights.size(); ++k) {
      EXPECT_NEAR(a.weights[k], b.weights[k], 1e-9 * std::abs(b.weights[k]) + 1e-15)
          << model << " weight " << k;
      changed += b.weights[k] != initial[k] ? 1 : 0;
    }
    EXPECT_GT(changed, a.weights.size() / 2) << model << ": the weights must have learned";
    ASSERT_EQ(a.readout.size(), b.readout.size());
    for (std::size_t v = 0; v < a.readout.size(); ++v) {
      for (std::size_t k = 0; k < a.readout[v].size(); ++k) {
        EXPECT_NEAR(a.readout[v][k], b.readout[v][k], 1e-9 * std::abs(b.readout[v][k]) + 1e-13);
      }
    }
  }
}

TEST(PerNeuronTauM, VaryingTauMChangesTheDynamics) {
  const NetworkSpec scalar = network("eprop_iaf", EligibilityIntegration::stepwise);
  NetworkSpec varying = scalar;
  varying.populations[kRecurrent].neuron_params["tau_m"] =
      spread_tau_m(varying.populations[kRecurrent].n);
  EXPECT_NE(run(scalar).recurrent, run(varying).recurrent);
}

void expect_config_error(const NetworkSpec& spec, std::initializer_list<std::string> fragments) {
  try {
    Simulation sim(spec);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
    }
  }
}

TEST(PerNeuronTauM, IsCheckedAndOnlyWhereSupported) {
  NetworkSpec net = network("eprop_iaf_adapt", EligibilityIntegration::stepwise);
  PopulationSpec& rec = net.populations[kRecurrent];
  rec.neuron_params["tau_m"] = {20.0};
  expect_config_error(net, {"population 'recurrent'", "tau_m", "1 values",
                            "expected " + std::to_string(rec.n)});
  rec.neuron_params["tau_m"] = std::vector<double>(rec.n, 20.0);
  rec.neuron_params["tau_m"][3] = 0.0;
  expect_config_error(net, {"population 'recurrent'", "tau_m[3]", "must be > 0"});
  rec.neuron_params.clear();
  rec.neuron_params["V_th"] = std::vector<double>(rec.n, 1.0);
  expect_config_error(net, {"population 'recurrent'", "'V_th' cannot vary per neuron"});
}

}  // namespace
}  // namespace eprop
