#pragma once

// NEST's ignore-and-spike mode of the e-prop recurrent models (SPEC_recording R.9): the model's
// own spike condition is replaced by a fixed schedule; everything else keeps running.

#include "core/types.h"

namespace eprop {

struct IgnoreAndSpike {
  bool enabled = false;
  Step offset_steps = 1;    ///< ignore_and_spike_offset in steps (>= 1)
  Step interval_steps = 100;  ///< ignore_and_spike_interval in steps (>= 1)

  /// NEST counts down from the offset once per update and spikes when the count reaches 0, then
  /// restarts it at the interval: forced spikes at loop times offset - 1 + k * interval. Without
  /// SetStatus between runs that schedule depends on the loop time alone, so no state is kept.
  [[nodiscard]] bool forces_spike(Step t) const {
    const Step first = offset_steps - 1;
    return t >= first && (t - first) % interval_steps == 0;
  }
};

}  // namespace eprop
