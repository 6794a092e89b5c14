#include "engine/eprop_projection.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "engine/readout_population.h"
#include "engine/recurrent_population.h"

namespace eprop {

namespace {

/// Counting sort of triples into rows: stable, like the rows the network builder fills.
template <class Real>
SynapseRows<Real> rows_from_triples(std::size_t n_source,
                                    const std::vector<SynapseTriple>& synapses) {
  SynapseRows<Real> rows;
  rows.row_begin.assign(n_source + 1, 0);
  for (const auto& syn : synapses) ++rows.row_begin[syn.source + 1];
  counts_to_offsets(rows.row_begin);
  rows.target.resize(synapses.size());
  rows.weight.resize(synapses.size());
  RowCursor cursor(rows.row_begin);
  for (const auto& syn : synapses) {
    const std::uint64_t slot = cursor.take(syn.source);
    rows.target[slot] = syn.target;
    rows.weight[slot] = static_cast<Real>(syn.weight);
  }
  return rows;
}

}  // namespace

template <class Real>
EpropProjection<Real>::EpropProjection(std::size_t n_source,
                                       const std::vector<SynapseTriple>& synapses,
                                       const OptimizerConfig& config,
                                       const EpropTargetConstants<Real>& target)
    : EpropProjection(rows_from_triples<Real>(n_source, synapses), config, target) {}

template <class Real>
EpropProjection<Real>::EpropProjection(SynapseRows<Real> rows, const OptimizerConfig& config,
                                       const EpropTargetConstants<Real>& target)
    : config_(config),
      c_(target),
      keeps_cumulative_gradient_(config.batch_size > 1 || !config.optimize_each_step),
      row_begin_(std::move(rows.row_begin)),
      t_previous_(row_begin_.size() - 1, 0),
      remaining_(row_begin_.size() - 1, 0),
      decay_steps_(row_begin_.size() - 1, 0),
      previous_was_flush_(row_begin_.size() - 1, 0),
      z_buffer_(row_begin_.size() - 1, 0),
      z_bar_(row_begin_.size() - 1, 0),
      row_optimizer_(row_begin_.size() - 1),
      target_(std::move(rows.target)),
      weight_(std::move(rows.weight)) {
  EPROP_ASSERT(!row_begin_.empty() && row_begin_.back() == target_.size() &&
               weight_.size() == target_.size());
  const std::size_t n = target_.size();
  find_consecutive_runs();
  // A readout's eligibility trace is the presynaptic trace itself (SPEC 5.5): no e_bar.
  if (!c_.readout) e_bar_.assign(n, 0);
  if (!c_.readout && c_.regularised) e_bar_reg_.assign(n, 0);
  if (c_.alpha_varies()) z_bar_per_synapse_.assign(n, 0);
  if (c_.adaptive) epsilon_.assign(n, 0);
  if (keeps_cumulative_gradient_) cumulative_gradient_.assign(n, 0);
  if (config_.kind == OptimizerKind::adam) {
    adam_m_.assign(n, 0);
    adam_v_.assign(n, 0);
  }
}

template <class Real>
void EpropProjection<Real>::set_target_constants(const EpropTargetConstants<Real>& c) {
  EPROP_ASSERT(c.readout == c_.readout && c.adaptive == c_.adaptive &&
               c.regularised == c_.regularised && !closed_form_);
  if (c.alpha_varies() && !c_.alpha_varies()) {
    z_bar_per_synapse_.resize(target_.size());
    for (std::size_t i = 0; i + 1 < row_begin_.size(); ++i) {
      std::fill(z_bar_per_synapse_.begin() + static_cast<std::ptrdiff_t>(row_begin_[i]),
                z_bar_per_synapse_.begin() + static_cast<std::ptrdiff_t>(row_begin_[i + 1]),
                z_bar_[i]);
    }
  }
  if (!c.alpha_varies()) z_bar_per_synapse_.clear();
  c_ = c;
}

// Only rows of at most kMaxRunsPerRow runs read their runs (the gather-free loop). A longer row
// records one run more than that, enough for run_count to send it to the gather loop: the index
// stays at a few entries per row instead of one per synapse for random targets.
template <class Real>
void EpropProjection<Real>::find_consecutive_runs() {
  const std::size_t n_source = row_begin_.size() - 1;
  run_begin_.assign(n_source + 1, 0);
  run_start_.clear();
  for (std::size_t i = 0; i < n_source; ++i) {
    for (std::uint64_t s = row_begin_[i];
         s < row_begin_[i + 1] && run_start_.size() - run_begin_[i] <= kMaxRunsPerRow; ++s) {
      if (s == row_begin_[i] || target_[s] != target_[s - 1] + 1) run_start_.push_back(s);
    }
    run_begin_[i + 1] = run_start_.size();
  }
}

template <class Real>
std::size_t EpropProjection<Real>::bytes_per_synapse() const {
  const bool adam = config_.kind == OptimizerKind::adam;
  const std::size_t pending = pending_weight_.empty() ? 0 : (adam ? 3 : 1);
  return synapse_bytes(c_.readout, c_.regularised, c_.adaptive, keeps_cumulative_gradient_, adam) +
         sizeof(Real) * ((c_.alpha_varies() ? 1 : 0) + pending);
}

template <class Real>
template <class Gradient>
void EpropProjection<Real>::optimize_row(LocalIndex i, Step idx, Gradient g) {
  const OptimizerPlan<Real> plan = plan_row(config_, row_optimizer_[i], idx, adam_alpha_);
  const bool adam = config_.kind == OptimizerKind::adam;
  if (!adam && keeps_cumulative_gradient_) {
    if (config_.batch_size == 1) return descend_row<true>(i, plan, g);
    return descend_row<false>(i, plan, g);
  }
  for (std::uint64_t s = row_begin_[i]; s < row_begin_[i + 1]; ++s) {
    Real unused_cumulative = 0;
    Real unused_m = 0;
    Real unused_v = 0;
    Real& cumulative = keeps_cumulative_gradient_ ? cumulative_gradient_[s] : unused_cumulative;
    weight_[s] = apply_plan(config_, plan, cumulative, adam ? adam_m_[s] : unused_m,
                            adam ? adam_v_[s] : unused_v, g(s), weight_[s]);
  }
}

// Gradient descent on a row that keeps cumulative gradients (NEST's examples: one call per
// spike): apply_plan's arithmetic in the same order, with the configuration's branches out of the
// loop so that it vectorises; per synapse it was 31 instructions with a division by the batch
// size, 13 % of the sine example's instructions. x / 1 is x, so a batch of 1 divides by nothing.
template <class Real>
template <bool kUnitBatch, class Gradient>
void EpropProjection<Real>::descend_row(LocalIndex i, const OptimizerPlan<Real>& plan,
                                        Gradient g) {
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  Real* __restrict cumulative = cumulative_gradient_.data();
  Real* __restrict weight = weight_.data();
  if (!plan.optimize) {
    for (std::uint64_t s = begin; s < end; ++s) cumulative[s] += g(s);
    return;
  }
  const Real batch = Real(config_.batch_size);
  const Real eta = plan.eta;
  const Real w_min = Real(config_.Wmin);
  const Real w_max = Real(config_.Wmax);
  for (std::uint64_t s = begin; s < end; ++s) {
    const Real total = cumulative[s] + g(s);
    cumulative[s] = 0;
    const Real gradient = kUnitBatch ? total : total / batch;
    weight[s] = std::clamp(weight[s] - eta * gradient, w_min, w_max);
  }
}

template <class Real>
void EpropProjection<Real>::on_event(Step t_s, LocalIndex i, std::uint32_t multiplicity,
                                     bool is_flush, const History<Real>& history,
                                     const IntervalSums<Real>& sums, InputRing<Real>& input,
                                     WeightLog* log, Real dt) {
  // The interval continues from the weights (and moments) its early integrated part reached
  // (NEST integrates it whole now); they become the user's.
  if ((previous_was_flush_[i] & kPending) != 0) swap_pending(i);
  if (t_previous_[i] != 0) integrate(t_s, i, is_flush, history, sums);
  t_previous_[i] = t_s;
  previous_was_flush_[i] = is_flush ? kFlushed : 0;
  if (!is_flush) transmit_row(*this, t_s, i, multiplicity, input, log, dt);
}

template <class Real>
void EpropProjection<Real>::integrate(Step t_s, LocalIndex i, bool is_flush,
                                      const History<Real>& history,
                                      const IntervalSums<Real>& sums) {
  const Step t_p = t_previous_[i];
  const bool restart = previous_was_flush_[i] == 0;
  if (restart) remaining_[i] = c_.cutoff_steps;
  const Step n = std::min(remaining_[i], t_s - t_p);

  // The spike with stamp t_p enters z_bar at history entry t_p, one entry after the window
  // starts (entry t_p - 1): the one-step buffer z_buffer_ carries it (SPEC 5.3).
  z_bar_sequence_.resize(static_cast<std::size_t>(n));
  z_input_sequence_.resize(static_cast<std::size_t>(n));
  Real z_bar = z_bar_[i];
  std::uint8_t z_buffer = z_buffer_[i];
  std::uint8_t z_current = restart ? 1 : 0;
  for (Step q = 0; q < n; ++q) {
    const std::uint8_t z = z_buffer;
    z_buffer = z_current;
    z_current = 0;
    z_bar = c_.alpha * z_bar + Real(z);
    z_bar_sequence_[static_cast<std::size_t>(q)] = z_bar;
    z_input_sequence_[static_cast<std::size_t>(q)] = Real(z);
  }
  z_buffer_[i] = z_buffer;
  remaining_[i] -= n;
  decay_steps_[i] += (t_s - t_p) - n;
  const bool decay_now = !is_flush && decay_steps_[i] > 0;
  const bool apply_per_spike = !is_flush && !config_.optimize_each_step;

  const bool short_window = n <= kStepwiseMaxSteps && history.contains(t_p - 1);
  if (closed_form_ && !short_window) {
    EPROP_ASSERT(n == 0 || (sums.contains(t_p - 1) && sums.contains(t_p - 2 + n)));
    integrate_closed_form(i, t_p - 1, restart, sums);
  } else {
    EPROP_ASSERT(n == 0 || (history.contains(t_p - 1) && history.contains(t_p - 2 + n)));
    integrate_row(i, t_p - 1, history);
  }
  if (decay_now) {
    const Real d = static_cast<Real>(decay_steps_[i]);
    decay_row(row_begin_[i], row_begin_[i + 1], std::pow(c_.kappa, d), std::pow(c_.kappa_reg, d),
              std::pow(c_.rho, d));
    z_bar *= std::pow(c_.alpha, d);
    if (c_.alpha_varies()) {
      for (std::uint64_t s = row_begin_[i]; s < row_begin_[i + 1]; ++s) {
        z_bar_per_synapse_[s] *= std::pow(c_.alpha_per_target[target_[s]], d);
      }
    }
    decay_steps_[i] = 0;
  }
  // Per-spike mode: the gradients summed over the window (in the cumulative gradient) are
  // applied at the spike, not at flush events.
  if (apply_per_spike) optimize_row(i, t_s - 1, [](std::uint64_t) { return Real(0); });
  z_bar_[i] = z_bar;
}

template <class Real>
void EpropProjection<Real>::integrate_row(LocalIndex i, Step first_k, const History<Real>& h) {
  const bool each_step = config_.optimize_each_step;
  if (c_.readout) {
    if (each_step) return integrate_readout<true>(i, first_k, h);
    return integrate_readout<false>(i, first_k, h);
  }
  if (c_.regularised) return integrate_recurrent_row<true>(i, first_k, h);
  integrate_recurrent_row<false>(i, first_k, h);
}

template <class Real>
template <bool kRegularised>
void EpropProjection<Real>::integrate_recurrent_row(LocalIndex i, Step first_k,
                                                    const History<Real>& h) {
  const bool each_step = config_.optimize_each_step;
  if (c_.alpha_varies()) {
    // The presynaptic trace is per synapse: the generic loop.
    if (c_.adaptive) {
      if (each_step) return integrate_recurrent<true, true, kRegularised, false, true>(i, first_k, h);
      return integrate_recurrent<true, false, kRegularised, false, true>(i, first_k, h);
    }
    if (each_step) return integrate_recurrent<false, true, kRegularised, false, true>(i, first_k, h);
    return integrate_recurrent<false, false, kRegularised, false, true>(i, first_k, h);
  }
  if (c_.adaptive) {
    if (each_step) return integrate_recurrent<true, true, kRegularised>(i, first_k, h);
    return integrate_recurrent<true, false, kRegularised>(i, first_k, h);
  }
  if (each_step) return integrate_recurrent<false, true, kRegularised>(i, first_k, h);
  // Dense rows (all_to_all) consist of a few runs of consecutive targets: without the index
  // gather the compiler vectorises the synapse loop.
  if (run_count(i) <= kMaxRunsPerRow) {
    return integrate_recurrent<false, false, kRegularised, true>(i, first_k, h);
  }
  integrate_recurrent<false, false, kRegularised>(i, first_k, h);
}

namespace {

/// One step of a synapse's own presynaptic trace (targets whose alpha varies).
template <class Real>
Real advance_trace(Real& z_bar, Real alpha, Real z_input) {
  z_bar = alpha * z_bar + z_input;
  return z_bar;
}

/// One step of the non-adaptive eligibility traces for synapses whose targets are consecutive.
template <bool kRegularised, class Real>
void accumulate_consecutive(std::size_t count, Real z_bar, Real kappa, Real kappa_reg,
                            const Real* __restrict psi, const Real* __restrict learning_signal,
                            const Real* __restrict reg, Real* __restrict e_bar,
                            Real* __restrict e_bar_reg, Real* __restrict gradient) {
  const Real one_minus_kappa_reg = Real(1) - kappa_reg;
  for (std::size_t r = 0; r < count; ++r) {
    const Real e = psi[r] * z_bar;
    e_bar[r] = kappa * e_bar[r] + e;
    if constexpr (kRegularised) {
      e_bar_reg[r] = kappa_reg * e_bar_reg[r] + one_minus_kappa_reg * e;
      gradient[r] += learning_signal[r] * e_bar[r] + reg[r] * e_bar_reg[r];
    } else {
      gradient[r] += learning_signal[r] * e_bar[r];
    }
  }
}

}  // namespace

// Steps outer, synapses inner: the synapses of a row are independent, so their recurrences
// overlap in the pipeline instead of each waiting on its own dependency chain; the history rows
// of one step are read in target order.
template <class Real>
template <bool kAdaptive, bool kEachStep, bool kRegularised, bool kConsecutiveTargets,
          bool kAlphaVaries>
void EpropProjection<Real>::integrate_recurrent(LocalIndex i, Step first_k,
                                                const History<Real>& h) {
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  const Real kappa = c_.kappa;
  const Real kappa_reg = c_.kappa_reg;
  const Real one_minus_kappa_reg = Real(1) - c_.kappa_reg;
  // The arrays never overlap; saying so lets the compiler vectorise the synapse loop.
  const LocalIndex* __restrict target = target_.data();
  Real* __restrict e_bar = e_bar_.data();
  Real* __restrict e_bar_reg = e_bar_reg_.data();
  Real* __restrict epsilon = kAdaptive ? epsilon_.data() : nullptr;
  Real* __restrict sink = kEachStep ? nullptr : cumulative_gradient_.data();
  Real* __restrict z_bar_per_synapse = kAlphaVaries ? z_bar_per_synapse_.data() : nullptr;
  const Real* __restrict alpha = kAlphaVaries ? c_.alpha_per_target.data() : nullptr;
  if constexpr (kEachStep) step_gradient_.resize(end - begin);
  for (std::size_t q = 0; q < z_bar_sequence_.size(); ++q) {
    const Step k = first_k + static_cast<Step>(q);
    const Real z_bar = z_bar_sequence_[q];
    const Real z_input = kAlphaVaries ? z_input_sequence_[q] : Real(0);
    const Real* __restrict psi = h.row(kPsi, k);
    const Real* __restrict learning_signal = h.row(kLearningSignal, k);
    const Real* __restrict reg = h.row(kFiringRateReg, k);
    if constexpr (kConsecutiveTargets) {
      // Within a run the target of synapse s is target[r] + (s - r): no gather, a plain vector
      // loop per run (all_to_all without autapses: two runs per row).
      for (std::uint64_t r = run_begin_[i]; r < run_begin_[i + 1]; ++r) {
        const std::uint64_t from = run_start_[r];
        const std::uint64_t to = r + 1 < run_begin_[i + 1] ? run_start_[r + 1] : end;
        accumulate_consecutive<kRegularised>(
            to - from, z_bar, kappa, kappa_reg, psi + target[from], learning_signal + target[from],
            reg + target[from], e_bar + from, kRegularised ? e_bar_reg + from : nullptr,
            sink + from);
      }
      continue;
    }
    for (std::uint64_t s = begin; s < end; ++s) {
      const LocalIndex j = target[s];
      const Real z_bar_s =
          kAlphaVaries ? advance_trace(z_bar_per_synapse[s], alpha[j], z_input) : z_bar;
      Real e;
      if constexpr (kAdaptive) {
        e = psi[j] * (z_bar_s - c_.adapt_beta * epsilon[s]);
        epsilon[s] = c_.rho * epsilon[s] + e;
      } else {
        e = psi[j] * z_bar_s;
      }
      e_bar[s] = kappa * e_bar[s] + e;
      Real g;
      if constexpr (kRegularised) {
        e_bar_reg[s] = kappa_reg * e_bar_reg[s] + one_minus_kappa_reg * e;
        g = learning_signal[j] * e_bar[s] + reg[j] * e_bar_reg[s];
      } else {
        g = learning_signal[j] * e_bar[s];
      }
      if constexpr (kEachStep) {
        step_gradient_[s - begin] = g;
      } else {
        sink[s] += g;
      }
    }
    if constexpr (kEachStep) {
      optimize_row(i, k + 1, [this, begin](std::uint64_t s) { return step_gradient_[s - begin]; });
    }
  }
}

template <class Real>
template <bool kEachStep>
void EpropProjection<Real>::integrate_readout(LocalIndex i, Step first_k, const History<Real>& h) {
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  const LocalIndex* target = target_.data();
  Real* sink = kEachStep ? nullptr : cumulative_gradient_.data();
  for (std::size_t q = 0; q < z_bar_sequence_.size(); ++q) {
    const Step k = first_k + static_cast<Step>(q);
    const Real z_bar = z_bar_sequence_[q];
    const Real* error = h.row(kError, k);
    if constexpr (kEachStep) {
      optimize_row(i, k + 1, [&](std::uint64_t s) { return error[target[s]] * z_bar; });
    } else {
      for (std::uint64_t s = begin; s < end; ++s) sink[s] += error[target[s]] * z_bar;
    }
  }
}

template <class Real>
void EpropProjection<Real>::decay_row(std::uint64_t begin, std::uint64_t end, Real kappa_factor,
                                      Real kappa_reg_factor, Real rho_factor) {
  if (c_.readout) return;
  for (std::uint64_t s = begin; s < end; ++s) e_bar_[s] *= kappa_factor;
  if (c_.regularised) {
    for (std::uint64_t s = begin; s < end; ++s) e_bar_reg_[s] *= kappa_reg_factor;
  }
  if (!c_.adaptive) return;
  for (std::uint64_t s = begin; s < end; ++s) epsilon_[s] *= rho_factor;
}

template <class Real>
void EpropProjection<Real>::complete_expired_intervals(Step t, Step bound,
                                                       const History<Real>& history,
                                                       const IntervalSums<Real>& sums) {
  const bool pending = config_.optimize_each_step;
  const bool adam = config_.kind == OptimizerKind::adam;
  const bool cutoff_completes = c_.cutoff_steps != kNeverSteps;
  for (std::size_t i = 0; i < t_previous_.size(); ++i) {
    if (t_previous_[i] == 0) continue;
    const Step remaining = previous_was_flush_[i] != 0 ? remaining_[i] : c_.cutoff_steps;
    const Step open = t - t_previous_[i];
    if (remaining == 0 || (open < bound && !(cutoff_completes && open >= remaining))) continue;
    const auto row = static_cast<LocalIndex>(i);
    if (pending) {
      if (pending_weight_.empty()) {
        pending_weight_.assign(target_.size(), 0);
        if (adam) pending_m_.assign(target_.size(), 0);
        if (adam) pending_v_.assign(target_.size(), 0);
      }
      if ((previous_was_flush_[i] & kPending) == 0) copy_to_pending(row);
      swap_pending(row);  // integrate on the pending values, keep the user's
    }
    integrate(t, row, /*is_flush=*/true, history, sums);
    if (pending) swap_pending(row);
    t_previous_[i] = t;
    previous_was_flush_[i] = pending ? kFlushed | kPending : kFlushed;
  }
}

template <class Real>
bool EpropProjection<Real>::check_state() const {
  const std::size_t rows = row_begin_.size() - 1;
  const std::size_t n = target_.size();
  const auto sized = [](const auto& v, std::size_t length) { return v.size() == length; };
  const bool rows_fit = sized(t_previous_, rows) && sized(remaining_, rows) &&
                        sized(decay_steps_, rows) && sized(previous_was_flush_, rows) &&
                        sized(z_buffer_, rows) && sized(z_bar_, rows) &&
                        sized(row_optimizer_, rows);
  const bool adam = config_.kind == OptimizerKind::adam;
  const bool synapses_fit =
      sized(weight_, n) && sized(e_bar_, c_.readout ? 0 : n) &&
      sized(e_bar_reg_, !c_.readout && c_.regularised ? n : 0) &&
      sized(z_bar_per_synapse_, c_.alpha_varies() ? n : 0) &&
      sized(epsilon_, c_.adaptive ? n : 0) && sized(adam_m_, adam ? n : 0) &&
      sized(adam_v_, adam ? n : 0) &&
      sized(cumulative_gradient_, keeps_cumulative_gradient_ ? n : 0);
  if (!rows_fit || !synapses_fit) return false;
  // The pending arrays: absent, or those of per-step optimisation (the weights' and, for Adam,
  // the moments') with one value per synapse, which a row flagged kPending reads.
  const bool pending_fit = config_.optimize_each_step && sized(pending_weight_, n) &&
                           sized(pending_m_, adam ? n : 0) && sized(pending_v_, adam ? n : 0);
  const bool no_pending = pending_weight_.empty() && pending_m_.empty() && pending_v_.empty();
  if (!pending_fit && !no_pending) return false;
  return std::all_of(previous_was_flush_.begin(), previous_was_flush_.end(),
                     [&](std::uint8_t f) { return (f & kPending) == 0 || pending_fit; });
}

template <class Real>
template <class Move>
void EpropProjection<Real>::move_pending(LocalIndex i, Move move) {
  const auto begin = static_cast<std::ptrdiff_t>(row_begin_[i]);
  const auto end = static_cast<std::ptrdiff_t>(row_begin_[i + 1]);
  const auto on_row = [&](std::vector<Real>& user, std::vector<Real>& pending) {
    move(user.begin() + begin, user.begin() + end, pending.begin() + begin);
  };
  on_row(weight_, pending_weight_);
  if (adam_m_.empty()) return;
  on_row(adam_m_, pending_m_);
  on_row(adam_v_, pending_v_);
}

template <class Real>
void EpropProjection<Real>::copy_to_pending(LocalIndex i) {
  move_pending(i, [](auto first, auto last, auto to) { std::copy(first, last, to); });
}

template <class Real>
void EpropProjection<Real>::swap_pending(LocalIndex i) {
  move_pending(i, [](auto first, auto last, auto to) { std::swap_ranges(first, last, to); });
}

template <class Real>
Step EpropProjection<Real>::oldest_needed_step() const {
  Step oldest = kNeverSteps;
  for (std::size_t i = 0; i < t_previous_.size(); ++i) {
    if (t_previous_[i] == 0) continue;
    if (previous_was_flush_[i] != 0 && remaining_[i] == 0) continue;
    oldest = std::min(oldest, t_previous_[i] - 1);
  }
  return oldest;
}

template class EpropProjection<float>;
template class EpropProjection<double>;

}  // namespace eprop
