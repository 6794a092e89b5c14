#include "simulation/connect.h"

#include "eprop/error.h"
#include "simulation/param_reader.h"

namespace eprop {

ConnectionSet::ConnectionSet(const ConnectionSpec& spec, std::size_t index, std::size_t n_source,
                             std::size_t n_target, bool same_population, const CounterRandom& rng,
                             const std::string& where)
    : spec_(spec),
      index_(index),
      n_source_(n_source),
      n_target_(n_target),
      skip_self_(same_population && !spec.allow_autapses),
      rng_(rng) {
  validate(where);
  check_shape(spec.weight, "weight", where);
  check_shape(spec.delay, "delay", where);
  weight_matrix_ = is_matrix(spec.weight);
  delay_matrix_ = is_matrix(spec.delay);
}

void ConnectionSet::validate(const std::string& where) const {
  switch (spec_.rule) {
    case ConnectionRule::all_to_all: return;
    case ConnectionRule::one_to_one:
      if (n_source_ != n_target_) {
        throw ConfigError(where + ": rule 'one_to_one' needs equal sizes, got " +
                          std::to_string(n_source_) + " sources and " +
                          std::to_string(n_target_) + " targets");
      }
      return;
    case ConnectionRule::pairwise:
      if (spec_.sources.size() != spec_.targets.size()) {
        throw ConfigError(where + ": 'sources' has " + std::to_string(spec_.sources.size()) +
                          " entries but 'targets' has " + std::to_string(spec_.targets.size()));
      }
      for (std::size_t k = 0; k < spec_.sources.size(); ++k) {
        const auto s = spec_.sources[k];
        const auto t = spec_.targets[k];
        if (s < 0 || static_cast<std::size_t>(s) >= n_source_) {
          throw ConfigError(where + ": sources[" + std::to_string(k) + "] = " +
                            std::to_string(s) + " is outside [0, " + std::to_string(n_source_) +
                            ")");
        }
        if (t < 0 || static_cast<std::size_t>(t) >= n_target_) {
          throw ConfigError(where + ": targets[" + std::to_string(k) + "] = " +
                            std::to_string(t) + " is outside [0, " + std::to_string(n_target_) +
                            ")");
        }
      }
      return;
    case ConnectionRule::fixed_indegree: {
      const std::size_t available = n_source_ - (skip_self_ ? 1 : 0);
      if (spec_.indegree < 0 || (spec_.indegree > 0 && available == 0)) {
        throw ConfigError(where + ": 'indegree' = " + std::to_string(spec_.indegree) +
                          " must be >= 0 and needs at least one eligible source");
      }
      return;
    }
    case ConnectionRule::pairwise_bernoulli:
      if (!(spec_.p >= 0.0 && spec_.p <= 1.0)) {
        throw ConfigError(where + ": 'p' = " + format_number(spec_.p) + " must be in [0, 1]");
      }
      return;
  }
}

std::size_t ConnectionSet::count() const {
  switch (spec_.rule) {
    case ConnectionRule::all_to_all: return n_target_ * (n_source_ - (skip_self_ ? 1 : 0));
    case ConnectionRule::one_to_one: return skip_self_ ? 0 : n_target_;
    case ConnectionRule::pairwise: return spec_.sources.size();
    case ConnectionRule::fixed_indegree:
      return n_target_ * static_cast<std::size_t>(spec_.indegree);
    case ConnectionRule::pairwise_bernoulli: break;
  }
  std::size_t n = 0;
  for_each_pair(Range{0, n_target_}, [&n](std::size_t, std::size_t, std::size_t) { ++n; });
  return n;
}

bool ConnectionSet::is_matrix(const std::vector<double>& values) const {
  return spec_.rule == ConnectionRule::all_to_all && values.size() != 1 &&
         values.size() == n_source_ * n_target_;
}

void ConnectionSet::check_shape(const std::vector<double>& values, const char* field,
                                const std::string& where) const {
  if (values.size() == 1) return;
  const bool matrix_ok = spec_.rule == ConnectionRule::all_to_all;
  if (matrix_ok && values.size() == n_source_ * n_target_) return;
  const std::size_t n = count();
  if (values.size() == n) return;
  std::string expected = "1 value or " + std::to_string(n) + " values (one per connection)";
  if (matrix_ok) {
    expected += " or a " + std::to_string(n_target_) + " x " + std::to_string(n_source_) +
                " [target][source] matrix";
  }
  throw ConfigError(where + ": '" + field + "' has " + std::to_string(values.size()) +
                    " values; expected " + expected);
}

std::vector<ExpandedConnection> ConnectionSet::expand() const {
  std::vector<ExpandedConnection> out;
  out.reserve(count());
  for_each([&out](const ExpandedConnection& c) { out.push_back(c); });
  return out;
}

}  // namespace eprop
