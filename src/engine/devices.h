#pragma once

// Stimulus devices and relays: spike_generator, parrot_neuron, step_rate_generator (SPEC 1.2).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"
#include "engine/events.h"

namespace eprop {

/// Emits each spike time T (in steps) in loop time T-1, so that it carries stamp T.
class SpikeGeneratorPopulation {
 public:
  /// spike_steps[j]: sorted spike times of neuron j in steps (>= 1); repeats add multiplicity.
  SpikeGeneratorPopulation(std::string name, std::vector<std::vector<Step>> spike_steps);

  void begin_step(Step /*t*/) {}
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return spikes_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }

  /// NEST SetStatus(spike_times) during a run: replaces the schedule; times at or before the
  /// current step `now` are never emitted.
  void set_spike_steps(std::vector<std::vector<Step>> spike_steps, Step now);
  [[nodiscard]] const std::vector<std::vector<Step>>& spike_steps() const { return spikes_; }

  template <class Archive>
  void state(Archive& ar) {
    ar(spikes_, cursor_);
    refresh_next();
  }

 private:
  void refresh_next();

  std::string name_;
  std::vector<std::vector<Step>> spikes_;
  std::vector<std::size_t> cursor_;
  /// spikes_[j][cursor_[j]], or kNeverSteps past the end: the per-step scan reads one number per
  /// neuron instead of its list (issue 15: 12 % of N-MNIST's instructions with 1196 generators).
  std::vector<Step> next_;
};

/// Re-emits every spike it receives in the step it arrives, with the same multiplicity; the
/// weight of the incoming connection is ignored (NEST parrot_neuron).
class ParrotPopulation {
 public:
  ParrotPopulation(std::string name, std::size_t n, Step flush_interval_steps);

  void begin_step(Step /*t*/) {}
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return last_event_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }

  template <class Archive>
  void state(Archive& ar) {
    ar(input, last_event_);
  }

  InputRing<std::uint32_t> input;

 private:
  std::string name_;
  Step flush_interval_steps_;
  std::vector<Step> last_event_;
};

/// Piecewise-constant signal sent every step as a rate event; switches to value x_k during the
/// loop time t with t + 1 == A_k (SPEC 1.2).
template <class Real>
class StepRateGeneratorPopulation {
 public:
  StepRateGeneratorPopulation(std::string name, std::vector<std::vector<Step>> times,
                              std::vector<std::vector<Real>> values);

  void begin_step(Step t) { sent_step = t; }
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return amplitude_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] Real amplitude(std::size_t j) const { return amplitude_[j]; }
  /// What other ranks read of this population between steps: the amplitudes sent.
  [[nodiscard]] std::array<std::span<Real>, 1> exchanged_signals() { return {amplitude_}; }

  /// NEST SetStatus(amplitude_times, amplitude_values) during a run: replaces the schedule; the
  /// current amplitude holds until the first new time after `now`.
  void set_schedule(std::vector<std::vector<Step>> times, std::vector<std::vector<Real>> values,
                    Step now);
  [[nodiscard]] const std::vector<std::vector<Step>>& schedule_times() const { return times_; }
  [[nodiscard]] const std::vector<std::vector<Real>>& schedule_values() const { return values_; }

  template <class Archive>
  void state(Archive& ar) {
    ar(sent_step, times_, values_, cursor_, amplitude_);
  }

  Step sent_step = -1;  ///< loop time of the values in amplitude()

 private:
  std::string name_;
  std::vector<std::vector<Step>> times_;
  std::vector<std::vector<Real>> values_;
  std::vector<std::size_t> cursor_;
  std::vector<Real> amplitude_;
};

}  // namespace eprop
