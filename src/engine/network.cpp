#include "engine/network.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <thread>
#include <type_traits>

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

/// Adds the time since the previous lap to a phase total; reads no clock when disabled.
class Lap {
 public:
  explicit Lap(bool on) : on_(on), last_(on ? Clock::now() : Clock::time_point{}) {}
  void add_to(double& total) {
    if (!on_) return;
    const auto now = Clock::now();
    total += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  Clock::time_point last_;
};

/// Calls f on an e-prop target population (recurrent or readout); skips every other kind.
template <class Real, class F>
void visit_eprop_target(Population<Real>& pop, F&& f) {
  std::visit(Overloaded{
                 [&](RecurrentPopulation<Real>& x) { f(x); },
                 [&](ReadoutPopulation<Real>& x) { f(x); },
                 [](auto&) {},
             },
             pop);
}

/// Steps of history the synapses can still read: raw entries or interval sums.
template <class P>
std::size_t kept_history_steps(const P& p) {
  return std::max(p.history.kept_steps(), p.interval_sums.kept_steps());
}

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
                return static_cast<double>(kept_history_steps(p)) * dt;
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
                return static_cast<double>(kept_history_steps(p)) * dt;
              default: return 0.0;
            }
          },
          [&](const BsshslmRecurrentPopulation<Real>& p) -> double {
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
          [&](const BsshslmReadoutPopulation<Real>& p) -> double {
            switch (var) {
              case Recordable::V_m: return p.V_m(j);
              case Recordable::readout_signal: return p.readout_signal(j);
              case Recordable::readout_signal_unnorm: return p.readout_signal_unnorm(j);
              case Recordable::target_signal: return p.target_signal(j);
              case Recordable::error_signal: return p.error_signal(j);
              case Recordable::eprop_history_duration:
                return static_cast<double>(p.history.kept_steps()) * dt;
              default: return 0.0;
            }
          },
          [&](const IafPscDeltaPopulation<Real>& p) -> double {
            return var == Recordable::V_m ? static_cast<double>(p.V_m(j)) : 0.0;
          },
          [&](const auto&) -> double { return 0.0; },
      },
      pop);
}

}  // namespace

std::vector<Range> partition(std::size_t n, std::size_t parts) {
  std::vector<Range> ranges(parts);
  for (std::size_t k = 0; k < parts; ++k) ranges[k] = {n * k / parts, n * (k + 1) / parts};
  return ranges;
}

template <class Real>
Network<Real>::Network(Real dt, std::size_t threads, Communicator* comm)
    : dt_(dt), threads_(threads == 0 ? 1 : threads), comm_(comm) {
  if (comm_ != nullptr) {
    rank_ = comm_->rank();
    ranks_ = comm_->size();
  }
  first_vp_ = static_cast<std::size_t>(rank_) * threads_;
}

template <class Real>
void Network<Real>::finalize_populations() {
  const std::size_t vps = static_cast<std::size_t>(ranks_) * threads_;
  ranges_.clear();
  local_ranges_.clear();
  for (const auto& pop : populations) {
    ranges_.push_back(partition(std::visit([](const auto& p) { return p.size(); }, pop), vps));
    const auto mine = ranges_.back().begin() + static_cast<std::ptrdiff_t>(first_vp_);
    local_ranges_.emplace_back(mine, mine + static_cast<std::ptrdiff_t>(threads_));
  }
  for (auto& buffer : events_) {
    buffer.assign(populations.size(), std::vector<EventList>(vps));
  }
}

template <class Real>
void Network<Real>::run(Step steps) {
  if (steps <= 0) return;
  prepare_integration();
  prepare_mirrors();
  const Step first = now_;
  const Step last = now_ + steps - 1;
  if (threads_ == 1) {
    for (Step t = first; t <= last; ++t) {
      serial_phase(t);
      thread_step(t, 0);
    }
  } else {
    run_threads(first, last);
  }
  end_step(last);
  now_ += steps;
}

