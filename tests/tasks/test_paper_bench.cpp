// The efficiency benchmark's network (src/tasks/paper_bench.h): the four variants share one
// spike schedule, so that their run times differ by the plasticity machinery alone; bad
// configurations fail before anything is built.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "eprop/simulation.h"
#include "tasks/paper_bench.h"

namespace eprop::tasks {
namespace {

PaperBenchConfig small(const std::string& variant) {
  PaperBenchConfig c;
  c.variant = variant;
  c.n_rec = 60;
  c.indegree_rec = 12;
  c.indegree_in = 4;
  c.indegree_out = 5;
  c.rate_rec = 40.0;
  c.time_ms = 120.0;
  c.threads = 2;
  return resolve(c);
}

std::vector<std::pair<double, std::int64_t>> recurrent_spikes(const PaperBenchConfig& c) {
  Simulation sim(paper_bench_network(c));
  sim.simulate(c.time_ms);
  const SpikeRecording r = sim.spike_recordings().front();
  std::vector<std::pair<double, std::int64_t>> spikes;
  for (std::size_t k = 0; k < r.index.size(); ++k) spikes.emplace_back(r.time[k], r.index[k]);
  std::sort(spikes.begin(), spikes.end());
  return spikes;
}

TEST(PaperBench, AllVariantsSpikeIdentically) {
  const auto reference = recurrent_spikes(small("static"));
  // 40 Hz: period 25 ms, first spike at stamp 25 (ignore_and_spike_offset = interval):
  // stamps 25, 50, 75, 100 within 120 ms, for each of the 60 neurons.
  ASSERT_EQ(reference.size(), 4u * 60u);
  EXPECT_EQ(reference.front().first, 25.0);
  for (const std::string variant : {"eprop_plus", "eprop_original", "stdp"}) {
    EXPECT_EQ(recurrent_spikes(small(variant)), reference) << variant;
  }
}

TEST(PaperBench, RecordsCarryTheRequiredFields) {
  const nlohmann::json r = run_paper_bench(small("stdp"));
  for (const char* key : {"variant", "n_rec", "spikes", "wall_s_per_sim_s", "synaptic_events",
                          "phases_s_per_sim_s", "peak_memory_bytes", "bytes_per_synapse",
                          "cpu_s", "cpu_s_per_sim_s", "events_per_cpu_s", "ns_per_event_cpu"}) {
    EXPECT_TRUE(r.contains(key)) << key;
  }
  // CPU time of the timed part: all threads of the process, so it may exceed wall time.
  EXPECT_GT(r["cpu_s"].get<double>(), 0.0);
  EXPECT_NEAR(r["cpu_s_per_sim_s"].get<double>(), r["cpu_s"].get<double>() / 0.12, 1e-9);
  EXPECT_EQ(r["spikes"], 60 * 4);
  EXPECT_EQ(r["variant"], "stdp");
  EXPECT_EQ(r["synapses"], 60 * 12 + 60 * 4 + 1 * 5);
}

TEST(PaperBench, BadConfigurationsFailBeforeBuilding) {
  auto message = [](PaperBenchConfig c) {
    try {
      resolve(c);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  PaperBenchConfig c;
  c.n_rec = 0;
  EXPECT_NE(message(c).find("'n_rec' = 0"), std::string::npos) << message(c);
  c = PaperBenchConfig{};
  c.n_rec = 50;
  c.indegree_rec = 50;  // no autapses: at most 49 sources
  EXPECT_NE(message(c).find("'indegree_rec' = 50 must be between 1 and"), std::string::npos)
      << message(c);
  c = PaperBenchConfig{};
  c.rate_in = -1;
  EXPECT_NE(message(c).find("'rate_in'"), std::string::npos) << message(c);
  c = PaperBenchConfig{};
  c.n_rec = 100;
  c.indegree_rec = 10;
  c.indegree_in = 11;  // n_in = 10
  EXPECT_NE(message(c).find("'indegree_in' = 11 must be between 1 and 10"), std::string::npos)
      << message(c);
  c = PaperBenchConfig{};
  c.indegree_out = 1001;
  EXPECT_NE(message(c).find("'indegree_out' = 1001"), std::string::npos) << message(c);
  c = PaperBenchConfig{};
  c.rate_rec = 0;
  EXPECT_NE(message(c).find("'rate_rec'"), std::string::npos) << message(c);
  c = PaperBenchConfig{};
  c.time_ms = -5;
  EXPECT_NE(message(c).find("'time_ms'"), std::string::npos) << message(c);
  c = PaperBenchConfig{};
  c.variant = "hebb";
  EXPECT_NE(message(c).find("variant 'hebb'"), std::string::npos) << message(c);
}

TEST(PaperBench, EstimateGrowsWithTheSynapses) {
  PaperBenchConfig c = small("eprop_plus");
  const auto a = estimate_memory(c);
  c.indegree_rec = 24;
  const auto b = estimate_memory(c);
  EXPECT_EQ(b.synapses - a.synapses, 60u * 12u);
  EXPECT_GE(b.bytes - a.bytes, 60u * 12u * 16u);
}

// The simulation's own guard (estimate_memory of the network description) must admit what the
// benchmark's estimate admits: at the paper's largest size it once counted 32 B per e-prop
// synapse (every array any optimizer might need) where the engine allocates 16, and refused
// 2*10^6 neurons at in-degree 507 that fit.
TEST(PaperBench, TheSimulationsGuardAgreesWithTheBenchEstimate) {
  for (const char* variant : {"eprop_plus", "eprop_original", "static", "stdp"}) {
    PaperBenchConfig c;
    c.variant = variant;
    c.n_rec = 2000000;
    c.indegree_rec = 507;
    c = resolve(c);
    const double guard = static_cast<double>(eprop::estimate_memory(paper_bench_network(c)).total_bytes());
    const double bench = static_cast<double>(estimate_memory(c).bytes);
    EXPECT_LE(guard, 1.1 * bench) << variant << ": guard " << guard << " B, bench " << bench << " B";
  }
}

// ... and stays an upper bound of what the engine allocates for e-prop synapses.
TEST(PaperBench, TheSimulationsGuardBoundsTheEpropSynapses) {
  for (const char* variant : {"eprop_plus", "eprop_original"}) {
    const PaperBenchConfig c = small(variant);
    const NetworkSpec spec = paper_bench_network(c);
    Simulation sim(spec);
    sim.simulate(c.time_ms);
    const MemoryStats actual = sim.memory_stats();
    const eprop::MemoryEstimate guard = eprop::estimate_memory(spec);
    EXPECT_EQ(guard.eprop_synapses, actual.eprop_synapses) << variant;
    EXPECT_GE(guard.eprop_synapse_bytes, actual.eprop_synapse_bytes) << variant;
    EXPECT_LE(guard.eprop_synapse_bytes, 2 * actual.eprop_synapse_bytes) << variant;
  }
}

}  // namespace
}  // namespace eprop::tasks
