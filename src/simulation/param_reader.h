#pragma once

// Reads NEST-named parameters of one population spec, with defaults, type checks and range
// checks whose messages name the population, the parameter, the value and the constraint.
// Every parameter a model knows is read once; finish() rejects whatever is left (typos).

#include <cfloat>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "eprop/spec.h"

namespace eprop {

class ParamReader {
 public:
  explicit ParamReader(const PopulationSpec& spec) : spec_(spec) {}

  double number(const std::string& name, double fallback);
  bool flag(const std::string& name, bool fallback);
  std::string text(const std::string& name, const std::string& fallback);
  /// One value per neuron: the spec's per-neuron values of `name` if it has them (checked: n
  /// values, each in range by `check`), else number(name, fallback) for every neuron.
  std::vector<double> per_neuron(const std::string& name, double fallback,
                                 bool (*check)(double), const std::string& constraint);

  /// Throws ConfigError "population 'rec' (eprop_iaf): parameter 'tau_m' = -1 <constraint>"
  /// unless ok.
  void require(bool ok, const std::string& name, double value, const std::string& constraint) const;
  void require_text(bool ok, const std::string& name, const std::string& value,
                    const std::string& constraint) const;

  /// Rejects any parameter the model did not read.
  void finish() const;

  [[nodiscard]] std::string where() const;

 private:
  const PopulationSpec& spec_;
  std::set<std::string> read_;
  std::set<std::string> read_per_neuron_;
};

std::string format_number(double value);

/// Reads a number and checks its range (the message names population, parameter and value).
double positive(ParamReader& r, const std::string& name, double fallback);
double non_negative(ParamReader& r, const std::string& name, double fallback);
double unit_interval(ParamReader& r, const std::string& name, double fallback);

/// The initial V_m (mV): as given, else the model's default V_m, which is its default E_L. NEST
/// keeps every absolute voltage when E_L changes without it (SPEC 1.4: stored relative to E_L and
/// shifted by the change), so setting E_L alone does not move V_m.
inline double initial_V_m(ParamReader& r, double default_E_L) {
  return r.number("V_m", default_E_L);
}

/// A voltage relative to E_L; -DBL_MAX (NEST's "no lower bound") stays the lowest value of Real.
template <class Real>
Real internal_voltage(double v, double E_L) {
  if (v <= -DBL_MAX / 2) return std::numeric_limits<Real>::lowest();
  return static_cast<Real>(v - E_L);
}

}  // namespace eprop
