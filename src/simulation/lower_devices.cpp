#include <cmath>
#include <string>

#include "simulation/lower_populations.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

std::string where(const PopulationSpec& spec) {
  return "population '" + spec.name + "' (" + spec.model + ")";
}

/// Converts a time in ms that must lie on the simulation grid.
Step grid_steps(const PopulationSpec& spec, const std::string& field, double ms, double dt) {
  const double steps = ms / dt;
  if (!std::isfinite(ms) || std::abs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps)) {
    throw ConfigError(where(spec) + ": " + field + " value " + format_number(ms) +
                      " ms is not a multiple of the resolution " + format_number(dt) + " ms");
  }
  return static_cast<Step>(std::llround(steps));
}

void require_lists(const PopulationSpec& spec, const std::string& field, std::size_t count) {
  if (count != spec.n) {
    throw ConfigError(where(spec) + ": " + field + " has " + std::to_string(count) +
                      " lists but n = " + std::to_string(spec.n) + " (one list per neuron)");
  }
}

template <class Real>
Population<Real> lower_spike_generator(const PopulationSpec& spec, double dt) {
  require_lists(spec, "spike_times", spec.spike_times.size());
  std::vector<std::vector<Step>> steps(spec.n);
  for (std::size_t j = 0; j < spec.n; ++j) {
    for (const double ms : spec.spike_times[j]) {
      const Step s = grid_steps(spec, "spike_times", ms, dt);
      if (s < 1) {
        throw ConfigError(where(spec) + ": spike_times value " + format_number(ms) +
                          " ms must be >= the resolution " + format_number(dt) + " ms");
      }
      if (!steps[j].empty() && s < steps[j].back()) {
        throw ConfigError(where(spec) + ": spike_times of neuron " + std::to_string(j) +
                          " must be sorted (" + format_number(ms) + " follows a later time)");
      }
      steps[j].push_back(s);
    }
  }
  return SpikeGeneratorPopulation(spec.name, std::move(steps));
}

template <class Real>
Population<Real> lower_step_rate_generator(const PopulationSpec& spec, double dt) {
  require_lists(spec, "amplitude_times", spec.amplitude_times.size());
  require_lists(spec, "amplitude_values", spec.amplitude_values.size());
  std::vector<std::vector<Step>> times(spec.n);
  std::vector<std::vector<Real>> values(spec.n);
  for (std::size_t j = 0; j < spec.n; ++j) {
    if (spec.amplitude_times[j].size() != spec.amplitude_values[j].size()) {
      throw ConfigError(where(spec) + ": neuron " + std::to_string(j) + " has " +
                        std::to_string(spec.amplitude_times[j].size()) + " amplitude_times but " +
                        std::to_string(spec.amplitude_values[j].size()) + " amplitude_values");
    }
    for (std::size_t k = 0; k < spec.amplitude_times[j].size(); ++k) {
      const double ms = spec.amplitude_times[j][k];
      const Step s = grid_steps(spec, "amplitude_times", ms, dt);
      if (s < 1) {
        throw ConfigError(where(spec) + ": amplitude_times value " + format_number(ms) +
                          " ms must be > 0");
      }
      if (!times[j].empty() && s <= times[j].back()) {
        throw ConfigError(where(spec) + ": amplitude_times of neuron " + std::to_string(j) +
                          " must be strictly increasing (" + format_number(ms) + ")");
      }
      times[j].push_back(s);
      values[j].push_back(static_cast<Real>(spec.amplitude_values[j][k]));
    }
  }
  return StepRateGeneratorPopulation<Real>(spec.name, std::move(times), std::move(values));
}

void reject_device_lists(const PopulationSpec& spec, NodeKind kind) {
  if (kind != NodeKind::spike_generator && !spec.spike_times.empty()) {
    throw ConfigError(where(spec) + ": spike_times is only valid for spike_generator");
  }
  if (kind != NodeKind::step_rate_generator &&
      (!spec.amplitude_times.empty() || !spec.amplitude_values.empty())) {
    throw ConfigError(where(spec) +
                      ": amplitude_times/amplitude_values are only valid for step_rate_generator");
  }
}

}  // namespace

template <class Real>
Population<Real> lower_device(const PopulationSpec& spec, NodeKind kind, double dt) {
  reject_device_lists(spec, kind);
  ParamReader r(spec);
  if (kind == NodeKind::parrot_neuron) {
    const double flush = r.number("flush_event_send_interval", INFINITY);
    r.require(flush > 0, "flush_event_send_interval", flush, "must be > 0");
    // NEST's parrot accepts the ignore-and-spike parameters and keeps relaying its input.
    (void)read_ignore_and_spike(r, dt);
    r.finish();
    return ParrotPopulation(spec.name, spec.n, to_steps(flush, dt));
  }
  r.finish();
  if (kind == NodeKind::spike_generator) return lower_spike_generator<Real>(spec, dt);
  return lower_step_rate_generator<Real>(spec, dt);
}

template Population<float> lower_device<float>(const PopulationSpec&, NodeKind, double);
template Population<double> lower_device<double>(const PopulationSpec&, NodeKind, double);

}  // namespace eprop