// Worker threads meet twice per step: after the serial phase (run by thread 0) and after their
// updates. std::barrier waits in the kernel after a short spin, so threads that wait do not take
// the cores from the others when the machine is shared (busy-waiting OpenMP barriers made
// 2 threads slower than 1 under load).
template <class Real>
void Network<Real>::run_threads(Step first, Step last) {
  std::barrier sync(static_cast<std::ptrdiff_t>(threads_));
  auto work = [&](std::size_t thread) {
    for (Step t = first; t <= last; ++t) {
      if (thread == 0) serial_phase(t);
      Lap lap(timing_ && thread == 0);
      sync.arrive_and_wait();
      lap.add_to(phase_times_.communication);
      thread_step(t, thread);
      lap = Lap(timing_ && thread == 0);
      sync.arrive_and_wait();
      lap.add_to(phase_times_.communication);
    }
  };
  std::vector<std::jthread> helpers;
  for (std::size_t thread = 1; thread < threads_; ++thread) helpers.emplace_back(work, thread);
  work(0);
}

// What cannot be split by neuron: the end of the previous step (sampling, exchange, spike
// recording, pruning), the signal values the threads deliver next, and moving the windows of the
// histories and interval sums. Nothing here loops over the neurons of a population; their
// entries are written by the threads that own them.
template <class Real>
void Network<Real>::serial_phase(Step t) {
  if (t != now_) end_step(t - 1);  // a run's first step: the previous run closed t - 1
  Lap lap(timing_);
  for (auto& m : multimeters) m.commit_pending(dt_);
  lap.add_to(phase_times_.recording);
  take_signals(t);
  take_bsshslm_signals(t);
  for (auto& pop : populations) std::visit([t](auto& p) { p.begin_step(t); }, pop);
  open_interval_sums(t);
  lap.add_to(phase_times_.communication);
}

// Samples are taken before the exchange between ranks, which completes them with the other
// ranks' neurons; spikes are recorded after it, from every rank's events.
template <class Real>
void Network<Real>::end_step(Step t) {
  Lap lap(timing_);
  advance_mirrors(t);
  sample(t);
  lap.add_to(phase_times_.recording);
  exchange(t);
  lap.add_to(phase_times_.communication);
  record_spikes(t);
  lap.add_to(phase_times_.recording);
  if (t % kPruneEvery == 0) {
    prune_histories(t);
    prune_post_spikes();
    lap.add_to(phase_times_.plasticity);
  }
}

template <class Real>
void Network<Real>::thread_step(Step t, std::size_t thread) {
  Lap lap(timing_ && thread == 0);
  deliver_signals(t, thread);
  deliver_bsshslm_signals(t, thread);
  lap.add_to(phase_times_.plasticity);
  for (auto& proj : poisson_projections) deliver_poisson(proj, thread, t);
  lap.add_to(phase_times_.input);
  for (const auto& proj : static_projections) deliver_static(proj, thread, t);
  for (auto& proj : stdp_projections) deliver_stdp(proj, thread, t);
  lap.add_to(phase_times_.delivery);
  accumulate_interval_sums(t, thread);
  for (auto& proj : plastic_projections) deliver_plastic(proj, thread, t);
  for (auto& proj : bsshslm_projections) deliver_bsshslm(proj, thread, t);
  lap.add_to(phase_times_.plasticity);
  update_populations(t, thread);
  lap.add_to(phase_times_.update);
}

template <class Real>
void Network<Real>::update_populations(Step t, std::size_t thread) {
  auto& emitted = events_[t % 2];
  const std::size_t vp = first_vp_ + thread;
  for (std::size_t p = 0; p < populations.size(); ++p) {
    EventList& out = emitted[p][vp];
    out.reset(t);
    std::visit([&](auto& pop) { pop.update(t, ranges_[p][vp], out); }, populations[p]);
  }
}

// Before begin_step: a readout's error and a generator's amplitudes of step t - 1 are due now.
template <class Real>
void Network<Real>::take_signals(Step t) {
  signal_values_.resize(signal_projections.size());
  for (std::size_t k = 0; k < signal_projections.size(); ++k) {
    const auto& proj = signal_projections[k];
    std::vector<Real>& values = signal_values_[k];
    values.clear();
    if (proj.kind == SignalProjection<Real>::Kind::learning_signal) {
      const auto& readout = std::get<ReadoutPopulation<Real>>(populations[proj.source]);
      const auto& rec = std::get<RecurrentPopulation<Real>>(populations[proj.target]);
      // Error of readout loop time t-1 goes to recurrent entry t-2 (SPEC 3.7).
      if (readout.error_step != t - 1 || !rec.keeps_history || !rec.history.contains(t - 2)) {
        continue;
      }
      for (std::size_t i = 0; i < readout.size(); ++i) values.push_back(readout.error_signal(i));
    } else {
      const auto& gen = std::get<StepRateGeneratorPopulation<Real>>(populations[proj.source]);
      if (gen.sent_step != t - 1) continue;
      for (std::size_t i = 0; i < gen.size(); ++i) values.push_back(gen.amplitude(i));
    }
  }
}

