#pragma once

// Event-driven readout `eprop_readout` (SPEC 4): leaky integrator, mean-squared-error signal,
// learning window and target set by rate events.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"
#include "engine/events.h"
#include "engine/history.h"
#include "engine/interval_sums.h"

namespace eprop {

template <class Real>
struct ReadoutParams {
  Real E_L = 0;
  Real I_e = 0;
  Real V_min = 0;      // relative to E_L
  Real kappa_out = 0;  // exp(-dt / tau_m)
  Real P_i = 0;        // tau_m / C_m * (1 - kappa_out)
  Step cutoff_steps = kNeverSteps;
};

template <class Real>
class ReadoutPopulation {
 public:
  ReadoutPopulation(std::string name, std::size_t n, const ReadoutParams<Real>& params,
                    Real V_m_initial);

  /// Serial part of a step: opens history entry t; the error computed in this step is what
  /// the feedback connections deliver at the start of step t + 1.
  void begin_step(Step t) {
    if (keeps_history) history.append(t);
    error_step = t;
  }
  void update(Step t, Range r, EventList& out);

  [[nodiscard]] std::size_t size() const { return v_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const ReadoutParams<Real>& params() const { return p_; }
  /// A live parameter change (Simulation::set_neuron_parameters): new lowered parameters; the
  /// state is kept, and V_m stays absolute when E_L changes (NEST shifts the relative voltage).
  void set_params(const ReadoutParams<Real>& params) {
    for (Real& v : v_) v -= params.E_L - p_.E_L;
    p_ = params;
  }
  void set_V_m(std::size_t j, Real V_m) { v_[j] = V_m - p_.E_L; }

  /// Rate events (delivered before the update) overwrite these states (SPEC 1.2).
  void set_learning_window(std::size_t j, Real value) { window_[j] = value; }
  void set_target(std::size_t j, Real value) { target_[j] = value; }

  [[nodiscard]] Real V_m(std::size_t j) const { return v_[j] + p_.E_L; }
  [[nodiscard]] Real readout_signal(std::size_t j) const { return readout_[j]; }
  [[nodiscard]] Real target_signal(std::size_t j) const { return target_[j]; }
  [[nodiscard]] Real error_signal(std::size_t j) const { return error_[j]; }
  /// What other ranks read of this population between steps: the error the feedback
  /// connections deliver.
  [[nodiscard]] std::array<std::span<Real>, 1> exchanged_signals() { return {error_}; }

  InputRing<Real> input;
  History<Real> history;
  /// Prefix sums of the history, kept when incoming synapses integrate in closed form.
  IntervalSums<Real> interval_sums;
  bool keeps_history = false;
  Step error_step = -1;  ///< loop time at which error_signal was last computed (and sent)

  template <class Archive>
  void state(Archive& ar) {
    ar(input, history, interval_sums, keeps_history, error_step, v_, i_in_, readout_, target_, error_, window_);
  }

 private:
  std::string name_;
  ReadoutParams<Real> p_;
  std::vector<Real> v_, i_in_, readout_, target_, error_, window_;
};

}  // namespace eprop
