#pragma once

// Checkpoints that do not depend on how the network is split over ranks and threads (issue 11,
// design record 0008). Each rank saves one *part*: the state of the neurons it owns and of the
// synapses onto them, keyed by population and presynaptic indices instead of by thread or rank.
// A network with any other split loads all parts and takes from each what falls into its own
// ranges, so a run saved by 3 ranks of 2 threads resumes on 1 rank of 4 threads, bit for bit.
//
// Neurons: the populations list their state once (`state(ar)`); the slice archives below walk
// that list and keep, of every per-neuron array, the owned range only (histories, interval
// sums and input rings by their own save_slice / load_slice).
//
// Synapses: a projection shard holds the synapses onto one target range, CSR by presynaptic
// row, each row in creation order. Within a row, the synapses onto one target keep their
// creation order in every split, so ordering a row stably by target gives every split the same
// sequence; a part stores each row in that order, and a loading shard matches it run by run.
// Per-row state (the presynaptic neuron's last event, its trace) is the same in every shard.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/optimizer.h"
#include "core/state_archive.h"
#include "core/types.h"
#include "engine/events.h"
#include "eprop/error.h"

namespace eprop {

template <class T>
inline constexpr bool kIsVector = false;
template <class T, class A>
inline constexpr bool kIsVector<std::vector<T, A>> = true;

/// The table at the start of a part: what ranges its sections hold and how long each is, so that
/// a loading rank passes over the projection shards onto targets it does not own. Neuron
/// sections are listed too but read by every rank: a rank keeps full-size neuron arrays and
/// reads other ranks' exchanged signals from them (design record 0008).
struct PartIndex {
  std::vector<Range> neurons;           ///< per population, the range the part holds
  std::vector<std::uint64_t> shards;    ///< per plastic projection (e-prop, then bsshslm)
  std::vector<Range> targets;           ///< per shard, in that order, its target range
  std::vector<std::uint64_t> bytes;     ///< per section (populations, then shards), its length

  template <class Archive>
  void state(Archive& ar) {
    ar(neurons, shards, targets, bytes);
  }
  [[nodiscard]] bool check_state() const {
    std::uint64_t total = 0;
    for (const std::uint64_t n : shards) {
      if (n > targets.size() - total) return false;
      total += n;
    }
    const auto ordered = [](const Range& r) { return r.begin <= r.end; };
    return total == targets.size() && bytes.size() == neurons.size() + targets.size() &&
           std::all_of(neurons.begin(), neurons.end(), ordered) &&
           std::all_of(targets.begin(), targets.end(), ordered);
  }
};

/// Whether a saved shard onto `saved` targets has anything for the loading shards: synapses onto
/// their targets, or the row state that a shard without targets still needs.
template <class Loading>
bool shard_needed(const std::vector<Loading>& loading, Range saved) {
  return std::any_of(loading.begin(), loading.end(), [saved](const Loading& into) {
    const Range mine = into.targets;
    const bool overlaps = mine.begin < saved.end && saved.begin < mine.end;
    return overlaps || (mine.begin == mine.end && !into.has_row_state);
  });
}

/// Saves the neurons of `owned` of a population of n neurons: every member vector of n
/// elements as its slice, every other member whole.
class NeuronSliceWriter {
 public:
  NeuronSliceWriter(StateWriter& out, std::size_t n, Range owned) : out_(out), n_(n), owned_(owned) {}

  template <class... Ts>
  void operator()(const Ts&... values) {
    (write(values), ...);
  }

 private:
  template <class T>
  void write(const T& value) {
    if constexpr (requires { value.save_slice(out_, owned_); }) {
      value.save_slice(out_, owned_);
    } else if constexpr (kIsVector<T>) {
      const bool per_neuron = n_ > 0 && value.size() == n_;
      out_(static_cast<std::uint8_t>(per_neuron ? 1 : 0));
      if (per_neuron) {
        out_(T(value.begin() + static_cast<std::ptrdiff_t>(owned_.begin),
               value.begin() + static_cast<std::ptrdiff_t>(owned_.end)));
      } else {
        out_(value);
      }
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      out_(value);
    } else {
      const_cast<T&>(value).state(*this);
    }
  }

  StateWriter& out_;
  std::size_t n_;
  Range owned_;
};

/// Reads what NeuronSliceWriter wrote into the same ranges of the full per-neuron arrays.
/// Members saved whole are the same in every part; the last part read sets them.
class NeuronSliceReader {
 public:
  NeuronSliceReader(StateReader& in, std::size_t n, Range owned, bool first_part)
      : in_(in), n_(n), owned_(owned), first_part_(first_part) {}

  template <class... Ts>
  void operator()(Ts&... values) {
    (read(values), ...);
  }