template <class Real>
void Network<Real>::deliver_signals(Step t, std::size_t thread) {
  for (std::size_t k = 0; k < signal_projections.size(); ++k) {
    const auto& proj = signal_projections[k];
    const std::vector<Real>& values = signal_values_[k];
    if (values.empty()) continue;
    const std::size_t begin = proj.thread_begin[thread];
    const std::size_t end = proj.thread_begin[thread + 1];
    auto& target = populations[proj.target];
    if (proj.kind == SignalProjection<Real>::Kind::learning_signal) {
      auto& history = std::get<RecurrentPopulation<Real>>(target).history;
      for (std::size_t c = begin; c < end; ++c) {
        history.at(kLearningSignal, proj.target_index[c], t - 2) +=
            proj.weight[c] * values[proj.source_index[c]];
      }
      continue;
    }
    auto& readout = std::get<ReadoutPopulation<Real>>(target);
    for (std::size_t c = begin; c < end; ++c) {
      const Real value = proj.weight[c] * values[proj.source_index[c]];
      if (proj.receptor == 1) {
        readout.set_learning_window(proj.target_index[c], value);
      } else {
        readout.set_target(proj.target_index[c], value);
      }
    }
  }
}

template <class Real>
void Network<Real>::deliver_static(const StaticProjection<Real>& proj, std::size_t thread,
                                   Step t) {
  const StaticShard<Real>& shard = proj.shards[thread];
  // A parrot counts the spikes of a multiplicity-m event; a neuron gets m single spikes, each
  // adding w, as NEST sends them (SPEC_multiplicity).
  auto add_spikes = [&](auto& target, bool counts) {
    const auto input = target.input.from(t);
    for (const EventList& events : events_[(t + 1) % 2][proj.source]) {
      if (events.step != t - 1) continue;
      for (std::size_t e = 0; e < events.spikes.size(); ++e) {
        const LocalIndex i = events.spikes[e];
        const std::uint32_t count = events.multiplicity[e];
        for (std::uint32_t copy = 0; copy < (counts ? 1U : count); ++copy) {
          for (std::uint64_t s = shard.row_begin[i]; s < shard.row_begin[i + 1]; ++s) {
            // A spike with stamp t and delay d acts on the target in loop time t + d - 1.
            using Value = std::remove_cvref_t<decltype(*target.input.at(t))>;
            const Value value = counts ? Value(count) : Value(shard.weight[s]);
            input.add(shard.delay[s], shard.target_index[s], value);
          }
        }
      }
    }
  };
  std::visit(
      [&](auto& p) {
        if constexpr (std::is_same_v<std::decay_t<decltype(p)>, ParrotPopulation>) {
          add_spikes(p, true);
        } else if constexpr (requires { p.input.add(Step{}, std::size_t{}, Real{}); }) {
          add_spikes(p, false);
        }
      },
      populations[proj.target]);
}

// Every synapse of an active generator carries an independent Poisson count per step, drawn
// by its train (engine/poisson_input.h). As for static spikes of multiplicity k: a parrot
// counts them, a neuron adds w k times.
template <class Real>
void Network<Real>::deliver_poisson(PoissonProjection<Real>& proj, std::size_t thread, Step t) {
  const auto& gen = std::get<PoissonGeneratorPopulation>(populations[proj.source]);
  if (!gen.active(t)) return;
  PoissonShard<Real>& shard = proj.shards[thread];
  std::visit(
      [&](auto& target) {
        if constexpr (requires { target.input.add(Step{}, std::size_t{}, Real{}); }) {
          constexpr bool counts = std::is_same_v<std::decay_t<decltype(target)>, ParrotPopulation>;
          const auto input = target.input.from(t);
          using Value = std::remove_cvref_t<decltype(*target.input.at(t))>;
          shard.step(t, gen.mean(), [&](LocalIndex j, std::uint64_t s) {
            input.add(shard.delay[s], j, counts ? Value(1) : Value(shard.weight[s]));
          });
        }
      },
      populations[proj.target]);
}

