#include "engine/network.h"

#include <algorithm>

namespace eprop {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

// History must stay available for the learning signals written two steps back and for the
// oldest presynaptic event any synapse still has to integrate. Pruning scans only per-source
// state, and only every few steps.
constexpr Step kPruneEvery = 32;

template <class Real>
double sample_variable(const Population<Real>& pop, Recordable var, std::size_t j, Real dt) {
  return std::visit(
      Overloaded{
          [&](const RecurrentPopulation<Real>& p) -> double {
            switch (var) {
              case Recordable::V_m: return p.V_m(j);
              case Recordable::surrogate_gradient: return p.surrogate_gradient(j);
              case Recordable::learning_signal: return p.learning_signal(j);
              case Recordable::adaptation: return p.adaptation(j);
              case Recordable::V_th_adapt: return p.V_th_adapt(j);
              case Recordable::eprop_history_duration:
                return static_cast<double>(p.history.kept_steps()) * dt;
              default: return 0.0;
            }
          },
          [&](const ReadoutPopulation<Real>& p) -> double {
            switch (var) {
              case Recordable::V_m: return p.V_m(j);
              case Recordable::readout_signal: return p.readout_signal(j);
              case Recordable::target_signal: return p.target_signal(j);
              case Recordable::error_signal: return p.error_signal(j);
              case Recordable::eprop_history_duration:
                return static_cast<double>(p.history.kept_steps()) * dt;
              default: return 0.0;
            }
          },
          [&](const auto&) -> double { return 0.0; },
      },
      pop);
}

}  // namespace

template <class Real>
const EventList* events_of(const Population<Real>& p) {
  return std::visit(Overloaded{
                        [](const SpikeGeneratorPopulation& x) -> const EventList* { return &x.events; },
                        [](const ParrotPopulation& x) -> const EventList* { return &x.events; },
                        [](const RecurrentPopulation<Real>& x) -> const EventList* { return &x.events; },
                        [](const auto&) -> const EventList* { return nullptr; },
                    },
                    p);
}

template <class Real>
void Network<Real>::run(Step steps) {
  for (Step s = 0; s < steps; ++s) step(now_ + s);
  now_ += steps;
}

template <class Real>
void Network<Real>::step(Step t) {
  for (auto& m : multimeters) m.commit_pending(dt_);
  deliver_signals(t);
  deliver_spikes(t);
  update_nodes(t);
  sample(t);
  if (t % kPruneEvery == 0) prune_histories(t);
}

template <class Real>
void Network<Real>::deliver_signals(Step t) {
  for (const auto& proj : signal_projections) {
    auto& target = populations[proj.target];
    if (proj.kind == SignalProjection<Real>::Kind::learning_signal) {
      const auto& readout = std::get<ReadoutPopulation<Real>>(populations[proj.source]);
      auto& rec = std::get<RecurrentPopulation<Real>>(target);
      // Error of readout loop time t-1 goes to recurrent entry t-2 (SPEC 3.7).
      if (readout.error_step != t - 1 || !rec.keeps_history || !rec.history.contains(t - 2)) {
        continue;
      }
      for (std::size_t c = 0; c < proj.weight.size(); ++c) {
        rec.history.at(kLearningSignal, proj.target_index[c], t - 2) +=
            proj.weight[c] * readout.error_signal(proj.source_index[c]);
      }
    } else {
      const auto& gen = std::get<StepRateGeneratorPopulation<Real>>(populations[proj.source]);
      auto& readout = std::get<ReadoutPopulation<Real>>(target);
      if (gen.sent_step != t - 1) continue;
      for (std::size_t c = 0; c < proj.weight.size(); ++c) {
        const Real value = proj.weight[c] * gen.amplitude(proj.source_index[c]);
        if (proj.receptor == 1) {
          readout.set_learning_window(proj.target_index[c], value);
        } else {
          readout.set_target(proj.target_index[c], value);
        }
      }
    }
  }
}

template <class Real>
void Network<Real>::deliver_static(const StaticProjection<Real>& proj, const EventList& events,
                                   Step t) {
  auto& target = populations[proj.target];
  for (std::size_t e = 0; e < events.spikes.size(); ++e) {
    const LocalIndex i = events.spikes[e];
    const std::uint32_t count = events.multiplicity[e];
    for (std::uint64_t s = proj.row_begin[i]; s < proj.row_begin[i + 1]; ++s) {
      // A spike with stamp t and delay d acts on the target in loop time t + d - 1.
      const Step arrival = t + proj.delay[s] - 1;
      std::visit(Overloaded{
                     [&](ParrotPopulation& p) { p.input.add(arrival, proj.target_index[s], count); },
                     [&](RecurrentPopulation<Real>& p) {
                       p.input.add(arrival, proj.target_index[s], proj.weight[s] * Real(count));
                     },
                     [&](ReadoutPopulation<Real>& p) {
                       p.input.add(arrival, proj.target_index[s], proj.weight[s] * Real(count));
                     },
                     [](auto&) {},
                 },
                 target);
    }
  }
}

