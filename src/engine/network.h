#pragma once

// The lowered network of one precision and its step loop (SPEC 1.1): per step, first the
// secondary events of the previous step (learning signals, rate signals), then its spikes (this
// is when e-prop synapses learn), then the node updates.
//
// Threads: every population is split into one contiguous neuron range per thread, and every
// projection into one shard per thread holding the synapses whose targets that thread owns.
// A thread delivers spikes only through its shards and updates only its neurons, so synapse
// state, histories and input buffers are thread-local, and every sum is formed in the same
// order whatever the thread count: results are bit-identical for any number of threads.
//
// Ranks (MPI processes) extend the threads: the ranks x threads virtual processes (VPs) split
// every population into contiguous ranges, rank r running VPs r * threads .. r * threads +
// threads - 1, and holding only the shards of its own targets. After each step the ranks
// exchange what the others read: their events, the per-step signal values of readouts and rate
// generators, and the multimeter samples of their neurons (network_exchange.cpp). Results are
// therefore bit-identical for any number of ranks and threads (design record 0008).

#include <algorithm>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/state_archive.h"
#include "comm/communicator.h"
#include "core/types.h"
#include "engine/benchmark_neurons.h"
#include "engine/bsshslm_connections.h"
#include "engine/bsshslm_readout_population.h"
#include "engine/bsshslm_recurrent_population.h"
#include "engine/devices.h"
#include "engine/eprop_projection.h"
#include "engine/history_mirror.h"
#include "engine/poisson_input.h"
#include "engine/readout_population.h"
#include "engine/recorders.h"
#include "engine/recurrent_population.h"
#include "engine/stdp_projection.h"
#include "eprop/error.h"

namespace eprop {

struct PartIndex;  // engine/partition_state.h

template <class Real>
using Population = std::variant<SpikeGeneratorPopulation, ParrotPopulation,
                                StepRateGeneratorPopulation<Real>, RecurrentPopulation<Real>,
                                ReadoutPopulation<Real>, BsshslmRecurrentPopulation<Real>,
                                BsshslmReadoutPopulation<Real>, IgnoreAndFirePopulation<Real>,
                                IafPscDeltaPopulation<Real>, PoissonGeneratorPopulation>;

/// static_synapse connections of one shard, CSR by source; flush events are dropped (those
/// from a poisson_generator are PoissonProjections).
template <class Real>
struct StaticShard {
  std::vector<std::uint64_t> row_begin;
  std::vector<LocalIndex> target_index;
  std::vector<Real> weight;
  std::vector<Step> delay;  ///< steps, >= 1
};

template <class Real>
struct StaticProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;  ///< index in NetworkSpec::connections
  std::vector<StaticShard<Real>> shards;  ///< one per thread
};

/// Connections carrying one value per step: learning signals (readout -> recurrent) and rate
/// signals (generator -> readout receptor 1 = learning window, 2 = target).
template <class Real>
struct SignalProjection {
  enum class Kind { learning_signal, rate };
  Kind kind = Kind::learning_signal;
  std::size_t source = 0;
  std::size_t target = 0;
  int receptor = 0;
  std::vector<LocalIndex> source_index, target_index;
  std::vector<Real> weight;
  /// Once the network is complete, the connections onto this rank's neurons only, grouped by
  /// the thread that owns their target: thread k's are [thread_begin[k], thread_begin[k + 1]).
  std::vector<std::size_t> thread_begin;
};

template <class Real>
struct PlasticProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;                 ///< index in NetworkSpec::connections
  std::vector<EpropProjection<Real>> shards;  ///< one per thread
  std::optional<std::size_t> weight_log;      ///< index into Network::weight_logs
  /// Synapses onto neurons whose NEST history is mirrored: one tap per thread, or none.
  std::vector<MirrorTap> taps;
  std::size_t mirror = 0;  ///< index into the network's mirrors when taps is not empty
};

/// Wall time of the step loop by phase (thread 0's view, seconds), when enabled.
struct PhaseTimes {
  double update = 0;         ///< neuron and device updates
  double input = 0;          ///< poisson_generator draws and delivery
  double delivery = 0;       ///< spikes through static and STDP synapses
  double plasticity = 0;     ///< e-prop: learning and rate signals, eligibility, gradients,
                             ///< optimizer, pruning
  double communication = 0;  ///< the serial phase, the exchange between ranks, waits at barriers
  double recording = 0;      ///< spike recording and sampling
};

