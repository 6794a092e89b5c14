#pragma once

// The time-driven recurrent models of the `_bsshslm_2020` family (SPEC 7.2):
// eprop_iaf_bsshslm_2020 and eprop_iaf_adapt_bsshslm_2020. Structure of arrays; one update call
// per population, step and thread range.
//
// Unlike the event-driven models, the state is reset at every update-interval start, the
// subtractive reset acts one step after the spike, spike input is scaled by P_z, and the
// firing-rate regularisation is one value per neuron and interval (the interval's spike count),
// kept in its own per-interval history.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/surrogate.h"
#include "core/types.h"
#include "engine/events.h"
#include "engine/ignore_and_spike.h"
#include "engine/history.h"

namespace eprop {

/// Kernel settings of the family (SPEC 7.1), in steps.
struct BsshslmTiming {
  Step update_interval = 1000;
  Step learning_window = 1000;
  bool reset_on_update = true;
};

/// get_shift() of NEST's bsshslm models: intervals of recurrent neurons start at 2 + m T, those
/// of readouts one step later (the recurrent -> readout delay).
inline constexpr Step kBsshslmRecurrentShift = 2;
inline constexpr Step kBsshslmReadoutShift = 3;

/// Position of loop time t in its interval, with C++ remainder semantics: negative before the
/// first interval starts, so it never equals 0 or T - 1 there (as in NEST).
[[nodiscard]] inline Step interval_step(Step t, Step shift, Step update_interval) {
  return (t - shift) % update_interval;
}

/// Lowered parameters: voltages relative to E_L, times in steps, propagators precomputed.
template <class Real>
struct BsshslmRecurrentParams {
  bool adaptive = false;
  Real E_L = -70;
  Real I_e = 0;
  Real V_th = 15;       // relative to E_L
  Real V_min = 0;       // relative to E_L
  Real alpha = 0;       // exp(-dt / tau_m)
  Real P_i = 0;         // tau_m / C_m * (1 - alpha)
  Real P_z = 1;         // 1 with regular_spike_arrival, else 1 - alpha
  /// alpha, P_i and P_z per neuron when tau_m varies per neuron (empty: the values above).
  std::vector<Real> alpha_per_neuron, P_i_per_neuron, P_z_per_neuron;
  Real rho = 0;         // exp(-dt / adapt_tau)
  Real adapt_beta = 0;  // 0 for eprop_iaf_bsshslm_2020
  std::int64_t refractory_steps = 0;
  SurrogateKind surrogate = SurrogateKind::piecewise_linear;
  Real surrogate_height = Real(0.3);
  Real surrogate_width = Real(1);
  Real c_reg = 0;
  Real f_target = Real(0.01);  // spikes per ms
  Real dt = 1;
  Step flush_interval_steps = kNeverSteps;
  IgnoreAndSpike ignore_and_spike;
  BsshslmTiming timing;
};

/// History channels of bsshslm recurrent neurons (entry key = loop time).
enum BsshslmRecurrentChannel : std::size_t { kBsshslmPsi = 0, kBsshslmLearningSignal = 1 };

template <class Real>
class BsshslmRecurrentPopulation {
 public:
  BsshslmRecurrentPopulation(std::string name, std::size_t n,
                             const BsshslmRecurrentParams<Real>& params, Real V_m_initial,
                             Real adaptation_initial);

  /// Serial part of a step: opens history entry t and, in the last step of an interval, the
  /// interval's regularisation row.
  void begin_step(Step t);
  /// Advances neurons r from loop time t to t+1 and appends their spikes and flush events to out.
  void update(Step t, Range r, EventList& out);

  [[nodiscard]] std::size_t size() const { return v_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const BsshslmRecurrentParams<Real>& params() const { return p_; }
  /// A live parameter change (Simulation::set_neuron_parameters): new lowered parameters; the
  /// state is kept, and V_m stays absolute when E_L changes (NEST shifts the relative voltage).
  void set_params(const BsshslmRecurrentParams<Real>& params);
  void set_V_m(std::size_t j, Real V_m) { v_[j] = V_m - p_.E_L; }
  void set_adaptation(std::size_t j, Real a) { a_[j] = a; }

  // Recordables (NEST names), neuron j.
  [[nodiscard]] Real V_m(std::size_t j) const { return v_[j] + p_.E_L; }
  [[nodiscard]] Real surrogate_gradient(std::size_t j) const { return psi_[j]; }
  [[nodiscard]] Real learning_signal(std::size_t j) const { return learning_signal_[j]; }
  [[nodiscard]] Real adaptation(std::size_t j) const { return a_[j]; }
  [[nodiscard]] Real V_th_adapt(std::size_t j) const { return A_[j] + p_.E_L; }

  InputRing<Real> input;
  /// psi and learning signal per loop time; learning signals arrive 3 steps late (SPEC 1.3).
  History<Real> history;
  /// Firing-rate regularisation, one entry per interval index m (written in its last step).
  History<Real> regularisation;
  bool keeps_history = false;  ///< true once an e-prop synapse targets this population

  template <class Archive>
  void state(Archive& ar) {
    ar(input, history, regularisation, keeps_history, v_, i_in_, psi_, learning_signal_, a_, A_,
       r_, n_spikes_, z_, last_event_);
  }

 private:
  template <bool kAdaptive>
  void update_model(Step t, Range r, EventList& out);
  void finish_neuron(Step t, Step step, std::size_t j);

  std::string name_;
  BsshslmRecurrentParams<Real> p_;
  std::vector<Real> alpha_, P_i_, P_z_;  // per neuron (constant)
  std::vector<Real> v_, i_in_, psi_, learning_signal_, a_, A_;
  std::vector<std::int64_t> r_, n_spikes_;
  std::vector<std::uint8_t> z_;
  std::vector<Step> last_event_;
};

}  // namespace eprop