template <class Real>
void Network<Real>::deliver_stdp(StdpProjection<Real>& proj, std::size_t thread, Step t) {
  StdpShard<Real>& shard = proj.shards[thread];
  std::visit(
      [&](auto& target) {
        if constexpr (requires { target.archive; }) {
          for (const EventList& events : events_[(t + 1) % 2][proj.source]) {
            if (events.step != t - 1) continue;
            for (std::size_t e = 0; e < events.spikes.size(); ++e) {
              shard.on_spike(proj.params, t, events.spikes[e], events.multiplicity[e],
                             target.archive, target.input, static_cast<double>(dt_));
            }
          }
        }
      },
      populations[proj.target]);
}

// A target's spikes are needed back to the earliest window any of its STDP synapses can still
// open (the last spike of their quietest source minus the longest delay).
template <class Real>
void Network<Real>::prune_post_spikes() {
  for (std::size_t p = 0; p < populations.size(); ++p) {
    std::optional<Step> oldest;
    for (const auto& proj : stdp_projections) {
      if (proj.target != p) continue;
      for (const auto& shard : proj.shards) {
        const Step start = shard.oldest_window_start(proj.max_delay);
        oldest = oldest ? std::min(*oldest, start) : start;
      }
    }
    if (!oldest) continue;
    std::visit(
        [&](auto& x) {
          if constexpr (requires { x.archive; }) x.archive.discard_up_to(*oldest);
        },
        populations[p]);
  }
}

template <class Real>
void Network<Real>::deliver_plastic(PlasticProjection<Real>& proj, std::size_t thread, Step t) {
  WeightLog* log = proj.weight_log ? &weight_logs[*proj.weight_log][thread] : nullptr;
  EpropProjection<Real>& shard = proj.shards[thread];
  MirrorTap* tap = proj.taps.empty() ? nullptr : &proj.taps[thread];
  auto deliver = [&](auto& target) {
    for (const EventList& events : events_[(t + 1) % 2][proj.source]) {
      if (events.step != t - 1) continue;
      for (std::size_t e = 0; e < events.spikes.size(); ++e) {
        shard.on_event(t, events.spikes[e], events.multiplicity[e], false, target.history,
                       target.interval_sums, target.input, log, dt_);
        if (tap != nullptr) tap_event(*tap, mirrors_[proj.mirror], events.spikes[e], t, false);
      }
      for (const LocalIndex i : events.flushes) {
        shard.on_event(t, i, 0, true, target.history, target.interval_sums, target.input, log,
                       dt_);
        if (tap != nullptr) tap_event(*tap, mirrors_[proj.mirror], i, t, true);
      }
    }
  };
  std::visit(Overloaded{
                 [&](RecurrentPopulation<Real>& p) { deliver(p); },
                 [&](ReadoutPopulation<Real>& p) { deliver(p); },
                 [](auto&) {},
             },
             populations[proj.target]);
}

// NEST hands a spike to its recorders at emission (SPEC_recording R.7), so the spikes of the
// last step of a run (stamp = end of the run) are in that run's output; a spike of
// multiplicity m is recorded m times.
template <class Real>
void Network<Real>::record_spikes(Step t) {
  const double stamp_ms = static_cast<double>(t + 1) * static_cast<double>(dt_);
  for (auto& rec : spike_recorders) {
    if (!(rec.start_ms < stamp_ms && stamp_ms <= rec.stop_ms)) continue;
    for (const EventList& events : events_[t % 2][rec.population]) {
      if (events.step != t) continue;
      for (std::size_t e = 0; e < events.spikes.size(); ++e) {
        const LocalIndex i = events.spikes[e];
        if (!rec.selected.empty() && rec.selected[i] == 0) continue;
        for (std::uint32_t m = 0; m < events.multiplicity[e]; ++m) {
          rec.index.push_back(i);
          rec.time.push_back(stamp_ms);
        }
      }
    }
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
    for (std::size_t r = 0; r < m.neurons.size(); ++r) {
      for (const Recordable var : m.variables) {
        m.pending.push_back(mirrored(m, r, var, sample_variable(pop, var, m.neurons[r], dt_), t));
      }
    }
    m.pending_step = t;
  }
}

