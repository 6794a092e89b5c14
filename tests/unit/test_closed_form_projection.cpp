// One EpropProjection integrated in closed form against the same projection integrated
// stepwise, on a synthetic history without network feedback: random psi, learning and
// regularisation signals with stretches of exact zeros, presynaptic spikes and flush events at
// irregular intervals (1 to ~150 steps: within a block, across blocks, beyond the cutoff). With
// initial weights 0 and gradient descent each weight is -eta times the summed gradients, so the
// weights compare the gradients themselves, event by event (double: rtol 1e-10; in practice
// the recurrent cases agree to 1e-12).

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/eprop_projection.h"
#include "engine/events.h"
#include "engine/history.h"
#include "engine/interval_sums.h"

namespace eprop {
namespace {

constexpr std::size_t kSources = 6;
constexpr std::size_t kTargets = 9;

struct Case {
  const char* name;
  bool readout;
  double tau_m;
  Step cutoff;
  bool regularised = true;
  /// Each target its own tau_m (tau_m times 0.6 .. 1.4): per-synapse presynaptic traces.
  bool alpha_varies = false;
};

std::vector<double> varying_alpha(double tau_m) {
  std::vector<double> alpha;
  for (std::size_t j = 0; j < kTargets; ++j) {
    alpha.push_back(std::exp(-1.0 / (tau_m * (0.6 + 0.1 * static_cast<double>(j)))));
  }
  return alpha;
}

class ClosedFormProjection : public ::testing::TestWithParam<Case> {};

TEST_P(ClosedFormProjection, EqualsStepwiseEventByEvent) {
  const Case& c = GetParam();
  EpropTargetConstants<double> target;
  target.readout = c.readout;
  target.alpha = std::exp(-1.0 / c.tau_m);
  target.kappa = std::exp(-1.0 / 25.0);
  target.kappa_reg = std::exp(-1.0 / 40.0);
  target.cutoff_steps = c.cutoff;
  target.regularised = c.regularised;
  if (c.alpha_varies) target.alpha_per_target = varying_alpha(c.tau_m);
  OptimizerConfig config;
  config.optimize_each_step = false;
  std::vector<SynapseTriple> synapses;
  for (LocalIndex i = 0; i < kSources; ++i) {
    for (LocalIndex j = 0; j < kTargets; ++j) {
      if ((i + 2 * j) % 3 != 0) synapses.push_back({i, j, 0.0});
    }
  }
  EpropProjection<double> closed(kSources, synapses, config, target);
  EpropProjection<double> stepwise(kSources, synapses, config, target);
  ASSERT_TRUE(closed.use_closed_form(true));
  ASSERT_FALSE(stepwise.use_closed_form(false));

  const std::size_t channels = c.readout ? 1 : 3;
  History<double> history(kTargets, channels);
  IntervalSums<double> sums;
  if (c.readout) {
    sums.enable_readout(kTargets, target.alpha);
  } else if (c.alpha_varies) {
    sums.enable_recurrent(target.alpha_per_target, target.kappa, target.kappa_reg, c.regularised,
                          target.interval_sum_bases());
  } else {
    sums.enable_recurrent(kTargets, target.alpha, target.kappa, target.kappa_reg,
                          c.regularised);
  }
  InputRing<double> input(kTargets, 1);
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  std::uniform_int_distribution<int> gap(1, 150);
  std::vector<Step> next_event(kSources);
  for (std::size_t i = 0; i < kSources; ++i) next_event[i] = 1 + static_cast<Step>(i);

  std::size_t events = 0;
  for (Step t = 0; t < 3000; ++t) {
    // Entry t: psi zero on stretches (as the piecewise-linear surrogate far from threshold),
    // learning signals only in windows (as outside a task's learning window).
    history.append(t);
    for (std::size_t j = 0; j < kTargets; ++j) {
      const bool psi_on = (t / 37 + j) % 3 != 0;
      const bool learning_on = (t / 50) % 4 != 1;
      for (std::size_t ch = 0; ch < channels; ++ch) {
        // Without regularisation the channel is zero, as c_reg = 0 makes it.
        const bool on = ch == kPsi ? psi_on : learning_on && (ch != kFiringRateReg || c.regularised);
        history.at(ch, j, t) = on ? value(rng) * (ch == kPsi && !c.readout ? 0.3 : 1.0) : 0.0;
      }
    }
    if (t >= 2) {
      sums.open(t - 2);
      sums.accumulate(t - 2, Range{0, kTargets}, history);
    }
    for (LocalIndex i = 0; i < kSources; ++i) {
      if (next_event[i] != t) continue;
      const bool flush = gap(rng) % 5 == 0;
      closed.on_event(t, i, 1, flush, history, sums, input, nullptr, 1.0);
      stepwise.on_event(t, i, 1, flush, history, sums, input, nullptr, 1.0);
      next_event[i] = t + gap(rng);
      ++events;
    }
    for (std::size_t s = 0; s < closed.size(); ++s) {
      const double want = stepwise.weights()[s];
      ASSERT_NEAR(closed.weights()[s], want, 1e-10 * std::abs(want))
          << "synapse " << s << " after step " << t;
    }
  }
  EXPECT_GT(events, 100U);
  std::size_t changed = 0;
  for (const double w : stepwise.weights()) changed += w != 0.0 ? 1 : 0;
  EXPECT_EQ(changed, closed.size()) << "every synapse must have learned something";
}

INSTANTIATE_TEST_SUITE_P(
    Targets, ClosedFormProjection,
    ::testing::Values(Case{"recurrent", false, 20.0, kNeverSteps},
                      Case{"recurrent_cutoff", false, 10.0, 60},
                      Case{"recurrent_block_of_four", false, 4.5, 100},
                      Case{"recurrent_unregularised", false, 20.0, 80, false},
                      Case{"recurrent_tau_m_per_target", false, 20.0, kNeverSteps, true, true},
                      Case{"recurrent_tau_m_per_target_cutoff", false, 8.0, 70, true, true},
                      Case{"recurrent_tau_m_per_target_unregularised", false, 20.0, 80, false,
                           true},
                      Case{"readout", true, 20.0, kNeverSteps},
                      Case{"readout_cutoff", true, 5.0, 40}),
    [](const ::testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace eprop
