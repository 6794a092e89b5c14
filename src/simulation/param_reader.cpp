#include "simulation/param_reader.h"

#include <cstdio>

namespace eprop {

std::string format_number(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.10g", value);
  return buf;
}

std::string ParamReader::where() const {
  return "population '" + spec_.name + "' (" + spec_.model + ")";
}

double ParamReader::number(const std::string& name, double fallback) {
  read_.insert(name);
  const auto it = spec_.params.find(name);
  if (it == spec_.params.end()) return fallback;
  if (const double* d = std::get_if<double>(&it->second)) {
    if (std::isnan(*d)) throw ConfigError(where() + ": parameter '" + name + "' is NaN");
    return *d;
  }
  throw ConfigError(where() + ": parameter '" + name + "' must be a number");
}

bool ParamReader::flag(const std::string& name, bool fallback) {
  read_.insert(name);
  const auto it = spec_.params.find(name);
  if (it == spec_.params.end()) return fallback;
  if (const bool* b = std::get_if<bool>(&it->second)) return *b;
  throw ConfigError(where() + ": parameter '" + name + "' must be true or false");
}

std::string ParamReader::text(const std::string& name, const std::string& fallback) {
  read_.insert(name);
  const auto it = spec_.params.find(name);
  if (it == spec_.params.end()) return fallback;
  if (const std::string* s = std::get_if<std::string>(&it->second)) return *s;
  throw ConfigError(where() + ": parameter '" + name + "' must be a string");
}

std::vector<double> ParamReader::per_neuron(const std::string& name, double fallback,
                                            bool (*check)(double), const std::string& constraint) {
  const double common = number(name, fallback);
  read_per_neuron_.insert(name);
  const auto it = spec_.neuron_params.find(name);
  if (it == spec_.neuron_params.end()) {
    require(check(common), name, common, constraint);
    return std::vector<double>(spec_.n, common);
  }
  const std::vector<double>& values = it->second;
  if (values.size() != spec_.n) {
    throw ConfigError(where() + ": per-neuron parameter '" + name + "' has " +
                      std::to_string(values.size()) + " values, expected " +
                      std::to_string(spec_.n) + " (one per neuron)");
  }
  for (std::size_t j = 0; j < values.size(); ++j) {
    require(!std::isnan(values[j]) && check(values[j]), name + "[" + std::to_string(j) + "]",
            values[j], constraint);
  }
  return values;
}

void ParamReader::require(bool ok, const std::string& name, double value,
                          const std::string& constraint) const {
  if (!ok) {
    throw ConfigError(where() + ": parameter '" + name + "' = " + format_number(value) + " " +
                      constraint);
  }
}

void ParamReader::require_text(bool ok, const std::string& name, const std::string& value,
                               const std::string& constraint) const {
  if (!ok) {
    throw ConfigError(where() + ": parameter '" + name + "' = '" + value + "' " + constraint);
  }
}

void ParamReader::finish() const {
  for (const auto& [name, value] : spec_.params) {
    if (read_.count(name) == 0) {
      throw ConfigError(where() + ": unknown parameter '" + name + "' for model '" + spec_.model +
                        "'");
    }
  }
  for (const auto& [name, values] : spec_.neuron_params) {
    if (read_per_neuron_.count(name) == 0) {
      throw ConfigError(where() + ": parameter '" + name + "' cannot vary per neuron for model '" +
                        spec_.model + "'");
    }
  }
}

double unit_interval(ParamReader& r, const std::string& name, double fallback) {
  const double x = r.number(name, fallback);
  r.require(x >= 0.0 && x <= 1.0, name, x, "must be in [0, 1]");
  return x;
}

double positive(ParamReader& r, const std::string& name, double fallback) {
  const double x = r.number(name, fallback);
  r.require(x > 0.0, name, x, "must be > 0");
  return x;
}

double non_negative(ParamReader& r, const std::string& name, double fallback) {
  const double x = r.number(name, fallback);
  r.require(x >= 0.0, name, x, "must be >= 0");
  return x;
}

}  // namespace eprop