 private:
  template <class T>
  void read(T& value) {
    if constexpr (requires { value.load_slice(in_, owned_, first_part_); }) {
      value.load_slice(in_, owned_, first_part_);
    } else if constexpr (kIsVector<T>) {
      std::uint8_t per_neuron = 0;
      in_(per_neuron);
      if (per_neuron > 1) throw DataError("checkpoint state: a neuron array is corrupt");
      if (per_neuron == 0) {
        const bool was_per_neuron = n_ > 0 && value.size() == n_;
        in_(value);
        if (was_per_neuron && value.size() != n_) {
          throw DataError("checkpoint state: a saved neuron array does not fit the network");
        }
        return;
      }
      T part;
      in_(part);
      if (part.size() != owned_.end - owned_.begin) {
        throw DataError("checkpoint state: a saved neuron array does not fit the network");
      }
      value.resize(n_);
      std::move(part.begin(), part.end(), value.begin() + static_cast<std::ptrdiff_t>(owned_.begin));
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      in_(value);
    } else {
      value.state(*this);
    }
  }

  StateReader& in_;
  std::size_t n_;
  Range owned_;
  bool first_part_;
};

/// Synapse s of a shard in the order a part stores it: rows in turn, each stably by target.
inline std::vector<std::uint64_t> synapses_by_row_and_target(
    const std::vector<std::uint64_t>& row_begin, const std::vector<LocalIndex>& target) {
  std::vector<std::uint64_t> order(target.size());
  std::iota(order.begin(), order.end(), std::uint64_t{0});
  for (std::size_t i = 0; i + 1 < row_begin.size(); ++i) {
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(row_begin[i]),
                     order.begin() + static_cast<std::ptrdiff_t>(row_begin[i + 1]),
                     [&target](std::uint64_t a, std::uint64_t b) { return target[a] < target[b]; });
  }
  return order;
}

/// Saves a shard whose synapses reach the targets in `targets`.
template <class Shard>
void save_shard(StateWriter& out, Shard& shard, Range targets) {
  out(targets.begin, targets.end, shard.config());
  std::apply([&out](auto&... rows) { out(rows...); }, shard.row_arrays());
  const auto order = synapses_by_row_and_target(shard.row_begin(), shard.targets());
  const auto& target = shard.targets();
  std::vector<LocalIndex> sorted_target(order.size());
  for (std::size_t s = 0; s < order.size(); ++s) sorted_target[s] = target[order[s]];
  out(shard.row_begin(), sorted_target);
  std::apply(
      [&](auto&... arrays) {
        const auto save = [&](const auto& values) {
          std::remove_cvref_t<decltype(values)> sorted(values.empty() ? 0 : order.size());
          for (std::size_t s = 0; s < sorted.size(); ++s) sorted[s] = values[order[s]];
          out(sorted);
        };
        (save(arrays), ...);
      },
      shard.synapse_arrays());
}

/// A shard being loaded from the parts of a checkpoint.
template <class Shard>
struct LoadingShard {
  Shard* shard = nullptr;
  Range targets;
  std::vector<std::uint64_t> order;  ///< as synapses_by_row_and_target
  bool has_row_state = false;
  std::uint64_t synapses_loaded = 0;
};

/// One shard as a part saved it (its arrays typed like the loading shards').
template <class Shard>
struct SavedShard {
  Range targets;
  OptimizerConfig config;
  decltype(std::apply([](auto&... a) { return std::make_tuple(std::remove_cvref_t<decltype(a)>{}...); },
                      std::declval<Shard&>().row_arrays())) rows;
  std::vector<std::uint64_t> row_begin;
  std::vector<LocalIndex> target;
  decltype(std::apply([](auto&... a) { return std::make_tuple(std::remove_cvref_t<decltype(a)>{}...); },
                      std::declval<Shard&>().synapse_arrays())) values;
};

[[nodiscard]] inline DataError synapses_misfit() {
  return DataError("checkpoint state: the saved synapses do not fit the network");
}

/// Gives `shard` the saved per-row state and optimizer settings (the same in every shard).
template <class Shard>
void take_row_state(Shard& shard, const SavedShard<Shard>& saved) {
  shard.config() = saved.config;
  std::apply(
      [&](auto&... mine) {
        std::apply(
            [&](const auto&... theirs) {
              const auto copy = [](auto& to, const auto& from) {
                if (to.size() != from.size()) throw synapses_misfit();
                to = from;
              };
              (copy(mine, theirs), ...);
            },
            saved.rows);
      },
      shard.row_arrays());
}

/// Calls f(mine, saved) for each per-synapse array of a loading shard and of a saved one.
template <class Shard, class F>
void zip_synapse_arrays(Shard& shard, const SavedShard<Shard>& saved, F f) {
  std::apply(
      [&](auto&... mine) {
        std::apply([&](const auto&... theirs) { (f(mine, theirs), ...); }, saved.values);
      },
      shard.synapse_arrays());
}

