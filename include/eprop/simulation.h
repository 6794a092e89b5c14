#pragma once

// The C++ API: build a network from a NetworkSpec, simulate, read recordings and weights.

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eprop/spec.h"

namespace eprop {

class Communicator;  // comm/communicator.h

/// Samples of one multimeter: row r is neuron index[r] at time[r] (ms, NEST timestamp).
struct MultimeterRecording {
  std::string population;
  std::vector<std::string> variables;
  std::vector<std::int64_t> index;
  std::vector<double> time;
  std::vector<std::vector<double>> values;  ///< values[variable][row]
};

/// Spikes of one spike_recorder: neuron index[r] spiked with stamp time[r] (ms).
struct SpikeRecording {
  std::string population;
  std::vector<std::int64_t> index;
  std::vector<double> time;
};

/// Weight after each spike transmitted through a watched plastic projection.
struct WeightRecording {
  std::string source_population;
  std::string target_population;
  std::vector<std::int64_t> source;
  std::vector<std::int64_t> target;
  std::vector<double> time;
  std::vector<double> weight;
};

/// One synapse of a projection, with its current weight.
struct SynapseWeight {
  std::int64_t source = 0;  ///< local index in the source population
  std::int64_t target = 0;  ///< local index in the target population
  double weight = 0.0;
};

/// One e-prop synapse's values that NEST lets a user read and set (GetStatus/SetStatus on a
/// connection).
struct SynapseState {
  std::int64_t source = 0;  ///< local index in the source population
  std::int64_t target = 0;  ///< local index in the target population
  double weight = 0.0;
  double m = 0.0;  ///< Adam's first moment (0 for gradient descent, which has none)
  double v = 0.0;  ///< Adam's second moment
};

/// New values for one e-prop synapse; those left empty keep their value.
struct SynapseChange {
  std::size_t index = 0;  ///< position of the synapse in Simulation::weights(connection)
  std::optional<double> weight, m, v;
};

/// Memory held by the engine, for --stats and benchmarks.
struct MemoryStats {
  std::uint64_t eprop_synapses = 0;
  std::uint64_t eprop_synapse_bytes = 0;  ///< per-synapse arrays of all e-prop projections
  std::uint64_t history_entries = 0;      ///< postsynaptic history steps currently kept
  /// eprop_synapse connections whose intervals are integrated in closed form
  /// (KernelSpec::eligibility_integration); the others step through the history.
  std::uint64_t closed_form_synapses = 0;
  std::uint64_t static_synapses = 0;
  std::uint64_t static_synapse_bytes = 0;  ///< target, weight, delay and row offsets
  std::uint64_t stdp_synapses = 0;
  std::uint64_t stdp_synapse_bytes = 0;  ///< target, weight, delay, row offsets, per-source traces
};

/// Wall time of the step loop by phase in seconds (Simulation::set_phase_timing).
struct PhaseTimings {
  double update = 0;         ///< neuron and device updates
  double input = 0;          ///< poisson_generator: a draw per target and step, and delivery
  double delivery = 0;       ///< spikes through static and STDP synapses (STDP updates included)
  double plasticity = 0;     ///< e-prop synapses: eligibility, gradients, optimizer, history
  double communication = 0;  ///< exchange of learning/rate signals and events, thread barriers
  double recording = 0;      ///< spike recorders and multimeters
};

class Simulation {
 public:
  /// Validates the whole spec (throws ConfigError naming population/connection, parameter, value
  /// and constraint) and builds the network. With a communicator of several ranks (by default
  /// MPI's world when the program runs under mpirun and holds an MpiSession), every rank builds
  /// and simulates its share: all ranks must then call simulate(), the recording and weight
  /// readers, save_state and load_state together, and get the same results as one process.
  explicit Simulation(const NetworkSpec& spec, std::shared_ptr<Communicator> comm = nullptr);
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  /// NEST Simulate(ms): advances by round(ms / resolution) steps.
  void simulate(double ms);
  /// From now on simulate() looks at `flag` (set asynchronously, e.g. by a signal handler) a
  /// few times per second of wall time and throws Interrupted once it is set; nullptr: never.
  /// The steps run in pieces then, with the same numbers as one piece.
  void set_interrupt(const std::atomic<bool>* flag);
  /// Runs every duration of spec.simulate in turn.
  void run_schedule();

  [[nodiscard]] double time_ms() const;
  [[nodiscard]] std::int64_t steps_done() const;
  [[nodiscard]] const NetworkSpec& spec() const;

  /// Recordings in the order of spec.recorders, split by type.
  [[nodiscard]] std::vector<MultimeterRecording> multimeters() const;
  [[nodiscard]] std::vector<SpikeRecording> spike_recordings() const;
  [[nodiscard]] std::vector<WeightRecording> weight_recordings() const;

