#include "engine/bsshslm_recurrent_population.h"

#include <algorithm>

#include "engine/per_neuron.h"

namespace eprop {

template <class Real>
BsshslmRecurrentPopulation<Real>::BsshslmRecurrentPopulation(
    std::string name, std::size_t n, const BsshslmRecurrentParams<Real>& params, Real V_m_initial,
    Real adaptation_initial)
    : input(n, 1),
      history(n, 2),
      regularisation(n, 1),
      name_(std::move(name)),
      p_(params),
      alpha_(per_neuron(params.alpha_per_neuron, params.alpha, n)),
      P_i_(per_neuron(params.P_i_per_neuron, params.P_i, n)),
      P_z_(per_neuron(params.P_z_per_neuron, params.P_z, n)),
      v_(n, V_m_initial - params.E_L),
      i_in_(n, 0),
      psi_(n, 0),
      learning_signal_(n, 0),
      a_(n, adaptation_initial),
      A_(n, Real(15)),  // NEST's initial internal adaptive threshold; recomputed before use
      r_(n, 0),
      n_spikes_(n, 0),
      z_(n, 0),
      last_event_(n, 0) {}

template <class Real>
void BsshslmRecurrentPopulation<Real>::set_params(const BsshslmRecurrentParams<Real>& params) {
  const std::size_t n = size();
  for (Real& v : v_) v -= params.E_L - p_.E_L;
  p_ = params;
  alpha_ = per_neuron(params.alpha_per_neuron, params.alpha, n);
  P_i_ = per_neuron(params.P_i_per_neuron, params.P_i, n);
  P_z_ = per_neuron(params.P_z_per_neuron, params.P_z, n);
}

template <class Real>
void BsshslmRecurrentPopulation<Real>::begin_step(Step t) {
  if (!keeps_history) return;
  history.append(t);
  const Step T = p_.timing.update_interval;
  if (interval_step(t, kBsshslmRecurrentShift, T) == T - 1) {
    regularisation.append((t - kBsshslmRecurrentShift) / T);
  }
}

template <class Real>
void BsshslmRecurrentPopulation<Real>::update(Step t, Range r, EventList& out) {
  if (p_.adaptive) {
    update_model<true>(t, r, out);
  } else {
    update_model<false>(t, r, out);
  }
  input.clear(t, r);
}

// History and interval bookkeeping after the dynamics of neuron j.
template <class Real>
void BsshslmRecurrentPopulation<Real>::finish_neuron(Step t, Step step, std::size_t j) {
  const Step T = p_.timing.update_interval;
  if (step == T - 1) {
    // Interval average of the spike count, counted since the previous interval's last step
    // (the first interval also counts the steps before it), in NEST's operation order.
    if (keeps_history) {
      const Real T_ms = static_cast<Real>(T) * p_.dt;
      const Real f_av = static_cast<Real>(n_spikes_[j]) / T_ms * p_.dt;
      regularisation.at(0, j, (t - kBsshslmRecurrentShift) / T) =
          p_.c_reg * (f_av - p_.f_target) / T_ms * p_.dt;
    }
    n_spikes_[j] = 0;
  }
  if (!keeps_history) return;
  history.at(kBsshslmPsi, j, t) = psi_[j];
  history.at(kBsshslmLearningSignal, j, t) = 0;  // the feedback adds to it in step t + 3
  // The newest complete learning signal: the readout error of entry t - 3 arrived this step.
  learning_signal_[j] =
      history.contains(t - 3) ? history.at(kBsshslmLearningSignal, j, t - 3) : Real(0);
}

template <class Real>
template <bool kAdaptive>
void BsshslmRecurrentPopulation<Real>::update_model(Step t, Range r, EventList& out) {
  const Step step = interval_step(t, kBsshslmRecurrentShift, p_.timing.update_interval);
  const bool reset = step == 0 && p_.timing.reset_on_update;
  const Real* z_in = input.at(t);
  for (std::size_t j = r.begin; j < r.end; ++j) {
    if (reset) {
      v_[j] = 0;
      r_[j] = 0;
      z_[j] = 0;
      if constexpr (kAdaptive) a_[j] = 0;
    }
    if (r_[j] > 0) --r_[j];
    v_[j] = P_i_[j] * i_in_[j] + P_z_[j] * z_in[j] + alpha_[j] * v_[j];
    // Reset by subtraction one step after the spike, without the leak (SPEC 7.2).
    v_[j] -= p_.V_th * Real(z_[j]);
    v_[j] = std::max(v_[j], p_.V_min);
    Real thr = p_.V_th;
    if constexpr (kAdaptive) {
      a_[j] = p_.rho * a_[j] + Real(z_[j]);
      A_[j] = p_.V_th + p_.adapt_beta * a_[j];
      thr = A_[j];
    }
    z_[j] = 0;
    psi_[j] = surrogate(p_.surrogate, r_[j] > 0, v_[j] - thr, p_.surrogate_height,
                        p_.surrogate_width);
    const bool fires = p_.ignore_and_spike.enabled ? p_.ignore_and_spike.forces_spike(t)
                                                   : v_[j] >= thr && r_[j] == 0;
    if (fires) {
      ++n_spikes_[j];
      out.add_spike(static_cast<LocalIndex>(j));
      z_[j] = 1;
      r_[j] = p_.refractory_steps;
      last_event_[j] = t;
    } else if (last_event_[j] > 0 && t - last_event_[j] >= p_.flush_interval_steps) {
      out.flushes.push_back(static_cast<LocalIndex>(j));
      last_event_[j] = t;
    }
    finish_neuron(t, step, j);
    i_in_[j] = p_.I_e;
  }
}

template class BsshslmRecurrentPopulation<float>;
template class BsshslmRecurrentPopulation<double>;

}  // namespace eprop
