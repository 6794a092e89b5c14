#include "engine/bsshslm_projection.h"

#include <algorithm>

#include "core/check.h"
#include "engine/bsshslm_readout_population.h"

namespace eprop {
namespace {

template <class Real>
BsshslmSensitivity<Real> make_sensitivity(const std::vector<SynapseTriple>& synapses,
                                          const BsshslmTargetConstants<Real>& t,
                                          const BsshslmSynapseConstants<Real>& syn) {
  std::size_t lo = synapses.empty() ? 0 : synapses.front().target;
  std::size_t hi = lo;
  for (const auto& s : synapses) {
    lo = std::min<std::size_t>(lo, s.target);
    hi = std::max<std::size_t>(hi, std::size_t{s.target} + 1);
  }
  return BsshslmSensitivity<Real>(
      {t.readout, t.adaptive, t.alpha, t.rho, t.adapt_beta, syn.kappa, t.alpha_per_target}, lo, hi);
}

// One value per target index up to the largest one a synapse uses.
template <class Real>
std::vector<Real> per_target(const std::vector<Real>& given, Real common,
                             const std::vector<SynapseTriple>& synapses) {
  if (!given.empty()) return given;
  std::size_t n = 0;
  for (const auto& s : synapses) n = std::max<std::size_t>(n, std::size_t{s.target} + 1);
  return std::vector<Real>(n, common);
}

}  // namespace

template <class Real>
BsshslmProjection<Real>::BsshslmProjection(std::size_t n_source,
                                           std::vector<SynapseTriple> synapses,
                                           const OptimizerConfig& config,
                                           const BsshslmTargetConstants<Real>& target,
                                           const BsshslmSynapseConstants<Real>& synapse)
    : config_(config),
      c_(target),
      syn_(synapse),
      row_begin_(n_source + 1, 0),
      t_spike_previous_(n_source, 0),
      t_previous_update_(n_source, 0),
      // NEST sets the first update time when the synapse is created, from the kernel's interval.
      t_next_update_(n_source, target.timing.update_interval),
      t_previous_trigger_(n_source, 0),
      previous_was_flush_(n_source, 0),
      presyn_isis_(n_source),
      row_optimizer_(n_source),
      alpha_(per_target(target.alpha_per_target, target.alpha, synapses)),
      P_z_(per_target(target.P_z_per_target, target.P_z, synapses)),
      sensitivity_(make_sensitivity(synapses, target, synapse)) {
  std::stable_sort(synapses.begin(), synapses.end(),
                   [](const SynapseTriple& a, const SynapseTriple& b) { return a.source < b.source; });
  target_.reserve(synapses.size());
  weight_.reserve(synapses.size());
  for (const auto& syn : synapses) {
    ++row_begin_[syn.source + 1];
    target_.push_back(syn.target);
    weight_.push_back(static_cast<Real>(syn.weight));
  }
  for (std::size_t i = 0; i < n_source; ++i) row_begin_[i + 1] += row_begin_[i];
  gradient_.assign(synapses.size(), 0);
  if (config_.kind == OptimizerKind::adam) {
    adam_m_.assign(synapses.size(), 0);
    adam_v_.assign(synapses.size(), 0);
  }
}

template <class Real>
void BsshslmProjection<Real>::on_event(Step t_s, LocalIndex i, std::uint32_t multiplicity,
                                       bool is_flush, const BsshslmTargetHistory<Real>& target,
                                       InputRing<Real>& input, WeightLog* log, Real dt) {
  if (learn(t_s, i, is_flush, target)) transmit_row(*this, t_s, i, multiplicity, input, log, dt);
}

template <class Real>
bool BsshslmProjection<Real>::learn(Step t_s, LocalIndex i, bool is_flush,
                                    const BsshslmTargetHistory<Real>& target) {
  if (previous_was_flush_[i] != 0) {
    if (is_flush) return false;
    t_spike_previous_[i] = t_s;
    t_previous_trigger_[i] = t_s;
  }
  const Step shift = c_.shift();
  const Step T = c_.timing.update_interval;
  // A spike arriving in the first step of a recurrent target's interval meets a freshly reset
  // neuron: NEST drops it entirely (not learned from, not transmitted).
  if (!c_.readout && interval_step(t_s, shift, T) == 0) return false;
  if (t_previous_trigger_[i] == 0) t_previous_trigger_[i] = t_s;
  const Step bound = t_next_update_[i] + shift;
  if (t_spike_previous_[i] > 0) {
    const Step isi = std::min(t_s, bound) - std::min(t_spike_previous_[i], bound);
    if (isi > 0) presyn_isis_[i].push_back(isi);
  }
  if (t_s > bound) {
    // First event after the interval end: learn from the finished interval.
    const Step t_current_update = (t_s - shift) / T * T;
    if (!presyn_isis_[i].empty() && t_spike_previous_[i] > 0) accumulate_gradient(i, t_s, target);
    if (!is_flush) optimize_row(i, t_s);
    t_previous_update_[i] = t_current_update;
    t_next_update_[i] = t_current_update + T;
    t_previous_trigger_[i] = t_s;
  } else if (!is_flush && previous_was_flush_[i] != 0) {
    optimize_row(i, t_s);  // the gradient a flush event computed
  }
  previous_was_flush_[i] = is_flush ? 1 : 0;
  if (is_flush) return false;
  t_spike_previous_[i] = t_s;
  return true;
}

// The optimizer index is the interval of the triggering event (SPEC 7.4, 8). The gradient is
// already in the accumulator, so the call adds zero, as NEST's call adds its pending gradient.
template <class Real>
void BsshslmProjection<Real>::optimize_row(LocalIndex i, Step t_s) {
  const Step idx = (t_s - c_.shift()) / c_.timing.update_interval;
  const OptimizerPlan<Real> plan = plan_row(config_, row_optimizer_[i], idx, adam_alpha_);
  const bool adam = config_.kind == OptimizerKind::adam;
  Real unused_m = 0;
  Real unused_v = 0;
  for (std::uint64_t s = row_begin_[i]; s < row_begin_[i + 1]; ++s) {
    weight_[s] = apply_plan(config_, plan, gradient_[s], adam ? adam_m_[s] : unused_m,
                            adam ? adam_v_[s] : unused_v, Real(0), weight_[s]);
  }
}

// The spikes of source i (1 or 0) at every history step from the trigger spike on (each stored
// inter-spike interval starts with the spike); returns the number of steps, cut at the newest
// history entry (NEST would read past its history there, SPEC 7.4).
template <class Real>
Step BsshslmProjection<Real>::fill_spikes(LocalIndex i, const History<Real>& h) {
  spike_sequence_.clear();
  for (const Step isi : presyn_isis_[i]) {
    spike_sequence_.push_back(Real(1));
    spike_sequence_.insert(spike_sequence_.end(), static_cast<std::size_t>(isi - 1), Real(0));
  }
  presyn_isis_[i].clear();
  const Step first = t_previous_trigger_[i];
  const Step available = std::max<Step>(0, h.end() - first);
  const Step n = std::min(static_cast<Step>(spike_sequence_.size()), available);
  spike_sequence_.resize(static_cast<std::size_t>(n));
  EPROP_ASSERT(n == 0 || h.contains(first));
  return n;
}

// A row with no synapses in this shard has no gradient to accumulate, and its history window
// is not kept for it (pending): it only forgets the interval's spikes.
template <class Real>
void BsshslmProjection<Real>::accumulate_gradient(LocalIndex i, Step t_s,
                                                  const BsshslmTargetHistory<Real>& target) {
  if (row_begin_[i] == row_begin_[i + 1]) {
    presyn_isis_[i].clear();
    return;
  }
  if (syn_.reference_gradient || !accumulate_fast(i, t_s, target)) accumulate_reference(i, target);
}

// Sums each synapse's sensitivity at the row's spikes; false (nothing changed) when the window
// does not end with the interval, which only a flush event inside an interval can cause.
template <class Real>
bool BsshslmProjection<Real>::accumulate_fast(LocalIndex i, Step t_s,
                                              const BsshslmTargetHistory<Real>& target) {
  const History<Real>& h = *target.history;
  const Step T = c_.timing.update_interval;
  const Step first = t_previous_trigger_[i];
  const Step bound = t_next_update_[i] + c_.shift();
  Step window = 0;
  for (const Step isi : presyn_isis_[i]) window += isi;
  if (first + window != bound || !h.contains(first) || !h.contains(bound - 1)) return false;
  // Before the first interval the window may start earlier than the interval itself.
  const Step lo = std::max(std::min(first, bound - T), h.first());
  // The learning signal of the interval's last step arrives two steps after the interval.
  const bool complete = c_.readout || t_s >= bound + 2;
  const Real* sensitivity = sensitivity_.get(t_previous_update_[i] / T, complete, lo, bound - 1,
                                             h, target.regularisation);
  const std::size_t w = sensitivity_.width();
  const std::size_t target_begin = sensitivity_.target_begin();
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  grad_.assign(static_cast<std::size_t>(end - begin), Real(0));
  Step t_k = first;
  for (const Step isi : presyn_isis_[i]) {
    const Real* at_spike = sensitivity + static_cast<std::size_t>(t_k - lo) * w - target_begin;
    for (std::uint64_t s = begin; s < end; ++s) grad_[s - begin] += at_spike[target_[s]];
    t_k += isi;
  }
  presyn_isis_[i].clear();
  const auto learning_window = static_cast<Real>(c_.timing.learning_window);
  for (std::uint64_t s = begin; s < end; ++s) {
    Real g = P_z_[target_[s]] * grad_[s - begin];
    if (syn_.average_gradient) g /= learning_window;
    gradient_[s] += g;
  }
  return true;
}

template <class Real>
void BsshslmProjection<Real>::accumulate_reference(LocalIndex i,
                                                   const BsshslmTargetHistory<Real>& target) {
  const History<Real>& h = *target.history;
  fill_spikes(i, h);
  const Step first = t_previous_trigger_[i];
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  const auto width = static_cast<std::size_t>(end - begin);
  // Traces restart at zero; z_bar is per synapse since targets may differ in alpha and P_z.
  for (auto* v : {&z_bar_, &e_bar_, &epsilon_, &grad_, &sum_e_}) v->assign(width, Real(0));
  if (c_.readout) {
    integrate_readout(begin, end, first, h);
  } else if (c_.adaptive) {
    integrate_recurrent<true>(begin, end, first, h);
  } else {
    integrate_recurrent<false>(begin, end, first, h);
  }
  // Regularisation of the interval being learned from, weighted by the summed eligibility.
  const Real* reg = nullptr;
  if (!c_.readout) {
    const Step m = t_previous_update_[i] / c_.timing.update_interval;
    EPROP_ASSERT(target.regularisation->contains(m));
    reg = target.regularisation->row(0, m);
  }
  const auto window = static_cast<Real>(c_.timing.learning_window);
  for (std::uint64_t s = begin; s < end; ++s) {
    const std::size_t q = s - begin;
    Real g = grad_[q];
    if (reg != nullptr) g += reg[target_[s]] * sum_e_[q];
    if (syn_.average_gradient) g /= window;
    gradient_[s] += g;
  }
}

// Steps outer, synapses inner, in NEST's per-synapse operation order.
template <class Real>
template <bool kAdaptive>
void BsshslmProjection<Real>::integrate_recurrent(std::uint64_t begin, std::uint64_t end,
                                                  Step first, const History<Real>& h) {
  const Real kappa = syn_.kappa;
  const Real one_minus_kappa = Real(1) - syn_.kappa;
  const LocalIndex* target = target_.data() + begin;
  const auto width = static_cast<std::size_t>(end - begin);
  Real* e_bar = e_bar_.data();
  Real* epsilon = epsilon_.data();
  Real* grad = grad_.data();
  Real* sum_e = sum_e_.data();
  Real* z_bar_s = z_bar_.data();
  for (std::size_t q = 0; q < spike_sequence_.size(); ++q) {
    const Step k = first + static_cast<Step>(q);
    const Real z = spike_sequence_[q];
    const Real* psi = h.row(kBsshslmPsi, k);
    const Real* learning_signal = h.row(kBsshslmLearningSignal, k);
    for (std::size_t s = 0; s < width; ++s) {
      const LocalIndex j = target[s];
      z_bar_s[s] = alpha_[j] * z_bar_s[s] + P_z_[j] * z;
      const Real z_bar = z_bar_s[s];
      Real e;
      if constexpr (kAdaptive) {
        e = psi[j] * (z_bar - c_.adapt_beta * epsilon[s]);
        epsilon[s] = c_.rho * epsilon[s] + e;
      } else {
        e = psi[j] * z_bar;
      }
      e_bar[s] = kappa * e_bar[s] + one_minus_kappa * e;
      grad[s] += learning_signal[j] * e_bar[s];
      sum_e[s] += e;
    }
  }
}

template <class Real>
void BsshslmProjection<Real>::integrate_readout(std::uint64_t begin, std::uint64_t end,
                                                Step first, const History<Real>& h) {
  const LocalIndex* target = target_.data() + begin;
  const auto width = static_cast<std::size_t>(end - begin);
  Real* grad = grad_.data();
  Real* z_bar = z_bar_.data();
  for (std::size_t q = 0; q < spike_sequence_.size(); ++q) {
    const Real z = spike_sequence_[q];
    const Real* error = h.row(kBsshslmError, first + static_cast<Step>(q));
    for (std::size_t s = 0; s < width; ++s) {
      const LocalIndex j = target[s];
      z_bar[s] = alpha_[j] * z_bar[s] + P_z_[j] * z;
      grad[s] += error[j] * z_bar[s];
    }
  }
}

// After a flush the next spike starts afresh; a row that never spiked waits for nothing. Every
// shard's row keeps the same timeline, with synapses or without (a checkpoint takes a row's
// state from any shard, partition_state.h).
template <class Real>
bool BsshslmProjection<Real>::waiting(std::size_t i) const {
  return t_previous_trigger_[i] > 0 && previous_was_flush_[i] == 0;
}

// Only a row with synapses reads the history back to its trigger spike.
template <class Real>
bool BsshslmProjection<Real>::pending(std::size_t i) const {
  return waiting(i) && row_begin_[i] != row_begin_[i + 1];
}

template <class Real>
void BsshslmProjection<Real>::complete_silent_rows(Step t, Step bound,
                                                   const BsshslmTargetHistory<Real>& target) {
  const Step T = c_.timing.update_interval;
  // A flush in an interval's first step is dropped like a spike; the learning signals of the
  // interval's last step arrive two steps after it.
  if (!c_.readout && interval_step(t, c_.shift(), T) == 0) return;
  for (std::size_t i = 0; i < t_previous_trigger_.size(); ++i) {
    if (!waiting(i) || t - t_previous_trigger_[i] < bound) continue;
    if (t < t_next_update_[i] + c_.shift() + 3) continue;
    learn(t, static_cast<LocalIndex>(i), /*is_flush=*/true, target);
  }
}

template <class Real>
Step BsshslmProjection<Real>::oldest_needed_step() const {
  Step oldest = kNeverSteps;
  for (std::size_t i = 0; i < t_previous_trigger_.size(); ++i) {
    if (pending(i)) oldest = std::min(oldest, t_previous_trigger_[i]);
  }
  return oldest;
}

template <class Real>
Step BsshslmProjection<Real>::oldest_needed_interval() const {
  Step oldest = kNeverSteps;
  for (std::size_t i = 0; i < t_previous_update_.size(); ++i) {
    if (pending(i)) oldest = std::min(oldest, t_previous_update_[i] / c_.timing.update_interval);
  }
  return oldest;
}

template class BsshslmProjection<float>;
template class BsshslmProjection<double>;

}  // namespace eprop
