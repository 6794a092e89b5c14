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

PoissonGeneratorPopulation::PoissonGeneratorPopulation(std::string name,
                                                       std::vector<double> rate_hz, Step start,
                                                       Step stop, double dt)
    : name_(std::move(name)), mean_(std::move(rate_hz)), start_(start), stop_(stop) {
  for (double& m : mean_) {
    m *= dt / 1000.0;
    p_zero_.push_back(std::exp(-m));
  }
}

void PoissonGeneratorPopulation::update(Step t, Range r, EventList& out) {
  const Step stamp = t + 1;
  if (stamp <= start_ || stamp > stop_) return;
  for (std::size_t i = r.begin; i < r.end; ++i) {
    if (mean_[i] > 0) out.add_spike(static_cast<LocalIndex>(i));
  }
}

std::uint32_t poisson_count(double mean, double p_zero, double uniform) {
  if (uniform < p_zero) return 0;
  // Inversion: walk the cumulative distribution until it passes the uniform draw. The cap
  // guards against rounding in the tail (the mass beyond it is far below 2^-53).
  double p = p_zero;
  double cdf = p;
  std::uint32_t k = 0;
  const auto cap = static_cast<std::uint32_t>(mean + 40.0 * std::sqrt(mean) + 40.0);
  while (uniform >= cdf && k < cap) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

template class IgnoreAndFirePopulation<float>;
template class IgnoreAndFirePopulation<double>;
template class IafPscDeltaPopulation<float>;
template class IafPscDeltaPopulation<double>;

}  // namespace eprop
