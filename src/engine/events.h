#pragma once

// Events a population emits in one step, and the ring buffer that holds spike input until the
// step in which it arrives.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/check.h"
#include "core/types.h"
#include "eprop/error.h"

namespace eprop {

/// A contiguous range of neuron indices of one population, owned by one thread.
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// Spikes and flush events emitted in one step by one population. A flush event travels through
/// e-prop synapses like a spike (so they can integrate and free history) but never reaches a
/// neuron (SPEC 5.5).
struct EventList {
  Step step = -1;  ///< loop time of emission; events carry stamp step + 1
  std::vector<LocalIndex> spikes;
  std::vector<std::uint32_t> multiplicity;  ///< parallel to spikes
  std::vector<LocalIndex> flushes;

  void reset(Step t) {
    step = t;
    spikes.clear();
    multiplicity.clear();
    flushes.clear();
  }
  void add_spike(LocalIndex i, std::uint32_t count = 1) {
    spikes.push_back(i);
    multiplicity.push_back(count);
  }
  [[nodiscard]] bool empty() const { return spikes.empty() && flushes.empty(); }

  template <class Archive>
  void state(Archive& ar) {
    ar(step, spikes, multiplicity, flushes);
  }
};

/// Input per neuron for the next `depth` loop times (depth = longest delay in steps).
template <class T>
class InputRing {
 public:
  InputRing() = default;
  InputRing(std::size_t n, std::size_t depth) : n_(n), depth_(depth), data_(n * depth, T(0)) {}

  void resize_depth(std::size_t depth) {
    if (depth > depth_) *this = InputRing(n_, depth);
  }
  /// Adds `value` to neuron j's input at loop time `arrival`, which must lie in
  /// [now, now + depth).
  void add(Step arrival, std::size_t j, T value) { data_[offset(arrival) + j] += value; }
  /// Input of loop time t; call clear(t) after reading.
  [[nodiscard]] const T* at(Step t) const { return data_.data() + offset(t); }
  /// Writable input of loop time t, for adding many values at once.
  [[nodiscard]] T* row(Step t) { return data_.data() + offset(t); }

  /// The ring as seen from loop time t, for delivering one step's synaptic events: one modulo
  /// per step instead of one (a 64-bit division) per synaptic event.
  class View {
   public:
    View(T* data, std::size_t n, std::size_t base, std::size_t depth)
        : data_(data), n_(n), base_(base), depth_(depth) {}
    /// Adds `value` to neuron j's input at loop time t + delay - 1, with 1 <= delay <= depth.
    void add(Step delay, std::size_t j, T value) const {
      EPROP_ASSERT(delay >= 1 && static_cast<std::size_t>(delay) <= depth_);
      std::size_t slot = base_ + static_cast<std::size_t>(delay) - 1;
      if (slot >= depth_) slot -= depth_;
      data_[slot * n_ + j] += value;
    }

   private:
    T* data_;
    std::size_t n_;
    std::size_t base_;
    std::size_t depth_;
  };
  [[nodiscard]] View from(Step t) {
    return View(data_.data(), n_, static_cast<std::size_t>(t % static_cast<Step>(depth_)), depth_);
  }
  void clear(Step t, Range r) {
    T* row = data_.data() + offset(t);
    for (std::size_t j = r.begin; j < r.end; ++j) row[j] = T(0);
  }
  [[nodiscard]] std::size_t depth() const { return depth_; }

  template <class Archive>
  void state(Archive& ar) {
    ar(n_, depth_, data_);
  }
  /// As History::save_slice / load_slice: the input of the neurons in r only.
  template <class Writer>
  void save_slice(Writer& out, Range r) const {
    std::vector<T> part;
    part.reserve(depth_ * (r.end - r.begin));
    for (std::size_t slot = 0; slot < depth_; ++slot) {
      part.insert(part.end(), data_.begin() + static_cast<std::ptrdiff_t>(slot * n_ + r.begin),
                  data_.begin() + static_cast<std::ptrdiff_t>(slot * n_ + r.end));
    }
    out(depth_, part);
  }
  template <class Reader>
  void load_slice(Reader& in, Range r, bool /*first_part*/) {
    std::size_t depth = 0;
    std::vector<T> part;
    in(depth, part);
    const std::size_t width = r.end - r.begin;
    if (depth != depth_ || r.end > n_ || part.size() != depth * width) {
      throw DataError("checkpoint state: a saved input buffer does not fit the network");
    }
    for (std::size_t slot = 0; slot < depth_; ++slot) {
      std::copy_n(part.begin() + static_cast<std::ptrdiff_t>(slot * width), width,
                  data_.begin() + static_cast<std::ptrdiff_t>(slot * n_ + r.begin));
    }
  }
  /// After loading a checkpoint: the stored sizes agree with each other.
  [[nodiscard]] bool check_state() const {
    return depth_ >= 1 && data_.size() / depth_ == n_ && data_.size() % depth_ == 0;
  }

 private:
  [[nodiscard]] std::size_t offset(Step t) const {
    return static_cast<std::size_t>(t % static_cast<Step>(depth_)) * n_;
  }
  std::size_t n_ = 0;
  std::size_t depth_ = 1;
  std::vector<T> data_;
};

}  // namespace eprop
