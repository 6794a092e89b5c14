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
    runs_.push_back({k, k + 1});
  }
  ++size_;
}

// In place: this runs for every event into a recorded neuron.
void KeyRuns::erase(Step begin, Step end) {
  if (begin >= end) return;
  auto it = std::upper_bound(runs_.begin(), runs_.end(), begin,
                             [](Step x, const StepPair& run) { return x < run.second; });
  if (it == runs_.end() || it->first >= end) return;
  if (it->first < begin && it->second > end) {  // the range splits one run
    size_ -= end - begin;
    const Step tail_end = it->second;
    it->second = begin;
    runs_.insert(it + 1, StepPair{end, tail_end});
    return;
  }
  if (it->first < begin) {
    size_ -= it->second - begin;
    it->second = begin;
    ++it;
  }
  auto last = it;
  for (; last != runs_.end() && last->second <= end; ++last) size_ -= last->second - last->first;
  if (last != runs_.end() && last->first < end) {
    size_ -= end - last->first;
    last->first = end;
  }
  runs_.erase(it, last);
}

bool KeyRuns::contains(Step k) const {
  const auto it = std::upper_bound(runs_.begin(), runs_.end(), k,
                                   [](Step key, const StepPair& run) { return key < run.first; });
  return it != runs_.begin() && k < std::prev(it)->second;
}

void MirroredNeuron::release(Step t_s, Step t_p) {
  const auto at = [this](Step time) {
    return std::lower_bound(registry.begin(), registry.end(), time,
                            [](const StepPair& pair, Step x) { return pair.first < x; });
  };
  // Events arrive in stamp order, so a new registration is almost always the newest.
  if (!registry.empty() && registry.back().first == t_s) {
    ++registry.back().second;
  } else if (registry.empty() || registry.back().first < t_s) {
    registry.push_back(StepPair{t_s, 1});
  } else if (auto it = at(t_s); it != registry.end() && it->first == t_s) {
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
    // NEST scans the registrations u in [max(0, cb - C), ce + 1) in increasing order while the
    // range is not empty, moving the end down to u - 1 (u in [t_p, t_p + C)) and the begin up to
    // u - 1 + C (u in [t_p - C, t_p]). Only the extreme u matter, and stopping early never turns
    // an empty range into a non-empty one, so two binary searches give the same range. The scan
    // is empty when ce + 1 wraps (infinite cutoff, t_p = 1: everything is erased, R.3.2).
    const Step hi = wrapping_add(ce, 1);
    if (eb < ee && hi > cb) {
      const auto first = at(t_p);
      if (first != registry.end() && first->first < hi) ee = std::min(ee, first->first - 1);
      const auto after = at(t_p + 1);
      if (after != registry.begin() && std::prev(after)->first >= t_p - cutoff) {
        eb = std::max(eb, std::prev(after)->first - 1 + cutoff);
      }
    }
    keys.erase(eb, ee);
  }
  // Trim the front up to the oldest pending registration, if its entry is still there.
  if (registry.empty() || keys.empty()) return;
  const Step keep = registry.front().first - 1;
  if (keys.first() != keep && keys.contains(keep)) keys.erase(keys.first(), keep);
}

void MirroredBsshslmNeuron::connect() {
  ++n_in;
  const auto it = std::find_if(registry.begin(), registry.end(),
                               [this](const auto& p) { return p.first == shift; });
  if (it != registry.end()) {
    ++it->second;
  } else {
    registry.push_back({shift, 1});
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
      registry.push_back({time, 1});
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
