#pragma once

// Synapses stored CSR by presynaptic row, and the two pieces every CSR builder needs: turning
// per-row counts into row offsets, and handing out each row's next free slot while the synapses
// are written in their creation order (a counting sort: stable, no comparison, no copy).

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/types.h"

namespace eprop {

/// The synapses of one projection shard: row i holds synapses row_begin[i] .. row_begin[i+1] - 1.
template <class Real>
struct SynapseRows {
  std::vector<std::uint64_t> row_begin;  ///< n_source + 1 offsets
  std::vector<LocalIndex> target;
  std::vector<Real> weight;
};

/// Transmits a spike of multiplicity m through synapses [begin, end): NEST sends it as m single
/// spikes, each adding w (SPEC_multiplicity: (a + w) + w rounds differently from a + 2w).
template <class Real>
void add_spike_copies(Real* arriving, const LocalIndex* target, const Real* weight,
                      std::uint64_t begin, std::uint64_t end, std::uint32_t multiplicity) {
  for (std::uint32_t copy = 0; copy < multiplicity; ++copy) {
    for (std::uint64_t s = begin; s < end; ++s) arriving[target[s]] += weight[s];
  }
}

/// On entry row_begin[i + 1] holds the number of synapses of row i (row_begin[0] = 0); on exit
/// row_begin[i] is the first synapse of row i and row_begin.back() the total.
inline void counts_to_offsets(std::vector<std::uint64_t>& row_begin) {
  for (std::size_t i = 1; i < row_begin.size(); ++i) row_begin[i] += row_begin[i - 1];
}

/// Sizes v to n elements for a CSR fill and asks the kernel to back it with huge pages where it
/// can. Filling rows in creation order writes each synapse to a random row: with 4 KiB pages
/// almost every write misses the TLB, and construction runs about 3x slower.
template <class T>
void resize_for_scatter(std::vector<T>& v, std::size_t n) {
  v.reserve(n);  // allocate before the first touch, so that the advice covers every page
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(v.data()) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(v.data() + n) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
  v.resize(n);
}

/// The next free slot of every row of a CSR whose offsets are known: synapses taken in creation
/// order keep that order within their row.
class RowCursor {
 public:
  explicit RowCursor(const std::vector<std::uint64_t>& row_begin)
      : next_(row_begin.begin(), row_begin.empty() ? row_begin.begin() : row_begin.end() - 1) {}

  std::uint64_t take(LocalIndex row) { return next_[row]++; }
  void prefetch(LocalIndex row) const { __builtin_prefetch(&next_[row], 1); }

 private:
  std::vector<std::uint64_t> next_;
};

}  // namespace eprop
