// Whole-workload benchmark: N-MNIST classification with event-driven e-prop (SPEC 11.4, NEST
// example eprop_supervised_classification_neuromorphic_mnist.py): 1196 parrots -> 150 eprop_iaf
// -> 10 eprop_readout, 12 iterations of 100 samples of 300 ms (NEST's 10 training + 2 test
// iterations) on the real subset in ../shared/data/nmnist-small. Prints one BENCH line with the
// time to load the samples and build, the simulation time (run_nmnist_task: every Simulate()
// call of NEST's script plus the evaluation), peak RSS and the per-iteration loss and error.
// Exits 0 with a message (and a BENCH line with skipped=1) when the data set is absent.
//
// usage: bench_nmnist_workload [--precision=float|double] [--train=10] [--test=2]
//                              [--integration=closed_form|stepwise]
//        [--group=100] [--threads=1] [--data=../shared/data/nmnist-small]

#include <cstdio>
#include <filesystem>
#include <string>

#include "../common/args.h"
#include "../common/bench_report.h"
#include "eprop/simulation.h"
#include "io/nmnist.h"
#include "tasks/nmnist_task.h"

namespace {

std::string join(const std::vector<double>& values) {
  std::string out;
  for (const double v : values) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    if (!out.empty()) out.append(1, ',');
    out.append(buffer);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using eprop::tasks::NmnistSample;
  using eprop::tasks::NmnistSplit;
  const eprop::bench::Args args(argc, argv);
  const std::string precision = args.text("precision", "float");
  const fs::path root = args.text("data", "../shared/data/nmnist-small");
  eprop::bench::ResultLine line("nmnist");
  line.add("precision", precision);
  if (!fs::exists(root / "Train") || !fs::exists(root / "Test")) {
    std::printf("N-MNIST data not found at %s: skipping the N-MNIST workload\n",
                root.string().c_str());
    line.add("skipped", 1).print();
    return 0;
  }

  eprop::tasks::NmnistTaskConfig config;
  config.precision = precision == "double" ? eprop::Precision::double_precision
                                           : eprop::Precision::single_precision;
  config.n_iter_train = static_cast<std::int64_t>(args.number("train", 10));
  config.n_iter_test = static_cast<std::int64_t>(args.number("test", 2));
  config.group_size = static_cast<std::int64_t>(args.number("group", 100));
  const auto threads = static_cast<std::size_t>(args.number("threads", 1));
  const double load_start = eprop::bench::load_average_1min();

  const eprop::bench::Stopwatch build_clock;
  const auto train = eprop::io::list_nmnist_split(root, "Train");
  const auto test = eprop::io::list_nmnist_split(root, "Test");
  const eprop::tasks::NmnistTaskData data =
      eprop::tasks::draw_nmnist_task_data(config, train.samples.size(), test.samples.size());
  const std::int64_t sequence = config.sequence;
  const eprop::tasks::NmnistSampleSource source = [&](NmnistSplit split, std::size_t index) {
    const auto& file = (split == NmnistSplit::train ? train : test).samples[index];
    return NmnistSample{file.label, eprop::io::load_nmnist_sample(file.path, sequence).steps};
  };
  eprop::NetworkSpec spec = eprop::tasks::nmnist_task_network(config, data, source);
  spec.kernel.threads = threads;
  const std::string integration = args.text("integration", "closed_form");
  spec.kernel.eligibility_integration = eprop::bench::integration_argument(integration);
  line.add("integration", integration);
  std::size_t input_spikes = 0;
  for (const auto& pop : spec.populations) {
    if (pop.name != eprop::tasks::nmnist_pop::input_generator) continue;
    for (const auto& times : pop.spike_times) input_spikes += times.size();
  }
  eprop::Simulation sim(spec);
  const double build_s = build_clock.seconds();

  const eprop::bench::Stopwatch run_clock;
  eprop::bench::perf_control("enable");
  const eprop::tasks::NmnistEvaluation result = eprop::tasks::run_nmnist_task(sim, config, data);
  eprop::bench::perf_control("disable");
  const double simulate_s = run_clock.seconds();
  const double cpu_s = run_clock.cpu_seconds();
  const auto stats = sim.memory_stats();
  const double simulated_ms = sim.time_ms();

  std::printf("N-MNIST workload: %lld train + %lld test iterations of %lld samples, %s\n",
              static_cast<long long>(config.n_iter_train), static_cast<long long>(config.n_iter_test),
              static_cast<long long>(config.group_size), precision.c_str());
  std::printf("load+build %.3f s, simulate+evaluate %.3f s, %.3f s simulated, peak RSS %.1f MiB\n",
              build_s, simulate_s, simulated_ms / 1000.0, eprop::bench::peak_rss_mib());
  line.add("train_iterations", static_cast<std::int64_t>(config.n_iter_train))
      .add("test_iterations", static_cast<std::int64_t>(config.n_iter_test))
      .add("group", static_cast<std::int64_t>(config.group_size))
      .add("threads", static_cast<std::uint64_t>(threads))
      .add("build_s", build_s)
      .add("simulate_s", simulate_s)
      .add("sim_ms", simulated_ms)
      .add("s_per_sim_s", simulate_s / (simulated_ms / 1000.0))
      .add("cpu_s", cpu_s)
      .add("input_spikes", static_cast<std::uint64_t>(input_spikes))
      .add("eprop_synapses", stats.eprop_synapses)
      .add("bytes_per_synapse", static_cast<double>(stats.eprop_synapse_bytes) /
                                    static_cast<double>(std::max<std::uint64_t>(1, stats.eprop_synapses)))
      .add("peak_rss_mib", eprop::bench::peak_rss_mib())
      .add("loss", join(result.loss))
      .add("error", join(result.error))
      .add("load_start", load_start)
      .add("load_end", eprop::bench::load_average_1min());
  line.print();
  return 0;
}
