// NEST's per-neuron e-prop history bookkeeping, mirrored for the neurons whose learning_signal or
// eprop_history_duration a multimeter records (SPEC_recording R.1-R.5; design record 0006).
// Networks without such recorders have no taps: delivery then checks one empty vector per
// projection and step.

#include <algorithm>
#include <limits>
#include <type_traits>

#include "engine/network.h"

namespace eprop {
namespace {

bool needs_mirror(const MultimeterState& m) {
  return std::any_of(m.variables.begin(), m.variables.end(), [](Recordable v) {
    return v == Recordable::learning_signal || v == Recordable::eprop_history_duration;
  });
}

/// NEST's cutoff in steps: its LMAX for an infinite one (the wrap-around of R.3.2).
Step nest_cutoff(Step cutoff) {
  return cutoff >= kNeverSteps ? std::numeric_limits<Step>::max() : cutoff;
}

}  // namespace

template <class Real>
void Network<Real>::prepare_mirrors() {
  if (mirrors_prepared_) return;
  mirrors_prepared_ = true;
  mirror_of_.assign(populations.size(), -1);
  for (const MultimeterState& m : multimeters) {
    if (!needs_mirror(m)) continue;
    const auto& pop = populations[m.population];
    auto& index = mirror_of_[m.population];
    const bool event_driven = std::holds_alternative<RecurrentPopulation<Real>>(pop) ||
                              std::holds_alternative<ReadoutPopulation<Real>>(pop);
    const bool bsshslm = std::holds_alternative<BsshslmRecurrentPopulation<Real>>(pop) ||
                         std::holds_alternative<BsshslmReadoutPopulation<Real>>(pop);
    if (!event_driven && !bsshslm) continue;
    if (index < 0) {
      index = static_cast<std::int32_t>(mirrors_.size());
      PopulationMirror mirror;
      mirror.population = m.population;
      mirror.bsshslm = bsshslm;
      mirror.slot_of.assign(std::visit([](const auto& p) { return p.size(); }, pop), -1);
      mirrors_.push_back(std::move(mirror));
    }
    PopulationMirror& mirror = mirrors_[static_cast<std::size_t>(index)];
    for (const LocalIndex j : m.neurons) {
      if (mirror.slot_of[j] >= 0) continue;
      mirror.slot_of[j] = static_cast<std::int32_t>(
          bsshslm ? mirror.bsshslm_neurons.size() : mirror.neurons.size());
      std::visit(
          [&](const auto& p) {
            using P = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<P, RecurrentPopulation<Real>> ||
                          std::is_same_v<P, ReadoutPopulation<Real>>) {
              MirroredNeuron n;
              n.cutoff = nest_cutoff(p.params().cutoff_steps);
              mirror.neurons.push_back(n);
            } else if constexpr (std::is_same_v<P, BsshslmRecurrentPopulation<Real>> ||
                                 std::is_same_v<P, BsshslmReadoutPopulation<Real>>) {
              MirroredBsshslmNeuron n;
              n.shift = std::is_same_v<P, BsshslmRecurrentPopulation<Real>> ? 2 : 3;
              n.interval = p.params().timing.update_interval;
              mirror.lookup_lag = 3;
              mirror.bsshslm_neurons.push_back(n);
            }
          },
          pop);
    }
  }
  for (auto& proj : plastic_projections) {
    if (mirror_of_[proj.target] >= 0) add_taps(proj, static_cast<std::size_t>(mirror_of_[proj.target]));
  }
  for (auto& proj : bsshslm_projections) {
    if (mirror_of_[proj.target] >= 0) add_taps(proj, static_cast<std::size_t>(mirror_of_[proj.target]));
  }
}

// Every synapse onto a mirrored neuron counts in its e-prop in-degree (R.1) and, in the bsshslm
// family, registers at Connect (R.3.4).
template <class Real>
template <class Projection>
void Network<Real>::add_taps(Projection& proj, std::size_t index) {
  PopulationMirror& mirror = mirrors_[index];
  proj.mirror = index;
  proj.taps.resize(proj.shards.size());
  for (std::size_t k = 0; k < proj.shards.size(); ++k) {
    const auto& shard = proj.shards[k];
    MirrorTap& tap = proj.taps[k];
    const auto& row_begin = shard.row_begin();
    const auto& target = shard.targets();
    tap.row_of.assign(row_begin.size() - 1, -1);
    for (std::size_t i = 0; i + 1 < row_begin.size(); ++i) {
      for (std::uint64_t s = row_begin[i]; s < row_begin[i + 1]; ++s) {
        const std::int32_t slot = mirror.slot_of[target[s]];
        if (slot < 0) continue;
        if (tap.row_of[i] < 0) {
          tap.row_of[i] = static_cast<std::int32_t>(tap.rows.size());
          tap.rows.emplace_back();
          if (mirror.bsshslm) {
            tap.rows.back().t_next_update =
                mirror.bsshslm_neurons[static_cast<std::size_t>(slot)].interval;
          }
        }
        auto& targets = tap.rows[static_cast<std::size_t>(tap.row_of[i])].targets;
        const auto u = static_cast<std::uint32_t>(slot);
        if (!targets.empty() && targets.back().first == u) {
          ++targets.back().second;
        } else {
          targets.emplace_back(u, 1);
        }
        if (mirror.bsshslm) {
          mirror.bsshslm_neurons[static_cast<std::size_t>(slot)].connect();
        } else {
          ++mirror.neurons[static_cast<std::size_t>(slot)].n_in;
        }
      }
    }
  }
}

