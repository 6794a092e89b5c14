#pragma once

// Block-wise weighted prefix sums of a population's e-prop history, from which a synapse
// integrates a whole inter-spike interval in closed form (DESIGN rule 8, docs/design/0005).
//
// Between two events of a presynaptic neuron its trace decays geometrically, z_bar[k] ~ alpha^k,
// so every sum the eligibility recursion needs over the interval is a difference of per-target
// prefix sums. Weights alpha^k over absolute steps would overflow, and a wide range of weights
// within one sum loses precision when two sums are subtracted; so the sums restart at every
// block of `block()` steps, with weights x^u, u = k mod block(), the block being short enough
// that no weight spans more than a factor e^kMaxLogRange. A synapse reads at most two records
// per block its interval touches.
//
// Recurrent targets (6 values per neuron and step, 3 without firing-rate regularisation), with
// r = alpha / kappa, q = alpha / kappa_reg:
//   P  = sum psi r^u,  A  = sum L kappa^u,      B  = sum L kappa^u P        (learning signal)
//   Pr = sum psi q^u,  Ar = sum R kappa_reg^u,  Br = sum R kappa_reg^u Pr   (regularisation)
// Readout targets (1 value): E = sum err alpha^u.
// Records are interleaved ([step][neuron][value]): one synapse endpoint is one cache line.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "core/check.h"
#include "core/types.h"
#include "engine/events.h"
#include "engine/history.h"
#include "eprop/error.h"

namespace eprop {

/// Positions of the values in a recurrent record.
enum IntervalSumValue : std::size_t { kSumP = 0, kSumA, kSumB, kSumPr, kSumAr, kSumBr };

template <class Real>
class IntervalSums {
 public:
  static constexpr Step kMaxBlock = 32;
  static constexpr Step kMinBlock = 4;  ///< below this the stepwise loop is as cheap
  static constexpr double kMaxLogRange = 1.0;
  static constexpr std::size_t kRecurrentWidth = 6;
  static constexpr std::size_t kUnregularisedWidth = 3;
  static constexpr std::size_t kReadoutWidth = 1;

  /// The per-step weight bases of a recurrent target: alpha of the presynaptic trace, kappa and
  /// (if regularised) kappa_reg of the target.
  [[nodiscard]] static std::vector<double> recurrent_bases(double alpha, double kappa,
                                                           double kappa_reg, bool regularised) {
    if (!regularised) return {alpha / kappa, kappa};
    return {alpha / kappa, kappa, alpha / kappa_reg, kappa_reg};
  }
  /// Readout targets: alpha (kappa of the readout) of the presynaptic trace.
  [[nodiscard]] static std::vector<double> readout_bases(double alpha) { return {alpha}; }

  /// The longest power-of-two block (kMinBlock..kMaxBlock) over which no base's powers span
  /// more than e^kMaxLogRange; 0 if there is none (use the stepwise loop).
  [[nodiscard]] static Step block_for(const std::vector<double>& bases) {
    double widest = 0.0;
    for (const double x : bases) {
      if (!(x > 0.0) || !std::isfinite(x)) return 0;
      widest = std::max(widest, std::abs(std::log(x)));
    }
    for (Step block = kMaxBlock; block >= kMinBlock; block /= 2) {
      if (widest * static_cast<double>(block) <= kMaxLogRange) return block;
    }
    return 0;
  }

  [[nodiscard]] bool enabled() const { return width_ > 0; }
  [[nodiscard]] std::size_t width() const { return width_; }
  [[nodiscard]] Step block() const { return block_; }

  void enable_recurrent(std::size_t n, Real alpha, Real kappa, Real kappa_reg,
                        bool regularised = true) {
    enable(n, regularised ? kRecurrentWidth : kUnregularisedWidth,
           recurrent_bases(alpha, kappa, kappa_reg, regularised));
  }
  /// Targets whose alpha varies per neuron: the psi sums P and Pr weigh each neuron by its own
  /// alpha_j / kappa and alpha_j / kappa_reg; `bases` (EpropTargetConstants::interval_sum_bases)
  /// choose a block that suits every neuron.
  void enable_recurrent(const std::vector<Real>& alpha_per_neuron, Real kappa, Real kappa_reg,
                        bool regularised, const std::vector<double>& bases) {
    const std::size_t n = alpha_per_neuron.size();
    enable(n, regularised ? kRecurrentWidth : kUnregularisedWidth,
           recurrent_bases(alpha_per_neuron.front(), kappa, kappa_reg, regularised), block_for(bases));
    const double kappas[] = {kappa, kappa_reg};
    for (std::size_t m = 0; m < (regularised ? 2U : 1U); ++m) {
      std::vector<Real> powers(static_cast<std::size_t>(block_) * n);
      for (std::size_t u = 0; u < static_cast<std::size_t>(block_); ++u) {
        for (std::size_t j = 0; j < n; ++j) {
          const double x = static_cast<double>(alpha_per_neuron[j]) / kappas[m];
          powers[u * n + j] = static_cast<Real>(std::pow(x, static_cast<double>(u)));
        }
      }
      neuron_weight_.push_back(std::move(powers));
    }
  }
  void enable_readout(std::size_t n, Real alpha) {
    enable(n, kReadoutWidth, readout_bases(alpha));
  }

