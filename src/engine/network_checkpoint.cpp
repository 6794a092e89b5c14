// Checkpoints independent of ranks and threads (engine/partition_state.h). A part holds, in
// order: its index and the number of parts; the step; the table of its sections (PartIndex);
// per population its neurons' state; per plastic projection its shards; the mirror taps' rows
// by source; the mirrored neurons this rank owns; the weight recorders' entries; and, in part 0
// only, what every rank holds alike: the multimeters, spike recorders and the pending events.

#include <map>
#include <optional>

#include "engine/network.h"
#include "engine/partition_state.h"

namespace eprop {
namespace {

/// NEST's view of a presynaptic row that a mirror tap carries (MirrorTap::Row without targets).
struct TapRowState {
  Step t_previous = 0;
  Step t_previous_update = 0;
  Step t_next_update = 0;
  std::uint8_t previous_was_flush = 0;
};

// Saved field by field: the struct's padding would make the bytes of a state differ between
// two saves of the same state.
void save_taps(StateWriter& out, std::vector<MirrorTap>& taps) {
  std::vector<LocalIndex> sources;
  std::vector<Step> t_previous, t_previous_update, t_next_update;
  std::vector<std::uint8_t> previous_was_flush;
  for (MirrorTap& tap : taps) {
    for (std::size_t i = 0; i < tap.row_of.size(); ++i) {
      const MirrorTap::Row* row = tap.row(static_cast<LocalIndex>(i));
      if (row == nullptr) continue;
      sources.push_back(static_cast<LocalIndex>(i));
      t_previous.push_back(row->t_previous);
      t_previous_update.push_back(row->t_previous_update);
      t_next_update.push_back(row->t_next_update);
      previous_was_flush.push_back(row->previous_was_flush);
    }
  }
  out(sources, t_previous, t_previous_update, t_next_update, previous_was_flush);
}

/// Reads saved tap rows into `by_source` (the rows are the same in every shard).
void read_taps(StateReader& in, std::map<LocalIndex, TapRowState>& by_source) {
  std::vector<LocalIndex> sources;
  std::vector<Step> t_previous, t_previous_update, t_next_update;
  std::vector<std::uint8_t> previous_was_flush;
  in(sources, t_previous, t_previous_update, t_next_update, previous_was_flush);
  const std::size_t n = sources.size();
  if (t_previous.size() != n || t_previous_update.size() != n || t_next_update.size() != n ||
      previous_was_flush.size() != n) {
    throw DataError("checkpoint state: mirror taps are corrupt");
  }
  for (std::size_t k = 0; k < n; ++k) {
    by_source[sources[k]] = {t_previous[k], t_previous_update[k], t_next_update[k],
                             previous_was_flush[k]};
  }
}

void apply_taps(std::vector<MirrorTap>& taps, const std::map<LocalIndex, TapRowState>& by_source) {
  for (MirrorTap& tap : taps) {
    for (std::size_t i = 0; i < tap.row_of.size(); ++i) {
      MirrorTap::Row* row = tap.row(static_cast<LocalIndex>(i));
      if (row == nullptr) continue;
      const auto saved = by_source.find(static_cast<LocalIndex>(i));
      if (saved == by_source.end()) {
        throw DataError("checkpoint state: a recorded neuron's synapse history is missing");
      }
      row->t_previous = saved->second.t_previous;
      row->t_previous_update = saved->second.t_previous_update;
      row->t_next_update = saved->second.t_next_update;
      row->previous_was_flush = saved->second.previous_was_flush;
    }
  }
}

template <class Projection>
auto loading_shards(Projection& proj, const std::vector<Range>& target_ranges) {
  using Shard = typename decltype(proj.shards)::value_type;
  std::vector<LoadingShard<Shard>> loading(proj.shards.size());
  for (std::size_t k = 0; k < loading.size(); ++k) {
    loading[k].shard = &proj.shards[k];
    loading[k].targets = target_ranges[k];
    loading[k].order = synapses_by_row_and_target(proj.shards[k].row_begin(), proj.shards[k].targets());
  }
  return loading;
}

template <class Loading>
void check_complete(const std::vector<Loading>& loading) {
  for (const auto& l : loading) {
    if (l.synapses_loaded != l.shard->targets().size() || !l.has_row_state) {
      throw DataError("checkpoint state: it does not hold every synapse of the network");
    }
    if constexpr (requires { l.shard->check_state(); }) {
      if (!l.shard->check_state()) throw DataError("checkpoint state: inconsistent synapse state");
    }
  }
}

template <class Pop>
void save_population(StateWriter& out, Pop& pop, std::size_t n, Range owned) {
  if constexpr (requires { pop.state(out); }) {
    NeuronSliceWriter slices(out, n, owned);
    pop.state(slices);
  } else {
    throw Error("checkpoints are not supported for population '" + pop.name() + "'");
  }
}

template <class Pop>
void load_population(StateReader& in, Pop& pop, std::size_t n, Range owned, bool first_part) {
  if constexpr (requires { pop.state(in); }) {
    NeuronSliceReader slices(in, n, owned, first_part);
    pop.state(slices);
    if constexpr (requires { pop.check_state(); }) {
      if (!pop.check_state()) throw DataError("checkpoint state: inconsistent neuron state");
    }
  } else {
    throw Error("checkpoints are not supported for population '" + pop.name() + "'");
  }
}

}  // namespace

template <class Real>
void Network<Real>::save_part(StateWriter& out) {
  prepare_mirrors();
  out(static_cast<std::uint32_t>(rank_), static_cast<std::uint32_t>(ranks_), now_);
  save_sections(out);
  for (auto& proj : plastic_projections) save_taps(out, proj.taps);
  for (auto& proj : bsshslm_projections) save_taps(out, proj.taps);
  for (PopulationMirror& mirror : mirrors_) {
    std::vector<std::uint32_t> slots;
    const Range mine = rank_range(mirror.population, rank_);
    for (std::size_t j = mine.begin; j < mine.end; ++j) {
      if (mirror.slot_of[j] >= 0) slots.push_back(static_cast<std::uint32_t>(mirror.slot_of[j]));
    }
    out(slots);
    for (const std::uint32_t s : slots) {
      if (mirror.bsshslm) out(mirror.bsshslm_neurons[s]);
      else out(mirror.neurons[s]);
    }
  }
  for (auto& per_thread : weight_logs) {
    WeightLog merged;
    for (const WeightLog& log : per_thread) merged.append(log);
    out(merged);
  }
  const bool shared = rank_ == 0;
  out(static_cast<std::uint8_t>(shared));
  if (!shared) return;
  out(multimeters, spike_recorders);
  for (const auto& parity : events_) {
    for (const auto& lists : parity) out(merge_events(lists));
  }
}

// The index, then the sections it lists; their lengths are known once written, so the index is
// written again over its first copy.
template <class Real>
void Network<Real>::save_sections(StateWriter& out) {
  PartIndex index;
  for (std::size_t p = 0; p < populations.size(); ++p) {
    index.neurons.push_back(rank_range(p, rank_));
  }
  const auto list_shards = [&](auto& projections) {
    for (auto& proj : projections) {
      index.shards.push_back(proj.shards.size());
      const std::vector<Range>& ranges = local_ranges_[proj.target];
      index.targets.insert(index.targets.end(), ranges.begin(),
                           ranges.begin() + static_cast<std::ptrdiff_t>(proj.shards.size()));
    }
  };
  list_shards(plastic_projections);
  list_shards(bsshslm_projections);
  index.bytes.assign(index.neurons.size() + index.targets.size(), 0);
  const std::streampos index_at = out.position();
  out(index);
  std::size_t section = 0;
  const auto measured = [&](auto save) {
    const std::streampos start = out.position();
    save();
    index.bytes[section++] = static_cast<std::uint64_t>(out.position() - start);
  };
  for (std::size_t p = 0; p < populations.size(); ++p) {
    measured([&] {
      std::visit(
          [&](auto& pop) { save_population(out, pop, population_size(p), index.neurons[p]); },
          populations[p]);
    });
  }
  const auto save_shards = [&](auto& projections) {
    for (auto& proj : projections) {
      for (std::size_t k = 0; k < proj.shards.size(); ++k) {
        measured([&] { save_shard(out, proj.shards[k], local_ranges_[proj.target][k]); });
      }
    }
  };
  save_shards(plastic_projections);
  save_shards(bsshslm_projections);
  out.overwrite(index_at, index);
}

namespace {

/// The parts in the order of their indices, after checking that every part is there once and
/// all are of one step; reads each part's header.
std::vector<StateReader*> ordered_parts(const std::vector<StateReader*>& parts, Step& now) {
  std::vector<StateReader*> ordered(parts.size(), nullptr);
  for (StateReader* part : parts) {
    std::uint32_t index = 0;
    std::uint32_t count = 0;
    Step t = 0;
    (*part)(index, count, t);
    if (count != parts.size()) {
      throw DataError("the state was saved by " + std::to_string(count) + " rank" +
                      (count == 1 ? "" : "s") + ": all " + std::to_string(count) +
                      " parts are needed, " + std::to_string(parts.size()) + " given");
    }
    if (index >= count || ordered[index] != nullptr) {
      throw DataError("checkpoint state: part " + std::to_string(index) + " given twice or unknown");
    }
    if (part != parts.front() && t != now) throw DataError("checkpoint state: parts of different steps");
    now = t;
    ordered[index] = part;
  }
  return ordered;
}

}  // namespace

template <class Real>
void Network<Real>::load_parts(const std::vector<StateReader*>& parts) {
  prepare_mirrors();
  const std::vector<StateReader*> ordered = ordered_parts(parts, now_);
  std::vector<std::vector<LoadingShard<EpropProjection<Real>>>> eprop_loading;
  std::vector<std::vector<LoadingShard<BsshslmProjection<Real>>>> bsshslm_loading;
  for (auto& proj : plastic_projections) eprop_loading.push_back(loading_shards(proj, local_ranges_[proj.target]));
  for (auto& proj : bsshslm_projections) bsshslm_loading.push_back(loading_shards(proj, local_ranges_[proj.target]));
  std::vector<std::map<LocalIndex, TapRowState>> eprop_taps(plastic_projections.size());
  std::vector<std::map<LocalIndex, TapRowState>> bsshslm_taps(bsshslm_projections.size());
  for (auto& logs : weight_logs) {
    for (WeightLog& log : logs) log = WeightLog{};
  }
  for (std::size_t part = 0; part < ordered.size(); ++part) {
    StateReader& in = *ordered[part];
    PartIndex index;
    in(index);
    if (index.neurons.size() != populations.size() ||
        index.shards.size() != plastic_projections.size() + bsshslm_projections.size()) {
      throw DataError("checkpoint state: a part's index does not fit the network");
    }
    load_neurons(in, index, part == 0);
    std::size_t section = populations.size();
    std::size_t c = 0;
    // The shards onto targets this rank does not own are passed over.
    const auto load_shards = [&](auto& loading) {
      for (auto& into : loading) {
        for (std::uint64_t k = 0; k < index.shards[c]; ++k, ++section) {
          const Range targets = index.targets[section - populations.size()];
          const std::uint64_t bytes = index.bytes[section];
          if (shard_needed(into, targets)) {
            in.exactly(bytes, [&] { load_shard(in, into, targets); });
          } else {
            in.skip(bytes);
          }
        }
        ++c;
      }
    };
    load_shards(eprop_loading);
    load_shards(bsshslm_loading);
    for (std::size_t k = 0; k < plastic_projections.size(); ++k) read_taps(in, eprop_taps[k]);
    for (std::size_t k = 0; k < bsshslm_projections.size(); ++k) read_taps(in, bsshslm_taps[k]);
    load_mirrors(in);
    load_weight_logs(in);
    std::uint8_t shared = 0;
    in(shared);
    if (shared != (part == 0 ? 1 : 0)) throw DataError("checkpoint state: its parts are corrupt");
    if (shared != 0) load_shared(in);
  }
  for (auto& loading : eprop_loading) check_complete(loading);
  for (auto& loading : bsshslm_loading) check_complete(loading);
  for (std::size_t c = 0; c < plastic_projections.size(); ++c) apply_taps(plastic_projections[c].taps, eprop_taps[c]);
  for (std::size_t c = 0; c < bsshslm_projections.size(); ++c) apply_taps(bsshslm_projections[c].taps, bsshslm_taps[c]);
}

template <class Real>
void Network<Real>::load_neurons(StateReader& in, const PartIndex& index, bool first_part) {
  for (std::size_t p = 0; p < populations.size(); ++p) {
    const Range owned = index.neurons[p];
    if (owned.end > population_size(p)) {
      throw DataError("checkpoint state: a saved neuron range does not fit the network");
    }
    in.exactly(index.bytes[p], [&] {
      std::visit([&](auto& pop) { load_population(in, pop, population_size(p), owned, first_part); },
                 populations[p]);
    });
  }
}

template <class Real>
void Network<Real>::load_mirrors(StateReader& in) {
  for (PopulationMirror& mirror : mirrors_) {
    std::vector<std::uint32_t> slots;
    in(slots);
    const std::size_t n = mirror.bsshslm ? mirror.bsshslm_neurons.size() : mirror.neurons.size();
    for (const std::uint32_t s : slots) {
      if (s >= n) throw DataError("checkpoint state: a saved recorded neuron does not exist");
      if (mirror.bsshslm) in(mirror.bsshslm_neurons[s]);
      else in(mirror.neurons[s]);
    }
  }
}

template <class Real>
void Network<Real>::load_weight_logs(StateReader& in) {
  for (auto& per_thread : weight_logs) {
    WeightLog saved;
    in(saved);
    const std::size_t entries = saved.time.size();
    if (saved.source.size() != entries || saved.target.size() != entries ||
        saved.weight.size() != entries) {
      throw DataError("checkpoint state: a saved weight recording is corrupt");
    }
    // One rank keeps them: recordings are gathered from all ranks when read.
    if (rank_ == 0 && !per_thread.empty()) per_thread.front().append(saved);
  }
}

template <class Real>
void Network<Real>::load_shared(StateReader& in) {
  in(multimeters, spike_recorders);
  for (auto& parity : events_) {
    for (std::size_t p = 0; p < parity.size(); ++p) {
      EventList merged;
      in(merged);
      split_events(merged, ranges_[p], parity[p]);
    }
  }
}

template void Network<float>::save_part(StateWriter&);
template void Network<double>::save_part(StateWriter&);
template void Network<float>::load_parts(const std::vector<StateReader*>&);
template void Network<double>::load_parts(const std::vector<StateReader*>&);

}  // namespace eprop
