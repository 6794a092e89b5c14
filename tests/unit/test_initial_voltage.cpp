// V_m when E_L is set without V_m (SPEC 1.4): NEST stores voltages relative to E_L and, when E_L
// changes without them, shifts the stored values so that every absolute voltage (V_m, V_th,
// V_min, V_reset) keeps its value. A neuron created with only E_L therefore starts at the
// model's default V_m (-70 mV recurrent, 0 mV readouts), not at the new E_L, and relaxes
// towards E_L: V_m(1 ms) = E_L + (V_m0 - E_L) * exp(-dt / tau_m), for every model.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "eprop/simulation.h"

namespace eprop {
namespace {

struct Case {
  std::string model;
  double default_V_m;  // mV, the model's default (its default E_L)
  double E_L;          // mV, set without V_m
};

// One silent neuron with a V_m multimeter; the bsshslm family without resets, so that the
// initial voltage is not overwritten at the interval start.
double first_V_m(const Case& c, bool set_V_m, double V_m = 0.0) {
  NetworkSpec net;
  net.kernel.precision = Precision::double_precision;
  net.kernel.eprop_reset_neurons_on_update = false;
  PopulationSpec pop;
  pop.name = "n";
  pop.model = c.model;
  pop.params = {{"E_L", c.E_L}, {"tau_m", 10.0}};
  if (set_V_m) pop.params["V_m"] = V_m;
  net.populations.push_back(pop);
  RecorderSpec mm;
  mm.population = "n";
  mm.record_from = {"V_m"};
  net.recorders.push_back(mm);
  Simulation sim(net);
  sim.simulate(3.0);
  const auto rec = sim.multimeters().at(0);
  EXPECT_EQ(rec.time.front(), 1.0);
  return rec.values.at(0).front();
}

class InitialVoltage : public ::testing::TestWithParam<Case> {};

TEST_P(InitialVoltage, SettingELAloneKeepsTheAbsoluteDefaultVm) {
  const Case c = GetParam();
  const double alpha = std::exp(-1.0 / 10.0);
  EXPECT_NEAR(first_V_m(c, false), c.E_L + (c.default_V_m - c.E_L) * alpha, 1e-12) << c.model;
  // V_m given with E_L is absolute, whatever E_L is.
  EXPECT_NEAR(first_V_m(c, true, -65.0), c.E_L + (-65.0 - c.E_L) * alpha, 1e-12) << c.model;
}

INSTANTIATE_TEST_SUITE_P(
    EveryModel, InitialVoltage,
    ::testing::Values(Case{"eprop_iaf", -70.0, -60.0}, Case{"eprop_iaf_adapt", -70.0, -60.0},
                      Case{"eprop_iaf_psc_delta", -70.0, -60.0},
                      Case{"eprop_iaf_psc_delta_adapt", -70.0, -60.0},
                      Case{"eprop_iaf_bsshslm_2020", -70.0, -60.0},
                      Case{"eprop_iaf_adapt_bsshslm_2020", -70.0, -60.0},
                      Case{"eprop_readout", 0.0, 5.0}, Case{"eprop_readout_bsshslm_2020", 0.0, 5.0},
                      Case{"iaf_psc_delta", -70.0, -60.0}),
    [](const auto& param_info) { return param_info.param.model; });

}  // namespace
}  // namespace eprop