// One spike or flush event with stamp t_s from source row i through a tapped shard (R.3.1 for
// the event-driven family; the synapse logic of SPEC 7.4 that moves registrations for bsshslm).
// A spike of multiplicity m counts once: NEST's copies 2..m register and release the same stamp.
template <class Real>
void Network<Real>::tap_event(MirrorTap& tap, PopulationMirror& mirror, LocalIndex i, Step t_s,
                              bool flush) {
  MirrorTap::Row* row = tap.row(i);
  if (row == nullptr) return;
  if (!mirror.bsshslm) {
    for (const auto& [slot, count] : row->targets) {
      for (std::uint32_t c = 0; c < count; ++c) mirror.neurons[slot].release(t_s, row->t_previous);
    }
    row->t_previous = t_s;
    return;
  }
  if (row->previous_was_flush != 0 && flush) return;
  const MirroredBsshslmNeuron& first = mirror.bsshslm_neurons[row->targets.front().first];
  const Step shift = first.shift;
  const Step T = first.interval;
  if (shift == 2 && interval_step(t_s, shift, T) == 0) return;  // dropped by the synapse
  const Step t_current_update = (t_s - shift) / T * T;
  const bool was_flush = row->previous_was_flush != 0;
  if (t_s > row->t_next_update + shift) {
    for (const auto& [slot, count] : row->targets) {
      for (std::uint32_t c = 0; c < count; ++c) {
        mirror.bsshslm_neurons[slot].move(row->t_previous_update, t_current_update, flush,
                                          was_flush);
      }
    }
    row->t_previous_update = t_current_update;
    row->t_next_update = t_current_update + T;
  } else if (!flush && was_flush) {
    for (const auto& [slot, count] : row->targets) {
      for (std::uint32_t c = 0; c < count; ++c) {
        mirror.bsshslm_neurons[slot].move(row->t_previous_update, t_current_update, false, true);
      }
    }
  }
  row->previous_was_flush = flush ? 1 : 0;
}

// After the updates of loop time t: NEST's append of that update (and, bsshslm, the interval
// erasure that precedes it).
template <class Real>
void Network<Real>::advance_mirrors(Step t) {
  for (PopulationMirror& mirror : mirrors_) {
    for (MirroredNeuron& n : mirror.neurons) n.append(t);
    for (MirroredBsshslmNeuron& n : mirror.bsshslm_neurons) n.update(t);
  }
}

// R.4 and R.5: what NEST's multimeter shows for the sample of loop time t.
template <class Real>
double Network<Real>::mirrored(const MultimeterState& m, std::size_t row, Recordable var,
                               double value, Step t) const {
  if (var != Recordable::learning_signal && var != Recordable::eprop_history_duration) {
    return value;
  }
  const std::int32_t index = mirror_of_.empty() ? -1 : mirror_of_[m.population];
  if (index < 0) return value;
  const PopulationMirror& mirror = mirrors_[static_cast<std::size_t>(index)];
  const std::int32_t slot = mirror.slot_of[m.neurons[row]];
  const KeyRuns& keys = mirror.keys(static_cast<std::size_t>(slot));
  if (var == Recordable::eprop_history_duration) {
    return static_cast<double>(keys.size()) * static_cast<double>(dt_);
  }
  return keys.contains(t - mirror.lookup_lag) ? value : 0.0;
}

template void Network<float>::prepare_mirrors();
template void Network<double>::prepare_mirrors();
template void Network<float>::tap_event(MirrorTap&, PopulationMirror&, LocalIndex, Step, bool);
template void Network<double>::tap_event(MirrorTap&, PopulationMirror&, LocalIndex, Step, bool);
template void Network<float>::advance_mirrors(Step);
template void Network<double>::advance_mirrors(Step);
template double Network<float>::mirrored(const MultimeterState&, std::size_t, Recordable, double,
                                         Step) const;
template double Network<double>::mirrored(const MultimeterState&, std::size_t, Recordable,
                                          double, Step) const;

}  // namespace eprop
