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
#include <vector>

#include "core/check.h"
#include "engine/eprop_projection.h"

namespace eprop {

template <class Real>
std::vector<double> EpropTargetConstants<Real>::interval_sum_bases() const {
  using Sums = IntervalSums<Real>;
  if (readout) return Sums::readout_bases(alpha);
  if (!alpha_varies()) return Sums::recurrent_bases(alpha, kappa, kappa_reg, regularised);
  // The powers of alpha_j / kappa span the widest range at the smallest or the largest alpha_j.
  const auto [low, high] = std::minmax_element(alpha_per_target.begin(), alpha_per_target.end());
  std::vector<double> bases = Sums::recurrent_bases(*low, kappa, kappa_reg, regularised);
  for (const double x : Sums::recurrent_bases(*high, kappa, kappa_reg, regularised)) {
    bases.push_back(x);
  }
  return bases;
}

template <class Real>
bool EpropProjection<Real>::closed_form_applicable() const {
  if (c_.adaptive || config_.optimize_each_step || !keeps_cumulative_gradient_) return false;
  return IntervalSums<Real>::block_for(c_.interval_sum_bases()) > 0;
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
  powers_.target_alpha.clear();
  powers_.target_alpha_inverse.clear();
  const std::size_t n_target = c_.alpha_per_target.size();
  for (std::size_t u = 0; u <= static_cast<std::size_t>(block); ++u) {
    for (std::size_t j = 0; j < n_target; ++j) {
      const double power = std::pow(static_cast<double>(c_.alpha_per_target[j]), static_cast<double>(u));
      powers_.target_alpha.push_back(static_cast<Real>(power));
      powers_.target_alpha_inverse.push_back(static_cast<Real>(1.0 / power));
    }
  }
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
      seg.kappa_u1 = p.kappa[u1];
      seg.kappa_reg_u1 = p.kappa_reg[u1];
    }
    segments_.push_back(seg);
    s0 = s1 + 1;
  }
}

