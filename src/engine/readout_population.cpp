#include "engine/readout_population.h"

#include <algorithm>

namespace eprop {

template <class Real>
ReadoutPopulation<Real>::ReadoutPopulation(std::string name, std::size_t n,
                                           const ReadoutParams<Real>& params, Real V_m_initial)
    : input(n, 1),
      history(n, 1),
      name_(std::move(name)),
      p_(params),
      v_(n, V_m_initial - params.E_L),
      i_in_(n, 0),
      readout_(n, 0),
      target_(n, 0),
      error_(n, 0),
      window_(n, 0) {}

template <class Real>
void ReadoutPopulation<Real>::update(Step t, Range r, EventList& /*out*/) {
  const Real* z_in = input.at(t);
  for (std::size_t j = r.begin; j < r.end; ++j) {
    v_[j] = p_.P_i * i_in_[j] + z_in[j] + p_.kappa_out * v_[j];
    v_[j] = std::max(v_[j], p_.V_min);
    readout_[j] = v_[j] + p_.E_L;
    error_[j] = readout_[j] - target_[j];
    // Outside the learning window everything is zeroed, the target state included.
    target_[j] *= window_[j];
    readout_[j] *= window_[j];
    error_[j] *= window_[j];
    if (keeps_history) history.at(kError, j, t) = error_[j];
    i_in_[j] = p_.I_e;
  }
  input.clear(t, r);
}

template class ReadoutPopulation<float>;
template class ReadoutPopulation<double>;

}  // namespace eprop
