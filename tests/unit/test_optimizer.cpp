// Optimizer semantics of SPEC 8: batching by index, the learning-rate lag, Adam catch-up and
// clamping. Expected values are computed here by hand from the SPEC formulas.

#include "core/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace eprop {
namespace {

TEST(GradientDescent, FirstOptimisationUsesNestsInitialRateUntilEtaIsChanged) {
  OptimizerConfig c;  // eta stays at NEST's default 1e-4: no change recorded
  OptimizerState<double> s;
  EXPECT_DOUBLE_EQ(optimized_weight<double>(c, s, nullptr, 1, 2.0, 1.0), 1.0 - 1e-4 * 2.0);
  EXPECT_EQ(s.optimization_step, 2);
}

TEST(GradientDescent, LearningRateLagsOneOptimisation) {
  OptimizerConfig c;
  c.set_eta(0.5);  // first change: used by each synapse's first optimisation
  OptimizerState<double> s;
  double w = optimized_weight<double>(c, s, nullptr, 1, 1.0, 0.0);
  EXPECT_DOUBLE_EQ(w, -0.5);
  c.set_eta(0.0);  // e.g. a test phase: the next optimisation still uses 0.5
  w = optimized_weight<double>(c, s, nullptr, 2, 1.0, w);
  EXPECT_DOUBLE_EQ(w, -1.0);
  w = optimized_weight<double>(c, s, nullptr, 3, 1.0, w);
  EXPECT_DOUBLE_EQ(w, -1.0);
}

TEST(GradientDescent, SettingTheSameEtaIsNotAChange) {
  OptimizerConfig c;
  c.set_eta(1e-4);
  EXPECT_EQ(c.eta_change_count, 0);
  c.set_eta(0.1);
  c.set_eta(0.2);
  EXPECT_EQ(c.eta_change_count, 2);
  EXPECT_DOUBLE_EQ(c.eta_first_change, 0.1);
}

TEST(GradientDescent, BatchesByIntegerDivisionOfTheIndexAndAverages) {
  OptimizerConfig c;
  c.set_eta(1.0);
  c.batch_size = 4;
  OptimizerState<double> s;
  // indices 1..3 belong to batch 0 (current step 1): accumulate only
  double w = 0.0;
  for (Step idx = 1; idx <= 3; ++idx) w = optimized_weight<double>(c, s, nullptr, idx, 2.0, w);
  EXPECT_DOUBLE_EQ(w, 0.0);
  // index 4 opens batch 1: the sum of four gradients is averaged over the batch size
  w = optimized_weight<double>(c, s, nullptr, 4, 2.0, w);
  EXPECT_DOUBLE_EQ(w, -2.0);
}

TEST(GradientDescent, ClampsToWminWmax) {
  OptimizerConfig c;
  c.set_eta(1.0);
  c.Wmin = -0.5;
  c.Wmax = 0.5;
  OptimizerState<double> s;
  EXPECT_DOUBLE_EQ(optimized_weight<double>(c, s, nullptr, 1, 10.0, 0.0), -0.5);
  EXPECT_DOUBLE_EQ(optimized_weight<double>(c, s, nullptr, 2, -10.0, 0.0), 0.5);
}

double adam_reference(double eta, double g, int iterations, double w) {
  // TF-style Adam, gradient in the first iteration only (SPEC 8 catch-up).
  double m = 0, v = 0, b1 = 1, b2 = 1;
  for (int k = 0; k < iterations; ++k) {
    b1 *= 0.9;
    b2 *= 0.999;
    const double alpha = eta * std::sqrt(1 - b2) / (1 - b1);
    const double grad = k == 0 ? g : 0.0;
    m = 0.9 * m + 0.1 * grad;
    v = 0.999 * v + 0.001 * grad * grad;
    w -= alpha * m / (std::sqrt(v) + 1e-7);
  }
  return w;
}

TEST(Adam, CatchesUpSkippedIndicesWithZeroGradients) {
  OptimizerConfig c;
  c.kind = OptimizerKind::adam;
  c.set_eta(0.05);
  OptimizerState<double> s;
  AdamMoments<double> a;
  // First call at index 5: Adam runs 5 iterations at once (optimization_step 1 -> 6).
  const double w = optimized_weight<double>(c, s, &a, 5, 0.3, 0.1);
  EXPECT_NEAR(w, adam_reference(0.05, 0.3, 5, 0.1), 1e-15);
  EXPECT_EQ(s.optimization_step, 6);
  EXPECT_NEAR(a.beta_1_power, std::pow(0.9, 5), 1e-15);
}

TEST(Adam, ClampsOnceAfterTheCatchUpLoop) {
  OptimizerConfig c;
  c.kind = OptimizerKind::adam;
  c.set_eta(1.0);
  c.Wmax = 0.2;
  OptimizerState<double> s;
  AdamMoments<double> a;
  const double unclamped = adam_reference(1.0, -1.0, 3, 0.0);
  ASSERT_GT(unclamped, 0.2);
  EXPECT_DOUBLE_EQ(optimized_weight<double>(c, s, &a, 3, -1.0, 0.0), 0.2);
}

}  // namespace
}  // namespace eprop

namespace eprop {
namespace {

// The row form (state shared per presynaptic row) must reproduce the per-synapse form exactly,
// including batches, catch-up iterations and a learning-rate change between calls.
TEST(RowOptimizer, EqualsPerSynapseOptimizerForEveryCallSequence) {
  for (const auto kind : {OptimizerKind::gradient_descent, OptimizerKind::adam}) {
    OptimizerConfig c;
    c.kind = kind;
    c.batch_size = 3;
    c.set_eta(0.05);
    c.Wmin = -0.4;
    c.Wmax = 0.6;
    RowOptimizerState<double> row;
    std::vector<double> alpha;
    std::vector<OptimizerState<double>> single(2);
    std::vector<AdamMoments<double>> moments(2);
    std::vector<double> w_single = {0.1, -0.2}, w_row = w_single;
    std::vector<double> cumulative(2, 0.0), m(2, 0.0), v(2, 0.0);
    const Step indices[] = {2, 3, 4, 9, 10, 11, 30, 31, 45};
    for (std::size_t call = 0; call < std::size(indices); ++call) {
      if (call == 5) c.set_eta(0.01);
      const auto plan = plan_row(c, row, indices[call], alpha);
      for (std::size_t s = 0; s < 2; ++s) {
        const double g = 0.3 * static_cast<double>(call + 1) * (s == 0 ? 1.0 : -2.0);
        w_single[s] = optimized_weight<double>(c, single[s], &moments[s], indices[call], g,
                                               w_single[s]);
        w_row[s] = apply_plan(c, plan, cumulative[s], m[s], v[s], g, w_row[s]);
        EXPECT_EQ(w_row[s], w_single[s]) << "call " << call << " synapse " << s;
      }
    }
  }
}

}  // namespace
}  // namespace eprop