  [[nodiscard]] Step first() const { return first_; }
  [[nodiscard]] Step end() const { return end_; }
  [[nodiscard]] bool contains(Step k) const { return k >= first_ && k < end_; }
  [[nodiscard]] std::size_t kept_steps() const { return static_cast<std::size_t>(end_ - first_); }

  /// Opens record k (serial, O(1) but for a growth or a first record): accumulate() writes every
  /// value of record k for the neurons of each thread. Records start at a block boundary: a
  /// first record inside a block is preceded by zero records, which is what the sums are before
  /// any history.
  void open(Step k) {
    if (end_ == first_) first_ = end_ = k - k % block_;
    EPROP_ASSERT(k >= end_ && k - end_ < block_);
    while (end_ <= k) {
      if (kept_steps() == capacity_) grow(capacity_ * 2);
      if (end_ < k) {
        std::fill_n(data_.begin() + static_cast<std::ptrdiff_t>(slot_of(end_) * stride()),
                    stride(), Real(0));
      }
      ++end_;
    }
  }

  /// Fills record k of neurons r (all its values) from the final history entry k.
  void accumulate(Step k, Range r, const History<Real>& h) {
    EPROP_ASSERT(contains(k) && h.contains(k));
    const auto u = static_cast<std::size_t>(k % block_);
    const bool block_start = u == 0;
    Real* out = data_.data() + slot_of(k) * stride();
    const Real* before = block_start ? nullptr : data_.data() + slot_of(k - 1) * stride();
    if (width_ == kReadoutWidth) {
      const Real* err = h.row(kError, k);
      for (std::size_t j = r.begin; j < r.end; ++j) {
        out[j] = (block_start ? Real(0) : before[j]) + err[j] * weight_[0][u];
      }
      return;
    }
    const Real* psi = h.row(kPsi, k);
    const Real* learning = h.row(kLearningSignal, k);
    const Real* reg = h.row(kFiringRateReg, k);
    const bool regularised = width_ == kRecurrentWidth;
    const bool per_neuron = !neuron_weight_.empty();
    const Real* p_weight = per_neuron ? neuron_weight_[0].data() + u * n_ : nullptr;
    const Real* pr_weight = per_neuron && regularised ? neuron_weight_[1].data() + u * n_ : nullptr;
    for (std::size_t j = r.begin; j < r.end; ++j) {
      Real* rec = out + j * width_;
      const Real zero[kRecurrentWidth] = {};
      const Real* prev = block_start ? zero : before + j * width_;
      const Real p = prev[kSumP] + psi[j] * (per_neuron ? p_weight[j] : weight_[0][u]);
      const Real learning_weight = learning[j] * weight_[1][u];
      rec[kSumP] = p;
      rec[kSumA] = prev[kSumA] + learning_weight;
      rec[kSumB] = prev[kSumB] + learning_weight * p;
      if (!regularised) continue;
      const Real pr = prev[kSumPr] + psi[j] * (per_neuron ? pr_weight[j] : weight_[2][u]);
      const Real reg_weight = reg[j] * weight_[3][u];
      rec[kSumPr] = pr;
      rec[kSumAr] = prev[kSumAr] + reg_weight;
      rec[kSumBr] = prev[kSumBr] + reg_weight * pr;
    }
  }

  /// The record of neuron j at step k (width() values).
  [[nodiscard]] const Real* record(std::size_t j, Step k) const {
    EPROP_ASSERT(contains(k));
    return data_.data() + slot_of(k) * stride() + j * width_;
  }

  /// Forgets every record before step k.
  void discard_before(Step k) { first_ = std::clamp(k, first_, end_); }

