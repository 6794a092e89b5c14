#pragma once

// Memory a network will need, computed from its spec alone (no connection is drawn, nothing is
// allocated), so that a network that cannot fit is refused before the build starts.

#include <cstdint>
#include <string>

#include "eprop/spec.h"

namespace eprop {

struct MemoryEstimate {
  std::uint64_t neurons = 0;
  std::uint64_t neuron_bytes = 0;         ///< state vectors of every population
  std::uint64_t eprop_synapses = 0;       ///< expected count (pairwise_bernoulli: p * pairs)
  std::uint64_t eprop_synapse_bytes = 0;  ///< weights, traces, optimizer moments, CSR rows
  std::uint64_t static_synapses = 0;
  std::uint64_t static_synapse_bytes = 0;  ///< targets, weights, delays, CSR rows
  std::uint64_t ring_bytes = 0;            ///< input rings, one slot per neuron and delay step
  std::uint64_t history_bytes = 0;         ///< initial e-prop histories (they grow with spikes)
  std::uint64_t recorder_bytes = 0;        ///< multimeter samples over the [run] schedule

  [[nodiscard]] std::uint64_t total_bytes() const;
  /// A few lines, one per item, in MiB/GiB; with `machine` > 0 a last line with it.
  [[nodiscard]] std::string describe(std::uint64_t machine = 0) const;
};

/// Counts are saturated at 2^63 rather than overflowing.
[[nodiscard]] MemoryEstimate estimate_memory(const NetworkSpec& spec);

/// Physical memory of this machine (and of the cgroup, if it is smaller), bytes; 0 if unknown.
[[nodiscard]] std::uint64_t machine_memory_bytes();

/// "1.5 GiB", "320 MiB", "12 KiB".
[[nodiscard]] std::string format_bytes(std::uint64_t bytes);

/// Throws ConfigError with the estimate and the machine's memory when the estimate exceeds it.
/// Multimeter samples count only `with_recordings` (eprop run keeps every sample to the end;
/// Simulation users such as the training loops clear recordings as they go).
void check_memory_fits(const MemoryEstimate& estimate, bool with_recordings = false);

}  // namespace eprop
