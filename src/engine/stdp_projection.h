#pragma once

// stdp_synapse (NEST's pair-based STDP, Guetig et al. 2003 weight dependence), CSR by source on
// the postsynaptic side like every synapse store. The presynaptic trace K_plus and the last spike
// time depend only on the source neuron's spikes, so they are kept once per source row instead
// of once per synapse: a synapse is its target, weight and delay.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/types.h"
#include "engine/events.h"
#include "engine/post_spike_archive.h"

namespace eprop {

/// NEST's stdp_synapse parameters (defaults as in NEST 3.10).
struct StdpParams {
  double tau_plus = 20.0;  ///< ms
  double lambda = 0.01;    ///< step size
  double alpha = 1.0;      ///< depression relative to facilitation
  double mu_plus = 1.0;    ///< weight dependence of facilitation
  double mu_minus = 1.0;   ///< weight dependence of depression
  double Wmax = 100.0;     ///< same sign as the weights
};

/// Facilitation by trace value k_plus (weight capped at Wmax).
double stdp_facilitate(const StdpParams& p, double w, double k_plus);
/// Depression by trace value k_minus (weight floored at 0).
double stdp_depress(const StdpParams& p, double w, double k_minus);

template <class Real>
struct StdpShard {
  std::vector<std::uint64_t> row_begin;  ///< n_source + 1
  std::vector<LocalIndex> target;
  std::vector<Real> weight;
  std::vector<std::uint32_t> delay;  ///< steps, >= 1
  std::vector<double> k_plus;        ///< per source: trace just after its last spike
  std::vector<Step> last_stamp;      ///< per source: stamp of its last spike (0: none yet)

  /// Source i spiked with stamp `stamp`: updates each of its synapses into this shard (pairing
  /// with the target's spikes since the previous presynaptic spike, then depression), delivers
  /// the new weight times `count` to the target's input, and advances the source's trace.
  void on_spike(const StdpParams& p, Step stamp, LocalIndex i, std::uint32_t count,
                const PostSpikeArchive& post, InputRing<Real>& input, double dt);
  /// The earliest window start any future spike through this shard can have.
  [[nodiscard]] Step oldest_window_start(Step max_delay) const;
};

template <class Real>
struct StdpProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;
  StdpParams params;
  Step max_delay = 1;
  std::vector<StdpShard<Real>> shards;  ///< one per thread
};

}  // namespace eprop
