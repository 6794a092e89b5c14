// Memory stays flat over long runs: the postsynaptic history is freed as soon as no synapse can
// read it (SPEC 9), so the number of kept history entries does not grow with the run length.

#include <gtest/gtest.h>

#include <algorithm>

#include "eprop/simulation.h"
#include "support/regression_networks.h"

namespace eprop {
namespace {

std::uint64_t peak_history(std::int64_t iterations) {
  auto config = test_support::regression_config("eprop_iaf", "gradient_descent");
  config.n_iter = iterations;
  Simulation sim(tasks::sine_task_network(config));
  std::uint64_t peak = 0;
  for (std::int64_t step = 0; step < iterations * config.sequence; step += 50) {
    sim.simulate(50.0);
    sim.clear_recordings();
    peak = std::max(peak, sim.memory_stats().history_entries);
  }
  return peak;
}

TEST(BoundedMemory, HistoryDoesNotGrowWithRunLength) {
  const std::uint64_t short_run = peak_history(5);
  const std::uint64_t long_run = peak_history(50);  // 10x longer
  ASSERT_GT(short_run, 0u);
  // Flush events every 100 ms and the 100 ms trace cutoff bound what any synapse can still need.
  EXPECT_LE(long_run, short_run + short_run / 4) << "short " << short_run << " long " << long_run;
}

}  // namespace
}  // namespace eprop