/// Splits n neurons into `parts` contiguous ranges of (almost) equal size.
std::vector<Range> partition(std::size_t n, std::size_t parts);

template <class Real>
class Network {
 public:
  using value_type = Real;

  /// `comm` (not owned; null: one process) must outlive the network.
  Network(Real dt, std::size_t threads, Communicator* comm = nullptr);

  /// Call once after all populations are added: splits them over the threads.
  void finalize_populations();

  /// Integrate inter-spike intervals in closed form wherever a projection allows it (default),
  /// or stepwise everywhere (NEST's algorithm; the reference). Set before the first run.
  void set_closed_form_integration(bool enabled) { closed_form_wanted_ = enabled; }
  /// Chooses each plastic projection's integration and gives the targets of closed-form
  /// projections their IntervalSums. Idempotent; called by the builder and by the first run.
  void prepare_integration();

  /// A presynaptic interval open for this many steps is integrated as a flush event would
  /// integrate it, so that a silent source does not hold its targets' history forever (issue
  /// 14); kNeverSteps keeps every entry until an event reads it, as NEST does.
  void set_history_bound(Step steps) { history_bound_ = steps; }
  /// Projections with per-step optimisation keep their intervals until an event reads them, as
  /// NEST does: for a simulation that changes eta between simulate calls, whose new eta NEST
  /// applies to the optimisation steps of intervals still open (an early integrated interval
  /// used the old one). Their sources' histories then grow while they are silent.
  void keep_per_step_histories() { keep_per_step_histories_ = true; }
  static constexpr Step kDefaultHistoryBound = 1024;

  /// Measure PhaseTimes while running (a few clock reads per step and thread).
  void set_phase_timing(bool enabled) { timing_ = enabled; }
  [[nodiscard]] const PhaseTimes& phase_times() const { return phase_times_; }
  /// Seed of the counter-based draws of poisson_generator connections.
  void set_seed(std::uint64_t seed) { seed_ = seed; }
  [[nodiscard]] std::uint64_t seed() const { return seed_; }

  /// Runs loop times now() .. now() + steps - 1.
  void run(Step steps);
  [[nodiscard]] Step now() const { return now_; }
  [[nodiscard]] Real dt() const { return dt_; }
  [[nodiscard]] std::size_t threads() const { return threads_; }
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int ranks() const { return ranks_; }
  /// The neuron ranges of this rank's threads (the shards it builds), ascending.
  [[nodiscard]] const std::vector<Range>& ranges(std::size_t population) const {
    return local_ranges_[population];
  }
  /// The neurons of `population` that rank `r` updates.
  [[nodiscard]] Range rank_range(std::size_t population, int r) const;
  /// Bytes this rank sent and received in the exchanges between ranks so far.
  [[nodiscard]] CommStats comm_stats() const { return comm_ ? comm_->stats() : CommStats{}; }
  [[nodiscard]] std::size_t history_entries() const;

  /// Drops all recorded data (not the pending sample of the last step).
  void clear_recordings();

  /// Checkpoints that any split over ranks and threads can load (network_checkpoint.cpp,
  /// partition_state.h): each rank saves one part; loading needs every part.
  void save_part(StateWriter& out);
  void load_parts(const std::vector<StateReader*>& parts);

  std::vector<Population<Real>> populations;
  std::vector<StaticProjection<Real>> static_projections;
  std::vector<PoissonProjection<Real>> poisson_projections;
  std::vector<SignalProjection<Real>> signal_projections;
  std::vector<PlasticProjection<Real>> plastic_projections;
  std::vector<BsshslmPlasticProjection<Real>> bsshslm_projections;
  std::vector<StdpProjection<Real>> stdp_projections;
  std::vector<BsshslmSignalProjection<Real>> bsshslm_signal_projections;
  std::vector<MultimeterState> multimeters;
  std::vector<SpikeRecorderState> spike_recorders;
  std::vector<std::vector<WeightLog>> weight_logs;  ///< [log][thread]

