#pragma once

// The postsynaptic side of stdp_synapse (NEST's archiving node): every neuron that is the
// target of an STDP synapse keeps its recent spike stamps together with the value of its
// depression trace K_minus just after each spike (K_minus jumps by 1 per spike and decays with
// the neuron's tau_minus). Synapses read the spikes in a window and the trace at a time.

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/types.h"

namespace eprop {

class PostSpikeArchive {
 public:
  struct Entry {
    Step stamp;      ///< spike stamp in steps
    double k_minus;  ///< trace just after this spike
  };

  PostSpikeArchive() = default;
  /// n neurons with depression time constant tau_minus (ms) at resolution dt (ms).
  PostSpikeArchive(std::size_t n, double tau_minus, double dt)
      : tau_minus_(tau_minus), dt_(dt), spikes_(n), last_k_(n, 0.0), last_stamp_(n, -1) {}

  [[nodiscard]] bool enabled() const { return !spikes_.empty(); }
  [[nodiscard]] double tau_minus() const { return tau_minus_; }

  /// Neuron j spiked with stamp `stamp` (called from the neuron's own thread).
  void record(std::size_t j, Step stamp) {
    const double decay =
        last_stamp_[j] < 0 ? 0.0 : std::exp(static_cast<double>(last_stamp_[j] - stamp) * dt_ / tau_minus_);
    last_k_[j] = last_k_[j] * decay + 1.0;
    last_stamp_[j] = stamp;
    spikes_[j].push_back({stamp, last_k_[j]});
  }

  /// Calls f(stamp) for the spikes of neuron j with from < stamp <= to, oldest first.
  template <class F>
  void for_each_in(std::size_t j, Step from, Step to, F&& f) const {
    for (const Entry& e : spikes_[j]) {
      if (e.stamp > to) break;
      if (e.stamp > from) f(e.stamp);
    }
  }

  /// K_minus of neuron j at time `at` (steps), from its last spike strictly before `at`;
  /// 0 before the first spike.
  [[nodiscard]] double k_minus(std::size_t j, Step at) const {
    const auto& s = spikes_[j];
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
      if (it->stamp < at) {
        return it->k_minus * std::exp(static_cast<double>(it->stamp - at) * dt_ / tau_minus_);
      }
    }
    return 0.0;
  }

  /// Forgets spikes no future query can read: every future window starts after `oldest_from`,
  /// and a trace query needs only the last spike at or before it.
  void discard_up_to(Step oldest_from) {
    for (auto& s : spikes_) {
      std::size_t keep = 0;
      while (keep + 1 < s.size() && s[keep + 1].stamp <= oldest_from) ++keep;
      if (keep > 0) s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(keep));
    }
  }

  [[nodiscard]] std::size_t entries() const {
    std::size_t total = 0;
    for (const auto& s : spikes_) total += s.size();
    return total;
  }

 private:
  double tau_minus_ = 20.0;
  double dt_ = 1.0;
  std::vector<std::vector<Entry>> spikes_;
  std::vector<double> last_k_;
  std::vector<Step> last_stamp_;
};

}  // namespace eprop
