#pragma once

// Per-population postsynaptic e-prop history: for each neuron and each kept step, a fixed number
// of channels (recurrent: psi, learning signal, firing-rate regularisation; readout: error).
// All neurons of a population append one entry per step, so one window [first, end) of steps is
// shared; the window is moved serially, the values are written by each neuron's thread. Storage is a time-major power-of-two ring: the entries of all neurons for one step are
// contiguous, so the synapses of one presynaptic neuron (targets sorted) read one row per step.

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/check.h"
#include "core/types.h"
#include "engine/events.h"
#include "eprop/error.h"

namespace eprop {

/// History channels of recurrent neurons.
enum RecurrentChannel : std::size_t { kPsi = 0, kLearningSignal = 1, kFiringRateReg = 2 };
/// History channel of readout neurons.
enum ReadoutChannel : std::size_t { kError = 0 };

template <class Real>
class History {
 public:
  History(std::size_t n_neurons, std::size_t n_channels)
      : n_(n_neurons), channels_(n_channels), data_(n_channels) {
    grow(16);
  }

  [[nodiscard]] Step first() const { return first_; }
  [[nodiscard]] Step end() const { return end_; }
  [[nodiscard]] bool contains(Step k) const { return k >= first_ && k < end_; }
  [[nodiscard]] std::size_t kept_steps() const { return static_cast<std::size_t>(end_ - first_); }

  /// Opens entry `t` (must equal end()). Serial and O(1) but for a growth of the ring: the
  /// entry's values are left as they are, because every neuron's update writes all its channels
  /// of entry t in its own thread (channels filled later, such as learning signals, with 0).
  void append(Step t) {
    EPROP_ASSERT(t == end_ || end_ == first_);
    if (end_ == first_) first_ = end_ = t;
    if (kept_steps() == capacity_) grow(capacity_ * 2);
    end_ = t + 1;
  }

  [[nodiscard]] Real& at(std::size_t channel, std::size_t neuron, Step k) {
    EPROP_ASSERT(contains(k));
    return data_[channel][slot_of(k) * n_ + neuron];
  }
  [[nodiscard]] Real at(std::size_t channel, std::size_t neuron, Step k) const {
    EPROP_ASSERT(contains(k));
    return data_[channel][slot_of(k) * n_ + neuron];
  }
  /// All neurons' values of one channel at step k.
  [[nodiscard]] const Real* row(std::size_t channel, Step k) const {
    EPROP_ASSERT(contains(k));
    return data_[channel].data() + slot_of(k) * n_;
  }

  template <class Archive>
  void state(Archive& ar) {
    ar(n_, channels_, data_, capacity_, first_, end_);
  }
  /// After loading a checkpoint: the stored sizes agree with each other.
  [[nodiscard]] bool check_state() const {
    const bool ring = capacity_ > 0 && (capacity_ & (capacity_ - 1)) == 0 && first_ <= end_ &&
                      static_cast<std::size_t>(end_ - first_) <= capacity_ &&
                      data_.size() == channels_;
    return ring && std::all_of(data_.begin(), data_.end(), [&](const std::vector<Real>& c) {
             return c.size() / capacity_ == n_ && c.size() % capacity_ == 0;
           });
  }

  /// Forgets every entry before step k.
  void discard_before(Step k) { first_ = std::clamp(k, first_, end_); }

  /// Checkpoints that any partition can load (engine/partition_state.h): the entries of the
  /// neurons in r only. load_slice merges the slices of every saved part into one window; a
  /// neuron's entries before its part's window are never read again and stay zero.
  template <class Writer>
  void save_slice(Writer& out, Range r) const {
    std::vector<Real> part;
    part.reserve(channels_ * kept_steps() * (r.end - r.begin));
    for (const auto& channel : data_) {
      for (Step k = first_; k < end_; ++k) {
        const Real* row = channel.data() + slot_of(k) * n_;
        part.insert(part.end(), row + r.begin, row + r.end);
      }
    }
    out(first_, end_, part);
  }
  template <class Reader>
  void load_slice(Reader& in, Range r, bool first_part) {
    Step first = 0;
    Step end = 0;
    std::vector<Real> part;
    in(first, end, part);
    const std::size_t width = r.end - r.begin;
    if (end < first || r.end > n_ ||
        part.size() != channels_ * static_cast<std::size_t>(end - first) * width) {
      throw DataError("checkpoint state: a saved history does not fit the network");
    }
    if (first_part || first_ == end_) {
      reset_window(first, end);
    } else if (first < end) {
      if (end != end_) throw DataError("checkpoint state: the saved histories end at different steps");
      if (first < first_) extend_front(first);
    }
    std::size_t at = 0;
    for (auto& channel : data_) {
      for (Step k = first; k < end; ++k, at += width) {
        std::copy_n(part.begin() + static_cast<std::ptrdiff_t>(at), width,
                    channel.begin() + static_cast<std::ptrdiff_t>(slot_of(k) * n_ + r.begin));
      }
    }
  }

 private:
  void reset_window(Step first, Step end) {
    std::size_t capacity = 16;
    while (capacity < static_cast<std::size_t>(end - first)) capacity *= 2;
    for (auto& channel : data_) channel.assign(n_ * capacity, Real(0));
    capacity_ = capacity;
    first_ = first;
    end_ = end;
  }
  void extend_front(Step first) {
    while (static_cast<std::size_t>(end_ - first) > capacity_) grow(capacity_ * 2);
    for (auto& channel : data_) {
      for (Step k = first; k < first_; ++k) {
        std::fill_n(channel.begin() + static_cast<std::ptrdiff_t>(slot_of(k) * n_), n_, Real(0));
      }
    }
    first_ = first;
  }

  [[nodiscard]] std::size_t slot_of(Step k) const {
    return static_cast<std::size_t>(k) & (capacity_ - 1);
  }

  void grow(std::size_t new_capacity) {
    for (auto& channel : data_) {
      std::vector<Real> bigger(n_ * new_capacity, Real(0));
      for (Step k = first_; k < end_ && capacity_ > 0; ++k) {
        const std::size_t to = (static_cast<std::size_t>(k) & (new_capacity - 1)) * n_;
        std::copy_n(channel.begin() + slot_of(k) * n_, n_, bigger.begin() + to);
      }
      channel.swap(bigger);
    }
    capacity_ = new_capacity;
  }

  std::size_t n_;
  std::size_t channels_;
  std::vector<std::vector<Real>> data_;
  std::size_t capacity_ = 0;
  Step first_ = 0;
  Step end_ = 0;
};

}  // namespace eprop
