#pragma once

// Weight optimizers of NEST's e-prop synapses (SPEC 8): gradient descent and Adam (TensorFlow
// variant), with NEST's index-based batching, catch-up iterations and one-optimisation lag of
// the learning rate.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/types.h"

namespace eprop {

enum class OptimizerKind { gradient_descent, adam };

/// Properties shared by all synapses of one plastic projection (NEST: the synapse model's
/// common properties).
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::gradient_descent;
  double eta = 1e-4;
  std::int64_t batch_size = 1;
  bool optimize_each_step = true;
  double Wmin = -100.0;
  double Wmax = 100.0;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;
  double eta_first_change = 0.0;
  std::int64_t eta_change_count = 0;

  /// NEST SetDefaults semantics: only a different value counts as a change; the first change is
  /// remembered because it becomes the rate of each synapse's first optimisation.
  void set_eta(double new_eta) {
    if (new_eta == eta) return;
    if (eta_change_count == 0) eta_first_change = new_eta;
    ++eta_change_count;
    eta = new_eta;
  }
};

/// Per-synapse optimizer state common to both optimizers.
template <class Real>
struct OptimizerState {
  Real cumulative_gradient = 0;
  Real eta_current = Real(1e-4);  // NEST starts every synapse at 1e-4, whatever eta is
  Step optimization_step = 1;
  bool optimized = false;
};

/// Per-synapse Adam moments; allocated only for Adam projections.
template <class Real>
struct AdamMoments {
  Real m = 0;
  Real v = 0;
  Real beta_1_power = 1;
  Real beta_2_power = 1;
};

/// Adds gradient g at index idx and, when idx starts a new batch, optimises weight w.
/// `adam` must be non-null for Adam projections. This is the straightforward per-synapse form
/// of NEST's optimizer; the row form below computes the same numbers with less state.
template <class Real>
Real optimized_weight(const OptimizerConfig& config, OptimizerState<Real>& state,
                      AdamMoments<Real>* adam, Step idx, Real g, Real w);

// Row form. All synapses of one presynaptic neuron in one projection receive optimizer calls with
// the same indices, so the optimisation step, the learning-rate lag and Adam's bias-correction
// powers are the same for all of them: they are kept once per row, and only the cumulative
// gradient and Adam's moments stay per synapse.

template <class Real>
struct RowOptimizerState {
  Step optimization_step = 1;
  Real eta_current = Real(1e-4);
  Real beta_1_power = 1;
  Real beta_2_power = 1;
  bool optimized = false;
};

/// What one optimizer call at one index does to every synapse of a row.
template <class Real>
struct OptimizerPlan {
  bool optimize = false;
  Real eta = 0;              ///< gradient descent step size
  std::size_t iterations = 0;  ///< Adam iterations (catch-up included)
  const Real* alpha = nullptr;  ///< Adam step size of each iteration
};

/// Advances the row state for a call at index idx; `alpha_scratch` holds Adam's step sizes.
template <class Real>
OptimizerPlan<Real> plan_row(const OptimizerConfig& config, RowOptimizerState<Real>& row, Step idx,
                             std::vector<Real>& alpha_scratch);

/// Applies a plan to one synapse: adds g to its cumulative gradient and optimises w if the plan
/// says so. m and v are Adam's moments (unused for gradient descent).
template <class Real>
inline Real apply_plan(const OptimizerConfig& c, const OptimizerPlan<Real>& plan,
                       Real& cumulative_gradient, Real& m, Real& v, Real g, Real w) {
  cumulative_gradient += g;
  if (!plan.optimize) return w;
  Real gradient = cumulative_gradient / Real(c.batch_size);
  cumulative_gradient = 0;
  if (c.kind == OptimizerKind::gradient_descent) {
    w -= plan.eta * gradient;
  } else {
    const Real beta_1 = Real(c.beta_1);
    const Real beta_2 = Real(c.beta_2);
    for (std::size_t k = 0; k < plan.iterations; ++k) {
      m = beta_1 * m + (Real(1) - beta_1) * gradient;
      v = beta_2 * v + (Real(1) - beta_2) * gradient * gradient;
      w -= plan.alpha[k] * m / (std::sqrt(v) + Real(c.epsilon));
      gradient = 0;
    }
  }
  return std::clamp(w, Real(c.Wmin), Real(c.Wmax));
}

}  // namespace eprop
