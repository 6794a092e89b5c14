#pragma once

// The connections of a ConnectionSpec (NEST Connect rules), generated on demand in creation order.
// Nothing is stored per connection: builders walk the set once to count and check, then once
// more per target range to write each synapse straight into its final array, so building a
// projection needs no more memory than the projection itself.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/types.h"
#include "engine/events.h"
#include "eprop/spec.h"

namespace eprop {

struct ExpandedConnection {
  LocalIndex source;
  LocalIndex target;
  double weight;
  double delay_ms;
};

class ConnectionSet {
 public:
  /// Validates the rule's parameters and the shapes of weight and delay (ConfigError naming
  /// `where`). `same_population` decides autapses. Random rules draw from rng with the
  /// connection index as stream, so adding a connection never changes the draws of another.
  /// spec must outlive the set.
  ConnectionSet(const ConnectionSpec& spec, std::size_t index, std::size_t n_source,
                std::size_t n_target, bool same_population, const CounterRandom& rng,
                const std::string& where);

  [[nodiscard]] std::size_t n_source() const { return n_source_; }
  [[nodiscard]] std::size_t n_target() const { return n_target_; }
  /// Number of connections (pairwise_bernoulli: one pass over the draws).
  [[nodiscard]] std::size_t count() const;

  /// Calls visit(const ExpandedConnection&) for every connection whose target lies in
  /// `targets`, in creation order.
  template <class Visit>
  void for_each(Range targets, Visit&& visit) const;
  template <class Visit>
  void for_each(Visit&& visit) const {
    for_each(Range{0, n_target_}, visit);
  }

  /// All connections in creation order (for the small connection kinds that keep a list).
  [[nodiscard]] std::vector<ExpandedConnection> expand() const;

 private:
  void validate(const std::string& where) const;
  void check_shape(const std::vector<double>& values, const char* field,
                   const std::string& where) const;
  [[nodiscard]] bool is_matrix(const std::vector<double>& values) const;
  [[nodiscard]] double value(const std::vector<double>& values, bool matrix, std::size_t k,
                             std::size_t s, std::size_t t) const {
    if (values.size() == 1) return values[0];
    return matrix ? values[t * n_source_ + s] : values[k];
  }

  /// Calls emit(k, source, target) for every connection in `targets`, k its creation index.
  template <class Emit>
  void for_each_pair(Range targets, Emit&& emit) const;
  template <class Emit>
  void all_to_all(Range targets, Emit& emit) const;
  template <class Emit>
  void one_to_one(Range targets, Emit& emit) const;
  template <class Emit>
  void pairwise(Range targets, Emit& emit) const;
  template <class Emit>
  void fixed_indegree(Range targets, Emit& emit) const;
  template <class Emit>
  void bernoulli(Range targets, Emit& emit) const;

  const ConnectionSpec& spec_;
  std::size_t index_;
  std::size_t n_source_;
  std::size_t n_target_;
  bool skip_self_;
  CounterRandom rng_;
  bool weight_matrix_ = false;  ///< weight/delay given as a [target][source] matrix
  bool delay_matrix_ = false;
};

template <class Visit>
void ConnectionSet::for_each(Range targets, Visit&& visit) const {
  for_each_pair(targets, [&](std::size_t k, std::size_t s, std::size_t t) {
    visit(ExpandedConnection{static_cast<LocalIndex>(s), static_cast<LocalIndex>(t),
                             value(spec_.weight, weight_matrix_, k, s, t),
                             value(spec_.delay, delay_matrix_, k, s, t)});
  });
}

template <class Emit>
void ConnectionSet::for_each_pair(Range targets, Emit&& emit) const {
  targets.end = std::min(targets.end, n_target_);
  if (targets.begin >= targets.end) return;
  switch (spec_.rule) {
    case ConnectionRule::all_to_all: return all_to_all(targets, emit);
    case ConnectionRule::one_to_one: return one_to_one(targets, emit);
    case ConnectionRule::pairwise: return pairwise(targets, emit);
    case ConnectionRule::fixed_indegree: return fixed_indegree(targets, emit);
    case ConnectionRule::pairwise_bernoulli: return bernoulli(targets, emit);
  }
}

// Every rule but pairwise creates its connections target by target, so a target range is a
// contiguous stretch of creation indices k; k only matters for per-connection value lists.

template <class Emit>
void ConnectionSet::all_to_all(Range targets, Emit& emit) const {
  std::size_t k = targets.begin * (n_source_ - (skip_self_ ? 1 : 0));
  for (std::size_t t = targets.begin; t < targets.end; ++t) {
    for (std::size_t s = 0; s < n_source_; ++s) {
      if (skip_self_ && s == t) continue;
      emit(k++, s, t);
    }
  }
}

template <class Emit>
void ConnectionSet::one_to_one(Range targets, Emit& emit) const {
  if (skip_self_) return;
  for (std::size_t t = targets.begin; t < targets.end; ++t) emit(t, t, t);
}

template <class Emit>
void ConnectionSet::pairwise(Range targets, Emit& emit) const {
  for (std::size_t k = 0; k < spec_.targets.size(); ++k) {
    const auto t = static_cast<std::size_t>(spec_.targets[k]);
    if (t >= targets.begin && t < targets.end) {
      emit(k, static_cast<std::size_t>(spec_.sources[k]), t);
    }
  }
}

template <class Emit>
void ConnectionSet::fixed_indegree(Range targets, Emit& emit) const {
  const auto indegree = static_cast<std::size_t>(spec_.indegree);
  std::size_t k = targets.begin * indegree;
  for (std::size_t t = targets.begin; t < targets.end; ++t) {
    std::uint64_t draw = 0;
    for (std::size_t j = 0; j < indegree; ++j) {
      std::uint64_t s = 0;
      do {
        s = rng_.below(n_source_, index_, t, draw++);
      } while (skip_self_ && s == t);
      emit(k++, s, t);
    }
  }
}

template <class Emit>
void ConnectionSet::bernoulli(Range targets, Emit& emit) const {
  // The number of connections before the range is random: with a per-connection value list the
  // draws of the earlier targets are repeated to find the first index.
  const bool listed = spec_.weight.size() != 1 || spec_.delay.size() != 1;
  std::size_t k = 0;
  for (std::size_t t = listed ? 0 : targets.begin; t < targets.end; ++t) {
    for (std::size_t s = 0; s < n_source_; ++s) {
      if (skip_self_ && s == t) continue;
      if (!(rng_.uniform(index_, t, s) < spec_.p)) continue;
      if (t >= targets.begin) emit(k, s, t);
      ++k;
    }
  }
}

}  // namespace eprop