template <class Real>
void Network<Real>::deliver_plastic(PlasticProjection<Real>& proj, const EventList& events,
                                    Step t) {
  WeightLog* log = proj.weight_log ? &weight_logs[*proj.weight_log] : nullptr;
  auto deliver = [&](auto& target) {
    // Flush events and spikes of one step are independent per source; spikes first is NEST's
    // order within a step only up to sources, which never emit both in one step.
    for (std::size_t e = 0; e < events.spikes.size(); ++e) {
      proj.synapses.on_event(t, events.spikes[e], events.multiplicity[e], false, target.history,
                             target.input, log, dt_);
    }
    for (const LocalIndex i : events.flushes) {
      proj.synapses.on_event(t, i, 0, true, target.history, target.input, log, dt_);
    }
  };
  std::visit(Overloaded{
                 [&](RecurrentPopulation<Real>& p) { deliver(p); },
                 [&](ReadoutPopulation<Real>& p) { deliver(p); },
                 [](auto&) {},
             },
             populations[proj.target]);
}

template <class Real>
void Network<Real>::deliver_spikes(Step t) {
  for (const auto& proj : static_projections) {
    const EventList* events = events_of<Real>(populations[proj.source]);
    if (events != nullptr && events->step == t - 1) deliver_static(proj, *events, t);
  }
  for (auto& proj : plastic_projections) {
    const EventList* events = events_of<Real>(populations[proj.source]);
    if (events != nullptr && events->step == t - 1) deliver_plastic(proj, *events, t);
  }
  for (auto& rec : spike_recorders) {
    const EventList* events = events_of<Real>(populations[rec.population]);
    const double stamp_ms = static_cast<double>(t) * static_cast<double>(dt_);
    if (events == nullptr || events->step != t - 1) continue;
    if (!(rec.start_ms < stamp_ms && stamp_ms <= rec.stop_ms)) continue;
    for (const LocalIndex i : events->spikes) {
      rec.index.push_back(i);
      rec.time.push_back(stamp_ms);
    }
  }
}

template <class Real>
void Network<Real>::update_nodes(Step t) {
  for (auto& pop : populations) {
    std::visit([t](auto& p) { p.update(t); }, pop);
  }
}

template <class Real>
void Network<Real>::sample(Step t) {
  const double stamp_ms = static_cast<double>(t + 1) * static_cast<double>(dt_);
  for (auto& m : multimeters) {
    if ((t + 1) % m.interval != 0) continue;
    if (!(m.start_ms < stamp_ms && stamp_ms <= m.stop_ms)) continue;
    const auto& pop = populations[m.population];
    m.pending.clear();
    for (const LocalIndex j : m.neurons) {
      for (const Recordable var : m.variables) m.pending.push_back(sample_variable(pop, var, j, dt_));
    }
    m.pending_step = t;
  }
}

template <class Real>
void Network<Real>::prune_histories(Step t) {
  for (std::size_t p = 0; p < populations.size(); ++p) {
    Step oldest = t - 2;
    for (const auto& proj : plastic_projections) {
      if (proj.target == p) oldest = std::min(oldest, proj.synapses.oldest_needed_step());
    }
    std::visit(Overloaded{
                   [&](RecurrentPopulation<Real>& x) { x.history.discard_before(oldest); },
                   [&](ReadoutPopulation<Real>& x) { x.history.discard_before(oldest); },
                   [](auto&) {},
               },
               populations[p]);
  }
}

template <class Real>
std::size_t Network<Real>::history_entries() const {
  std::size_t total = 0;
  for (const auto& pop : populations) {
    std::visit(Overloaded{
                   [&](const RecurrentPopulation<Real>& x) {
                     if (x.keeps_history) total += x.history.kept_steps() * x.size();
                   },
                   [&](const ReadoutPopulation<Real>& x) {
                     if (x.keeps_history) total += x.history.kept_steps() * x.size();
                   },
                   [](const auto&) {},
               },
               pop);
  }
  return total;
}

template class Network<float>;
template class Network<double>;
template const EventList* events_of<float>(const Population<float>&);
template const EventList* events_of<double>(const Population<double>&);

}  // namespace eprop
