#pragma once

// The user documentation that `eprop --help`, `eprop run --help` and `eprop train --help` print
// after the options.

namespace eprop::cli {

inline constexpr const char* help_footer =
    R"(NETWORK FILE (TOML; NEST names and units: ms, mV, pA, pF)
  [kernel]        resolution = 1.0 (ms), precision = "float" | "double", seed = 1, threads = 1,
                  eligibility_integration = "closed_form" | "stepwise"
  [[population]]  name, model (NEST model name), n, params = { V_th = 0.2, ... };
                  tau_m of the recurrent e-prop models may be a list, one value per neuron
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
  Recurrent models also take ignore_and_spike = true, ignore_and_spike_offset,
  ignore_and_spike_interval (ms): forced spikes at stamps offset + k * interval, all else computed.

RECORDABLES (multimeter record_from)
  eprop_iaf, eprop_iaf_psc_delta, eprop_iaf_bsshslm_2020:
      V_m                     membrane voltage (mV)
      surrogate_gradient      pseudo-derivative psi (0 while refractory)
      learning_signal         NEST's value: the learning signal 2 (bsshslm: 3) steps back, 0 where
                              NEST's per-neuron history has already erased that entry
      eprop_history_duration  NEST's e-prop history entries of the neuron x resolution (ms)
  eprop_iaf_adapt, eprop_iaf_psc_delta_adapt, eprop_iaf_adapt_bsshslm_2020: the above and
      adaptation, V_th_adapt  adaptation variable, adaptive threshold (mV)
  eprop_readout: V_m, readout_signal, target_signal, error_signal (readout - target inside the
      learning window), eprop_history_duration
  eprop_readout_bsshslm_2020: the same and readout_signal_unnorm (before normalisation)

OUTPUT FILES (in --out DIR; numbers with 17 significant digits)
  <population>_multimeter.csv      index,time,<record_from variables...>
  <population>_spike_recorder.csv  index,time        (time = spike stamp, ms)
  <source>_<target>_weight_recorder.csv  source,target,time,weight
  weights.csv                      source_population,source,target_population,target,weight
                                   (final weights of every eprop_synapse connection)
  index/source/target are 0-based indices within the population. When two recorders would
  write the same file, each name gets _<recorder index> appended. A DIR that is not empty is
  refused; --overwrite replaces it whole once the new results are complete.
  Before building, the memory the network needs is estimated (--estimate prints it); a network
  that cannot fit in this machine's memory is refused.

TIME STAMPS (as in NEST)
  Loop step t advances the state from t to t+1 ms. A multimeter sample taken in step t has
  time t+1; a spike emitted in step t has stamp t+1. The samples of the last step of each
  simulate call are recorded only when a later call runs: simulate = [60.0] with interval 1
  gives times 1..59. Spike recorders take spikes when they are emitted: they hold every stamp
  up to the end of the last call (60 here).
)";

inline constexpr const char* main_footer =
    R"(COMMANDS
  eprop run NETWORK.toml --out DIR      simulate a network file and write its recordings
  eprop train TASK --out DIR [...]      train a NEST e-prop example: sine (SPEC 11.1/11.2),
                                        evidence (11.3), nmnist (11.4), lemniscate and
                                        handwriting (11.5); see eprop train --help
  eprop train --resume DIR              continue a checkpointed or interrupted training run
  eprop compare TASK --out DIR          e-prop+ and the original e-prop side by side
  eprop plot DIR                        PNG plots of a training run (DIR/plots)
Exit status: 0 success, 1 error (message names file, key, value and constraint), 2 bad
command line, 130 (143) interrupted by Ctrl-C (SIGTERM) within a fraction of a second:
`eprop train` writes a checkpoint and the metrics, `eprop run` writes nothing.
Several processes: mpirun -np R --bind-to none eprop run|train|bench ... gives the same files,
bit for bit, as one process (rank 0 writes them); docs/user/mpi.md.
Limits (file sizes, TOML depth, counts, times, memory) and errors: docs/user/limits-and-errors.md.
Training: `eprop train --help` and docs/user/training.md. The network file of `eprop run`:
)";

