#include "engine/bsshslm_readout_population.h"

#include <algorithm>
#include <cmath>

namespace eprop {

template <class Real>
BsshslmReadoutPopulation<Real>::BsshslmReadoutPopulation(std::string name, std::size_t n,
                                                         const BsshslmReadoutParams<Real>& params,
                                                         Real V_m_initial)
    : input(n, 1),
      history(n, 1),
      name_(std::move(name)),
      p_(params),
      v_(n, V_m_initial - params.E_L),
      i_in_(n, 0),
      unnorm_(n, 0),
      readout_(n, 0),
      target_(n, 0),
      error_(n, 0),
      normalization_(n, 0) {}

template <class Real>
void BsshslmReadoutPopulation<Real>::update(Step t, Range r, EventList& /*out*/) {
  if (p_.cross_entropy) {
    update_model<true>(t, r);
  } else {
    update_model<false>(t, r);
  }
  input.clear(t, r);
}

template <class Real>
template <bool kCrossEntropy>
void BsshslmReadoutPopulation<Real>::update_model(Step t, Range r) {
  const Step T = p_.timing.update_interval;
  const bool reset =
      interval_step(t, kBsshslmReadoutShift, T) == 0 && p_.timing.reset_on_update;
  // The signals lag the voltage by one step, so their window is shifted by one more step.
  const bool outside_window =
      interval_step(t, kBsshslmReadoutShift + 1, T) < T - p_.timing.learning_window;
  const Real* z_in = input.at(t);
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (reset) v_[j] = 0;
    v_[j] = p_.P_i * i_in_[j] + p_.P_z * z_in[j] + p_.kappa_out * v_[j];
    v_[j] = std::max(v_[j], p_.V_min);
    if constexpr (kCrossEntropy) {
      // Softmax over the readouts' previous-step values; at t = 0 this is 0/0, zeroed below.
      readout_[j] = unnorm_[j] / (normalization_[j] + unnorm_[j]);
      unnorm_[j] = std::exp(v_[j] + p_.E_L);
    } else {
      readout_[j] = unnorm_[j];
      unnorm_[j] = v_[j] + p_.E_L;
    }
    error_[j] = readout_[j] - target_[j];
    if (outside_window) {
      target_[j] = 0;
      readout_[j] = 0;
      error_[j] = 0;
    }
    normalization_[j] = 0;
    if (keeps_history && t >= 1) history.at(kBsshslmError, j, t - 1) = error_[j];
    i_in_[j] = p_.I_e;
  }
}

template class BsshslmReadoutPopulation<float>;
template class BsshslmReadoutPopulation<double>;

}  // namespace eprop
