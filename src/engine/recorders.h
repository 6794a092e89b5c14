#pragma once

// Recording devices. Kept out of the dynamics loops: the network samples after each step.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace eprop {

enum class Recordable {
  V_m,
  surrogate_gradient,
  learning_signal,
  adaptation,
  V_th_adapt,
  eprop_history_duration,
  readout_signal,
  readout_signal_unnorm,
  target_signal,
  error_signal,
};

std::optional<Recordable> parse_recordable(std::string_view name);

/// NEST multimeter: the sample of loop time t has timestamp t + 1 and is kept when
/// start < t + 1 <= stop and t + 1 is a multiple of the interval. A sample becomes visible only
/// once the next step runs (NEST collects the last step of a Simulate call in the next call).
struct MultimeterState {
  std::size_t population = 0;
  std::vector<LocalIndex> neurons;
  std::vector<Recordable> variables;
  Step interval = 1;
  double start_ms = 0;
  double stop_ms = 0;

  std::vector<std::int64_t> index;
  std::vector<double> time;
  std::vector<std::vector<double>> values;  ///< [variable][row]

  Step pending_step = -1;
  std::vector<double> pending;  ///< [neuron][variable] of pending_step

  void commit_pending(double dt);

  template <class Archive>
  void state(Archive& ar) {
    ar(index, time, values, pending_step, pending);
  }
};

/// NEST spike_recorder: records spikes (not flush events) with stamps in (start, stop] when they
/// are delivered, one step after emission.
struct SpikeRecorderState {
  std::size_t population = 0;
  std::vector<std::uint8_t> selected;  ///< per neuron: recorded? empty = all
  double start_ms = 0;
  double stop_ms = 0;
  std::vector<std::int64_t> index;
  std::vector<double> time;

  template <class Archive>
  void state(Archive& ar) {
    ar(index, time);
  }
};

}  // namespace eprop
