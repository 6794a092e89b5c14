#include "core/optimizer.h"

#include <algorithm>
#include <cmath>

namespace eprop {
namespace {

template <class Real>
Real adam_catch_up(const OptimizerConfig& c, OptimizerState<Real>& s, AdamMoments<Real>& a,
                   Step current_step, Real w) {
  const Real beta_1 = Real(c.beta_1);
  const Real beta_2 = Real(c.beta_2);
  const Real epsilon = Real(c.epsilon);
  // Skipped indices are caught up one iteration each: the gradient enters the first, the
  // following ones run on momentum alone (SPEC 8).
  while (s.optimization_step < current_step) {
    a.beta_1_power *= beta_1;
    a.beta_2_power *= beta_2;
    const Real alpha_t =
        s.eta_current * std::sqrt(Real(1) - a.beta_2_power) / (Real(1) - a.beta_1_power);
    const Real g = s.cumulative_gradient;
    a.m = beta_1 * a.m + (Real(1) - beta_1) * g;
    a.v = beta_2 * a.v + (Real(1) - beta_2) * g * g;
    w -= alpha_t * a.m / (std::sqrt(a.v) + epsilon);
    s.cumulative_gradient = 0;
    ++s.optimization_step;
  }
  return w;
}

}  // namespace

template <class Real>
Real optimized_weight(const OptimizerConfig& c, OptimizerState<Real>& s, AdamMoments<Real>* adam,
                      Step idx, Real g, Real w) {
  if (c.eta_change_count != 0 && !s.optimized) s.eta_current = Real(c.eta_first_change);
  s.cumulative_gradient += g;
  const Step current_step = 1 + idx / c.batch_size;
  if (s.optimization_step >= current_step) return w;

  s.cumulative_gradient /= Real(c.batch_size);
  if (c.kind == OptimizerKind::gradient_descent) {
    w -= s.eta_current * s.cumulative_gradient;
    s.cumulative_gradient = 0;
  } else {
    w = adam_catch_up(c, s, *adam, current_step, w);
  }
  w = std::clamp(w, Real(c.Wmin), Real(c.Wmax));
  s.eta_current = Real(c.eta);
  s.optimized = true;
  s.optimization_step = current_step;
  return w;
}

template <class Real>
OptimizerPlan<Real> plan_row(const OptimizerConfig& c, RowOptimizerState<Real>& row, Step idx,
                             std::vector<Real>& alpha_scratch) {
  if (c.eta_change_count != 0 && !row.optimized) row.eta_current = Real(c.eta_first_change);
  const Step current_step = 1 + idx / c.batch_size;
  OptimizerPlan<Real> plan;
  if (row.optimization_step >= current_step) return plan;
  plan.optimize = true;
  plan.eta = row.eta_current;
  if (c.kind == OptimizerKind::adam) {
    alpha_scratch.clear();
    for (Step k = row.optimization_step; k < current_step; ++k) {
      row.beta_1_power *= Real(c.beta_1);
      row.beta_2_power *= Real(c.beta_2);
      alpha_scratch.push_back(row.eta_current * std::sqrt(Real(1) - row.beta_2_power) /
                              (Real(1) - row.beta_1_power));
    }
    plan.iterations = alpha_scratch.size();
    plan.alpha = alpha_scratch.data();
  }
  row.eta_current = Real(c.eta);
  row.optimized = true;
  row.optimization_step = current_step;
  return plan;
}

template OptimizerPlan<float> plan_row<float>(const OptimizerConfig&, RowOptimizerState<float>&,
                                              Step, std::vector<float>&);
template OptimizerPlan<double> plan_row<double>(const OptimizerConfig&,
                                                RowOptimizerState<double>&, Step,
                                                std::vector<double>&);

template float optimized_weight<float>(const OptimizerConfig&, OptimizerState<float>&,
                                       AdamMoments<float>*, Step, float, float);
template double optimized_weight<double>(const OptimizerConfig&, OptimizerState<double>&,
                                         AdamMoments<double>*, Step, double, double);

}  // namespace eprop
