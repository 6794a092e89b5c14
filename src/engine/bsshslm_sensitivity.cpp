#include "engine/bsshslm_sensitivity.h"

#include <algorithm>

#include "core/check.h"
#include "engine/bsshslm_readout_population.h"
#include "engine/bsshslm_recurrent_population.h"

namespace eprop {
namespace {
// A few intervals at once: most rows learn from the interval that just ended, rows that were
// silent for a while from older ones.
constexpr std::size_t kSlots = 3;
}  // namespace

template <class Real>
BsshslmSensitivity<Real>::BsshslmSensitivity(const SensitivityConstants<Real>& c,
                                             std::size_t target_begin, std::size_t target_end)
    : c_(c), begin_(target_begin), end_(std::max(target_begin, target_end)), slots_(kSlots) {
  alpha_.assign(width(), c.alpha);
  if (!c.alpha_per_target.empty()) {
    EPROP_ASSERT(c.alpha_per_target.size() >= end_);
    std::copy(c.alpha_per_target.begin() + static_cast<std::ptrdiff_t>(begin_),
              c.alpha_per_target.begin() + static_cast<std::ptrdiff_t>(end_), alpha_.begin());
  }
}

template <class Real>
const Real* BsshslmSensitivity<Real>::get(Step interval, bool complete, Step lo, Step last,
                                          const History<Real>& history,
                                          const History<Real>* regularisation) {
  ++clock_;
  for (Slot& s : slots_) {
    if (s.interval == interval && s.complete == complete && s.last == last && s.lo <= lo) {
      s.used = clock_;
      return s.values.data() + static_cast<std::size_t>(lo - s.lo) * width();
    }
  }
  const auto oldest = std::min_element(slots_.begin(), slots_.end(),
                                       [](const Slot& a, const Slot& b) { return a.used < b.used; });
  Slot& slot = *oldest;
  slot.interval = interval;
  slot.complete = complete;
  slot.lo = lo;
  slot.last = last;
  slot.used = clock_;
  compute(slot, history, regularisation);
  return slot.values.data();
}

template <class Real>
void BsshslmSensitivity<Real>::compute(Slot& slot, const History<Real>& history,
                                       const History<Real>* regularisation) {
  EPROP_ASSERT(history.contains(slot.lo) && history.contains(slot.last));
  slot.values.resize(static_cast<std::size_t>(slot.last - slot.lo + 1) * width());
  for (auto* v : {&a_, &b_, &de_next_, &psi_next_, &s_}) v->assign(width(), Real(0));
  if (c_.readout) {
    backward_readout(slot, history);
    return;
  }
  EPROP_ASSERT(regularisation != nullptr && regularisation->contains(slot.interval));
  const Real* reg = regularisation->row(0, slot.interval) + begin_;
  if (c_.adaptive) {
    backward_recurrent<true>(slot, history, reg);
  } else {
    backward_recurrent<false>(slot, history, reg);
  }
}

// Adjoint of e_t = psi_t (z_bar_t - beta eps_{t-1}), eps_t = rho eps_{t-1} + e_t,
// e_bar_t = kappa e_bar_{t-1} + (1 - kappa) e_t, J = sum_t L_t e_bar_t + reg sum_t e_t:
//   a_t  = dJ/de_bar_t = L_t + kappa a_{t+1}
//   b_t  = dJ/deps_t   = rho b_{t+1} - beta psi_{t+1} de_{t+1}
//   de_t = dJ/de_t     = reg + (1 - kappa) a_t + b_t,   dJ/dz_bar_t = psi_t de_t,
// then S_t = dJ/dz_bar_t + alpha S_{t+1} turns "per step of z_bar" into "per spike".
template <class Real>
template <bool kAdaptive>
void BsshslmSensitivity<Real>::backward_recurrent(Slot& slot, const History<Real>& h,
                                                  const Real* reg) {
  const std::size_t w = width();
  const Real kappa = c_.kappa;
  const Real one_minus_kappa = Real(1) - c_.kappa;
  for (Step t = slot.last; t >= slot.lo; --t) {
    const Real* psi = h.row(kBsshslmPsi, t) + begin_;
    const Real* L = h.row(kBsshslmLearningSignal, t) + begin_;
    Real* out = slot.values.data() + static_cast<std::size_t>(t - slot.lo) * w;
    for (std::size_t j = 0; j < w; ++j) {
      a_[j] = L[j] + kappa * a_[j];
      Real de = reg[j] + one_minus_kappa * a_[j];
      if constexpr (kAdaptive) {
        b_[j] = c_.rho * b_[j] - c_.adapt_beta * psi_next_[j] * de_next_[j];
        de += b_[j];
        psi_next_[j] = psi[j];
        de_next_[j] = de;
      }
      s_[j] = psi[j] * de + alpha_[j] * s_[j];
      out[j] = s_[j];
    }
  }
}

// Readout targets: J = sum_t E_t z_bar_t, so S_t = E_t + alpha S_{t+1}.
template <class Real>
void BsshslmSensitivity<Real>::backward_readout(Slot& slot, const History<Real>& h) {
  const std::size_t w = width();
  for (Step t = slot.last; t >= slot.lo; --t) {
    const Real* error = h.row(kBsshslmError, t) + begin_;
    Real* out = slot.values.data() + static_cast<std::size_t>(t - slot.lo) * w;
    for (std::size_t j = 0; j < w; ++j) {
      s_[j] = error[j] + alpha_[j] * s_[j];
      out[j] = s_[j];
    }
  }
}

template class BsshslmSensitivity<float>;
template class BsshslmSensitivity<double>;

}  // namespace eprop