  /// Current weights of connection spec.connections[connection], sorted by (source, target).
  [[nodiscard]] std::vector<SynapseWeight> weights(std::size_t connection) const;
  /// NEST SetDefaults(synapse, {"optimizer": {"eta": eta}}) for a plastic connection, with NEST's
  /// learning-rate bookkeeping (SPEC 8).
  void set_eta(std::size_t connection, double eta);
  /// Announces set_eta calls that change eta while sources may be silent: connections with
  /// per-step optimisation then keep NEST's histories instead of integrating the intervals of
  /// silent sources early, since NEST applies the new eta to the steps of intervals still open
  /// (docs/user/limits-and-errors.md). Call before the first simulate; histories of their
  /// targets grow while a source is silent, as in NEST.
  void expect_eta_changes();

  /// Weight and Adam moments of every synapse of a plastic connection, in weights() order.
  [[nodiscard]] std::vector<SynapseState> synapse_states(std::size_t connection) const;
  /// NEST SetStatus on the synapses of a plastic connection between simulate() calls, applied in
  /// the order given. m and v exist only for Adam, and every value must be finite (v >= 0); these
  /// are checked before anything changes. As in NEST, a weight outside [Wmin, Wmax] is stored
  /// first and then raises ConfigError: the changes before it stay, those after it are not made.
  void set_synapses(std::size_t connection, const std::vector<SynapseChange>& changes);

  /// This rank's memory (each rank holds the synapses onto its own neurons).
  [[nodiscard]] MemoryStats memory_stats() const;
  /// The processes this simulation runs on (a serial communicator for one).
  [[nodiscard]] Communicator& communicator() const;

  /// The first weight of a plastic connection or membrane voltage that is not finite (inf,
  /// nan), named ("the weight of connection #1 (in -> rec) from neuron 0 to neuron 2 is nan");
  /// empty if there is none. Training stops on one ("diverged").
  [[nodiscard]] std::string non_finite_state() const;

  /// Measure the wall time of each phase of the step loop from now on (off by default; costs a
  /// few clock reads per step).
  void set_phase_timing(bool enabled);
  /// Totals since timing was enabled.
  [[nodiscard]] PhaseTimings phase_timings() const;

  /// NEST SetStatus(spike_times) on a spike_generator population between simulate() calls: one
  /// sorted list per neuron (ms); times at or before the current time are never emitted.
  void set_spike_times(const std::string& population,
                       const std::vector<std::vector<double>>& spike_times);
  /// NEST SetStatus(amplitude_times, amplitude_values) on a step_rate_generator population
  /// between simulate() calls; the current amplitude holds until the first new time.
  void set_amplitudes(const std::string& population,
                      const std::vector<std::vector<double>>& amplitude_times,
                      const std::vector<std::vector<double>>& amplitude_values);

  /// NEST SetStatus on neurons between simulate() calls: parameter `name` of neurons first ..
  /// first + count - 1 of `population` becomes values[k] (values[0] for all of them). The new
  /// values act from the next step on and the state is kept (V_m stays absolute when E_L
  /// changes, as in NEST); e-prop synapses onto the neurons use them from their next gradient
  /// on, as NEST's do. "V_m" and "adaptation" set the state instead. Only tau_m may differ
  /// between the neurons of a population; other parameters take one value for the whole
  /// population. Throws ConfigError, changing nothing, for a value out of range or a parameter
  /// that cannot change after the build (named). save_state carries the changed parameters.
  void set_neuron_parameters(const std::string& population, std::size_t first, std::size_t count,
                             const std::string& name, const std::vector<ParamValue>& values);

  /// Drops everything recorded so far (long runs read and clear recordings as they go).
  void clear_recordings();
  /// multimeters() and spike_recordings(), then clear_recordings(), without copying: the
  /// recorded arrays move out (training reads each iteration's recordings this way).
  [[nodiscard]] std::pair<std::vector<MultimeterRecording>, std::vector<SpikeRecording>>
  take_recordings();

  /// Writes the complete dynamic state: time, neuron states, input buffers, histories, synapse
  /// and optimizer state, learning rates, pending events and unread recordings. Binary, for the
  /// same build and a simulation built from the same spec. Under several ranks each rank writes
  /// its own part (the state of its neurons and of the synapses onto them).
  void save_state(std::ostream& out) const;
  /// Restores a state written by save_state into a simulation built from the same spec, with
  /// any number of ranks and threads. Throws DataError if the state does not fit this network.
  void load_state(std::istream& in);
  /// The same for a state saved by several ranks: `parts` holds every rank's part, in any
  /// order; every rank of this simulation reads all of them.
  void load_state(const std::vector<std::istream*>& parts);
  /// Every rank's part in one stream, written on every rank (collective): what one file can
  /// hold when several ranks run. load_state(std::istream&) reads it under any split.
  void save_state_all(std::ostream& out) const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace eprop
