// The `_bsshslm_2020` parts of the step loop (SPEC 7), kept apart from the event-driven ones:
// their per-step signals, their plastic projections and their history bookkeeping.

#include <algorithm>

#include "engine/network.h"

namespace eprop {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

// Values computed in step t - 1, delivered before anything of step t happens (SPEC 1.1): taken
// in the serial phase, before begin_step, and delivered by the threads that own the targets.
template <class Real>
void Network<Real>::take_bsshslm_signals(Step t) {
  using Kind = typename BsshslmSignalProjection<Real>::Kind;
  bsshslm_signal_values_.resize(bsshslm_signal_projections.size());
  for (std::size_t k = 0; k < bsshslm_signal_projections.size(); ++k) {
    const auto& proj = bsshslm_signal_projections[k];
    std::vector<Real>& values = bsshslm_signal_values_[k];
    values.clear();
    if (proj.kind == Kind::target) {
      const auto& gen = std::get<StepRateGeneratorPopulation<Real>>(populations[proj.source]);
      if (gen.sent_step != t - 1) continue;
      for (std::size_t i = 0; i < gen.size(); ++i) values.push_back(gen.amplitude(i));
      continue;
    }
    const auto& source = std::get<BsshslmReadoutPopulation<Real>>(populations[proj.source]);
    if (source.signal_step != t - 1) continue;
    if (proj.kind == Kind::normalization) {
      for (std::size_t i = 0; i < source.size(); ++i) {
        values.push_back(source.readout_signal_unnorm(i));
      }
      continue;
    }
    const auto& rec = std::get<BsshslmRecurrentPopulation<Real>>(populations[proj.target]);
    if (!rec.keeps_history || !rec.history.contains(t - 3)) continue;
    for (std::size_t i = 0; i < source.size(); ++i) values.push_back(source.error_signal(i));
  }
}

template <class Real>
void Network<Real>::deliver_bsshslm_signals(Step t, std::size_t thread) {
  using Kind = typename BsshslmSignalProjection<Real>::Kind;
  for (std::size_t k = 0; k < bsshslm_signal_projections.size(); ++k) {
    const auto& proj = bsshslm_signal_projections[k];
    const std::vector<Real>& values = bsshslm_signal_values_[k];
    if (values.empty()) continue;
    const std::size_t begin = proj.thread_begin[thread];
    const std::size_t end = proj.thread_begin[thread + 1];
    auto each = [&](auto&& f) {
      for (std::size_t c = begin; c < end; ++c) {
        f(proj.target_index[c], proj.weight[c] * values[proj.source_index[c]]);
      }
    };
    auto& target = populations[proj.target];
    if (proj.kind == Kind::learning_signal) {
      // The error of readout loop time t - 1 belongs to recurrent entry t - 3: the readout
      // signal lags one step and the normalisation adds one more (SPEC 1.3, 7.2).
      auto& history = std::get<BsshslmRecurrentPopulation<Real>>(target).history;
      each([&](LocalIndex j, Real v) { history.at(kBsshslmLearningSignal, j, t - 3) += v; });
      continue;
    }
    auto& readout = std::get<BsshslmReadoutPopulation<Real>>(target);
    if (proj.kind == Kind::target) {
      each([&](LocalIndex j, Real v) { readout.set_target(j, v); });
    } else {
      each([&](LocalIndex j, Real v) { readout.add_normalization(j, v); });
    }
  }
}

template <class Real>
void Network<Real>::deliver_bsshslm(BsshslmPlasticProjection<Real>& proj, std::size_t thread,
                                    Step t) {
  WeightLog* log = proj.weight_log ? &weight_logs[*proj.weight_log][thread] : nullptr;
  BsshslmProjection<Real>& shard = proj.shards[thread];
  MirrorTap* tap = proj.taps.empty() ? nullptr : &proj.taps[thread];
  auto deliver = [&](auto& target, const BsshslmTargetHistory<Real>& history) {
    for (const EventList& events : events_[(t + 1) % 2][proj.source]) {
      if (events.step != t - 1) continue;
      for (std::size_t e = 0; e < events.spikes.size(); ++e) {
        shard.on_event(t, events.spikes[e], events.multiplicity[e], false, history, target.input,
                       log, dt_);
        if (tap != nullptr) tap_event(*tap, mirrors_[proj.mirror], events.spikes[e], t, false);
      }
      for (const LocalIndex i : events.flushes) {
        shard.on_event(t, i, 0, true, history, target.input, log, dt_);
        if (tap != nullptr) tap_event(*tap, mirrors_[proj.mirror], i, t, true);
      }
    }
  };
  std::visit(Overloaded{
                 [&](BsshslmRecurrentPopulation<Real>& p) {
                   deliver(p, {&p.history, &p.regularisation});
                 },
                 [&](BsshslmReadoutPopulation<Real>& p) { deliver(p, {&p.history, nullptr}); },
                 [](auto&) {},
             },
             populations[proj.target]);
}

// Keeps what the learning-signal writes (entry t - 3) and the pending gradients still read.
template <class Real>
void Network<Real>::prune_bsshslm_histories(Step t) {
  for (auto& proj : bsshslm_projections) {
    std::visit(Overloaded{
                   [&](BsshslmRecurrentPopulation<Real>& x) {
                     for (auto& shard : proj.shards) {
                       shard.complete_silent_rows(t, history_bound_, {&x.history, &x.regularisation});
                     }
                   },
                   [&](BsshslmReadoutPopulation<Real>& x) {
                     for (auto& shard : proj.shards) {
                       shard.complete_silent_rows(t, history_bound_, {&x.history, nullptr});
                     }
                   },
                   [](auto&) {},
               },
               populations[proj.target]);
  }
  for (std::size_t p = 0; p < populations.size(); ++p) {
    Step oldest_step = kNeverSteps;
    Step oldest_interval = kNeverSteps;
    for (const auto& proj : bsshslm_projections) {
      if (proj.target != p) continue;
      for (const auto& shard : proj.shards) {
        oldest_step = std::min(oldest_step, shard.oldest_needed_step());
        oldest_interval = std::min(oldest_interval, shard.oldest_needed_interval());
      }
    }
    std::visit(Overloaded{
                   [&](BsshslmRecurrentPopulation<Real>& x) {
                     x.history.discard_before(std::min(oldest_step, t - 3));
                     x.regularisation.discard_before(oldest_interval);
                   },
                   [&](BsshslmReadoutPopulation<Real>& x) {
                     x.history.discard_before(std::min(oldest_step, t - 1));
                   },
                   [](auto&) {},
               },
               populations[p]);
  }
}

template void Network<float>::take_bsshslm_signals(Step);
template void Network<double>::take_bsshslm_signals(Step);
template void Network<float>::deliver_bsshslm_signals(Step, std::size_t);
template void Network<double>::deliver_bsshslm_signals(Step, std::size_t);
template void Network<float>::deliver_bsshslm(BsshslmPlasticProjection<float>&, std::size_t,
                                              Step);
template void Network<double>::deliver_bsshslm(BsshslmPlasticProjection<double>&, std::size_t,
                                               Step);
template void Network<float>::prune_bsshslm_histories(Step);
template void Network<double>::prune_bsshslm_histories(Step);

}  // namespace eprop