  template <class Archive>
  void state(Archive& ar) {
    ar(n_, width_, block_, weight_, neuron_weight_, data_, capacity_, first_, end_);
  }

  /// As History::save_slice / load_slice: the records of the neurons in r only (the weights
  /// are the network's constants and are not saved).
  template <class Writer>
  void save_slice(Writer& out, Range r) const {
    std::vector<Real> part;
    part.reserve(kept_steps() * (r.end - r.begin) * width_);
    for (Step k = first_; k < end_; ++k) {
      const Real* row = data_.data() + slot_of(k) * stride();
      part.insert(part.end(), row + r.begin * width_, row + r.end * width_);
    }
    out(width_, first_, end_, part);
  }
  template <class Reader>
  void load_slice(Reader& in, Range r, bool first_part) {
    std::size_t width = 0;
    Step first = 0;
    Step end = 0;
    std::vector<Real> part;
    in(width, first, end, part);
    const std::size_t values = (r.end - r.begin) * width_;
    const bool fits = width_ == 0 ? width == 0 && part.empty()
                                  : width == width_ && first <= end && r.end <= n_ &&
                                        part.size() == static_cast<std::size_t>(end - first) * values;
    if (!fits) throw DataError("checkpoint state: saved interval sums do not fit the network");
    if (width_ == 0) return;
    if (first_part || first_ == end_) {
      std::size_t capacity = 2 * static_cast<std::size_t>(kMaxBlock);
      while (capacity < static_cast<std::size_t>(end - first)) capacity *= 2;
      data_.assign(stride() * capacity, Real(0));
      capacity_ = capacity;
      first_ = first;
      end_ = end;
    } else if (first < end) {
      if (end != end_) throw DataError("checkpoint state: saved interval sums end at different steps");
      if (first < first_) {
        while (static_cast<std::size_t>(end_ - first) > capacity_) grow(capacity_ * 2);
        for (Step k = first; k < first_; ++k) {
          std::fill_n(data_.begin() + static_cast<std::ptrdiff_t>(slot_of(k) * stride()), stride(),
                      Real(0));
        }
        first_ = first;
      }
    }
    for (Step k = first; k < end; ++k) {
      std::copy_n(part.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k - first) * values),
                  values,
                  data_.begin() + static_cast<std::ptrdiff_t>(slot_of(k) * stride() + r.begin * width_));
    }
  }

 private:
  void enable(std::size_t n, std::size_t width, const std::vector<double>& bases) {
    enable(n, width, bases, block_for(bases));
  }
  void enable(std::size_t n, std::size_t width, const std::vector<double>& bases, Step block) {
    block_ = block;
    EPROP_ASSERT(block_ > 0);
    n_ = n;
    width_ = width;
    weight_.clear();
    neuron_weight_.clear();
    for (const double x : bases) {
      std::vector<Real> powers(static_cast<std::size_t>(block_));
      for (std::size_t u = 0; u < powers.size(); ++u) {
        powers[u] = static_cast<Real>(std::pow(x, static_cast<double>(u)));
      }
      weight_.push_back(std::move(powers));
    }
    capacity_ = 0;
    first_ = end_ = 0;
    grow(2 * static_cast<std::size_t>(kMaxBlock));
  }

  [[nodiscard]] std::size_t stride() const { return n_ * width_; }
  [[nodiscard]] std::size_t slot_of(Step k) const {
    return static_cast<std::size_t>(k) & (capacity_ - 1);
  }

  void grow(std::size_t new_capacity) {
    std::vector<Real> bigger(stride() * new_capacity, Real(0));
    for (Step k = first_; k < end_ && capacity_ > 0; ++k) {
      const std::size_t to = (static_cast<std::size_t>(k) & (new_capacity - 1)) * stride();
      std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(slot_of(k) * stride()), stride(),
                  bigger.begin() + static_cast<std::ptrdiff_t>(to));
    }
    data_.swap(bigger);
    capacity_ = new_capacity;
  }

  std::size_t n_ = 0;
  std::size_t width_ = 0;                  ///< 0: disabled
  Step block_ = kMaxBlock;
  std::vector<std::vector<Real>> weight_;  ///< [base][u]: the per-step weights x^u
  /// Varying alpha: the weights of P and Pr per neuron, [u * n + j] (empty: weight_[0], [2]).
  std::vector<std::vector<Real>> neuron_weight_;
  std::vector<Real> data_;
  std::size_t capacity_ = 0;  ///< power of two
  Step first_ = 0;
  Step end_ = 0;
};

}  // namespace eprop
