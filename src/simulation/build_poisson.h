#pragma once

// Lays out a poisson_generator -> static_synapse connection by target (engine/poisson_input.h):
// each target's synapses in creation order, cut into trains of at most kTrainMeanLimit expected
// spikes per step. Creation order does not depend on the shards, so neither do the trains.

#include <cstdint>
#include <vector>

#include "engine/poisson_input.h"
#include "simulation/connect.h"
#include "simulation/shard_rows.h"

namespace eprop {

/// Per shard, the column offsets (shard size + 1) of the connections whose targets it owns;
/// observe(c) sees every connection once, in creation order (as count_rows_per_shard).
template <class Observe>
std::vector<std::vector<std::uint64_t>> count_columns_per_shard(const ConnectionSet& set,
                                                                const std::vector<Range>& shards,
                                                                Observe&& observe) {
  std::vector<std::vector<std::uint64_t>> col_begin;
  for (const Range& r : shards) col_begin.emplace_back(r.end - r.begin + 1, 0);
  const std::size_t first = shards.front().begin;
  const std::size_t end = shards.back().end;
  set.for_each([&](const ExpandedConnection& c) {
    observe(c);
    if (c.target < first || c.target >= end) return;
    const std::size_t k = shard_of(shards, c.target);
    ++col_begin[k][c.target - shards[k].begin + 1];
  });
  for (auto& offsets : col_begin) counts_to_offsets(offsets);
  return col_begin;
}

/// Keys of the trains: the network's seed and the connection's index.
struct TrainKeys {
  std::uint64_t seed = 0;
  std::uint64_t connection = 0;
};

/// One shard: weights, delays (steps) and trains; mean = expected spikes per synapse and step.
template <class Real>
PoissonShard<Real> fill_poisson_shard(const ConnectionSet& set, Range shard,
                                      const std::vector<std::uint64_t>& col_begin, double dt,
                                      double mean, TrainKeys keys);

}  // namespace eprop
