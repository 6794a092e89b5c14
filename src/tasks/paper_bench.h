#pragma once

// The paper's efficiency benchmark (PAPER_EXPERIMENTS 6.1): one random network in four
// plasticity variants with the same spike schedule, so that run time differences come from the
// plasticity machinery alone.
//
//   poisson_generator (n_in) -static, fixed_indegree indegree_in-> recurrent (n_rec)
//   recurrent -plastic synapse under test, fixed_indegree indegree_rec-> recurrent
//   recurrent -fixed_indegree indegree_out-> readouts (n_out)
//   e-prop variants: readouts -learning signal-> recurrent (one per recurrent neuron) and one
//   target step_rate_generator per readout on receptor 2.
//
// Variants: eprop_plus (eprop_iaf + eprop_synapse + eprop_readout), eprop_original (the
// _bsshslm_2020 family), static (ignore_and_fire + static_synapse), stdp (ignore_and_fire +
// stdp_synapse); readouts of static/stdp are iaf_psc_delta with V_th = 1e100. Recurrent neurons
// of the e-prop variants run in ignore-and-spike mode with the same schedule as ignore_and_fire.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eprop/spec.h"

namespace eprop::tasks {

struct PaperBenchConfig {
  std::string variant = "eprop_plus";
  std::size_t n_rec = 1000;
  std::size_t n_in = 0;   ///< 0: n_rec / 10 (at least 1)
  std::size_t n_out = 0;  ///< 0: n_rec / 1000 (at least 1)
  std::int64_t indegree_rec = 100;
  std::int64_t indegree_in = 10;
  std::int64_t indegree_out = 10;
  double rate_rec = 10.0;  ///< Hz, every recurrent neuron (ignore-and-fire / ignore-and-spike)
  double rate_in = 10.0;   ///< Hz, every input generator
  double time_ms = 1000.0;  ///< simulated and timed (after 2 ms, as the paper's offset)
  Precision precision = Precision::single_precision;
  std::size_t threads = 1;
  std::uint64_t seed = 1;
};

/// eprop_plus, eprop_original, static, stdp.
const std::vector<std::string>& paper_bench_variants();

/// The config with its defaults resolved (n_in, n_out); throws ConfigError naming the field,
/// value and constraint for anything out of range. Allocates nothing.
PaperBenchConfig resolve(PaperBenchConfig c);

/// Bytes the network will hold (synapses, neurons, buffers), from the sizes alone.
struct MemoryEstimate {
  std::uint64_t synapses = 0;
  std::uint64_t bytes = 0;
};
MemoryEstimate estimate_memory(const PaperBenchConfig& resolved);

/// The network of one variant (resolved config).
NetworkSpec paper_bench_network(const PaperBenchConfig& resolved);

/// Builds and runs one variant; returns its JSON record (sizes, spikes, synaptic events, wall
/// time by phase, memory).
nlohmann::json run_paper_bench(const PaperBenchConfig& resolved);

}  // namespace eprop::tasks
