#pragma once

// Weight optimizers of NEST's e-prop synapses (SPEC 8): gradient descent and Adam (TensorFlow
// variant), with NEST's index-based batching, catch-up iterations and one-optimisation lag of
// the learning rate.

#include <cstdint>

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
/// `adam` must be non-null for Adam projections.
template <class Real>
Real optimized_weight(const OptimizerConfig& config, OptimizerState<Real>& state,
                      AdamMoments<Real>* adam, Step idx, Real g, Real w);

}  // namespace eprop
