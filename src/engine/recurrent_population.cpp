#include "engine/recurrent_population.h"

#include <algorithm>
#include <cmath>

#include "engine/per_neuron.h"

namespace eprop {

template <class Real>
RecurrentPopulation<Real>::RecurrentPopulation(std::string name, std::size_t n,
                                               const RecurrentParams<Real>& params,
                                               Real V_m_initial, Real adaptation_initial)
    : input(n, 1),
      history(n, 3),
      name_(std::move(name)),
      p_(params),
      alpha_(per_neuron(params.alpha_per_neuron, params.alpha, n)),
      P_i_(per_neuron(params.P_i_per_neuron, params.P_i, n)),
      dt_over_tau_m_(per_neuron(params.dt_over_tau_m_per_neuron, params.dt_over_tau_m, n)),
      v_(n, V_m_initial - params.E_L),
      i_in_(n, 0),
      psi_(n, 0),
      learning_signal_(n, 0),
      f_ema_(n, 0),
      a_(n, adaptation_initial),
      A_(n, Real(15)),  // NEST initialises the internal adaptive threshold at 15 mV
      refractory_buffer_(n, 0),
      r_(n, 0),
      z_(n, 0),
      last_event_(n, 0) {}

template <class Real>
void RecurrentPopulation<Real>::set_params(const RecurrentParams<Real>& params) {
  const std::size_t n = size();
  for (Real& v : v_) v -= params.E_L - p_.E_L;
  p_ = params;
  alpha_ = per_neuron(params.alpha_per_neuron, params.alpha, n);
  P_i_ = per_neuron(params.P_i_per_neuron, params.P_i, n);
  dt_over_tau_m_ = per_neuron(params.dt_over_tau_m_per_neuron, params.dt_over_tau_m, n);
}

template <class Real>
void RecurrentPopulation<Real>::update(Step t, Range r, EventList& out) {
  switch (p_.model) {
    case RecurrentModel::iaf: update_model<RecurrentModel::iaf>(t, r, out); break;
    case RecurrentModel::iaf_adapt: update_model<RecurrentModel::iaf_adapt>(t, r, out); break;
    case RecurrentModel::psc_delta: update_model<RecurrentModel::psc_delta>(t, r, out); break;
    case RecurrentModel::psc_delta_adapt:
      update_model<RecurrentModel::psc_delta_adapt>(t, r, out);
      break;
  }
  input.clear(t, r);
}

template <class Real>
bool RecurrentPopulation<Real>::emits_flush(Step t, std::size_t j) const {
  return last_event_[j] > 0 && t - last_event_[j] >= p_.flush_interval_steps;
}

template <class Real>
void RecurrentPopulation<Real>::write_history(Step t, std::size_t j) {
  // Rate estimate and regularisation use this step's spike (SPEC 3.3, line 7).
  f_ema_[j] = p_.kappa_reg * f_ema_[j] + (Real(1) - p_.kappa_reg) * Real(z_[j]) / p_.dt;
  const Real reg = p_.c_reg * (f_ema_[j] - p_.f_target * p_.dt);
  if (!keeps_history) return;
  history.at(kPsi, j, t) = psi_[j];
  history.at(kFiringRateReg, j, t) = reg;
  history.at(kLearningSignal, j, t) = 0;  // the feedback adds to it in step t + 2
  learning_signal_[j] =
      history.contains(t - 2) ? history.at(kLearningSignal, j, t - 2) : Real(0);
}

template <class Real>
template <RecurrentModel M>
void RecurrentPopulation<Real>::update_model(Step t, Range r, EventList& out) {
  constexpr bool kAdaptive = M == RecurrentModel::iaf_adapt || M == RecurrentModel::psc_delta_adapt;
  constexpr bool kPscDelta = M == RecurrentModel::psc_delta || M == RecurrentModel::psc_delta_adapt;
  const Real* z_in = input.at(t);
  for (std::size_t j = r.begin; j < r.end; ++j) {
    Real thr = p_.V_th;
    if constexpr (kPscDelta) {
      if (r_[j] == 0) {
        v_[j] = P_i_[j] * (i_in_[j] + p_.I_e) + alpha_[j] * v_[j] + z_in[j];
        if (p_.refractory_input && refractory_buffer_[j] != Real(0)) {
          v_[j] += refractory_buffer_[j];
          refractory_buffer_[j] = 0;
        }
        v_[j] = std::max(v_[j], p_.V_min);
        if constexpr (kAdaptive) {
          a_[j] = p_.rho * a_[j] + Real(z_[j]);
          A_[j] = p_.V_th + p_.adapt_beta * a_[j];
        }
      } else {
        if (p_.refractory_input) {
          refractory_buffer_[j] += z_in[j] * std::exp(-Real(r_[j]) * dt_over_tau_m_[j]);
        }
        --r_[j];
      }
      if constexpr (kAdaptive) thr = A_[j];
    } else {
      if (r_[j] > 0) --r_[j];
      v_[j] = P_i_[j] * i_in_[j] + z_in[j] + alpha_[j] * v_[j];
      v_[j] = std::max(v_[j], p_.V_min);
      if constexpr (kAdaptive) {
        a_[j] = p_.rho * a_[j] + Real(z_[j]);
        A_[j] = p_.V_th + p_.adapt_beta * a_[j];
        thr = A_[j];
      }
    }
    z_[j] = 0;
    psi_[j] = surrogate(p_.surrogate, r_[j] > 0, v_[j] - thr, p_.surrogate_height,
                        p_.surrogate_width);
    const bool fires = p_.ignore_and_spike.enabled
                           ? p_.ignore_and_spike.forces_spike(t)
                           : (kPscDelta ? v_[j] >= thr : (v_[j] >= thr && r_[j] == 0));
    if (fires) {
      z_[j] = 1;
      v_[j] = kPscDelta ? p_.V_reset : v_[j] - p_.V_th;
      r_[j] = p_.refractory_steps;
      last_event_[j] = t;
      out.add_spike(static_cast<LocalIndex>(j));
    } else if (emits_flush(t, j)) {
      last_event_[j] = t;
      out.flushes.push_back(static_cast<LocalIndex>(j));
    }
    write_history(t, j);
    i_in_[j] = kPscDelta ? Real(0) : p_.I_e;
  }
}

template class RecurrentPopulation<float>;
template class RecurrentPopulation<double>;

}  // namespace eprop
