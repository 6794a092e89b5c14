// The key sets and registries that mirror NEST's per-neuron e-prop history (SPEC_recording R.3).

#include <gtest/gtest.h>

#include <limits>

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

}  // namespace
}  // namespace eprop
