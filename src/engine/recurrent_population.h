#pragma once

// The four event-driven e-prop recurrent models (SPEC 3): eprop_iaf, eprop_iaf_adapt,
// eprop_iaf_psc_delta, eprop_iaf_psc_delta_adapt. Structure of arrays; one update call per
// population and step.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/surrogate.h"
#include "core/types.h"
#include "engine/events.h"
#include "engine/history.h"
#include "engine/ignore_and_spike.h"
#include "engine/interval_sums.h"

namespace eprop {

enum class RecurrentModel { iaf, iaf_adapt, psc_delta, psc_delta_adapt };

[[nodiscard]] inline bool is_adaptive(RecurrentModel m) {
  return m == RecurrentModel::iaf_adapt || m == RecurrentModel::psc_delta_adapt;
}

/// Lowered parameters: voltages relative to E_L, times in steps, propagators precomputed.
template <class Real>
struct RecurrentParams {
  RecurrentModel model = RecurrentModel::iaf;
  Real E_L = -70;
  Real I_e = 0;
  Real V_th = 15;       // relative to E_L
  Real V_min = 0;       // relative to E_L
  Real V_reset = 0;     // relative to E_L (psc_delta models)
  Real alpha = 0;       // exp(-dt / tau_m)
  Real P_i = 0;         // tau_m / C_m * (1 - alpha)
  Real rho = 0;         // exp(-dt / adapt_tau)
  Real adapt_beta = 0;  // 0 for non-adaptive models
  std::int64_t refractory_steps = 0;
  bool refractory_input = false;
  Real dt_over_tau_m = 0;  // for refractory_input damping
  /// alpha, P_i and dt_over_tau_m per neuron when tau_m varies per neuron (empty: the values
  /// above for every neuron).
  std::vector<Real> alpha_per_neuron, P_i_per_neuron, dt_over_tau_m_per_neuron;
  SurrogateKind surrogate = SurrogateKind::piecewise_linear;
  Real surrogate_height = Real(0.3);
  Real surrogate_width = Real(1);
  Real kappa = Real(0.97);
  Real kappa_reg = Real(0.97);
  Real c_reg = 0;
  Real f_target = Real(0.01);  // spikes per ms
  Real dt = 1;
  Step cutoff_steps = kNeverSteps;
  Step flush_interval_steps = kNeverSteps;
  IgnoreAndSpike ignore_and_spike;
};

template <class Real>
class RecurrentPopulation {
 public:
  RecurrentPopulation(std::string name, std::size_t n, const RecurrentParams<Real>& params,
                      Real V_m_initial, Real adaptation_initial);

  /// Serial part of a step, before the (possibly parallel) updates: opens history entry t.
  void begin_step(Step t) {
    if (keeps_history) history.append(t);
  }
  /// Advances neurons r from loop time t to t+1, reading the spike input arriving at t, and
  /// appends their spikes and flush events to out.
  void update(Step t, Range r, EventList& out);

  [[nodiscard]] std::size_t size() const { return v_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const RecurrentParams<Real>& params() const { return p_; }
  /// A live parameter change (Simulation::set_neuron_parameters): new lowered parameters; the
  /// state is kept, and V_m stays absolute when E_L changes (NEST shifts the relative voltage).
  void set_params(const RecurrentParams<Real>& params);
  void set_V_m(std::size_t j, Real V_m) { v_[j] = V_m - p_.E_L; }
  void set_adaptation(std::size_t j, Real a) { a_[j] = a; }

  // Recordables (NEST names), neuron j.
  [[nodiscard]] Real V_m(std::size_t j) const { return v_[j] + p_.E_L; }
  [[nodiscard]] Real surrogate_gradient(std::size_t j) const { return psi_[j]; }
  [[nodiscard]] Real learning_signal(std::size_t j) const { return learning_signal_[j]; }
  [[nodiscard]] Real adaptation(std::size_t j) const { return a_[j]; }
  [[nodiscard]] Real V_th_adapt(std::size_t j) const { return A_[j] + p_.E_L; }

  InputRing<Real> input;
  History<Real> history;
  /// Prefix sums of the history, kept when incoming synapses integrate in closed form.
  IntervalSums<Real> interval_sums;
  bool keeps_history = false;  ///< true once an e-prop synapse targets this population

  template <class Archive>
  void state(Archive& ar) {
    ar(input, history, interval_sums, keeps_history, v_, i_in_, psi_, learning_signal_, f_ema_, a_, A_,
       refractory_buffer_, r_, z_, last_event_);
  }

 private:
  template <RecurrentModel M>
  void update_model(Step t, Range r, EventList& out);
  void write_history(Step t, std::size_t j);
  bool emits_flush(Step t, std::size_t j) const;

  std::string name_;
  RecurrentParams<Real> p_;
  // Propagators per neuron (one value repeated when tau_m is common): the same arithmetic
  // either way, so a uniform per-neuron tau_m gives the scalar's numbers bit for bit.
  std::vector<Real> alpha_, P_i_, dt_over_tau_m_;
  std::vector<Real> v_, i_in_, psi_, learning_signal_, f_ema_, a_, A_, refractory_buffer_;
  std::vector<std::int64_t> r_;
  std::vector<std::uint8_t> z_;
  std::vector<Step> last_event_;
};

}  // namespace eprop
