// Neuron parameters set between simulate() calls (Simulation::set_neuron_parameters, NEST's
// SetStatus on running neurons): the analytic membrane solution with the new values from the
// step after the change, the absolute V_m kept when E_L changes (SPEC 1.4), only the neurons
// named changed, and the errors naming the parameter. Networks with synapses, thread counts and
// saved states: python/tests/test_live_parameters.py.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

Simulation membrane(const std::string& model, Precision precision, double I_e, std::size_t n) {
  NetworkSpec net;
  net.kernel.precision = precision;
  net.kernel.eprop_reset_neurons_on_update = false;  // the _bsshslm_2020 membrane alone
  PopulationSpec pop;
  pop.name = "n";
  pop.model = model;
  pop.n = n;
  pop.params = {{"E_L", 0.0}, {"V_m", 0.0}, {"C_m", 2.0}, {"tau_m", 20.0}, {"I_e", I_e}};
  if (model.find("readout") == std::string::npos) pop.params["V_th"] = 1e9;
  net.populations.push_back(pop);
  RecorderSpec mm;
  mm.population = "n";
  mm.record_from = {"V_m"};
  net.recorders.push_back(mm);
  return Simulation(net);
}

std::vector<double> trace(const Simulation& sim, std::int64_t neuron) {
  const auto rec = sim.multimeters().at(0);
  std::vector<double> v;
  for (std::size_t r = 0; r < rec.index.size(); ++r) {
    if (rec.index[r] == neuron) v.push_back(rec.values.at(0)[r]);
  }
  return v;
}

class LiveEL : public ::testing::TestWithParam<std::string> {};

// V_m = 0 at rest; E_L becomes -5 after 3 ms: the neuron relaxes from 0 towards -5 from the
// next step on, V(3 + m) = -5 + 5 exp(-m / 20).
TEST_P(LiveEL, KeepsTheAbsoluteVmAndRelaxesTowardsTheNewEL) {
  Simulation sim = membrane(GetParam(), Precision::double_precision, 0.0, 1);
  sim.simulate(3.0);
  sim.set_neuron_parameters("n", 0, 1, "E_L", {ParamValue(-5.0)});
  sim.simulate(6.0);
  const std::vector<double> v = trace(sim, 0);
  ASSERT_GE(v.size(), 8u);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(v[k], 0.0) << k;
  for (std::size_t m = 1; m + 2 < v.size(); ++m) {
    EXPECT_NEAR(v[m + 2], -5.0 + 5.0 * std::exp(-static_cast<double>(m) / 20.0), 1e-12) << m;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryEpropModel, LiveEL,
                         ::testing::Values("eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta",
                                           "eprop_iaf_psc_delta_adapt", "eprop_iaf_bsshslm_2020",
                                           "eprop_iaf_adapt_bsshslm_2020", "eprop_readout",
                                           "eprop_readout_bsshslm_2020"));

// Neuron 1 of 3 gets tau_m 5 after 10 ms: it relaxes with tau 5 towards I_e tau_m / C_m from
// stamp 11 on; neurons 0 and 2 keep tau 20. V(1) = 0: the current enters one step late.
void expect_tau_m_change(Precision precision, double tolerance) {
  const double I_e = 1.5, C_m = 2.0;
  Simulation sim = membrane("eprop_iaf", precision, I_e, 3);
  sim.simulate(10.0);
  sim.set_neuron_parameters("n", 1, 1, "tau_m", {ParamValue(5.0)});
  sim.simulate(10.0);
  const auto before = [&](std::size_t k) {  // V at stamp k + 1 with tau 20
    return I_e * 20.0 / C_m * (1.0 - std::exp(-static_cast<double>(k) / 20.0));
  };
  for (const std::int64_t j : {0, 2}) {
    const std::vector<double> v = trace(sim, j);
    for (std::size_t k = 0; k < v.size(); ++k) EXPECT_NEAR(v[k], before(k), tolerance) << k;
  }
  const std::vector<double> v = trace(sim, 1);
  const double v10 = before(9), v_inf = I_e * 5.0 / C_m;
  for (std::size_t m = 1; m + 9 < v.size(); ++m) {
    const double want = v_inf + (v10 - v_inf) * std::exp(-static_cast<double>(m) / 5.0);
    EXPECT_NEAR(v[m + 9], want, tolerance * std::abs(want)) << m;
  }
}

TEST(LiveParameters, TauMOfOneNeuronDouble) { expect_tau_m_change(Precision::double_precision, 1e-12); }
TEST(LiveParameters, TauMOfOneNeuronFloat) { expect_tau_m_change(Precision::single_precision, 1e-5); }

TEST(LiveParameters, WhatCannotChangeRaisesNamingItAndChangesNothing) {
  Simulation sim = membrane("eprop_iaf", Precision::double_precision, 1.5, 3);
  sim.simulate(5.0);
  const auto message = [&](std::size_t first, std::size_t count, const std::string& name,
                           std::vector<ParamValue> values) {
    try {
      sim.set_neuron_parameters("n", first, count, name, values);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(1, 1, "V_th", {ParamValue(3.0)}).find("'V_th' takes one value for all 3"),
            std::string::npos);
  EXPECT_NE(message(0, 3, "eprop_isi_trace_cutoff", {ParamValue(3.0)})
                .find("'eprop_isi_trace_cutoff' cannot change after the build"),
            std::string::npos);
  EXPECT_NE(message(0, 3, "tau_m", {ParamValue(-1.0)}).find("'tau_m' = -1 must be > 0"),
            std::string::npos);
  EXPECT_NE(message(2, 2, "tau_m", {ParamValue(1.0)}).find("of 3"), std::string::npos);
  EXPECT_NE(message(0, 1, "adaptation", {ParamValue(1.0)}).find("no state 'adaptation'"),
            std::string::npos);
  sim.simulate(5.0);
  const std::vector<double> v = trace(sim, 1);
  EXPECT_NEAR(v.back(), 1.5 * 20.0 / 2.0 * (1.0 - std::exp(-static_cast<double>(v.size() - 1) / 20.0)),
              1e-12);
}

}  // namespace
}  // namespace eprop
