#pragma once

// A small random e-prop network that learns a three-channel target: spike generators -> parrots
// (with flush events) -> a sparse recurrent population (pairwise_bernoulli input, fixed_indegree
// recurrence without autapses) -> three readouts with their learning-signal feedback, targets
// and learning window. Used where a test needs a network that exercises most of the engine:
// thread invariance, closed-form vs stepwise integration.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "eprop/spec.h"

namespace eprop::test_support {

struct RandomNetworkSettings {
  Precision precision = Precision::double_precision;
  std::uint64_t seed = 11;
  std::size_t n_in = 24;
  std::size_t n_rec = 41;
  std::vector<std::vector<double>> input_times;  ///< ms, one list per input neuron
  double input_flush_interval = 35.0;
  std::string model = "eprop_iaf";
  /// Recurrent parameters, over C_m 1, E_L 0, V_m 0.
  std::map<std::string, ParamValue> rec_params;
  OptimizerSpec optimizer;
  std::vector<double> window_times = {2.0};
  std::vector<double> window_values = {1.0};
  std::vector<double> target_switch_times = {100.0, 150.0, 200.0};
  double readout_tau_m = 10.0;
  /// Multimeter on these recurrent neurons (none: no recurrent multimeter).
  std::vector<std::int64_t> recorded_rec;
  std::vector<double> simulate = {150.0, 150.0};
};

[[nodiscard]] NetworkSpec random_learning_network(const RandomNetworkSettings& s);

/// Settings whose inputs fall silent without flush events (issue 14's bounded histories): input
/// i spikes every 6 + i % 3 ms until 120 ms, the even ones once more at 3.1 s; two simulate calls
/// of 1.6 s. Gradient descent, batch 1, per-step optimisation (NEST's defaults) unless changed.
[[nodiscard]] RandomNetworkSettings silent_sources_settings();

/// The invariance tests' network: adaptive recurrent neurons with regularisation, a trace
/// cutoff and flush events, Adam; input neuron i spikes every 7 + i % 4 ms from 1 + i % 5 ms
/// until `duration_ms`.
[[nodiscard]] NetworkSpec random_sparse_network(std::uint64_t seed, std::size_t n_in,
                                                std::size_t n_rec, double duration_ms,
                                                Precision precision);

/// What a run produced, for comparing two runs of one network.
struct RunOutcome {
  std::vector<MultimeterRecording> traces;
  std::vector<SpikeRecording> spikes;
  std::vector<std::vector<SynapseWeight>> weights;  ///< per eprop_synapse connection
  std::uint64_t closed_form_synapses = 0;
};

/// Expects two outcomes equal bit for bit: traces, spikes, weights, closed-form synapse counts.
void expect_identical(const RunOutcome& a, const RunOutcome& b);

/// Builds spec, runs its schedule and collects recordings and final e-prop weights (on the
/// ranks of `comm`; by default MPI's world under mpirun, else one process).
[[nodiscard]] RunOutcome run_outcome(const NetworkSpec& spec,
                                     std::shared_ptr<Communicator> comm = nullptr);

}  // namespace eprop::test_support