template <class Real>
void Network<Real>::prune_histories(Step t) {
  complete_expired_intervals(t);
  for (std::size_t p = 0; p < populations.size(); ++p) {
    // Entry t - 2 still receives learning signals and feeds the interval sums.
    Step oldest_entry = t - 2;
    Step oldest_sum = t - 3;  // accumulating record t - 2 reads record t - 3
    for (const auto& proj : plastic_projections) {
      if (proj.target != p) continue;
      for (const auto& shard : proj.shards) {
        // A closed-form interval starting at step k subtracts the sums at k - 1; short
        // intervals are integrated stepwise from the entries of the last few steps.
        if (shard.uses_closed_form()) {
          oldest_sum = std::min(oldest_sum, shard.oldest_needed_step() - 1);
          oldest_entry = std::min(oldest_entry, t - 2 - EpropProjection<Real>::kStepwiseMaxSteps);
        } else {
          oldest_entry = std::min(oldest_entry, shard.oldest_needed_step());
        }
      }
    }
    visit_eprop_target(populations[p], [&](auto& x) {
      x.history.discard_before(oldest_entry);
      x.interval_sums.discard_before(oldest_sum);
    });
  }
  prune_bsshslm_histories(t);
}

template <class Real>
void Network<Real>::complete_expired_intervals(Step t) {
  if (history_bound_ == kNeverSteps) return;  // NEST's algorithm as it is (the tests' reference)
  for (auto& proj : plastic_projections) {
    visit_eprop_target(populations[proj.target], [&](auto& x) {
      for (auto& shard : proj.shards) {
        if (keep_per_step_histories_ && shard.config().optimize_each_step) continue;
        shard.complete_expired_intervals(t, history_bound_, x.history, x.interval_sums);
      }
    });
  }
}

template <class Real>
void Network<Real>::prepare_integration() {
  if (integration_prepared_) return;
  integration_prepared_ = true;
  shard_signal_targets();  // once the network is complete, like the integration choice
  for (auto& proj : plastic_projections) {
    bool closed_form = false;
    for (auto& shard : proj.shards) closed_form = shard.use_closed_form(closed_form_wanted_);
    if (!closed_form) continue;
    // The sums' weights are the target's constants as the synapses see them.
    const EpropTargetConstants<Real>& c = proj.shards.front().target_constants();
    visit_eprop_target(populations[proj.target], [&](auto& x) {
      if (x.interval_sums.enabled()) return;  // restored from a checkpoint, or shared
      if (c.readout) {
        x.interval_sums.enable_readout(x.size(), c.alpha);
      } else if (c.alpha_varies()) {
        x.interval_sums.enable_recurrent(c.alpha_per_target, c.kappa, c.kappa_reg, c.regularised,
                                         c.interval_sum_bases());
      } else {
        x.interval_sums.enable_recurrent(x.size(), c.alpha, c.kappa, c.kappa_reg,
                                         c.regularised);
      }
    });
  }
}

// History entry t - 2 is final once the learning signals of step t are in (deliver_signals):
// the sums are extended by one record per step, just before the synapses read them.
template <class Real>
void Network<Real>::open_interval_sums(Step t) {
  for (auto& pop : populations) {
    visit_eprop_target(pop, [t](auto& x) {
      if (x.interval_sums.enabled() && x.history.contains(t - 2)) x.interval_sums.open(t - 2);
    });
  }
}

template <class Real>
void Network<Real>::accumulate_interval_sums(Step t, std::size_t thread) {
  for (std::size_t p = 0; p < populations.size(); ++p) {
    visit_eprop_target(populations[p], [&](auto& x) {
      if (x.interval_sums.contains(t - 2) && x.history.contains(t - 2)) {
        x.interval_sums.accumulate(t - 2, ranges_[p][first_vp_ + thread], x.history);
      }
    });
  }
}

template <class Real>
void Network<Real>::clear_recordings() {
  for (auto& m : multimeters) {
    m.index.clear();
    m.time.clear();
    for (auto& v : m.values) v.clear();
  }
  for (auto& s : spike_recorders) {
    s.index.clear();
    s.time.clear();
  }
  for (auto& logs : weight_logs) {
    for (auto& log : logs) log = WeightLog{};
  }
}

template <class Real>
std::size_t Network<Real>::history_entries() const {
  std::size_t total = 0;
  for (const auto& pop : populations) {
    std::visit(Overloaded{
                   [&](const RecurrentPopulation<Real>& x) {
                     if (x.keeps_history) total += kept_history_steps(x) * x.size();
                   },
                   [&](const ReadoutPopulation<Real>& x) {
                     if (x.keeps_history) total += kept_history_steps(x) * x.size();
                   },
                   [&](const BsshslmRecurrentPopulation<Real>& x) {
                     if (x.keeps_history) total += x.history.kept_steps() * x.size();
                   },
                   [&](const BsshslmReadoutPopulation<Real>& x) {
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

}  // namespace eprop
