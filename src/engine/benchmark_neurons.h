#pragma once

// The non-learning models of the efficiency benchmark (PAPER_EXPERIMENTS 6.1), with NEST's
// semantics and parameter names: ignore_and_fire (recurrent neurons of the static and STDP
// variants), iaf_psc_delta (their readouts) and poisson_generator (input). Structure of arrays,
// one update call per population and step, like the e-prop models.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <cmath>
#include <utility>

#include "core/types.h"
#include "engine/events.h"
#include "engine/post_spike_archive.h"

namespace eprop {

/// NEST ignore_and_fire: spikes every `period` steps, the first one `phase * period` steps after
/// the start; input arrives and is dropped.
template <class Real>
class IgnoreAndFirePopulation {
 public:
  /// countdown[j]: steps until neuron j's first spike (0 = spike in loop time 0).
  IgnoreAndFirePopulation(std::string name, std::vector<Step> countdown, std::vector<Step> period);

  void begin_step(Step /*t*/) {}
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return countdown_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }

  InputRing<Real> input;
  PostSpikeArchive archive;  ///< enabled when an stdp_synapse targets the population
  double tau_minus = 20.0;   ///< ms, of the archive's depression trace

 private:
  std::string name_;
  std::vector<Step> countdown_;
  std::vector<Step> period_;
};

/// Lowered iaf_psc_delta parameters: voltages relative to E_L, propagators precomputed.
template <class Real>
struct IafPscDeltaParams {
  Real E_L = -70;
  Real I_e = 0;
  Real V_th = 15;
  Real V_reset = 0;
  Real V_min = std::numeric_limits<Real>::lowest();
  Real P33 = 0;  // exp(-dt / tau_m)
  Real P30 = 0;  // tau_m / C_m * (1 - P33)
  double dt_over_tau_m = 0;
  std::int64_t refractory_steps = 0;
  bool refractory_input = false;
};

/// NEST iaf_psc_delta: exact integration of a leaky membrane; input spikes make voltage jumps
/// of `weight` mV; clamped at V_reset for t_ref after a spike.
template <class Real>
class IafPscDeltaPopulation {
 public:
  IafPscDeltaPopulation(std::string name, std::size_t n, const IafPscDeltaParams<Real>& p,
                        Real V_m_initial);

  void begin_step(Step /*t*/) {}
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return v_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] Real V_m(std::size_t j) const { return v_[j] + p_.E_L; }

  InputRing<Real> input;
  PostSpikeArchive archive;  ///< enabled when an stdp_synapse targets the population
  double tau_minus = 20.0;   ///< ms, of the archive's depression trace

 private:
  std::string name_;
  IafPscDeltaParams<Real> p_;
  std::vector<Real> v_, refractory_input_;
  std::vector<std::int64_t> r_;
};

/// NEST poisson_generator: active in the steps whose stamp lies in (start, stop]; every target
/// synapse receives its own Poisson number of spikes per step. The draws happen at delivery, per
/// train of target synapses (engine/poisson_input.h); the generator itself emits no events.
class PoissonGeneratorPopulation {
 public:
  /// One rate for all n generators; start/stop as stamps in steps.
  PoissonGeneratorPopulation(std::string name, std::size_t n, double rate_hz, Step start,
                             Step stop, double dt)
      : name_(std::move(name)), n_(n), mean_(rate_hz * dt / 1000.0), start_(start), stop_(stop) {}

  void begin_step(Step /*t*/) {}
  void update(Step /*t*/, Range /*r*/, EventList& /*out*/) {}
  [[nodiscard]] std::size_t size() const { return n_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// Expected spikes per target synapse and step.
  [[nodiscard]] double mean() const { return mean_; }
  /// Whether spikes stamped `stamp` (delivered in loop time `stamp`) are sent.
  [[nodiscard]] bool active(Step stamp) const {
    return mean_ > 0 && stamp > start_ && stamp <= stop_;
  }

 private:
  std::string name_;
  std::size_t n_;
  double mean_;
  Step start_, stop_;
};

}  // namespace eprop
