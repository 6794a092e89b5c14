#pragma once

// All eprop_synapse_bsshslm_2020 connections from one source population to one bsshslm target
// population (or the shard of them whose targets one thread owns), CSR by source.
//
// Every synapse of a row sees the same events and the same target kind, so NEST's per-synapse
// timing state (previous spike, previous update, next update, trigger spike, flush flag,
// presynaptic inter-spike intervals) and the optimizer's step, learning-rate lag and Adam powers
// are one value per row here. Per synapse there is only the weight, one gradient accumulator
// (NEST's pending gradient and the optimizer's cumulative gradient: both are only ever summed
// before an optimisation) and Adam's moments: the eligibility traces restart from zero at every
// update and live in scratch arrays while a gradient is computed (SPEC 7.4).

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "core/optimizer.h"
#include "core/types.h"
#include "engine/bsshslm_recurrent_population.h"
#include "engine/bsshslm_sensitivity.h"
#include "engine/eprop_projection.h"
#include "engine/events.h"
#include "engine/history.h"

namespace eprop {

/// Parameters of the target population that enter the gradient and the interval bookkeeping.
template <class Real>
struct BsshslmTargetConstants {
  bool readout = false;
  bool adaptive = false;
  Real alpha = 0;  ///< voltage propagator of the target (readout: kappa_out)
  Real P_z = 1;    ///< spike-input factor of the target
  Real rho = 0;
  Real adapt_beta = 0;
  BsshslmTiming timing;
  /// alpha and P_z per target (population index) where tau_m varies per neuron; empty: the
  /// values above for all targets.
  std::vector<Real> alpha_per_target, P_z_per_target;

  [[nodiscard]] Step shift() const {
    return readout ? kBsshslmReadoutShift : kBsshslmRecurrentShift;
  }
};

/// Synapse-model properties shared by a projection.
template <class Real>
struct BsshslmSynapseConstants {
  Real kappa = 0;  ///< exp(-dt / tau_m_readout): the eligibility filter
  bool average_gradient = false;
  /// Compute gradients as NEST does, synapse by synapse over every step of the window, instead
  /// of from per-target sensitivities at the presynaptic spikes (bsshslm_sensitivity.h). Same
  /// numbers up to rounding; the reference for tests.
  bool reference_gradient = false;
};

/// The target's histories a gradient reads: recurrent psi and learning signal plus the
/// per-interval regularisation, or the readout error (regularisation == nullptr).
template <class Real>
struct BsshslmTargetHistory {
  const History<Real>* history = nullptr;
  const History<Real>* regularisation = nullptr;
};

template <class Real>
class BsshslmProjection {
 public:
  BsshslmProjection(std::size_t n_source, std::vector<SynapseTriple> synapses,
                    const OptimizerConfig& config, const BsshslmTargetConstants<Real>& target,
                    const BsshslmSynapseConstants<Real>& synapse);

  /// Handles one event of source i with stamp t_s (SPEC 7.4): records the inter-spike interval,
  /// computes and applies the gradient of a finished interval, and transmits a spike with the
  /// current weights into `input` (delay 1). Flush events never reach the target.
  void on_event(Step t_s, LocalIndex i, std::uint32_t multiplicity, bool is_flush,
                const BsshslmTargetHistory<Real>& target, InputRing<Real>& input, WeightLog* log,
                Real dt);

  /// Learns now, as a flush event with stamp t would, from the finished interval of every row
  /// whose trigger spike is `bound` steps old or more, so that a silent source does not hold
  /// the history from its trigger spike on forever (issue 14). The gradient waits for the
  /// row's next spike as after a flush; the numbers do not change (SPEC 7.4).
  void complete_silent_rows(Step t, Step bound, const BsshslmTargetHistory<Real>& target);

  /// Oldest history step / regularisation interval a future event may read; kNeverSteps if none.
  [[nodiscard]] Step oldest_needed_step() const;
  [[nodiscard]] Step oldest_needed_interval() const;

  [[nodiscard]] std::size_t size() const { return target_.size(); }
  [[nodiscard]] std::size_t bytes_per_synapse() const {
    return synapse_bytes(config_.kind == OptimizerKind::adam);
  }
  /// Bytes of the per-synapse arrays: target, weight, gradient; Adam's two moments.
  [[nodiscard]] static constexpr std::size_t synapse_bytes(bool adam) {
    return sizeof(LocalIndex) + sizeof(Real) * (2 + (adam ? 2 : 0));
  }
  [[nodiscard]] const std::vector<std::uint64_t>& row_begin() const { return row_begin_; }
  [[nodiscard]] const std::vector<LocalIndex>& targets() const { return target_; }
  [[nodiscard]] const std::vector<Real>& weights() const { return weight_; }
  OptimizerConfig& config() { return config_; }
  UserSynapseState<std::vector<Real>> user_state() { return {weight_, adam_m_, adam_v_}; }
  [[nodiscard]] UserSynapseState<const std::vector<Real>> user_state() const {
    return {weight_, adam_m_, adam_v_};
  }

  /// As EpropProjection::row_arrays / synapse_arrays.
  auto row_arrays() {
    return std::tie(t_spike_previous_, t_previous_update_, t_next_update_, t_previous_trigger_,
                    previous_was_flush_, presyn_isis_, row_optimizer_);
  }
  auto synapse_arrays() { return std::tie(weight_, gradient_, adam_m_, adam_v_); }

 private:
  [[nodiscard]] bool waiting(std::size_t i) const;
  [[nodiscard]] bool pending(std::size_t i) const;
  /// The learning part of on_event; true if the event is a spike to transmit.
  bool learn(Step t_s, LocalIndex i, bool is_flush, const BsshslmTargetHistory<Real>& target);
  void accumulate_gradient(LocalIndex i, Step t_s, const BsshslmTargetHistory<Real>& target);
  void accumulate_reference(LocalIndex i, const BsshslmTargetHistory<Real>& target);
  bool accumulate_fast(LocalIndex i, Step t_s, const BsshslmTargetHistory<Real>& target);
  Step fill_spikes(LocalIndex i, const History<Real>& h);
  template <bool kAdaptive>
  void integrate_recurrent(std::uint64_t begin, std::uint64_t end, Step first,
                           const History<Real>& h);
  void integrate_readout(std::uint64_t begin, std::uint64_t end, Step first,
                         const History<Real>& h);
  void optimize_row(LocalIndex i, Step t_s);

  OptimizerConfig config_;
  BsshslmTargetConstants<Real> c_;
  BsshslmSynapseConstants<Real> syn_;

  std::vector<std::uint64_t> row_begin_;
  // per presynaptic neuron (identical for every synapse of the row in NEST)
  std::vector<Step> t_spike_previous_, t_previous_update_, t_next_update_, t_previous_trigger_;
  std::vector<std::uint8_t> previous_was_flush_;
  std::vector<std::vector<Step>> presyn_isis_;
  std::vector<RowOptimizerState<Real>> row_optimizer_;
  // per synapse; adam_* only for Adam
  std::vector<LocalIndex> target_;
  std::vector<Real> weight_, gradient_, adam_m_, adam_v_;
  // per target (population index): the target's alpha and P_z
  std::vector<Real> alpha_, P_z_;
  // scratch of one gradient computation: presynaptic spikes per step, traces and sums per
  // synapse of a row
  std::vector<Real> spike_sequence_, z_bar_, e_bar_, epsilon_, grad_, sum_e_, adam_alpha_;
  BsshslmSensitivity<Real> sensitivity_;
};

}  // namespace eprop
