#pragma once

// NEST's per-neuron e-prop history bookkeeping (SPEC_recording R.1-R.5), reproduced for the
// neurons whose learning_signal or eprop_history_duration a multimeter records, and only for
// them. The engine keeps one lean history per population; NEST keeps one per neuron and erases
// entries by rules that decide what its recorders show. Only which keys NEST still holds matters
// for that, so a mirror holds key ranges and the registry of pending events, never values.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/types.h"

namespace eprop {

/// A pair that checkpoints can copy as bytes (std::pair is not trivially copyable).
struct StepPair {
  Step first = 0;
  std::int64_t second = 0;
};

/// A set of history keys as sorted, disjoint runs [begin, end).
class KeyRuns {
 public:
  /// Adds key k, larger than every key held.
  void append(Step k);
  /// Removes every key in [begin, end).
  void erase(Step begin, Step end);
  [[nodiscard]] bool contains(Step k) const;
  [[nodiscard]] bool empty() const { return runs_.empty(); }
  [[nodiscard]] Step first() const { return runs_.front().first; }
  [[nodiscard]] Step last() const { return runs_.back().second - 1; }
  [[nodiscard]] std::int64_t size() const { return size_; }

  template <class Archive>
  void state(Archive& ar) {
    ar(runs_, size_);
  }

 private:
  std::vector<StepPair> runs_;
  std::int64_t size_ = 0;
};

/// One event-driven e-prop neuron as NEST's archiving node sees it (R.1, R.3.1).
struct MirroredNeuron {
  std::int64_t n_in = 0;   ///< plastic e-prop connections onto it (R.1)
  Step cutoff = 0;         ///< eprop_isi_trace_cutoff in steps; NEST's LMAX for +inf
  /// U: (latest event stamp, number of synapses), sorted by stamp, no zero counts.
  std::vector<StepPair> registry;
  KeyRuns keys;                           ///< keys of H

  /// Update of loop time t: NEST appends key t when the neuron has plastic input (R.2).
  void append(Step t) {
    if (n_in > 0) keys.append(t);
  }
  /// The bookkeeping call of one event with stamp t_s passing a synapse whose previous event
  /// had stamp t_p (0: none) (R.3.1).
  void release(Step t_s, Step t_p);

  template <class Archive>
  void state(Archive& ar) {
    ar(registry, keys);
  }
};

/// bsshslm neurons (R.3.4): registrations per update interval, erasure at interval starts.
struct MirroredBsshslmNeuron {
  std::int64_t n_in = 0;
  Step shift = 2;  ///< 2 recurrent, 3 readout
  Step interval = 1;
  std::vector<StepPair> registry;  ///< U in insertion order (time, count)
  KeyRuns keys;

  /// Connect: every synapse registers at time `shift`.
  void connect();
  void move(Step t_prev_update, Step t_current_update, bool is_flush, bool previous_was_flush);
  /// Start of the update of loop time t: interval erasure, then the append (key t, readout t-1).
  void update(Step t);

  template <class Archive>
  void state(Archive& ar) {
    ar(registry, keys);
  }

 private:
  void erase_intervals();
};

/// The synapses of one projection shard that reach mirrored neurons, by source row, with the
/// per-row synapse state NEST's bookkeeping reads (the engine's own row state differs: it may
/// integrate expired intervals early).
struct MirrorTap {
  struct Row {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> targets;  ///< (mirror slot, synapses)
    Step t_previous = 0;         ///< event-driven: stamp of the row's latest event
    Step t_previous_update = 0;  ///< bsshslm (SPEC 7.4)
    Step t_next_update = 0;
    std::uint8_t previous_was_flush = 0;

    template <class Archive>
    void state(Archive& ar) {
      ar(t_previous, t_previous_update, t_next_update, previous_was_flush);
    }
  };
  std::vector<std::int32_t> row_of;  ///< per source neuron: index into rows, -1: none
  std::vector<Row> rows;

  [[nodiscard]] Row* row(LocalIndex i) {
    return row_of.empty() || row_of[i] < 0 ? nullptr : &rows[static_cast<std::size_t>(row_of[i])];
  }
  template <class Archive>
  void state(Archive& ar) {
    for (Row& r : rows) ar(r);
  }
};

/// The mirrored neurons of one population.
struct PopulationMirror {
  std::size_t population = 0;
  bool bsshslm = false;
  Step lookup_lag = 2;  ///< learning_signal(t + 1) reads key t - lag (R.4)
  std::vector<std::int32_t> slot_of;  ///< per neuron: mirror slot, -1: not mirrored
  std::vector<MirroredNeuron> neurons;
  std::vector<MirroredBsshslmNeuron> bsshslm_neurons;

  [[nodiscard]] const KeyRuns& keys(std::size_t slot) const {
    return bsshslm ? bsshslm_neurons[slot].keys : neurons[slot].keys;
  }
  template <class Archive>
  void state(Archive& ar) {
    ar(neurons, bsshslm_neurons);
  }
};

}  // namespace eprop
