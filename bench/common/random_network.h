#pragma once

// A random sparse e-prop network for scaling benchmarks, built with the public API only:
//
//   spike_generator (n_in, Poisson at rate_in) -> parrot_neuron (one_to_one, static)
//   parrots -> recurrent eprop_iaf (static_synapse, fixed_indegree indegree_in, weight J_in)
//   recurrent -> recurrent eprop_synapse, fixed_indegree: 80 % excitatory (weight J),
//                20 % inhibitory (weight -g J), no autapses
//   recurrent -> 10 eprop_readout (eprop_synapse, all_to_all, random weights)
//   readouts -> recurrent eprop_learning_signal_connection (all_to_all, random feedback B)
//   step_rate_generators -> readouts: constant targets (receptor 2) and an open learning window
//   (receptor 1), so every step carries a non-zero learning signal.
//
// The defaults put the recurrent population in an asynchronous irregular state at about
// 5-10 Hz for every size (the indegree, not the size, sets the input statistics).

#include <cstddef>
#include <cstdint>

#include "eprop/spec.h"

namespace eprop::bench {

struct RandomNetworkConfig {
  std::size_t n_rec = 1000;
  std::size_t n_out = 10;
  std::size_t n_in = 1000;           ///< input parrots
  std::int64_t indegree_rec = 1000;  ///< recurrent e-prop synapses per neuron (80 % exc.)
  double excitatory_fraction = 0.8;
  std::int64_t indegree_in = 100;  ///< static input synapses per recurrent neuron
  double rate_in = 10.0;           ///< Hz, Poisson input per parrot
  double J = 0.1;                  ///< excitatory recurrent weight, mV
  double g = 5.0;                  ///< inhibitory weight = -g J
  double J_in = 0.9;               ///< input weight, mV
  double V_th = 20.0;              ///< mV above E_L = 0
  double tau_m = 20.0;             ///< ms
  double t_ref = 2.0;              ///< ms
  double isi_trace_cutoff = 100.0;  ///< eprop_isi_trace_cutoff, ms
  double flush_interval = 100.0;    ///< flush_event_send_interval, ms
  double eta = 1e-6;               ///< gradient descent, applied once per presynaptic spike
  double duration_ms = 1000.0;     ///< input spike times are drawn for this long
  double record_from_ms = 0.0;     ///< spike recorder on the recurrent neurons from this time
  bool record_spikes = true;
  Precision precision = Precision::single_precision;
  std::size_t threads = 1;
  std::uint64_t seed = 1;
};

/// The network; spec.simulate is left empty (callers simulate in parts).
[[nodiscard]] NetworkSpec random_eprop_network(const RandomNetworkConfig& config);

/// Plastic connection indices in the spec built above: recurrent excitatory, recurrent
/// inhibitory, recurrent -> readout.
inline constexpr std::size_t kRecExcConnection = 2;
inline constexpr std::size_t kRecInhConnection = 3;
inline constexpr std::size_t kRecOutConnection = 4;

}  // namespace eprop::bench
