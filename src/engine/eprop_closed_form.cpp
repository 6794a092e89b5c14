// Closed-form integration of one inter-spike interval (docs/design/0005): the same numbers as
// the stepwise loop of eprop_projection.cpp, up to rounding, at a cost per synapse that does not
// grow with the interval's length.
//
// Within a segment [s0, s1] of one block (base b0, u = k - b0) the presynaptic trace is geometric,
// z_bar[k] = Z alpha^u with Z = z_bar[s0] alpha^-u0, so the recursion
//   e_bar[k] = kappa e_bar[k-1] + psi[k] z_bar[k]
// has the solution e_bar[k] = kappa^(k-s0+1) e_bar[s0-1] + Z kappa^u (P[k] - P[s0-1]), and the
// gradient sum over the segment is
//   sum L[k] e_bar[k] = e_bar[s0-1] kappa^(1-u0) dA + Z (dB - P[s0-1] dA),
// with dX = X[s1] - X[s0-1] of the target's IntervalSums (X[b0-1] = 0). The regularisation term
// is the same with kappa_reg and the factor 1 - kappa_reg.

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "engine/eprop_projection.h"

namespace eprop {

template <class Real>
bool EpropProjection<Real>::closed_form_applicable() const {
  if (c_.adaptive || config_.optimize_each_step || !keeps_cumulative_gradient_) return false;
  using Sums = IntervalSums<Real>;
  const auto bases =
      c_.readout ? Sums::readout_bases(c_.alpha)
                 : Sums::recurrent_bases(c_.alpha, c_.kappa, c_.kappa_reg, c_.regularised);
  return Sums::block_for(bases) > 0;
}

template <class Real>
void EpropProjection<Real>::integrate_closed_form(LocalIndex i, Step first_k, bool restart,
                                                  const IntervalSums<Real>& sums) {
  if (z_bar_sequence_.empty()) return;
  plan_segments(first_k, restart, sums.block());
  if (c_.readout) return integrate_readout_closed_form(i, sums);
  if (c_.regularised) return integrate_recurrent_closed_form<true>(i, sums);
  integrate_recurrent_closed_form<false>(i, sums);
}

template <class Real>
void EpropProjection<Real>::compute_block_powers(Step block) {
  auto table = [block](double base, double sign, double offset) {
    std::vector<Real> out(static_cast<std::size_t>(block) + 1);
    for (std::size_t u = 0; u < out.size(); ++u) {
      out[u] = static_cast<Real>(std::pow(base, offset + sign * static_cast<double>(u)));
    }
    return out;
  };
  const double alpha = c_.alpha;
  const double kappa = c_.kappa;
  const double kappa_reg = c_.kappa_reg;
  powers_.kappa = table(kappa, 1.0, 0.0);
  powers_.kappa_reg = table(kappa_reg, 1.0, 0.0);
  powers_.lead = table(kappa, -1.0, 1.0);
  powers_.lead_reg = table(kappa_reg, -1.0, 1.0);
  powers_.alpha_inverse = table(alpha, -1.0, 0.0);
  powers_block_ = block;
}

template <class Real>
void EpropProjection<Real>::plan_segments(Step first_k, bool restart, Step block) {
  if (powers_block_ != block) compute_block_powers(block);
  const Step last_k = first_k + static_cast<Step>(z_bar_sequence_.size()) - 1;
  const Real one_minus_kappa_reg = Real(1) - c_.kappa_reg;
  const BlockPowers& p = powers_;
  segments_.clear();
  for (Step s0 = first_k; s0 <= last_k;) {
    const Step base = s0 - s0 % block;
    // The spike buffered at the interval's start enters z_bar at first_k + 1: a new segment.
    const Step s1 = (restart && s0 == first_k) ? s0 : std::min(last_k, base + block - 1);
    const auto u0 = static_cast<std::size_t>(s0 - base);
    const auto u1 = static_cast<std::size_t>(s1 - base);
    const auto length = static_cast<std::size_t>(s1 - s0 + 1);
    Segment seg{};
    seg.first = s0;
    seg.last = s1;
    seg.has_previous = u0 != 0;
    seg.z = z_bar_sequence_[static_cast<std::size_t>(s0 - first_k)] * p.alpha_inverse[u0];
    if (!c_.readout) {
      seg.z_reg = one_minus_kappa_reg * seg.z;
      seg.lead = p.lead[u0];
      seg.lead_reg = p.lead_reg[u0];
      seg.decay = p.kappa[length];
      seg.decay_reg = p.kappa_reg[length];
      seg.tail = seg.z * p.kappa[u1];
      seg.tail_reg = seg.z_reg * p.kappa_reg[u1];
    }
    segments_.push_back(seg);
    s0 = s1 + 1;
  }
}

namespace {

/// One segment for count synapses (segments outer, synapses inner: the per-synapse updates are
/// independent, so the loop vectorises). `after`/`before`: the targets' records at the segment's
/// last step and the step before its first (kHasBefore false: a block start, sums zero).
/// kConsecutive: the targets are target[0], target[0] + 1, ...: the records are read at a
/// constant stride instead of gathered through the target indices (dense rows, such as the
/// input rows of NEST's examples, and each run of an all-to-all row without autapses).
template <class Real, std::size_t kWidth, bool kHasBefore, bool kConsecutive>
void integrate_segment(std::size_t count, const LocalIndex* __restrict target,
                       const Real* __restrict after, const Real* __restrict before,
                       Real lead, Real z, Real decay, Real tail, Real lead_reg, Real z_reg,
                       Real decay_reg, Real tail_reg, Real* __restrict e_bar,
                       Real* __restrict e_bar_reg, Real* __restrict gradient) {
  constexpr bool kRegularised = kWidth == IntervalSums<Real>::kRecurrentWidth;
  if constexpr (kConsecutive) {
    after += static_cast<std::size_t>(target[0]) * kWidth;
    if (kHasBefore) before += static_cast<std::size_t>(target[0]) * kWidth;
  }
  for (std::size_t r = 0; r < count; ++r) {
    const std::size_t j = kConsecutive ? r : static_cast<std::size_t>(target[r]);
    const Real* a = after + j * kWidth;
    const Real* b = kHasBefore ? before + j * kWidth : nullptr;
    const Real p0 = kHasBefore ? b[kSumP] : Real(0);
    const Real dP = a[kSumP] - p0;
    const Real dA = a[kSumA] - (kHasBefore ? b[kSumA] : Real(0));
    const Real dB = a[kSumB] - (kHasBefore ? b[kSumB] : Real(0));
    // Where psi is zero throughout, the trace's increment is exactly zero, which the
    // difference of sums would only give up to rounding.
    const Real increment = z * (dB - p0 * dA);
    Real g = lead * e_bar[r] * dA + (dP != Real(0) ? increment : Real(0));
    e_bar[r] = decay * e_bar[r] + tail * dP;
    if constexpr (kRegularised) {
      const Real pr0 = kHasBefore ? b[kSumPr] : Real(0);
      const Real dPr = a[kSumPr] - pr0;
      const Real dAr = a[kSumAr] - (kHasBefore ? b[kSumAr] : Real(0));
      const Real dBr = a[kSumBr] - (kHasBefore ? b[kSumBr] : Real(0));
      const Real increment_reg = z_reg * (dBr - pr0 * dAr);
      g += lead_reg * e_bar_reg[r] * dAr + (dPr != Real(0) ? increment_reg : Real(0));
      e_bar_reg[r] = decay_reg * e_bar_reg[r] + tail_reg * dPr;
    }
    gradient[r] += g;
  }
}

}  // namespace

template <class Real>
template <bool kRegularised>
void EpropProjection<Real>::integrate_recurrent_closed_form(LocalIndex i,
                                                            const IntervalSums<Real>& sums) {
  constexpr std::size_t kWidth = kRegularised ? IntervalSums<Real>::kRecurrentWidth
                                              : IntervalSums<Real>::kUnregularisedWidth;
  EPROP_ASSERT(sums.width() == kWidth);
  if (run_count(i) > kMaxRunsPerRow) {
    return integrate_synapses_closed_form<kWidth, false>(row_begin_[i], row_begin_[i + 1], sums);
  }
  for (std::uint64_t r = run_begin_[i]; r < run_begin_[i + 1]; ++r) {
    const std::uint64_t end = r + 1 < run_begin_[i + 1] ? run_start_[r + 1] : row_begin_[i + 1];
    integrate_synapses_closed_form<kWidth, true>(run_start_[r], end, sums);
  }
}

/// Synapses begin .. end - 1 over every segment of the interval; kConsecutive: their targets are
/// consecutive.
template <class Real>
template <std::size_t kWidth, bool kConsecutive>
void EpropProjection<Real>::integrate_synapses_closed_form(std::uint64_t begin, std::uint64_t end,
                                                           const IntervalSums<Real>& sums) {
  constexpr bool kRegularised = kWidth == IntervalSums<Real>::kRecurrentWidth;
  const std::size_t count = end - begin;
  const LocalIndex* target = target_.data() + begin;
  Real* e_bar = e_bar_.data() + begin;
  Real* e_bar_reg = kRegularised ? e_bar_reg_.data() + begin : nullptr;
  Real* gradient = cumulative_gradient_.data() + begin;
  for (const Segment& seg : segments_) {
    const Real* after = sums.record(0, seg.last);
    if (seg.has_previous) {
      integrate_segment<Real, kWidth, true, kConsecutive>(
          count, target, after, sums.record(0, seg.first - 1), seg.lead, seg.z, seg.decay,
          seg.tail, seg.lead_reg, seg.z_reg, seg.decay_reg, seg.tail_reg, e_bar, e_bar_reg,
          gradient);
    } else {
      integrate_segment<Real, kWidth, false, kConsecutive>(
          count, target, after, nullptr, seg.lead, seg.z, seg.decay, seg.tail, seg.lead_reg,
          seg.z_reg, seg.decay_reg, seg.tail_reg, e_bar, e_bar_reg, gradient);
    }
  }
}

template <class Real>
void EpropProjection<Real>::integrate_readout_closed_form(LocalIndex i,
                                                          const IntervalSums<Real>& sums) {
  EPROP_ASSERT(sums.width() == IntervalSums<Real>::kReadoutWidth);
  const std::uint64_t begin = row_begin_[i];
  const std::uint64_t end = row_begin_[i + 1];
  for (std::uint64_t s = begin; s < end; ++s) {
    const LocalIndex j = target_[s];
    Real gradient = 0;
    for (const Segment& seg : segments_) {
      const Real before = seg.has_previous ? *sums.record(j, seg.first - 1) : Real(0);
      gradient += seg.z * (*sums.record(j, seg.last) - before);
    }
    cumulative_gradient_[s] += gradient;
  }
}

// The rest of the class is instantiated in eprop_projection.cpp.
template bool EpropProjection<float>::closed_form_applicable() const;
template bool EpropProjection<double>::closed_form_applicable() const;
template void EpropProjection<float>::integrate_closed_form(LocalIndex, Step, bool,
                                                            const IntervalSums<float>&);
template void EpropProjection<double>::integrate_closed_form(LocalIndex, Step, bool,
                                                             const IntervalSums<double>&);

}  // namespace eprop
