// The key sets and registries that mirror NEST's per-neuron e-prop history (SPEC_recording R.3).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <vector>

#include "engine/history_mirror.h"

namespace eprop {
namespace {

KeyRuns keys(Step first, Step end) {
  KeyRuns k;
  for (Step t = first; t < end; ++t) k.append(t);
  return k;
}

TEST(KeyRuns, EraseSplitsTrimsAndDropsRuns) {
  KeyRuns k = keys(0, 20);
  k.erase(5, 8);  // split
  EXPECT_EQ(k.size(), 17);
  EXPECT_TRUE(k.contains(4));
  EXPECT_FALSE(k.contains(5));
  EXPECT_FALSE(k.contains(7));
  EXPECT_TRUE(k.contains(8));
  k.erase(3, 10);  // trims both runs around the hole
  EXPECT_EQ(k.size(), 13);
  EXPECT_TRUE(k.contains(2));
  EXPECT_FALSE(k.contains(9));
  EXPECT_TRUE(k.contains(10));
  k.erase(-5, 3);  // the whole first run
  EXPECT_EQ(k.first(), 10);
  k.erase(12, 12);  // empty range
  EXPECT_EQ(k.size(), 10);
  k.erase(std::numeric_limits<Step>::min(), 100);
  EXPECT_TRUE(k.empty());
  EXPECT_EQ(k.size(), 0);
  k.append(30);
  EXPECT_EQ(k.first(), 30);
  EXPECT_EQ(k.last(), 30);
}

// R.3.2: with an infinite cutoff only the front trim erases, except after a stamp-1 event.
TEST(MirroredNeuron, InfiniteCutoffWrapsAsNestDoes) {
  MirroredNeuron n;
  n.n_in = 2;
  n.cutoff = std::numeric_limits<Step>::max();
  for (Step t = 0; t < 10; ++t) n.append(t);
  n.release(6, 0);  // first events of two synapses at stamp 6: keys >= 5 remain
  n.release(6, 0);
  EXPECT_EQ(n.keys.size(), 5);
  EXPECT_EQ(n.keys.first(), 5);
  for (Step t = 10; t < 16; ++t) n.append(t);
  n.release(16, 6);  // one synapse moves on: the other still needs key 5
  EXPECT_EQ(n.keys.first(), 5);
  MirroredNeuron early = n;
  early.release(17, 1);  // previous stamp 1: NEST erases everything
  EXPECT_TRUE(early.keys.empty());
}

// The procedure of R.3.1 literally (registry scan in increasing time while the range is not
// empty), on plain containers: the oracle for the mirror's binary searches.
struct LiteralNeuron {
  Step cutoff;
  std::map<Step, std::int64_t> registry;
  std::set<Step> keys;

  void release(Step t_s, Step t_p) {
    ++registry[t_s];
    if (t_p > 0) {
      if (auto it = registry.find(t_p); it != registry.end() && --it->second == 0)
        registry.erase(it);
      const Step cb = t_p - 1, ce = cb + cutoff;
      Step eb = cb, ee = ce;
      for (auto u = registry.lower_bound(std::max<Step>(0, cb - cutoff));
           u != registry.end() && u->first < ce + 1 && eb < ee; ++u) {
        const Step rb = u->first - 1, re = rb + cutoff;
        if (cb <= rb && rb <= ce) ee = std::min(ee, rb);
        if (cb <= re && re <= ce) eb = std::max(eb, re);
      }
      keys.erase(keys.lower_bound(eb), eb < ee ? keys.lower_bound(ee) : keys.lower_bound(eb));
    }
    if (registry.empty() || keys.empty()) return;
    const Step keep = registry.begin()->first - 1;
    if (keys.count(keep) != 0 && *keys.begin() != keep) keys.erase(keys.begin(), keys.find(keep));
  }
};

TEST(MirroredNeuron, EqualsTheLiteralProcedureOnRandomEventPatterns) {
  std::uint64_t x = 12345;
  auto next = [&x](std::uint64_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % n;
  };
  for (int trial = 0; trial < 300; ++trial) {
    const Step cutoff = 1 + static_cast<Step>(next(25));
    const std::size_t n_syn = 1 + next(6);
    MirroredNeuron mirror;
    mirror.n_in = static_cast<std::int64_t>(n_syn);
    mirror.cutoff = cutoff;
    LiteralNeuron literal{cutoff, {}, {}};
    std::vector<Step> previous(n_syn, 0);
    for (Step t = 0; t < 200; ++t) {
      // Slice t: events stamped t (from loop time t - 1 >= 1, as parrots and neurons send).
      for (std::size_t k = 0; k < n_syn && t >= 2; ++k) {
        if (next(100) >= 12) continue;
        mirror.release(t, previous[k]);
        literal.release(t, previous[k]);
        previous[k] = t;
      }
      mirror.append(t);
      literal.keys.insert(t);
      ASSERT_EQ(mirror.keys.size(), static_cast<std::int64_t>(literal.keys.size()))
          << "trial " << trial << " t " << t;
      for (const Step k : {t - 2, t - 5, t - cutoff}) {
        ASSERT_EQ(mirror.keys.contains(k), literal.keys.count(k) != 0) << "trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace eprop
