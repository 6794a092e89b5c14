// Lowering of the benchmark models (ignore_and_fire, iaf_psc_delta, poisson_generator) from NEST
// parameter names; docs/user/network-file.md lists them.

#include <cfloat>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/random.h"
#include "engine/poisson_input.h"
#include "simulation/lower_populations.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

/// A stream of draws per population, keyed by its name (so that adding populations elsewhere
/// does not change them).
std::uint64_t population_stream(const PopulationSpec& spec) {
  return std::hash<std::string>{}("phase:" + spec.name);
}

template <class Real>
Population<Real> lower_ignore_and_fire(const PopulationSpec& spec, const KernelSpec& kernel) {
  const double dt = kernel.resolution;
  ParamReader r(spec);
  const double rate = positive(r, "rate", 10.0);
  // phase: time to the next spike relative to the period, in (0, 1]; "uniform" draws it per
  // neuron as NEST's nest.random.uniform(0, 1) would (here from the kernel seed).
  const auto given = spec.params.find("phase");
  const bool random_phase = given != spec.params.end() &&
                            std::holds_alternative<std::string>(given->second);
  if (random_phase) {
    const std::string text = r.text("phase", "");
    r.require_text(text == "uniform", "phase", text, "must be a number in (0, 1] or \"uniform\"");
  }
  const double phase = random_phase ? 1.0 : r.number("phase", 1.0);
  r.require(phase > 0 && phase <= 1, "phase", phase, "must be in (0, 1] or \"uniform\"");
  const double period_ms = 1000.0 / rate;
  const Step period = to_steps(period_ms, dt);
  r.require(period >= 1, "rate", rate,
            "gives a period below the resolution (" + format_number(dt) + " ms)");
  const double tau_minus = positive(r, "tau_minus", 20.0);
  r.finish();
  const CounterRandom rng(kernel.seed);
  std::vector<Step> countdown(spec.n);
  for (std::size_t j = 0; j < spec.n; ++j) {
    const double p = random_phase ? 1.0 - rng.uniform(population_stream(spec), j, 0) : phase;
    countdown[j] = to_steps(p * period_ms, dt);
  }
  IgnoreAndFirePopulation<Real> pop(spec.name, std::move(countdown),
                                    std::vector<Step>(spec.n, period));
  pop.tau_minus = tau_minus;
  return pop;
}

template <class Real>
Population<Real> lower_iaf_psc_delta(const PopulationSpec& spec, double dt) {
  ParamReader r(spec);
  const double C_m = positive(r, "C_m", 250.0);
  const double tau_m = positive(r, "tau_m", 10.0);
  const double t_ref = non_negative(r, "t_ref", 2.0);
  const double E_L = r.number("E_L", -70.0);
  const double V_th = r.number("V_th", -55.0);
  const double V_reset = r.number("V_reset", -70.0);
  r.require(V_reset < V_th, "V_reset", V_reset, "must be < V_th (" + format_number(V_th) + ")");
  const double V_min = r.number("V_min", -DBL_MAX);
  r.require(V_reset >= V_min, "V_reset", V_reset, "must be >= V_min");
  IafPscDeltaParams<Real> p;
  p.E_L = static_cast<Real>(E_L);
  p.I_e = static_cast<Real>(r.number("I_e", 0.0));
  // V_th = 1e100 (the benchmark's silent readouts) must stay above every voltage in float too.
  p.V_th = V_th - E_L > FLT_MAX ? std::numeric_limits<Real>::max() : static_cast<Real>(V_th - E_L);
  p.V_reset = static_cast<Real>(V_reset - E_L);
  p.V_min = internal_voltage<Real>(V_min, E_L);
  p.P33 = static_cast<Real>(std::exp(-dt / tau_m));
  p.P30 = static_cast<Real>(tau_m / C_m * (1.0 - std::exp(-dt / tau_m)));
  p.dt_over_tau_m = dt / tau_m;
  p.refractory_steps = to_steps(t_ref, dt);
  p.refractory_input = r.flag("refractory_input", false);
  const double tau_minus = positive(r, "tau_minus", 20.0);
  const double V_m = initial_V_m(r, -70.0);
  r.finish();
  IafPscDeltaPopulation<Real> pop(spec.name, spec.n, p, static_cast<Real>(V_m));
  pop.tau_minus = tau_minus;
  return pop;
}

template <class Real>
Population<Real> lower_poisson_generator(const PopulationSpec& spec, double dt) {
  ParamReader r(spec);
  const double rate = non_negative(r, "rate", 0.0);
  r.require(rate * dt / 1000.0 <= kMaxPoissonMean, "rate", rate,
            "must be at most " + format_number(kMaxPoissonMean * 1000.0 / dt) +
                " Hz at this resolution");
  const double origin = r.number("origin", 0.0);
  const double start = non_negative(r, "start", 0.0);
  const double stop = r.number("stop", INFINITY);
  r.require(stop >= start, "stop", stop, "must be >= start (" + format_number(start) + ")");
  r.finish();
  const Step stop_steps = std::isinf(stop) ? kNeverSteps : to_steps(origin + stop, dt);
  return PoissonGeneratorPopulation(spec.name, spec.n, rate, to_steps(origin + start, dt),
                                    stop_steps, dt);
}

}  // namespace

template <class Real>
Population<Real> lower_benchmark_model(const PopulationSpec& spec, NodeKind kind,
                                       const KernelSpec& kernel) {
  if (!spec.spike_times.empty() || !spec.amplitude_times.empty() ||
      !spec.amplitude_values.empty()) {
    throw ConfigError("population '" + spec.name + "' (" + spec.model +
                      "): spike_times/amplitude lists are only valid for generators that use them");
  }
  switch (kind) {
    case NodeKind::ignore_and_fire: return lower_ignore_and_fire<Real>(spec, kernel);
    case NodeKind::iaf_psc_delta: return lower_iaf_psc_delta<Real>(spec, kernel.resolution);
    default: return lower_poisson_generator<Real>(spec, kernel.resolution);
  }
}

template Population<float> lower_benchmark_model<float>(const PopulationSpec&, NodeKind,
                                                        const KernelSpec&);
template Population<double> lower_benchmark_model<double>(const PopulationSpec&, NodeKind,
                                                          const KernelSpec&);

}  // namespace eprop
