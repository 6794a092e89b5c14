// Whole-workload benchmark: the SPEC 11.1 sine-wave task (NEST example, 200 iterations by
// default) through eprop::Simulation. Prints wall time, per-iteration losses and the largest
// relative deviation from NEST's losses in ../shared/baseline/nest_baseline_losses.csv.
//
// usage: bench_sine_workload [n_iter] [float|double] [baseline.csv]

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

  const auto t0 = std::chrono::steady_clock::now();
  eprop::Simulation sim(eprop::tasks::sine_task_network(config));
  const auto t1 = std::chrono::steady_clock::now();
  sim.run_schedule();
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
  return 0;
}
