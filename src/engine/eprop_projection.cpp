#include "engine/eprop_projection.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "engine/readout_population.h"
#include "engine/recurrent_population.h"

namespace eprop {

template <class Real>
EpropProjection<Real>::EpropProjection(std::size_t n_source, std::vector<SynapseTriple> synapses,
                                       const OptimizerConfig& config,
                                       const EpropTargetConstants<Real>& target)
    : config_(config),
      c_(target),
      row_begin_(n_source + 1, 0),
      t_previous_(n_source, 0),
      remaining_(n_source, 0),
      decay_steps_(n_source, 0),
      previous_was_flush_(n_source, 0),
      z_buffer_(n_source, 0),
      z_bar_(n_source, 0) {
  std::stable_sort(synapses.begin(), synapses.end(),
                   [](const SynapseTriple& a, const SynapseTriple& b) { return a.source < b.source; });
  const std::size_t n = synapses.size();
  target_.reserve(n);
  weight_.reserve(n);
  for (const auto& syn : synapses) {
    ++row_begin_[syn.source + 1];
    target_.push_back(syn.target);
    weight_.push_back(static_cast<Real>(syn.weight));
  }
  for (std::size_t i = 0; i < n_source; ++i) row_begin_[i + 1] += row_begin_[i];
  e_bar_.assign(n, 0);
  gradient_.assign(n, 0);
  if (!c_.readout) e_bar_reg_.assign(n, 0);
  if (c_.adaptive) epsilon_.assign(n, 0);
  optimizer_.assign(n, OptimizerState<Real>{});
  if (config_.kind == OptimizerKind::adam) adam_.assign(n, AdamMoments<Real>{});
}

template <class Real>
std::size_t EpropProjection<Real>::bytes_per_synapse() const {
  std::size_t bytes = sizeof(LocalIndex) + 3 * sizeof(Real) + sizeof(OptimizerState<Real>);
  if (!c_.readout) bytes += sizeof(Real);
  if (c_.adaptive) bytes += sizeof(Real);
  if (config_.kind == OptimizerKind::adam) bytes += sizeof(AdamMoments<Real>);
  return bytes;
}

template <class Real>
Real EpropProjection<Real>::optimize(std::size_t s, Step idx, Real g, Real w) {
  AdamMoments<Real>* moments = adam_.empty() ? nullptr : &adam_[s];
  return optimized_weight(config_, optimizer_[s], moments, idx, g, w);
}

template <class Real>
void EpropProjection<Real>::on_event(Step t_s, LocalIndex i, std::uint32_t multiplicity,
                                     bool is_flush, const History<Real>& history,
                                     InputRing<Real>& input, WeightLog* log, Real dt) {
  if (t_previous_[i] != 0) integrate(t_s, i, is_flush, history);
  t_previous_[i] = t_s;
  previous_was_flush_[i] = is_flush ? 1 : 0;
  if (is_flush) return;
  // Delay is one step: a spike with stamp t_s acts on the target in loop time t_s.
  const Real count = static_cast<Real>(multiplicity);
  for (std::uint64_t s = row_begin_[i]; s < row_begin_[i + 1]; ++s) {
    input.add(t_s, target_[s], weight_[s] * count);
    if (log != nullptr) {
      log->source.push_back(i);
      log->target.push_back(target_[s]);
      log->time.push_back(static_cast<double>(t_s) * static_cast<double>(dt));
      log->weight.push_back(static_cast<double>(weight_[s]));
    }
  }
}

template <class Real>
void EpropProjection<Real>::integrate(Step t_s, LocalIndex i, bool is_flush,
                                      const History<Real>& history) {
  const Step t_p = t_previous_[i];
  const bool restart = previous_was_flush_[i] == 0;
  if (restart) remaining_[i] = c_.cutoff_steps;
  const Step n = std::min(remaining_[i], t_s - t_p);

  // The spike with stamp t_p enters z_bar at history entry t_p, one entry after the window
  // starts (entry t_p - 1): the one-step buffer z_buffer_ carries it (SPEC 5.3).
  z_bar_sequence_.resize(static_cast<std::size_t>(n));
  Real z_bar = z_bar_[i];
  std::uint8_t z_buffer = z_buffer_[i];
  std::uint8_t z_current = restart ? 1 : 0;
  for (Step q = 0; q < n; ++q) {
    const std::uint8_t z = z_buffer;
    z_buffer = z_current;
    z_current = 0;
    z_bar = c_.alpha * z_bar + Real(z);
    z_bar_sequence_[static_cast<std::size_t>(q)] = z_bar;
  }
  z_buffer_[i] = z_buffer;
  remaining_[i] -= n;
  decay_steps_[i] += (t_s - t_p) - n;
  const bool decay_now = !is_flush && decay_steps_[i] > 0;
  const bool apply_per_spike = !is_flush && !config_.optimize_each_step;

  EPROP_ASSERT(n == 0 || (history.contains(t_p - 1) && history.contains(t_p - 2 + n)));
  for (std::uint64_t s = row_begin_[i]; s < row_begin_[i + 1]; ++s) {
    integrate_synapse(s, t_p - 1, restart, history);
    if (decay_now) decay_synapse(s, decay_steps_[i]);
    if (apply_per_spike) weight_[s] = optimize(s, t_s - 1, gradient_[s], weight_[s]);
  }
  if (decay_now) {
    z_bar *= std::pow(c_.alpha, static_cast<Real>(decay_steps_[i]));
    decay_steps_[i] = 0;
  }
  z_bar_[i] = z_bar;
}

template <class Real>
void EpropProjection<Real>::integrate_synapse(std::size_t s, Step first_k, bool restart,
                                              const History<Real>& h) {
  const std::size_t j = target_[s];
  const bool each_step = config_.optimize_each_step;
  if (restart) gradient_[s] = 0;
  Real w = weight_[s];
  Real e_bar = e_bar_[s];
  const std::size_t n = z_bar_sequence_.size();
  if (c_.readout) {
    for (std::size_t q = 0; q < n; ++q) {
      const Step k = first_k + static_cast<Step>(q);
      const Real g = h.at(kError, j, k) * z_bar_sequence_[q];
      if (each_step) {
        w = optimize(s, k + 1, g, w);
      } else {
        gradient_[s] += g;
      }
    }
  } else {
    Real e_bar_reg = e_bar_reg_[s];
    Real epsilon = c_.adaptive ? epsilon_[s] : Real(0);
    for (std::size_t q = 0; q < n; ++q) {
      const Step k = first_k + static_cast<Step>(q);
      const Real e = h.at(kPsi, j, k) * (z_bar_sequence_[q] - c_.adapt_beta * epsilon);
      epsilon = c_.rho * epsilon + e;
      e_bar = c_.kappa * e_bar + e;
      e_bar_reg = c_.kappa_reg * e_bar_reg + (Real(1) - c_.kappa_reg) * e;
      const Real g = h.at(kLearningSignal, j, k) * e_bar + h.at(kFiringRateReg, j, k) * e_bar_reg;
      if (each_step) {
        w = optimize(s, k + 1, g, w);
      } else {
        gradient_[s] += g;
      }
    }
    e_bar_reg_[s] = e_bar_reg;
    if (c_.adaptive) epsilon_[s] = epsilon;
  }
  e_bar_[s] = e_bar;
  weight_[s] = w;
}

template <class Real>
void EpropProjection<Real>::decay_synapse(std::size_t s, Step decay_steps) {
  const Real d = static_cast<Real>(decay_steps);
  e_bar_[s] *= std::pow(c_.kappa, d);
  if (c_.readout) return;
  e_bar_reg_[s] *= std::pow(c_.kappa_reg, d);
  if (c_.adaptive) epsilon_[s] *= std::pow(c_.rho, d);
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
