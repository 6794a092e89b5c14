// Whole-workload benchmark: the SPEC 11.1 sine-wave task (NEST example, 200 iterations by
// default) through eprop::Simulation. Prints wall time, per-iteration losses and the largest
// relative deviation from NEST's losses in ../shared/baseline/nest_baseline_losses.csv, then one
// machine-readable BENCH line (bench/common/bench_report.h) for bench/run_benchmarks.sh.
//
// usage: bench_sine_workload [n_iter] [float|double] [baseline.csv] [threads]
//                            [closed_form|stepwise]

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../common/bench_report.h"
#include "eprop/simulation.h"
#include "tasks/sine_task.h"

namespace {

std::vector<double> read_baseline(const std::string& path) {
  std::vector<double> losses;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("iteration", 0) == 0) continue;
    std::stringstream ss(line);
    std::string iteration, sine;
    std::getline(ss, iteration, ',');
    std::getline(ss, sine, ',');
    losses.push_back(std::stod(sine));
  }
  return losses;
}

}  // namespace

int main(int argc, char** argv) {
  eprop::tasks::SineTaskConfig config;
  config.n_iter = argc > 1 ? std::stoll(argv[1]) : 200;
  const std::string precision = argc > 2 ? argv[2] : "double";
  config.precision = precision == "float" ? eprop::Precision::single_precision
                                          : eprop::Precision::double_precision;
  const std::string baseline_path =
      argc > 3 ? argv[3] : "../shared/baseline/nest_baseline_losses.csv";
  const std::size_t threads = argc > 4 ? std::stoul(argv[4]) : 1;
  const std::string integration = argc > 5 ? argv[5] : "closed_form";
  const double load_start = eprop::bench::load_average_1min();

  eprop::NetworkSpec spec = eprop::tasks::sine_task_network(config);
  spec.kernel.threads = threads;
  spec.kernel.eligibility_integration = eprop::bench::integration_argument(integration);
  const auto t0 = std::chrono::steady_clock::now();
  eprop::Simulation sim(spec);
  const auto t1 = std::chrono::steady_clock::now();
  eprop::bench::perf_control("enable");
  const eprop::bench::Stopwatch run_clock;
  sim.run_schedule();
  const double cpu_s = run_clock.cpu_seconds();
  eprop::bench::perf_control("disable");
  const auto t2 = std::chrono::steady_clock::now();
  const auto losses = eprop::tasks::sine_task_losses(sim.multimeters().at(0), config.n_iter,
                                                     config.sequence);
  const auto baseline = read_baseline(baseline_path);
  double worst = 0.0;
  for (std::size_t i = 0; i < losses.size() && i < baseline.size(); ++i) {
    worst = std::max(worst, std::abs(losses[i] - baseline[i]) / std::abs(baseline[i]));
  }
  const auto stats = sim.memory_stats();
  std::printf("sine workload: %lld iterations, %s precision\n",
              static_cast<long long>(config.n_iter), precision.c_str());
  std::printf("build %.3f s, simulate %.3f s\n", std::chrono::duration<double>(t1 - t0).count(),
              std::chrono::duration<double>(t2 - t1).count());
  std::printf("e-prop synapses %llu, bytes per synapse %.1f, history entries at end %llu\n",
              static_cast<unsigned long long>(stats.eprop_synapses),
              static_cast<double>(stats.eprop_synapse_bytes) /
                  static_cast<double>(std::max<std::uint64_t>(1, stats.eprop_synapses)),
              static_cast<unsigned long long>(stats.history_entries));
  std::printf("loss first %.14g last %.14g\n", losses.front(), losses.back());
  if (!baseline.empty()) {
    std::printf("largest relative deviation from NEST over %zu iterations: %.3g\n",
                std::min(losses.size(), baseline.size()), worst);
  }
  const double simulate_s = std::chrono::duration<double>(t2 - t1).count();
  double simulated_ms = 0.0;
  for (const double ms : spec.simulate) simulated_ms += ms;
  eprop::bench::ResultLine line("sine");
  line.add("precision", precision)
      .add("n_iter", static_cast<std::int64_t>(config.n_iter))
      .add("threads", static_cast<std::uint64_t>(threads))
      .add("integration", integration)
      .add("build_s", std::chrono::duration<double>(t1 - t0).count())
      .add("simulate_s", simulate_s)
      .add("sim_ms", simulated_ms)
      .add("s_per_sim_s", simulate_s / (simulated_ms / 1000.0))
      .add("cpu_s", cpu_s)
      .add("eprop_synapses", stats.eprop_synapses)
      .add("closed_form_synapses", stats.closed_form_synapses)
      .add("bytes_per_synapse", static_cast<double>(stats.eprop_synapse_bytes) /
                                    static_cast<double>(std::max<std::uint64_t>(1, stats.eprop_synapses)))
      .add("peak_rss_mib", eprop::bench::peak_rss_mib())
      .add("loss_first", losses.front())
      .add("loss_last", losses.back())
      .add("max_rel_dev_nest", baseline.empty() ? -1.0 : worst)
      .add("load_start", load_start)
      .add("load_end", eprop::bench::load_average_1min());
  line.print();
  return 0;
}
