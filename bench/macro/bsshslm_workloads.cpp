// Whole-workload benchmarks of the `_bsshslm_2020` family against NEST's baseline runs:
//
//   bench_bsshslm_workloads sine [n_iter] [float|double] [losses.csv]
//     SPEC 11.2 sine task (200 iterations as shipped); per-iteration losses and the largest
//     relative deviation from column sine_bsshslm of nest_baseline_losses.csv.
//   bench_bsshslm_workloads evidence [n_iter_train] [float|double] [threads] [eta_offset] [csv]
//     SPEC 11.3 evidence accumulation (batch 32, 50 training iterations, validation every 10,
//     4 test iterations); loss and error per phase next to nest_baseline_evidence_accumulation.csv.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "eprop/simulation.h"
#include "tasks/evidence_task.h"
#include "tasks/sine_task.h"

namespace {

// Column `column` (0-based) of a CSV with '#' comments and a header line.
std::vector<std::string> read_column(const std::string& path, std::size_t column) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::stringstream ss(line);
    std::string field;
    for (std::size_t c = 0; c <= column && std::getline(ss, field, ','); ++c) {
    }
    out.push_back(field);
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

eprop::Precision precision_of(const std::string& s) {
  return s == "float" ? eprop::Precision::single_precision : eprop::Precision::double_precision;
}

int sine(int argc, char** argv) {
  eprop::tasks::SineTaskConfig config = eprop::tasks::sine_bsshslm_config();
  config.n_iter = argc > 2 ? std::stoll(argv[2]) : 200;
  config.precision = precision_of(argc > 3 ? argv[3] : "double");
  const std::string csv = argc > 4 ? argv[4] : "../shared/baseline/nest_baseline_losses.csv";
  const auto t0 = std::chrono::steady_clock::now();
  eprop::Simulation sim(eprop::tasks::sine_task_network(config));
  sim.run_schedule();
  const double wall = seconds_since(t0);
  const auto losses =
      eprop::tasks::sine_task_losses(sim.multimeters().at(0), config.n_iter, config.sequence);
  const auto baseline = read_column(csv, 2);
  double worst = 0.0;
  std::printf("iteration,loss,nest,relative_deviation\n");
  for (std::size_t i = 0; i < losses.size(); ++i) {
    const double nest = i < baseline.size() ? std::stod(baseline[i]) : NAN;
    const double rel = std::abs(losses[i] - nest) / std::abs(nest);
    if (i < baseline.size()) worst = std::max(worst, rel);
    std::printf("%zu,%.15g,%.15g,%.3g\n", i + 1, losses[i], nest, rel);
  }
  std::printf("# sine_bsshslm: %lld iterations, wall %.2f s, max relative deviation %.3g\n",
              static_cast<long long>(config.n_iter), wall, worst);
  return 0;
}

int evidence(int argc, char** argv) {
  eprop::tasks::EvidenceTaskConfig config;
  config.n_iter_train = argc > 2 ? std::stoll(argv[2]) : 50;
  config.precision = precision_of(argc > 3 ? argv[3] : "double");
  config.threads = argc > 4 ? std::stoul(argv[4]) : 1;
  config.eta_offset = argc > 5 ? std::stod(argv[5]) : 4.0;
  const std::string csv =
      argc > 6 ? argv[6] : "../shared/baseline/nest_baseline_evidence_accumulation.csv";
  const auto t0 = std::chrono::steady_clock::now();
  const eprop::tasks::EvidenceRun run = eprop::tasks::run_evidence_task(config);
  const double wall = seconds_since(t0);
  const auto nest_loss = read_column(csv, 2);
  const auto nest_error = read_column(csv, 3);
  std::printf("iteration,phase,loss,error,nest_loss,nest_error\n");
  double test_loss = 0.0;
  double test_error = 0.0;
  double n_test = 0.0;
  for (std::size_t k = 0; k < run.phases.size(); ++k) {
    const auto& p = run.phases[k];
    std::printf("%zu,%s,%.15g,%.6g,%s,%s\n", k + 1, p.label.c_str(), p.score.loss, p.score.error,
                k < nest_loss.size() ? nest_loss[k].c_str() : "",
                k < nest_error.size() ? nest_error[k].c_str() : "");
    if (p.label == "test") {
      test_loss += p.score.loss;
      test_error += p.score.error;
      n_test += 1.0;
    }
  }
  std::printf("# evidence: %zu phases, %.0f ms simulated, wall %.1f s, %zu thread(s), "
              "test mean loss %.6g error %.6g (NEST 0.5695 / 0.25)\n",
              run.phases.size(), run.simulated_ms, wall, config.threads, test_loss / n_test,
              test_error / n_test);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "sine";
  if (what == "sine") return sine(argc, argv);
  if (what == "evidence") return evidence(argc, argv);
  std::fprintf(stderr, "usage: bench_bsshslm_workloads sine|evidence [options]\n");
  return 2;
}
