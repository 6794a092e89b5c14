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
/// connection receives its own Poisson number of spikes per step. The generator only marks
/// itself active here; the draws happen per synapse at delivery (poisson_draw).
class PoissonGeneratorPopulation {
 public:
  /// rate_hz per generator; start/stop as stamps in steps.
  PoissonGeneratorPopulation(std::string name, std::vector<double> rate_hz, Step start, Step stop,
                             double dt);

  void begin_step(Step /*t*/) {}
  void update(Step t, Range r, EventList& out);
  [[nodiscard]] std::size_t size() const { return mean_.size(); }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// Expected spikes per step of generator i, and the probability of none.
  [[nodiscard]] double mean(std::size_t i) const { return mean_[i]; }
  [[nodiscard]] double p_zero(std::size_t i) const { return p_zero_[i]; }

 private:
  std::string name_;
  std::vector<double> mean_, p_zero_;
  Step start_, stop_;
};

/// A Poisson(mean) count from one uniform draw (inversion; mean <= kMaxPoissonMean);
/// p_zero = exp(-mean), precomputed because most draws end there.
std::uint32_t poisson_count(double mean, double p_zero, double uniform);
/// Largest supported expected spike count per generator and step.
inline constexpr double kMaxPoissonMean = 100.0;

// Draws of poisson_generator connections. One draw per synapse and step is the benchmark's
// largest cost (NEST's poisson_generator also draws per target and step), and a Philox block
// took about 60 ns each; so these draws use a SplitMix64 stream instead: one key per
// (seed, connection, generator, step), then one multiply-xorshift finalizer per target. Still a
// pure function of those indices: independent of threads and ranks.
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
inline std::uint64_t poisson_row_key(std::uint64_t seed, std::uint64_t connection,
                                     std::uint64_t source, Step stamp) {
  return mix64(mix64(mix64(seed ^ 0x5eed5eed5eed5eedULL) ^ connection) ^ source) ^
         mix64(static_cast<std::uint64_t>(stamp));
}
/// Uniform in [0, 1) for one target of a row key (the SplitMix64 sequence indexed by target).
inline double poisson_uniform(std::uint64_t row_key, std::uint64_t target) {
  return static_cast<double>(mix64(row_key + (target + 1) * 0x9e3779b97f4a7c15ULL) >> 11) *
         0x1.0p-53;
}
/// The count generator `source` sends through synapse (connection, target) at `stamp`.
inline std::uint32_t poisson_draw(std::uint64_t seed, std::uint64_t connection,
                                  std::uint64_t source, std::uint64_t target, Step stamp,
                                  double mean) {
  return poisson_count(mean, std::exp(-mean),
                       poisson_uniform(poisson_row_key(seed, connection, source, stamp), target));
}

}  // namespace eprop
