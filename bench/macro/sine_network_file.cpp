// Writes the SPEC 11.1 sine-wave task (NEST's example, the network of bench_sine_workload) as a
// network file, so that `eprop run` can be measured on it as a whole process: reading ~10^6
// input spike times and writing the recordings count (issue 15).
//
// usage: bench_sine_network_file OUT.toml [n_iter] [float|double]

#include <cstdio>
#include <exception>
#include <string>

#include "eprop/network_file.h"
#include "tasks/sine_task.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_sine_network_file OUT.toml [n_iter] [float|double]\n");
    return 2;
  }
  try {
    eprop::tasks::SineTaskConfig config;
    config.n_iter = argc > 2 ? std::stoll(argv[2]) : 200;
    const std::string precision = argc > 3 ? argv[3] : "double";
    config.precision = precision == "float" ? eprop::Precision::single_precision
                                            : eprop::Precision::double_precision;
    eprop::write_network_file(eprop::tasks::sine_task_network(config), argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sine_network_file: %s\n", e.what());
    return 1;
  }
  return 0;
}
