// parrot_neuron's flush events (SPEC 5.5): a parrot that has relayed a spike sends a flush
// event every flush_event_send_interval steps after its last event until it spikes again.

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "engine/devices.h"

namespace eprop {
namespace {

/// Runs one parrot over loop times 0 .. 19 with spikes arriving at `arrivals`; returns the loop
/// times of its flush events.
std::vector<Step> flush_steps(const std::vector<Step>& arrivals, Step interval) {
  ParrotPopulation parrots("p", 1, interval);
  std::vector<Step> flushes;
  for (Step t = 0; t < 20; ++t) {
    for (const Step a : arrivals) {
      if (a == t) parrots.input.add(t, 0, 1);
    }
    EventList out;
    out.reset(t);
    parrots.update(t, Range{0, 1}, out);
    EXPECT_EQ(out.spikes.size(), std::count(arrivals.begin(), arrivals.end(), t) > 0 ? 1U : 0U);
    if (!out.flushes.empty()) flushes.push_back(t);
  }
  return flushes;
}

TEST(ParrotFlush, EveryIntervalAfterTheLastEvent) {
  EXPECT_EQ(flush_steps({2}, 5), (std::vector<Step>{7, 12, 17}));
  EXPECT_EQ(flush_steps({2, 9}, 5), (std::vector<Step>{7, 14, 19}));
  EXPECT_EQ(flush_steps({}, 5), std::vector<Step>{});
  EXPECT_EQ(flush_steps({3}, 100), std::vector<Step>{});
}

}  // namespace
}  // namespace eprop
