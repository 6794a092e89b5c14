#pragma once

// Lays out the synapses of a connection set as one CSR per target shard (thread) straight from
// the connection rule, by counting sort: a counting pass sizes every row, then a filling pass per
// shard writes each synapse into its final slot. Nothing per connection is kept in between, so
// the peak memory is the final arrays plus two offset arrays (row starts, write cursors) per
// shard, and each row keeps the rule's creation order whatever the number of shards.

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "engine/events.h"
#include "engine/synapse_rows.h"
#include "simulation/connect.h"

namespace eprop {

/// The shard owning target t; shards are contiguous, ascending and cover t.
inline std::size_t shard_of(const std::vector<Range>& shards, std::size_t t) {
  const auto owner = std::partition_point(shards.begin(), shards.end(),
                                          [t](const Range& r) { return r.end <= t; });
  return static_cast<std::size_t>(owner - shards.begin());
}

/// Per shard, the row offsets (n_source + 1) of the connections whose targets it owns.
/// observe(c) sees every connection once, in creation order: the place for per-synapse checks
/// (every rank checks every connection, so all ranks reject a bad one together). The shards
/// are this rank's; connections onto other ranks' targets are only observed.
template <class Observe>
std::vector<std::vector<std::uint64_t>> count_rows_per_shard(const ConnectionSet& set,
                                                             const std::vector<Range>& shards,
                                                             Observe&& observe) {
  std::vector<std::vector<std::uint64_t>> row_begin(
      shards.size(), std::vector<std::uint64_t>(set.n_source() + 1, 0));
  const std::size_t first = shards.front().begin;
  const std::size_t end = shards.back().end;
  set.for_each([&](const ExpandedConnection& c) {
    observe(c);
    if (c.target < first || c.target >= end) return;
    ++row_begin[shard_of(shards, c.target)][c.source + 1];
  });
  for (auto& offsets : row_begin) counts_to_offsets(offsets);
  return row_begin;
}

/// Calls place(slot, c) for every connection whose target lies in shard, slot being its index
/// in the shard's CSR of offsets row_begin.
///
/// Each connection lands in a random row, so its cursor and its slot both miss the caches. The
/// connections therefore pass through two batches: while one batch arrives its cursors are
/// prefetched; when it is full its slots are taken (in creation order) and prefetched
/// (prefetch(slot)), and the batch before it, whose slots were prefetched one batch ago, is
/// placed. The misses of a batch overlap instead of queueing one behind the other.
template <class Prefetch, class Place>
void fill_rows(const ConnectionSet& set, Range shard, const std::vector<std::uint64_t>& row_begin,
               Prefetch&& prefetch, Place&& place) {
  constexpr std::size_t kBatch = 16;
  struct Batch {
    std::array<ExpandedConnection, kBatch> connection{};
    std::array<std::uint64_t, kBatch> slot{};
    std::size_t size = 0;
  };
  std::array<Batch, 2> batches;
  Batch* arriving = &batches[0];
  Batch* ready = &batches[1];
  RowCursor cursor(row_begin);
  const auto advance = [&] {
    for (std::size_t k = 0; k < ready->size; ++k) place(ready->slot[k], ready->connection[k]);
    for (std::size_t k = 0; k < arriving->size; ++k) {
      arriving->slot[k] = cursor.take(arriving->connection[k].source);
      prefetch(arriving->slot[k]);
    }
    std::swap(arriving, ready);
    arriving->size = 0;
  };
  set.for_each(shard, [&](const ExpandedConnection& c) {
    cursor.prefetch(c.source);
    arriving->connection[arriving->size++] = c;
    if (arriving->size == kBatch) advance();
  });
  advance();
  advance();
}

/// Runs fill(k) for the shards k = 0 .. n - 1 at once, one thread each (every shard owns its
/// arrays); rethrows the first exception, such as std::bad_alloc, once all have finished.
template <class Fill>
void fill_shards_in_parallel(std::size_t n, Fill&& fill) {
  std::vector<std::exception_ptr> errors(n);
  const auto run = [&](std::size_t k) {
    try {
      fill(k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> workers;
    workers.reserve(n);
    for (std::size_t k = 1; k < n; ++k) workers.emplace_back(run, k);
    if (n > 0) run(0);
  }  // joins
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

/// The synapses (target, weight) of one shard.
template <class Real>
SynapseRows<Real> fill_synapse_rows(const ConnectionSet& set, Range shard,
                                    std::vector<std::uint64_t> row_begin) {
  SynapseRows<Real> rows;
  resize_for_scatter(rows.target, row_begin.back());
  resize_for_scatter(rows.weight, row_begin.back());
  fill_rows(
      set, shard, row_begin,
      [&rows](std::uint64_t slot) {
        __builtin_prefetch(&rows.target[slot], 1);
        __builtin_prefetch(&rows.weight[slot], 1);
      },
      [&rows](std::uint64_t slot, const ExpandedConnection& c) {
        rows.target[slot] = c.target;
        rows.weight[slot] = static_cast<Real>(c.weight);
      });
  rows.row_begin = std::move(row_begin);
  return rows;
}

}  // namespace eprop
