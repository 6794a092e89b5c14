#pragma once

// The user documentation that `eprop --help` and `eprop run --help` print after the options.

namespace eprop::cli {

inline constexpr const char* help_footer =
    R"(NETWORK FILE (TOML; NEST names and units: ms, mV, pA, pF)
  [kernel]        resolution = 1.0 (ms), precision = "float" | "double", seed = 1, threads = 1
  [[population]]  name, model (NEST model name), n, params = { V_th = 0.2, ... }
                  spike_generator:     spike_times = [[t, ...], ...]  (ms, one list per neuron)
                  step_rate_generator: amplitude_times, amplitude_values (one list per neuron)
  [[connection]]  source, target, rule = all_to_all | one_to_one | pairwise | fixed_indegree |
                  pairwise_bernoulli, allow_autapses, synapse, weight, delay (ms), receptor_type;
                  pairwise: sources, targets (0-based indices); fixed_indegree: indegree;
                  pairwise_bernoulli: p. weight/delay: a number, one value per connection, or a
                  [target][source] matrix as in NEST. eprop_synapse: optimizer = { type =
                  "gradient_descent" | "adam", eta, batch_size, optimize_each_step, Wmin, Wmax,
                  beta_1, beta_2, epsilon }
  [[recorder]]    type = multimeter | spike_recorder | weight_recorder; population, neurons
                  (0-based subset, default all), record_from (multimeter), interval, start, stop
                  (ms, records start < t <= stop); weight_recorder: connection (0-based index
                  of a [[connection]])
  [run]           simulate = [60.0]  (successive Simulate() calls, ms)
  Unknown fields are errors. Integers are accepted where numbers are expected.

OUTPUT FILES (in --out DIR; numbers with 17 significant digits)
  <population>_multimeter.csv      index,time,<record_from variables...>
  <population>_spike_recorder.csv  index,time        (time = spike stamp, ms)
  <source>_<target>_weight_recorder.csv  source,target,time,weight
  weights.csv                      source_population,source,target_population,target,weight
                                   (final weights of every eprop_synapse connection)
  index/source/target are 0-based indices within the population. When two recorders would
  write the same file, each name gets _<recorder index> appended.

TIME STAMPS (as in NEST)
  Loop step t advances the state from t to t+1 ms. A multimeter sample taken in step t has
  time t+1; a spike emitted in step t has stamp t+1. The samples of the last step of each
  simulate call are recorded only when a later call runs: simulate = [60.0] with interval 1
  gives times 1..59.
)";

}  // namespace eprop::cli
