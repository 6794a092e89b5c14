#pragma once

// Fast path of the `_bsshslm_2020` gradient (DESIGN rule 8: work follows spikes).
//
// NEST computes the gradient of an interval per synapse by running the eligibility traces over
// every step of the window (SPEC 7.4). The traces are linear in the presynaptic trace z_bar, and
// z_bar is a sum of decaying kernels started by the presynaptic spikes, so
//
//     gradient_ij = P_z * sum over presynaptic spikes t_k in the window of S_j(t_k)
//
// where the sensitivity S_j of target j is computed once per interval by one backward pass over
// the target's history (the adjoint of the trace recursions, followed by a backward filter with
// the target's alpha). The cost per synapse drops from the window length to its spike count.
// Traces start at zero at the first spike of the window, so the window start does not enter S.
//
// S depends on the learning signals seen when the gradient is computed: a trigger spike in the
// second step after an interval still misses the learning signal of the interval's last step
// (SPEC 7.4), so there are two variants, cached separately. The straightforward per-synapse
// loop (BsshslmProjection's reference path) stays as the reference this is tested against.

#include <cstddef>
#include <vector>

#include "core/types.h"
#include "engine/history.h"

namespace eprop {

/// What S depends on besides the history: the target model and the synapse's filter.
template <class Real>
struct SensitivityConstants {
  bool readout = false;
  bool adaptive = false;
  Real alpha = 0;  ///< the target's voltage propagator (the z_bar filter)
  Real rho = 0;
  Real adapt_beta = 0;
  Real kappa = 0;  ///< the synapse's eligibility filter
  /// alpha per target (population index) where it varies per neuron; empty: alpha for all.
  std::vector<Real> alpha_per_target;
};

template <class Real>
class BsshslmSensitivity {
 public:
  /// Sensitivities of targets [target_begin, target_end) of a population.
  BsshslmSensitivity(const SensitivityConstants<Real>& c, std::size_t target_begin,
                     std::size_t target_end);

  /// S of interval `interval` over history steps [lo, last] (last = the interval's last step),
  /// computed from `history` (and `regularisation`, recurrent targets) as they are now, or taken
  /// from the cache if an equal request was made before. Returns a pointer p with S_j(t) at
  /// p[(t - lo) * width() + (j - target_begin)], valid until the next call.
  const Real* get(Step interval, bool complete, Step lo, Step last, const History<Real>& history,
                  const History<Real>* regularisation);

  [[nodiscard]] std::size_t width() const { return end_ - begin_; }
  [[nodiscard]] std::size_t target_begin() const { return begin_; }

 private:
  struct Slot {
    Step interval = -1;
    bool complete = false;
    Step lo = 0;
    Step last = -1;
    std::size_t used = 0;
    std::vector<Real> values;
  };
  void compute(Slot& slot, const History<Real>& history, const History<Real>* regularisation);
  template <bool kAdaptive>
  void backward_recurrent(Slot& slot, const History<Real>& h, const Real* reg);
  void backward_readout(Slot& slot, const History<Real>& h);

  SensitivityConstants<Real> c_;
  std::size_t begin_, end_;
  std::vector<Slot> slots_;
  std::size_t clock_ = 0;
  std::vector<Real> alpha_;                           // per target of [begin_, end_)
  std::vector<Real> a_, b_, de_next_, psi_next_, s_;  // per-target running values
};

}  // namespace eprop