namespace {

/// One segment for count synapses (segments outer, synapses inner: the per-synapse updates are
/// independent, so the loop vectorises). `after`/`before`: the targets' records at the segment's
/// last step and the step before its first (kHasBefore false: a block start, sums zero).
/// `z_per_synapse`: each synapse's own z (targets with their own alpha), else seg.z for all.
template <class Real, std::size_t kWidth, bool kHasBefore, bool kZPerSynapse>
void integrate_segment(std::size_t count, const LocalIndex* __restrict target,
                       const Real* __restrict after, const Real* __restrict before,
                       const ClosedFormSegment<Real>& seg, Real one_minus_kappa_reg,
                       const Real* __restrict z_per_synapse, Real* __restrict e_bar,
                       Real* __restrict e_bar_reg, Real* __restrict gradient) {
  constexpr bool kRegularised = kWidth == IntervalSums<Real>::kRecurrentWidth;
  // Copies: the output arrays could alias the segment as far as the compiler knows.
  const Real lead = seg.lead, decay = seg.decay, kappa_u1 = seg.kappa_u1;
  const Real lead_reg = seg.lead_reg, decay_reg = seg.decay_reg, kappa_reg_u1 = seg.kappa_reg_u1;
  for (std::size_t r = 0; r < count; ++r) {
    const Real z = kZPerSynapse ? z_per_synapse[r] : seg.z;
    const Real tail = kZPerSynapse ? z * kappa_u1 : seg.tail;
    const Real* a = after + static_cast<std::size_t>(target[r]) * kWidth;
    const Real* b = kHasBefore ? before + static_cast<std::size_t>(target[r]) * kWidth : nullptr;
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
      const Real z_reg = kZPerSynapse ? one_minus_kappa_reg * z : seg.z_reg;
      const Real tail_reg = kZPerSynapse ? z_reg * kappa_reg_u1 : seg.tail_reg;
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

/// integrate_segment with its template flags chosen at run time.
template <class Real, std::size_t kWidth>
void integrate_segment_of(std::size_t count, const LocalIndex* target, const IntervalSums<Real>& sums,
                          const ClosedFormSegment<Real>& seg, Real one_minus_kappa_reg,
                          const Real* z_per_synapse, Real* e_bar, Real* e_bar_reg, Real* gradient) {
  const Real* after = sums.record(0, seg.last);
  const Real* before = seg.has_previous ? sums.record(0, seg.first - 1) : nullptr;
  if (z_per_synapse != nullptr) {
    if (seg.has_previous) {
      return integrate_segment<Real, kWidth, true, true>(count, target, after, before, seg,
                                                         one_minus_kappa_reg, z_per_synapse,
                                                         e_bar, e_bar_reg, gradient);
    }
    return integrate_segment<Real, kWidth, false, true>(count, target, after, before, seg,
                                                        one_minus_kappa_reg, z_per_synapse, e_bar,
                                                        e_bar_reg, gradient);
  }
  if (seg.has_previous) {
    return integrate_segment<Real, kWidth, true, false>(count, target, after, before, seg,
                                                        one_minus_kappa_reg, nullptr, e_bar,
                                                        e_bar_reg, gradient);
  }
  integrate_segment<Real, kWidth, false, false>(count, target, after, before, seg,
                                                one_minus_kappa_reg, nullptr, e_bar, e_bar_reg,
                                                gradient);
}

}  // namespace

template <class Real>
template <bool kRegularised>
void EpropProjection<Real>::integrate_recurrent_closed_form(LocalIndex i,
                                                            const IntervalSums<Real>& sums) {
  constexpr std::size_t kWidth = kRegularised ? IntervalSums<Real>::kRecurrentWidth
                                              : IntervalSums<Real>::kUnregularisedWidth;
  EPROP_ASSERT(sums.width() == kWidth);
  const std::uint64_t begin = row_begin_[i];
  const std::size_t count = row_begin_[i + 1] - begin;
  const LocalIndex* target = target_.data() + begin;
  Real* e_bar = e_bar_.data() + begin;
  Real* e_bar_reg = kRegularised ? e_bar_reg_.data() + begin : nullptr;
  Real* gradient = cumulative_gradient_.data() + begin;
  const Real one_minus_kappa_reg = Real(1) - c_.kappa_reg;
  if (c_.alpha_varies()) {
    return per_synapse_segments(i, segments_.front().first, [&](const Segment& seg, const Real* z) {
      integrate_segment_of<Real, kWidth>(count, target, sums, seg, one_minus_kappa_reg, z, e_bar,
                                         e_bar_reg, gradient);
    });
  }
  for (const Segment& seg : segments_) {
    integrate_segment_of<Real, kWidth>(count, target, sums, seg, one_minus_kappa_reg, nullptr,
                                       e_bar, e_bar_reg, gradient);
  }
}

// Each synapse's trace follows its target's alpha: z_bar[k] = alpha_j z_bar[k-1] + z_in[k], with
// spike input only at the interval's first two steps (the buffered spike, then the one that
// opened the interval), so from one segment's first step to the next's it decays by a power of
// alpha_j of at most one block.
template <class Real>
template <class Visit>
void EpropProjection<Real>::per_synapse_segments(LocalIndex i, Step first_k, Visit visit) {
  const std::uint64_t begin = row_begin_[i];
  const std::size_t count = row_begin_[i + 1] - begin;
  const LocalIndex* target = target_.data() + begin;
  Real* z_bar = z_bar_per_synapse_.data() + begin;
  const Real* alpha = c_.alpha_per_target.data();
  const std::size_t n_target = c_.alpha_per_target.size();
  const auto power = [&](std::size_t u, LocalIndex j) {
    return powers_.target_alpha[u * n_target + j];
  };
  z_at_.resize(count);
  z_segment_.resize(count);
  Step previous = first_k;
  for (std::size_t m = 0; m < segments_.size(); ++m) {
    const Segment& seg = segments_[m];
    const auto u0 = static_cast<std::size_t>(seg.first % powers_block_);
    const auto offset = static_cast<std::size_t>(seg.first - first_k);
    for (std::size_t r = 0; r < count; ++r) {
      const LocalIndex j = target[r];
      if (offset <= 1) {
        // Steps with spike input: as the stepwise loop does.
        z_at_[r] = alpha[j] * (offset == 0 ? z_bar[r] : z_at_[r]) + z_input_sequence_[offset];
      } else {
        z_at_[r] *= power(static_cast<std::size_t>(seg.first - previous), j);
      }
      z_segment_[r] = z_at_[r] * powers_.target_alpha_inverse[u0 * n_target + j];
    }
    visit(seg, z_segment_.data());
    previous = seg.first;
  }
  const Step last_k = first_k + static_cast<Step>(z_bar_sequence_.size()) - 1;
  for (std::size_t r = 0; r < count; ++r) {
    z_bar[r] = z_at_[r] * power(static_cast<std::size_t>(last_k - previous), target[r]);
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
template struct EpropTargetConstants<float>;
template struct EpropTargetConstants<double>;
template bool EpropProjection<float>::closed_form_applicable() const;
template bool EpropProjection<double>::closed_form_applicable() const;
template void EpropProjection<float>::integrate_closed_form(LocalIndex, Step, bool,
                                                            const IntervalSums<float>&);
template void EpropProjection<double>::integrate_closed_form(LocalIndex, Step, bool,
                                                             const IntervalSums<double>&);

}  // namespace eprop
