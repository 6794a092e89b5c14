#include "engine/history_mirror.h"

#include <algorithm>
#include <limits>

namespace eprop {
namespace {

// NEST computes the windows in signed 64-bit arithmetic that wraps for an infinite cutoff
// (R.3.2); unsigned arithmetic gives the same bits without undefined behaviour.
Step wrapping_add(Step a, Step b) {
  return static_cast<Step>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

void KeyRuns::append(Step k) {
  if (!runs_.empty() && runs_.back().second == k) {
    ++runs_.back().second;
  } else {
    runs_.emplace_back(k, k + 1);
  }
  ++size_;
}

void KeyRuns::erase(Step begin, Step end) {
  if (begin >= end) return;
  std::vector<StepPair> kept;
  kept.reserve(runs_.size() + 1);
  for (const auto [b, e] : runs_) {
    if (e <= begin || b >= end) {
      kept.emplace_back(b, e);
      continue;
    }
    if (b < begin) kept.emplace_back(b, begin);
    if (e > end) kept.emplace_back(end, e);
    size_ -= std::min(e, end) - std::max(b, begin);
  }
  runs_ = std::move(kept);
}

bool KeyRuns::contains(Step k) const {
  const auto it = std::upper_bound(runs_.begin(), runs_.end(), k,
                                   [](Step key, const StepPair& run) { return key < run.first; });
  return it != runs_.begin() && k < std::prev(it)->second;
}

void MirroredNeuron::release(Step t_s, Step t_p) {
  const auto at = [this](Step time) {
    return std::lower_bound(registry.begin(), registry.end(), time,
                            [](const auto& pair, Step x) { return pair.first < x; });
  };
  if (auto it = at(t_s); it != registry.end() && it->first == t_s) {
    ++it->second;
  } else {
    registry.insert(it, StepPair{t_s, 1});
  }
  if (t_p > 0) {
    if (const auto it = at(t_p); it != registry.end() && it->first == t_p && --it->second <= 0) {
      registry.erase(it);
    }
    // The window the synapse has consumed, shrunk around windows other registrations need.
    const Step cb = t_p - 1;
    const Step ce = wrapping_add(cb, cutoff);
    Step eb = cb;
    Step ee = ce;
    const Step lo = std::max<Step>(0, cb - cutoff);
    const Step hi = wrapping_add(ce, 1);
    for (auto u = at(lo); u != registry.end() && u->first < hi && eb < ee; ++u) {
      const Step rb = u->first - 1;
      const Step re = wrapping_add(rb, cutoff);
      if (cb <= rb && rb <= ce) ee = std::min(ee, rb);
      if (cb <= re && re <= ce) eb = std::max(eb, re);
    }
    keys.erase(eb, ee);
  }
  // Trim the front up to the oldest pending registration, if its entry is still there.
  if (registry.empty() || keys.empty()) return;
  const Step keep = registry.front().first - 1;
  if (keys.contains(keep) && keys.first() != keep) keys.erase(keys.first(), keep);
}

void MirroredBsshslmNeuron::connect() {
  ++n_in;
  const auto it = std::find_if(registry.begin(), registry.end(),
                               [this](const auto& p) { return p.first == shift; });
  if (it != registry.end()) {
    ++it->second;
  } else {
    registry.emplace_back(shift, 1);
  }
}

void MirroredBsshslmNeuron::move(Step t_prev_update, Step t_current_update, bool is_flush,
                                 bool previous_was_flush) {
  if (!is_flush) {
    const Step time = t_current_update + shift;
    const auto it = std::find_if(registry.begin(), registry.end(),
                                 [time](const auto& p) { return p.first == time; });
    if (it != registry.end()) {
      ++it->second;
    } else {
      registry.emplace_back(time, 1);
    }
  }
  if (previous_was_flush) return;
  const Step time = t_prev_update + shift;
  const auto it = std::find_if(registry.begin(), registry.end(),
                               [time](const auto& p) { return p.first == time; });
  if (it != registry.end() && --it->second <= 0) registry.erase(it);
}

void MirroredBsshslmNeuron::erase_intervals() {
  if (keys.empty() || registry.empty()) return;
  // NEST walks the registry in its stored order, block by block from its first time.
  Step t = registry.front().first;
  std::size_t i = 0;
  while (t <= registry.back().first && i < registry.size()) {
    if (registry[i].first == t) {
      ++i;
    } else {
      keys.erase(t, t + interval);
    }
    t += interval;
  }
  keys.erase(std::numeric_limits<Step>::min(), registry.front().first);
}

void MirroredBsshslmNeuron::update(Step t) {
  if (n_in == 0) return;
  if ((t - shift) % interval == 0) erase_intervals();
  keys.append(shift == 2 ? t : t - 1);
}

}  // namespace eprop
