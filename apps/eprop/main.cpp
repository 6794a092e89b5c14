// eprop: command line front end. Parses the network file, runs its schedule, writes CSV results.
// Exit status: 0 success, 1 eprop error (bad network, failed run or write), 2 bad command line.

#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

#include "help_text.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

namespace {

struct RunOptions {
  std::string network;
  std::string out;
  std::string precision;
  std::size_t threads = 0;  ///< 0: as in the network file
  bool quiet = false;
};

int run_network(const RunOptions& options) {
  eprop::NetworkSpec spec = eprop::read_network_file(options.network);
  if (options.precision == "float") spec.kernel.precision = eprop::Precision::single_precision;
  if (options.precision == "double") spec.kernel.precision = eprop::Precision::double_precision;
  if (options.threads > 0) spec.kernel.threads = options.threads;
  if (spec.simulate.empty()) {
    throw eprop::ConfigError(
        fmt::format("{}: [run]: missing field 'simulate' (nothing to simulate)", options.network));
  }
  const auto start = std::chrono::steady_clock::now();
  // The engine names the population/connection and parameter; prefix the file as the parser does.
  eprop::Simulation sim = [&] {
    try {
      return eprop::Simulation(spec);
    } catch (const eprop::ConfigError& e) {
      throw eprop::ConfigError(fmt::format("{}: {}", options.network, e.what()));
    }
  }();
  sim.run_schedule();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  eprop::write_results(sim, options.out);
  if (!options.quiet) {
    fmt::print("eprop: simulated {} ms ({} steps) in {:.3g} s wall time; results in {}\n",
               sim.time_ms(), sim.steps_done(), wall_s, options.out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eprop: e-prop spiking network simulator (reproduces NEST 3.10 e-prop models)",
               "eprop"};
  app.footer(eprop::cli::help_footer);
  app.require_subcommand(1);

  RunOptions options;
  CLI::App* run = app.add_subcommand("run", "Simulate a network file and write its recordings");
  run->footer(eprop::cli::help_footer);
  run->add_option("network", options.network, "network description (TOML)")->required();
  run->add_option("--out,-o", options.out, "output directory for the CSV files (created)")
      ->required();
  run->add_option("--precision", options.precision,
                  "override [kernel] precision of the network file")
      ->check(CLI::IsMember({"float", "double"}));
  run->add_option("--threads", options.threads,
                  "override [kernel] threads (results do not depend on it)")
      ->check(CLI::PositiveNumber);
  run->add_flag("--quiet,-q", options.quiet, "print nothing on success");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    return run_network(options);
  } catch (const eprop::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