 private:
  void run_threads(Step first, Step last);
  void serial_phase(Step t);
  void take_signals(Step t);
  void deliver_signals(Step t, std::size_t thread);
  void thread_step(Step t, std::size_t thread);
  void deliver_static(const StaticProjection<Real>& proj, std::size_t thread, Step t);
  void deliver_plastic(PlasticProjection<Real>& proj, std::size_t thread, Step t);
  void deliver_stdp(StdpProjection<Real>& proj, std::size_t thread, Step t);
  void deliver_poisson(PoissonProjection<Real>& proj, std::size_t thread, Step t);
  void prune_post_spikes();
  void thread_step_timed(Step t, std::size_t thread);
  void update_populations(Step t, std::size_t thread);
  void end_step(Step t);
  // Between ranks (network_exchange.cpp).
  void exchange(Step t);
  void shard_signal_targets();
  void pack_exchange(Step t, ByteWriter& out);
  void unpack_exchange(Step t, int from, ByteReader& in);
  [[nodiscard]] int owner_rank(std::size_t population, std::size_t neuron) const;
  void record_spikes(Step t);
  void sample(Step t);
  void prune_histories(Step t);
  /// Integrates intervals past their trace cutoff so that their history can be pruned.
  void complete_expired_intervals(Step t);
  void open_interval_sums(Step t);
  void accumulate_interval_sums(Step t, std::size_t thread);
  // The _bsshslm_2020 family (network_bsshslm.cpp).
  void take_bsshslm_signals(Step t);
  void deliver_bsshslm_signals(Step t, std::size_t thread);
  void deliver_bsshslm(BsshslmPlasticProjection<Real>& proj, std::size_t thread, Step t);
  void prune_bsshslm_histories(Step t);
  // NEST's per-neuron history bookkeeping for recorded neurons (network_mirror.cpp).
  void prepare_mirrors();
  template <class Projection>
  void add_taps(Projection& proj, std::size_t mirror);
  void tap_event(MirrorTap& tap, PopulationMirror& mirror, LocalIndex i, Step t_s, bool flush);
  void advance_mirrors(Step t);
  [[nodiscard]] double mirrored(const MultimeterState& m, std::size_t row, Recordable var,
                                double value, Step t) const;
  // The pieces of a checkpoint part (network_checkpoint.cpp).
  void save_sections(StateWriter& out);
  void load_neurons(StateReader& in, const PartIndex& index, bool first_part);
  void load_mirrors(StateReader& in);
  void load_weight_logs(StateReader& in);
  void load_shared(StateReader& in);
  [[nodiscard]] std::size_t population_size(std::size_t p) const {
    return ranges_[p].empty() ? 0 : ranges_[p].back().end;
  }

  Real dt_;
  std::size_t threads_;
  Communicator* comm_ = nullptr;
  int rank_ = 0;
  int ranks_ = 1;
  std::size_t first_vp_ = 0;  ///< this rank's first virtual process: rank_ * threads_
  std::vector<std::byte> send_buffer_, receive_buffer_;
  std::vector<std::size_t> receive_offsets_;
  Step now_ = 0;
  bool closed_form_wanted_ = true;
  Step history_bound_ = kDefaultHistoryBound;
  bool keep_per_step_histories_ = false;
  bool integration_prepared_ = false;
  bool timing_ = false;
  PhaseTimes phase_times_;
  std::uint64_t seed_ = 1;
  bool mirrors_prepared_ = false;
  std::vector<PopulationMirror> mirrors_;
  std::vector<std::int32_t> mirror_of_;  ///< per population: index into mirrors_, -1: none
  std::vector<std::vector<Range>> ranges_;        ///< [population][virtual process]
  std::vector<std::vector<Range>> local_ranges_;  ///< [population][thread of this rank]
  /// Per signal projection (then per bsshslm one), the source values of step t - 1 its threads
  /// deliver in step t, taken in the serial phase because the sources' owners may update them
  /// again meanwhile; empty: nothing to deliver in this step.
  std::vector<std::vector<Real>> signal_values_, bsshslm_signal_values_;
  /// [step parity][population][virtual process]: events emitted in the step of that parity.
  /// Double buffered so that a thread may emit new events while others still deliver the
  /// previous ones.
  std::vector<std::vector<EventList>> events_[2];
};

}  // namespace eprop