/// Copies the saved synapses onto the targets both shards hold. Both rows are sorted by
/// target: the runs onto [lo, hi) match synapse by synapse.
template <class Shard>
void take_synapses(LoadingShard<Shard>& into, const SavedShard<Shard>& saved) {
  Shard& shard = *into.shard;
  const auto& my_rows = shard.row_begin();
  const auto& my_target = shard.targets();
  const auto& rows = saved.row_begin;
  if (rows.size() != my_rows.size() || rows.front() != 0 || rows.back() != saved.target.size() ||
      !std::is_sorted(rows.begin(), rows.end())) {
    throw synapses_misfit();
  }
  // An array allocated only once needed (pending weights) is allocated here too.
  zip_synapse_arrays(shard, saved, [&](auto& dst, const auto& src) {
    if (!src.empty() && src.size() != saved.target.size()) throw synapses_misfit();
    if (!src.empty() && dst.empty()) dst.resize(my_target.size());
  });
  const auto lo = static_cast<LocalIndex>(std::max(saved.targets.begin, into.targets.begin));
  const auto hi = static_cast<LocalIndex>(std::min(saved.targets.end, into.targets.end));
  const auto* theirs = saved.target.data();
  const auto* ord = into.order.data();
  const auto target_of = [&](std::uint64_t k) { return my_target[ord[k]]; };
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    const auto* from = std::lower_bound(theirs + rows[i], theirs + rows[i + 1], lo);
    const auto* from_end = std::lower_bound(from, theirs + rows[i + 1], hi);
    std::uint64_t to = my_rows[i];
    while (to < my_rows[i + 1] && target_of(to) < lo) ++to;
    for (const auto* s = from; s != from_end; ++s, ++to) {
      if (to >= my_rows[i + 1] || target_of(to) != *s) throw synapses_misfit();
      const auto k = static_cast<std::uint64_t>(s - theirs);
      zip_synapse_arrays(shard, saved, [&](auto& dst, const auto& src) {
        if (!src.empty()) dst[ord[to]] = src[k];
      });
      ++into.synapses_loaded;
    }
    if (to < my_rows[i + 1] && target_of(to) < hi) throw synapses_misfit();
  }
}

/// Reads an optimizer configuration saved as its bytes. Only a damaged file holds a flag byte
/// other than 0 or 1, which must not be loaded into a bool, or an unknown optimizer.
inline void read_config(StateReader& in, OptimizerConfig& config) {
  static_assert(std::is_standard_layout_v<OptimizerConfig>);
  std::array<unsigned char, sizeof(OptimizerConfig)> bytes{};
  in(bytes);
  if (bytes[offsetof(OptimizerConfig, optimize_each_step)] > 1) {
    throw DataError("checkpoint state: a saved optimizer setting is corrupt");
  }
  std::memcpy(&config, bytes.data(), sizeof config);
  if (config.kind != OptimizerKind::gradient_descent && config.kind != OptimizerKind::adam) {
    throw DataError("checkpoint state: a saved optimizer is unknown");
  }
}

/// Reads one saved shard and copies what falls into the targets of each loading shard.
template <class Shard>
void load_shard(StateReader& in, std::vector<LoadingShard<Shard>>& loading, Range indexed) {
  SavedShard<Shard> saved;
  in(saved.targets.begin, saved.targets.end);
  read_config(in, saved.config);
  if (saved.targets.begin != indexed.begin || saved.targets.end != indexed.end) {
    throw DataError("checkpoint state: a shard's target range differs from the part's index");
  }
  std::apply([&in](auto&... a) { in(a...); }, saved.rows);
  in(saved.row_begin, saved.target);
  std::apply([&in](auto&... a) { in(a...); }, saved.values);
  for (LoadingShard<Shard>& into : loading) {
    const Range mine = into.targets;
    const bool overlaps = mine.begin < saved.targets.end && saved.targets.begin < mine.end;
    if (!into.has_row_state && (overlaps || mine.begin == mine.end)) {
      take_row_state(*into.shard, saved);
      into.has_row_state = true;
    }
    if (overlaps) take_synapses(into, saved);
  }
}

/// The events of one population and step, all virtual processes in order, as one list.
inline EventList merge_events(const std::vector<EventList>& lists) {
  EventList merged;
  for (const EventList& list : lists) {
    merged.step = list.step;
    merged.spikes.insert(merged.spikes.end(), list.spikes.begin(), list.spikes.end());
    merged.multiplicity.insert(merged.multiplicity.end(), list.multiplicity.begin(),
                               list.multiplicity.end());
    merged.flushes.insert(merged.flushes.end(), list.flushes.begin(), list.flushes.end());
  }
  return merged;
}

/// Splits a merged list over the virtual processes' ranges.
inline void split_events(const EventList& merged, const std::vector<Range>& ranges,
                         std::vector<EventList>& lists) {
  if (merged.multiplicity.size() != merged.spikes.size()) {
    throw DataError("checkpoint state: saved spikes and their multiplicities differ in number");
  }
  lists.assign(ranges.size(), EventList{});
  for (EventList& list : lists) list.step = merged.step;
  const auto owner = [&ranges](LocalIndex i) {
    const auto it = std::partition_point(ranges.begin(), ranges.end(),
                                         [i](const Range& r) { return r.end <= i; });
    if (it == ranges.end()) throw DataError("checkpoint state: a saved event names no neuron");
    return static_cast<std::size_t>(it - ranges.begin());
  };
  for (std::size_t s = 0; s < merged.spikes.size(); ++s) {
    lists[owner(merged.spikes[s])].add_spike(merged.spikes[s], merged.multiplicity[s]);
  }
  for (const LocalIndex i : merged.flushes) lists[owner(i)].flushes.push_back(i);
}

}  // namespace eprop
