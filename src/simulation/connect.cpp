#include "simulation/connect.h"

#include "eprop/error.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

struct Pair {
  LocalIndex source;
  LocalIndex target;
};

std::vector<Pair> all_to_all(std::size_t n_source, std::size_t n_target, bool skip_self) {
  std::vector<Pair> pairs;
  pairs.reserve(n_source * n_target);
  for (std::size_t t = 0; t < n_target; ++t) {
    for (std::size_t s = 0; s < n_source; ++s) {
      if (skip_self && s == t) continue;
      pairs.push_back({static_cast<LocalIndex>(s), static_cast<LocalIndex>(t)});
    }
  }
  return pairs;
}

std::vector<Pair> pairwise(const ConnectionSpec& spec, std::size_t n_source, std::size_t n_target,
                           const std::string& where) {
  if (spec.sources.size() != spec.targets.size()) {
    throw ConfigError(where + ": 'sources' has " + std::to_string(spec.sources.size()) +
                      " entries but 'targets' has " + std::to_string(spec.targets.size()));
  }
  std::vector<Pair> pairs;
  for (std::size_t k = 0; k < spec.sources.size(); ++k) {
    const auto s = spec.sources[k];
    const auto t = spec.targets[k];
    if (s < 0 || static_cast<std::size_t>(s) >= n_source) {
      throw ConfigError(where + ": sources[" + std::to_string(k) + "] = " + std::to_string(s) +
                        " is outside [0, " + std::to_string(n_source) + ")");
    }
    if (t < 0 || static_cast<std::size_t>(t) >= n_target) {
      throw ConfigError(where + ": targets[" + std::to_string(k) + "] = " + std::to_string(t) +
                        " is outside [0, " + std::to_string(n_target) + ")");
    }
    pairs.push_back({static_cast<LocalIndex>(s), static_cast<LocalIndex>(t)});
  }
  return pairs;
}

std::vector<Pair> fixed_indegree(const ConnectionSpec& spec, std::size_t index,
                                 std::size_t n_source, std::size_t n_target, bool skip_self,
                                 const CounterRandom& rng, const std::string& where) {
  const std::size_t available = n_source - (skip_self ? 1 : 0);
  if (spec.indegree < 0 || (spec.indegree > 0 && available == 0)) {
    throw ConfigError(where + ": 'indegree' = " + std::to_string(spec.indegree) +
                      " must be >= 0 and needs at least one eligible source");
  }
  std::vector<Pair> pairs;
  pairs.reserve(n_target * static_cast<std::size_t>(spec.indegree));
  for (std::size_t t = 0; t < n_target; ++t) {
    std::uint64_t draw = 0;
    for (std::int64_t k = 0; k < spec.indegree; ++k) {
      std::uint64_t s = 0;
      do {
        s = rng.below(n_source, index, t, draw++);
      } while (skip_self && s == t);
      pairs.push_back({static_cast<LocalIndex>(s), static_cast<LocalIndex>(t)});
    }
  }
  return pairs;
}

std::vector<Pair> bernoulli(const ConnectionSpec& spec, std::size_t index, std::size_t n_source,
                            std::size_t n_target, bool skip_self, const CounterRandom& rng,
                            const std::string& where) {
  if (!(spec.p >= 0.0 && spec.p <= 1.0)) {
    throw ConfigError(where + ": 'p' = " + format_number(spec.p) + " must be in [0, 1]");
  }
  std::vector<Pair> pairs;
  for (std::size_t t = 0; t < n_target; ++t) {
    for (std::size_t s = 0; s < n_source; ++s) {
      if (skip_self && s == t) continue;
      if (rng.uniform(index, t, s) < spec.p) {
        pairs.push_back({static_cast<LocalIndex>(s), static_cast<LocalIndex>(t)});
      }
    }
  }
  return pairs;
}

/// Value of connection k (in creation order) from a scalar, a [target][source] matrix
/// (all_to_all) or a per-connection list.
double value_for(const std::vector<double>& values, const Pair& p, std::size_t k,
                 std::size_t n_source, bool matrix) {
  if (values.size() == 1) return values[0];
  if (matrix) return values[p.target * n_source + p.source];
  return values[k];
}

void check_shape(const std::vector<double>& values, const char* field, std::size_t count,
                 bool matrix_ok, std::size_t n_source, std::size_t n_target,
                 const std::string& where) {
  if (values.size() == 1 || values.size() == count) return;
  if (matrix_ok && values.size() == n_source * n_target) return;
  std::string expected = "1 value or " + std::to_string(count) + " values (one per connection)";
  if (matrix_ok) {
    expected += " or a " + std::to_string(n_target) + " x " + std::to_string(n_source) +
                " [target][source] matrix";
  }
  throw ConfigError(where + ": '" + field + "' has " + std::to_string(values.size()) +
                    " values; expected " + expected);
}

}  // namespace

std::vector<ExpandedConnection> expand_connection(const ConnectionSpec& spec, std::size_t index,
                                                  std::size_t n_source, std::size_t n_target,
                                                  bool same_population, const CounterRandom& rng,
                                                  const std::string& where) {
  const bool skip_self = same_population && !spec.allow_autapses;
  std::vector<Pair> pairs;
  switch (spec.rule) {
    case ConnectionRule::all_to_all: pairs = all_to_all(n_source, n_target, skip_self); break;
    case ConnectionRule::one_to_one:
      if (n_source != n_target) {
        throw ConfigError(where + ": rule 'one_to_one' needs equal sizes, got " +
                          std::to_string(n_source) + " sources and " + std::to_string(n_target) +
                          " targets");
      }
      for (std::size_t i = 0; i < n_source; ++i) {
        if (skip_self) break;
        pairs.push_back({static_cast<LocalIndex>(i), static_cast<LocalIndex>(i)});
      }
      break;
    case ConnectionRule::pairwise: pairs = pairwise(spec, n_source, n_target, where); break;
    case ConnectionRule::fixed_indegree:
      pairs = fixed_indegree(spec, index, n_source, n_target, skip_self, rng, where);
      break;
    case ConnectionRule::pairwise_bernoulli:
      pairs = bernoulli(spec, index, n_source, n_target, skip_self, rng, where);
      break;
  }
  const bool matrix_ok = spec.rule == ConnectionRule::all_to_all;
  check_shape(spec.weight, "weight", pairs.size(), matrix_ok, n_source, n_target, where);
  check_shape(spec.delay, "delay", pairs.size(), matrix_ok, n_source, n_target, where);
  const bool weight_matrix = matrix_ok && spec.weight.size() == n_source * n_target &&
                             spec.weight.size() != 1;
  const bool delay_matrix = matrix_ok && spec.delay.size() == n_source * n_target &&
                            spec.delay.size() != 1;
  std::vector<ExpandedConnection> out;
  out.reserve(pairs.size());
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const Pair& p = pairs[k];
    out.push_back({p.source, p.target, value_for(spec.weight, p, k, n_source, weight_matrix),
                   value_for(spec.delay, p, k, n_source, delay_matrix)});
  }
  return out;
}

}  // namespace eprop
