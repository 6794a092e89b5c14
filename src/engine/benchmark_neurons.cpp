#include "engine/benchmark_neurons.h"

#include <cmath>
#include <utility>

namespace eprop {

template <class Real>
IgnoreAndFirePopulation<Real>::IgnoreAndFirePopulation(std::string name,
                                                       std::vector<Step> countdown,
                                                       std::vector<Step> period)
    : input(countdown.size(), 1),
      name_(std::move(name)),
      countdown_(std::move(countdown)),
      period_(std::move(period)) {}

template <class Real>
void IgnoreAndFirePopulation<Real>::update(Step t, Range r, EventList& out) {
  input.clear(t, r);  // the model ignores its input; the slot is reused d steps later
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (countdown_[j] > 0) {
      --countdown_[j];
      continue;
    }
    countdown_[j] = period_[j] - 1;
    out.add_spike(static_cast<LocalIndex>(j));
    if (archive.enabled()) archive.record(j, t + 1);
  }
}

template <class Real>
IafPscDeltaPopulation<Real>::IafPscDeltaPopulation(std::string name, std::size_t n,
                                                   const IafPscDeltaParams<Real>& p,
                                                   Real V_m_initial)
    : input(n, 1),
      name_(std::move(name)),
      p_(p),
      v_(n, V_m_initial - p.E_L),
      refractory_input_(n, Real(0)),
      r_(n, 0) {}

template <class Real>
void IafPscDeltaPopulation<Real>::update(Step t, Range r, EventList& out) {
  const Real* in = input.at(t);
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (r_[j] == 0) {
      Real v = p_.P30 * p_.I_e + p_.P33 * v_[j] + in[j] + refractory_input_[j];
      refractory_input_[j] = 0;
      v_[j] = v < p_.V_min ? p_.V_min : v;
    } else {
      // Input during refractoriness is dropped, or (refractory_input) kept, decayed to the end
      // of the refractory period, and added in the first free step.
      if (p_.refractory_input) {
        refractory_input_[j] +=
            in[j] * static_cast<Real>(std::exp(-static_cast<double>(r_[j]) * p_.dt_over_tau_m));
      }
      --r_[j];
    }
    if (v_[j] >= p_.V_th) {
      r_[j] = p_.refractory_steps;
      v_[j] = p_.V_reset;
      out.add_spike(static_cast<LocalIndex>(j));
      if (archive.enabled()) archive.record(j, t + 1);
    }
  }
  input.clear(t, r);
}

template class IgnoreAndFirePopulation<float>;
template class IgnoreAndFirePopulation<double>;
template class IafPscDeltaPopulation<float>;
template class IafPscDeltaPopulation<double>;

}  // namespace eprop
