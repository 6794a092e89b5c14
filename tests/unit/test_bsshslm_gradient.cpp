// The fast bsshslm gradient (per-target sensitivities summed at presynaptic spikes,
// engine/bsshslm_sensitivity.h) against the reference path (NEST's per-synapse loop over every
// step of the window), on random histories that fill in step by step as in a run: learning
// signals three steps late, regularisation at interval ends, dropped spikes at interval starts,
// trigger spikes one step after an interval (learning signal still missing), flush events.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/bsshslm_projection.h"
#include "engine/bsshslm_readout_population.h"

namespace eprop {
namespace {

constexpr Step kInterval = 10;
constexpr std::size_t kSources = 5;
constexpr std::size_t kTargets = 3;

struct Case {
  bool readout;
  bool adaptive;
  bool average;
  const char* optimizer;
  bool tau_per_target = false;  ///< each target its own alpha and P_z (tau_m per neuron)
};

class BsshslmGradient : public ::testing::TestWithParam<Case> {};

BsshslmProjection<double> projection(const Case& c, bool reference) {
  std::vector<SynapseTriple> synapses;
  for (LocalIndex i = 0; i < kSources; ++i) {
    for (LocalIndex j = 0; j < kTargets; ++j) synapses.push_back({i, j, 0.1 * (i + 1) - 0.2 * j});
  }
  OptimizerConfig config;
  config.kind = std::string(c.optimizer) == "adam" ? OptimizerKind::adam
                                                   : OptimizerKind::gradient_descent;
  config.batch_size = 2;
  config.set_eta(0.5);
  BsshslmTargetConstants<double> target;
  target.readout = c.readout;
  target.adaptive = c.adaptive;
  target.alpha = 0.9;
  target.P_z = c.readout ? 0.1 : 1.0;
  target.rho = 0.95;
  target.adapt_beta = 0.3;
  target.timing = {kInterval, 4, true};
  if (c.tau_per_target) {
    target.alpha_per_target = {0.9, 0.8, 0.95};
    target.P_z_per_target = {0.1, 0.2, 0.05};
  }
  return BsshslmProjection<double>(kSources, synapses, config, target,
                                   {0.8, c.average, reference});
}

TEST_P(BsshslmGradient, FastPathEqualsReferencePath) {
  const Case& c = GetParam();
  BsshslmProjection<double> fast = projection(c, false);
  BsshslmProjection<double> reference = projection(c, true);
  History<double> history(kTargets, c.readout ? 1 : 2);
  History<double> regularisation(kTargets, 1);
  const BsshslmTargetHistory<double> target{&history, c.readout ? nullptr : &regularisation};
  InputRing<double> input(kTargets, 1);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<Step> last_event(kSources, 0);
  std::size_t events = 0;
  for (Step t = 1; t < 30 * kInterval; ++t) {
    // What a network holds at the start of step t: learning signals up to entry t - 3, psi up
    // to t - 1 (entry t is open), readout errors up to key t - 2.
    if (!c.readout && history.contains(t - 3)) {
      for (std::size_t j = 0; j < kTargets; ++j) {
        history.at(kBsshslmLearningSignal, j, t - 3) = uniform(rng);
      }
    }
    const Step key = c.readout ? t - 1 : t;
    history.append(key);
    for (std::size_t j = 0; j < kTargets; ++j) {
      history.at(0, j, key) = c.readout ? uniform(rng) : 0.5 + 0.5 * uniform(rng);
    }
    if (!c.readout && interval_step(t, kBsshslmRecurrentShift, kInterval) == kInterval - 1) {
      regularisation.append((t - kBsshslmRecurrentShift) / kInterval);
      for (std::size_t j = 0; j < kTargets; ++j) {
        regularisation.at(0, j, (t - kBsshslmRecurrentShift) / kInterval) = 0.1 * uniform(rng);
      }
    }
    for (LocalIndex i = 0; i < kSources; ++i) {
      // Sparse spikes, some silent intervals, and flush events after a silent interval.
      const bool spike = uniform(rng) > (i == 4 ? 0.97 : 0.7);
      const bool flush = !spike && last_event[i] > 0 && t - last_event[i] >= kInterval;
      if (!spike && !flush) continue;
      last_event[i] = t;
      fast.on_event(t, i, 1, flush, target, input, nullptr, 1.0);
      reference.on_event(t, i, 1, flush, target, input, nullptr, 1.0);
      ++events;
      for (std::size_t s = 0; s < fast.size(); ++s) {
        const double w = reference.weights()[s];
        ASSERT_NEAR(fast.weights()[s], w, 1e-12 * std::max(1.0, std::abs(w)))
            << "synapse " << s << " after the event of source " << i << " at " << t;
      }
    }
  }
  EXPECT_GT(events, 100U);
  EXPECT_NE(fast.weights(), projection(c, false).weights());  // learning happened
}

INSTANTIATE_TEST_SUITE_P(Targets, BsshslmGradient,
                         ::testing::Values(Case{false, false, false, "gradient_descent"},
                                           Case{false, true, true, "adam"},
                                           Case{false, true, false, "gradient_descent"},
                                           Case{true, false, true, "adam"},
                                           Case{true, false, false, "gradient_descent"},
                                           Case{false, true, false, "adam", true},
                                           Case{true, false, false, "adam", true}),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           const Case& c = param.param;
                           return std::string(c.readout ? "readout" : "recurrent") +
                                  (c.adaptive ? "_adaptive" : "") +
                                  (c.average ? "_averaged_" : "_") + c.optimizer +
                                  (c.tau_per_target ? "_tau_per_target" : "");
                         });

}  // namespace
}  // namespace eprop
