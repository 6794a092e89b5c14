#pragma once

// The lowered network of one precision and its step loop (SPEC 1.1): per step, first the
// secondary events of the previous step (learning signals, rate signals), then its spikes (this
// is when e-prop synapses learn), then the node updates.

#include <cstddef>
#include <optional>
#include <variant>
#include <vector>

#include "core/types.h"
#include "engine/devices.h"
#include "engine/eprop_projection.h"
#include "engine/readout_population.h"
#include "engine/recorders.h"
#include "engine/recurrent_population.h"

namespace eprop {

template <class Real>
using Population = std::variant<SpikeGeneratorPopulation, ParrotPopulation,
                                StepRateGeneratorPopulation<Real>, RecurrentPopulation<Real>,
                                ReadoutPopulation<Real>>;

/// static_synapse connections, CSR by source; flush events are dropped.
template <class Real>
struct StaticProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::vector<std::uint64_t> row_begin;
  std::vector<LocalIndex> target_index;
  std::vector<Real> weight;
  std::vector<Step> delay;  ///< steps, >= 1
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
};

template <class Real>
struct PlasticProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;  ///< index in NetworkSpec::connections
  EpropProjection<Real> synapses;
  std::optional<std::size_t> weight_log;  ///< index into Network::weight_logs
};

template <class Real>
class Network {
 public:
  explicit Network(Real dt) : dt_(dt) {}

  /// Runs loop times now() .. now() + steps - 1.
  void run(Step steps);
  [[nodiscard]] Step now() const { return now_; }
  [[nodiscard]] Real dt() const { return dt_; }
  [[nodiscard]] std::size_t history_entries() const;

  std::vector<Population<Real>> populations;
  std::vector<StaticProjection<Real>> static_projections;
  std::vector<SignalProjection<Real>> signal_projections;
  std::vector<PlasticProjection<Real>> plastic_projections;
  std::vector<MultimeterState> multimeters;
  std::vector<SpikeRecorderState> spike_recorders;
  std::vector<WeightLog> weight_logs;

 private:
  void step(Step t);
  void deliver_signals(Step t);
  void deliver_spikes(Step t);
  void deliver_static(const StaticProjection<Real>& proj, const EventList& events, Step t);
  void deliver_plastic(PlasticProjection<Real>& proj, const EventList& events, Step t);
  void update_nodes(Step t);
  void sample(Step t);
  void prune_histories(Step t);

  Real dt_;
  Step now_ = 0;
};

/// Events emitted by population p (nullptr for nodes that emit no spikes).
template <class Real>
const EventList* events_of(const Population<Real>& p);

}  // namespace eprop
