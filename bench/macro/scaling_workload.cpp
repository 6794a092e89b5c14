// Scaling workload: a random sparse e-prop network (bench/common/random_network.h) of
// --neurons recurrent eprop_iaf neurons with --indegree recurrent eprop_synapse connections each,
// simulated for --warmup ms (not timed as the measurement) and then --time ms. Prints one BENCH
// line: wall time per simulated second, synaptic events per second, bytes per synapse (from
// Simulation::memory_stats), history size, peak RSS, firing rates and hashes of the spikes and
// readout weights (to check that thread counts give identical results).
//
// usage: bench_scaling_workload [--neurons=1000] [--indegree=1000] [--threads=1]
//        [--integration=closed_form|stepwise]
//        [--precision=float|double] [--warmup=200] [--time=1000] [--seed=1]
//        [--J=0.1] [--g=5] [--J_in=1] [--rate_in=10] [--n_in=1000] [--indegree_in=100]
//        [--eta=1e-6] [--hash-weights] [--estimate-only]

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "../common/args.h"
#include "../common/bench_report.h"
#include "../common/random_network.h"

namespace {

using eprop::bench::Stopwatch;

std::uint64_t fnv1a(std::uint64_t h, std::uint64_t x) {
  for (int b = 0; b < 8; ++b) {
    h ^= (x >> (8 * b)) & 0xFFU;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t weight_hash(const eprop::Simulation& sim, std::size_t connection, std::uint64_t h) {
  for (const auto& w : sim.weights(connection)) {
    std::uint64_t bits = 0;
    const double x = w.weight;
    static_assert(sizeof bits == sizeof x);
    __builtin_memcpy(&bits, &x, sizeof bits);
    h = fnv1a(fnv1a(fnv1a(h, static_cast<std::uint64_t>(w.source)),
                    static_cast<std::uint64_t>(w.target)),
              bits);
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  const eprop::bench::Args args(argc, argv);
  eprop::bench::RandomNetworkConfig c;
  c.n_rec = static_cast<std::size_t>(args.number("neurons", 1000));
  c.indegree_rec = static_cast<std::int64_t>(args.number("indegree", 1000));
  c.threads = static_cast<std::size_t>(args.number("threads", 1));
  const std::string precision = args.text("precision", "float");
  c.precision = precision == "double" ? eprop::Precision::double_precision
                                      : eprop::Precision::single_precision;
  const std::string integration = args.text("integration", "closed_form");
  const double warmup = args.number("warmup", 200);
  const double time = args.number("time", 1000);
  c.seed = static_cast<std::uint64_t>(args.number("seed", 1));
  c.J = args.number("J", c.J);
  c.g = args.number("g", c.g);
  c.J_in = args.number("J_in", c.J_in);
  c.rate_in = args.number("rate_in", c.rate_in);
  c.n_in = static_cast<std::size_t>(args.number("n_in", static_cast<double>(c.n_in)));
  c.indegree_in = static_cast<std::int64_t>(args.number("indegree_in", 100));
  c.eta = args.number("eta", c.eta);
  c.duration_ms = warmup + time + 10.0;
  c.record_from_ms = warmup;

  const double load_start = eprop::bench::load_average_1min();
  eprop::bench::ResultLine line("scaling");
  line.add("neurons", static_cast<std::uint64_t>(c.n_rec))
      .add("indegree", static_cast<std::int64_t>(c.indegree_rec))
      .add("threads", static_cast<std::uint64_t>(c.threads))
      .add("integration", integration)
      .add("precision", precision);

  const Stopwatch build_clock;
  eprop::NetworkSpec spec = eprop::bench::random_eprop_network(c);
  spec.kernel.eligibility_integration = eprop::bench::integration_argument(integration);
  eprop::Simulation sim(spec);
  const double build_s = build_clock.seconds();
  const double build_cpu_s = build_clock.cpu_seconds();
  const eprop::MemoryStats built = sim.memory_stats();
  const double bytes_per_synapse = static_cast<double>(built.eprop_synapse_bytes) /
                                   static_cast<double>(std::max<std::uint64_t>(1, built.eprop_synapses));
  line.add("eprop_synapses", built.eprop_synapses)
      .add("bytes_per_synapse", bytes_per_synapse)
      .add("synapse_mib", static_cast<double>(built.eprop_synapse_bytes) / (1024.0 * 1024.0))
      .add("static_input_synapses", static_cast<std::uint64_t>(c.n_rec) *
                                        static_cast<std::uint64_t>(c.indegree_in))
      .add("build_s", build_s)
      .add("build_cpu_s", build_cpu_s)
      .add("rss_after_build_mib", eprop::bench::current_rss_mib())
      .add("peak_rss_build_mib", eprop::bench::peak_rss_mib());
  if (args.has("estimate-only")) {
    line.print();
    return 0;
  }

  const Stopwatch warmup_clock;
  sim.simulate(warmup);
  const double warmup_s = warmup_clock.seconds();
  eprop::bench::perf_control("enable");
  const Stopwatch first_clock;
  sim.simulate(time / 2);
  const double first_s = first_clock.seconds();
  const double first_cpu_s = first_clock.cpu_seconds();
  const Stopwatch second_clock;
  sim.simulate(time - time / 2);
  const double second_s = second_clock.seconds();
  const double cpu_s = first_cpu_s + second_clock.cpu_seconds();
  eprop::bench::perf_control("disable");
  const double simulate_s = first_s + second_s;

  std::uint64_t spikes = 0;
  std::uint64_t spikes_first = 0;
  std::uint64_t hash = 1469598103934665603ULL;
  const auto recordings = sim.spike_recordings();
  if (!recordings.empty()) {
    const auto& r = recordings.front();
    spikes = r.index.size();
    for (std::size_t k = 0; k < r.index.size(); ++k) {
      if (r.time[k] <= warmup + time / 2) ++spikes_first;
      hash = fnv1a(fnv1a(hash, static_cast<std::uint64_t>(r.index[k])),
                   static_cast<std::uint64_t>(r.time[k] * 1000.0));
    }
  }
  std::uint64_t w_hash = weight_hash(sim, eprop::bench::kRecOutConnection, 1469598103934665603ULL);
  if (args.has("hash-weights")) {
    w_hash = weight_hash(sim, eprop::bench::kRecExcConnection, w_hash);
    w_hash = weight_hash(sim, eprop::bench::kRecInhConnection, w_hash);
  }
  const eprop::MemoryStats end = sim.memory_stats();
  const double n = static_cast<double>(c.n_rec);
  const double rate = static_cast<double>(spikes) / n / (time / 1000.0);
  // Each recurrent spike reaches its recurrent targets (mean outdegree = indegree) and every readout.
  const double events = static_cast<double>(spikes) *
                        static_cast<double>(c.indegree_rec + static_cast<std::int64_t>(c.n_out));
  const std::size_t real_bytes = precision == "double" ? 8 : 4;
  line.add("warmup_ms", warmup)
      .add("warmup_s", warmup_s)
      .add("sim_ms", time)
      .add("simulate_s", simulate_s)
      .add("s_per_sim_s", simulate_s / (time / 1000.0))
      .add("cpu_s", cpu_s)
      .add("cpu_s_per_sim_s", cpu_s / (time / 1000.0))
      .add("rec_spikes", spikes)
      .add("rate_hz", rate)
      .add("rate_first_half_hz", static_cast<double>(spikes_first) / n / (time / 2000.0))
      .add("rate_second_half_hz",
           static_cast<double>(spikes - spikes_first) / n / ((time - time / 2) / 1000.0))
      .add("syn_events", events)
      .add("syn_events_per_wall_s", events / simulate_s)
      .add("synapses_x_rate", static_cast<double>(built.eprop_synapses) * rate)
      .add("history_entries", end.history_entries)
      .add("history_mib", static_cast<double>(end.history_entries) * 3.0 *
                              static_cast<double>(real_bytes) / (1024.0 * 1024.0))
      .add("rss_end_mib", eprop::bench::current_rss_mib())
      .add("peak_rss_mib", eprop::bench::peak_rss_mib())
      .add("spike_hash", std::to_string(hash))
      .add("weight_hash", std::to_string(w_hash))
      .add("load_start", load_start)
      .add("load_end", eprop::bench::load_average_1min());
  line.print();
  return 0;
}