inline constexpr const char* train_help =
    R"(EXAMPLES
  eprop train sine --out out/sine                       the sine-wave example, 200 iterations
  eprop train sine --set training.n_iter=20 --out out/s 20 iterations
  eprop train sine --set network.model=eprop_iaf_bsshslm_2020 --out out/b   SPEC 11.2 variant
  eprop train sine --numpy-compatible --out out/n       NEST's numpy draws: NEST's losses
  eprop train nmnist --set data.root=/data/nmnist --out out/n
  eprop train evidence --set network.family=eprop_plus --out out/e   e-prop+ version
  eprop train lemniscate --set network.model=eprop_iaf_adapt --out out/l   e-prop+ version
  eprop train sine --config my.toml --checkpoint-every 50 --out out/s
  eprop train --resume out/s                            continue after Ctrl-C or --stop-after
  eprop train sine --print-config > sine.toml           every key with its default

CONFIG FILE (TOML): tables [run], [data], [network], [recurrent], [optimizer], [training],
[recording] with the keys below; `task = "sine"` at the top is optional. Keys the file leaves
out keep their defaults, the NEST example's settings. --set KEY=VALUE applies after the
file (a bare word is a string). [recurrent] also accepts any other NEST parameter of the
recurrent neuron model (e.g. tau_m = 20.0). Unknown keys, wrong types and out-of-range values
are errors: nothing is written, exit status 1.

RANDOM DRAWS: weights, input spikes, targets, sparsity masks and data shuffles are drawn with the
counter-based generator (Philox keyed by data.seed; every value a function of its quantity and
indices alone). --numpy-compatible (data.numpy_compatible = true) draws them with numpy's legacy
generator in the NEST scripts' order instead; with the default config the losses then equal
NEST's number for number.

OUTPUT (--out DIR; every file written to a temporary name and renamed)
  metrics.csv          iteration,phase,loss,error,wall_time_s (one row per iteration, 1-based;
                       error is nan for the regression task)
  run.json             status (running, completed, interrupted, stopped, failed + error),
                       configuration, version, seed, iterations, simulated time, wall time,
                       peak memory, e-prop synapse count and bytes per synapse, final loss
  config.toml          the resolved configuration (all keys)
  weights_initial.csv, weights.csv
                       projection,source_population,source,target_population,target,weight
  recordings/{first,last}_readout.csv, _traces_<population>.csv, _spikes_<population>.csv
                       the first recording.max_steps ms of the first and the last iteration
  checkpoint/          state.bin + progress.json (with --checkpoint-every, on Ctrl-C and
                       with --stop-after; removed when the run completes)
Progress goes to stdout: a live status line on a terminal, one line per iteration otherwise.
A loss that is not finite stops training ("diverged", run.json failed) unless
--allow-divergence. With --overwrite the previous run stays until the new one has completed an
iteration. Inputs and data (every N-MNIST file) are checked before DIR is touched.
)";

inline constexpr const char* bench_help = R"(
THE BENCHMARK (PAPER_EXPERIMENTS 6.1): poisson_generator inputs -> n_rec recurrent neurons
(fixed in-degrees) -> n_out readouts, in four variants with the same spike schedule (every
recurrent neuron spikes at rate_rec: ignore_and_fire, or ignore_and_spike in the e-prop models):
  eprop_plus      eprop_iaf + eprop_synapse + eprop_readout (event-driven e-prop, "e-prop+")
  eprop_original  the _bsshslm_2020 family (time-driven e-prop, 100 ms update intervals)
  static          ignore_and_fire + static_synapse, iaf_psc_delta readouts (V_th = 1e100)
  stdp            ignore_and_fire + stdp_synapse (NEST defaults), iaf_psc_delta readouts
Each run simulates 2 ms, then --time ms timed. Without --n-rec: a quick sweep (1000, 4000 and
16000 neurons, 500 ms each, all four variants; under two minutes on 2 cores).

OUTPUT (--out DIR)
  records.jsonl   one JSON object per run: variant, sizes, in-degrees, rates, spikes,
                  synaptic_events, wall_s, wall_s_per_sim_s, phases_s_per_sim_s (update,
                  input, delivery, gradient_optimizer, communication, io, other), events_per_wall_s,
                  ns_per_event, cpu_s, cpu_s_per_sim_s, events_per_cpu_s, ns_per_event_cpu
                  (user + system CPU time of the process while timed: the fair numbers on a
                  shared machine), build_s, peak_memory_bytes, estimated_bytes,
                  bytes_per_synapse, load averages
  bench.png       wall time per simulated second against n_rec, one panel per variant, stacked
                  by phase (unless --no-plot)
Before anything is built every configuration is checked (sizes > 0, in-degrees at most the
source population, rates > 0) and its memory estimated; a run that would not fit in the memory
available (or --memory-limit) is refused with its estimate. --estimate prints the estimates only.
)";

}  // namespace eprop::cli
