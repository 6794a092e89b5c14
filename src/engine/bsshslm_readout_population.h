#pragma once

// Readout `eprop_readout_bsshslm_2020` (SPEC 7.3): leaky integrator with a mean-squared-error or
// a softmax/cross-entropy readout signal. The readout signal of loop time t is built from the
// voltage of t - 1 (the softmax needs the other readouts' values, which arrive one step late),
// and it, the target and the error are zero outside the learning window at the interval end.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"
#include "engine/bsshslm_recurrent_population.h"
#include "engine/events.h"
#include "engine/history.h"

namespace eprop {

template <class Real>
struct BsshslmReadoutParams {
  bool cross_entropy = false;  ///< loss "cross_entropy" (else "mean_squared_error")
  Real E_L = 0;
  Real I_e = 0;
  Real V_min = 0;      // relative to E_L
  Real kappa_out = 0;  // exp(-dt / tau_m)
  Real P_i = 0;        // tau_m / C_m * (1 - kappa_out)
  Real P_z = 1;        // 1 with regular_spike_arrival, else 1 - kappa_out
  BsshslmTiming timing;
};

/// History channel of bsshslm readouts; entry key = loop time - 1 (SPEC 1.3).
enum BsshslmReadoutChannel : std::size_t { kBsshslmError = 0 };

template <class Real>
class BsshslmReadoutPopulation {
 public:
  BsshslmReadoutPopulation(std::string name, std::size_t n,
                           const BsshslmReadoutParams<Real>& params, Real V_m_initial);

  /// Serial part of a step: opens history entry t - 1; the error and the unnormalised signal
  /// computed in this step are what the connections deliver at the start of step t + 1.
  void begin_step(Step t) {
    if (keeps_history && t >= 1) history.append(t - 1);
    signal_step = t;
  }
  void update(Step t, Range r, EventList& out);

  [[nodiscard]] std::size_t size() const { return v_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const BsshslmReadoutParams<Real>& params() const { return p_; }
  /// A live parameter change (Simulation::set_neuron_parameters): new lowered parameters; the
  /// state is kept, and V_m stays absolute when E_L changes (NEST shifts the relative voltage).
  void set_params(const BsshslmReadoutParams<Real>& params) {
    for (Real& v : v_) v -= params.E_L - p_.E_L;
    p_ = params;
  }
  void set_V_m(std::size_t j, Real V_m) { v_[j] = V_m - p_.E_L; }

  /// Rate events delivered before the update: receptor 2 overwrites the target, receptor 1 adds
  /// another readout's unnormalised signal to the softmax denominator.
  void set_target(std::size_t j, Real value) { target_[j] = value; }
  void add_normalization(std::size_t j, Real value) { normalization_[j] += value; }

  [[nodiscard]] Real V_m(std::size_t j) const { return v_[j] + p_.E_L; }
  [[nodiscard]] Real readout_signal(std::size_t j) const { return readout_[j]; }
  [[nodiscard]] Real readout_signal_unnorm(std::size_t j) const { return unnorm_[j]; }
  [[nodiscard]] Real target_signal(std::size_t j) const { return target_[j]; }
  [[nodiscard]] Real error_signal(std::size_t j) const { return error_[j]; }
  /// What other ranks read of this population between steps: the error (feedback) and the
  /// unnormalised signal (the other readouts' softmax denominators).
  [[nodiscard]] std::array<std::span<Real>, 2> exchanged_signals() { return {unnorm_, error_}; }

  InputRing<Real> input;
  History<Real> history;
  bool keeps_history = false;
  Step signal_step = -1;  ///< loop time at which error and unnormalised signal were computed

  template <class Archive>
  void state(Archive& ar) {
    ar(input, history, keeps_history, signal_step, v_, i_in_, unnorm_, readout_, target_, error_,
       normalization_);
  }

 private:
  template <bool kCrossEntropy>
  void update_model(Step t, Range r);

  std::string name_;
  BsshslmReadoutParams<Real> p_;
  std::vector<Real> v_, i_in_, unnorm_, readout_, target_, error_, normalization_;
};

}  // namespace eprop
