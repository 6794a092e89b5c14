// eprop: command line front end.
//   eprop run NETWORK --out DIR     simulate a network file, write its recordings (CSV)
//   eprop train TASK --out DIR      train one of the NEST e-prop examples (train_command.cpp)
//   eprop plot DIR                  plot a training run (plot_command.cpp)
//   eprop bench --out DIR           the paper's efficiency benchmark (bench_command.cpp)
// Exit status: 0 success, 1 eprop error (bad input, failed run or write), 2 bad command line,
// 130 training interrupted by Ctrl-C (checkpoint written).

#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

#include "commands.h"
#include "help_text.h"
#include "tasks/train_config.h"
#include "tasks/training_output.h"

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
  std::string integration;  ///< empty: as in the network file
  bool stats = false;
  bool quiet = false;
};

/// Memory and integration statistics of a finished run, as JSON (also written to stats.json).
std::string format_stats(const eprop::Simulation& sim, double wall_s) {
  const eprop::MemoryStats m = sim.memory_stats();
  const double per_synapse =
      m.eprop_synapses > 0 ? static_cast<double>(m.eprop_synapse_bytes) /
                                 static_cast<double>(m.eprop_synapses)
                           : 0.0;
  return fmt::format(
      "{{\n  \"eprop_synapses\": {},\n  \"eprop_synapse_bytes\": {},\n"
      "  \"bytes_per_eprop_synapse\": {:.2f},\n  \"closed_form_synapses\": {},\n"
      "  \"history_entries\": {},\n  \"peak_memory_bytes\": {},\n  \"wall_time_s\": {:.6g},\n"
      "  \"steps\": {}\n}}\n",
      m.eprop_synapses, m.eprop_synapse_bytes, per_synapse, m.closed_form_synapses,
      m.history_entries, eprop::tasks::peak_rss_bytes(), wall_s, sim.steps_done());
}

int run_network(const RunOptions& options) {
  eprop::NetworkSpec spec = eprop::read_network_file(options.network);
  if (options.precision == "float") spec.kernel.precision = eprop::Precision::single_precision;
  if (options.precision == "double") spec.kernel.precision = eprop::Precision::double_precision;
  if (options.threads > 0) spec.kernel.threads = options.threads;
  if (!options.integration.empty()) {  // CLI11 admits only the two spellings
    spec.kernel.eligibility_integration = *eprop::parse_eligibility_integration(options.integration);
  }
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
  if (options.stats) {
    const std::string stats = format_stats(sim, wall_s);
    eprop::tasks::write_file_atomic(std::filesystem::path(options.out) / "stats.json", stats);
    fmt::print("{}", stats);
  }
  if (!options.quiet) {
    fmt::print("eprop: simulated {} ms ({} steps) in {:.3g} s wall time; results in {}\n",
               sim.time_ms(), sim.steps_done(), wall_s, options.out);
  }
  return 0;
}

std::string train_footer() {
  std::string text = eprop::cli::train_help;
  for (const std::string& task : eprop::tasks::train_tasks()) {
    text += "\nCONFIG KEYS OF '" + task + "' (defaults; docs/user/training.md explains each)\n";
    text += eprop::tasks::describe_config(task);
  }
  return text;
}

CLI::App* add_train_command(CLI::App& app, eprop::cli::TrainArgs& a) {
  CLI::App* train =
      app.add_subcommand("train", "Train one of NEST's e-prop examples (sine, evidence, nmnist)");
  train->footer(train_footer());
  train->add_option("task", a.task, "sine | evidence | nmnist")
      ->check(CLI::IsMember(eprop::tasks::train_tasks()));
  train->add_option("--config,-c", a.config, "TOML file with config keys (see below)");
  train->add_option("--set,-s", a.set, "override one key, e.g. --set training.n_iter=20")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  train->add_option("--out,-o", a.out, "output directory (created)");
  train
      ->add_option("--resume", a.resume,
                   "continue the run in DIR from its checkpoint (same losses as without a break)")
      ->type_name("DIR");
  train
      ->add_option("--threads", a.threads,
                   "worker threads (run.threads; results do not depend on it)")
      ->check(CLI::PositiveNumber);
  train->add_option("--precision", a.precision, "float | double (run.precision)")
      ->check(CLI::IsMember({"float", "double"}));
  train->add_flag("--numpy-compatible", a.numpy_compatible,
                  "draw weights, inputs, targets, masks and shuffles with numpy's legacy "
                  "generator in the NEST scripts' order and integrate stepwise (unless "
                  "--integration says otherwise), so that losses equal NEST's number for "
                  "number (data.numpy_compatible = true; default: counter-based Philox draws)");
  train
      ->add_option("--integration", a.integration,
                   "closed_form | stepwise (run.integration): eligibility integration; stepwise "
                   "rounds as NEST does (default: closed_form, stepwise with --numpy-compatible)")
      ->check(CLI::IsMember({"closed_form", "stepwise"}));
  train
      ->add_option("--checkpoint-every", a.checkpoint_every,
                   "write DIR/checkpoint every N iterations (run.checkpoint_every)")
      ->check(CLI::NonNegativeNumber);
  train
      ->add_option("--stop-after", a.stop_after,
                   "stop after N iterations of this session with a checkpoint (for time-limited "
                   "jobs; continue with --resume)")
      ->check(CLI::PositiveNumber);
  train->add_flag("--overwrite", a.overwrite, "replace a previous run in --out");
  train->add_flag("--print-config", a.print_config,
                  "print the resolved configuration (TOML) and exit");
  train->add_flag("--quiet,-q", a.quiet, "no progress output");
  return train;
}

CLI::App* add_bench_command(CLI::App& app, eprop::cli::BenchArgs& a) {
  CLI::App* bench = app.add_subcommand(
      "bench",
      "The paper's efficiency benchmark: e-prop+, original e-prop, static and STDP synapses "
      "(one JSON record per run, and a figure)");
  bench->footer(eprop::cli::bench_help);
  bench->add_option("--out,-o", a.out, "output directory (records.jsonl, bench.png)");
  bench->add_option("--variants", a.variants, "eprop_plus eprop_original static stdp (default: all)")
      ->check(CLI::IsMember({"eprop_plus", "eprop_original", "static", "stdp"}));
  bench->add_option("--n-rec", a.n_rec, "recurrent population sizes to sweep (default: 1000 4000 16000, a quick sweep)");
  bench->add_option("--n-in", a.n_in, "input generators (default n_rec / 10)");
  bench->add_option("--n-out", a.n_out, "readouts (default n_rec / 1000, at least 1)");
  bench->add_option("--indegree-rec", a.indegree_rec, "recurrent in-degree (default min(100, n_rec - 1))");
  bench->add_option("--indegree-in", a.indegree_in, "input in-degree (default 10)");
  bench->add_option("--indegree-out", a.indegree_out, "readout in-degree (default 10)");
  bench->add_option("--rate-rec", a.rate_rec, "recurrent rate, Hz (default 10)");
  bench->add_option("--rate-in", a.rate_in, "input rate per generator, Hz (default 10)");
  bench->add_option("--time", a.time_ms, "simulated ms per run, timed (default 1000; 500 in the quick sweep)");
  bench->add_option("--precision", a.precision, "float | double (default float)")
      ->check(CLI::IsMember({"float", "double"}));
  bench->add_option("--threads", a.threads, "worker threads (default 1)");
  bench->add_option("--seed", a.seed, "seed of connectivity and input draws (default 1)");
  bench->add_option("--memory-limit", a.memory_limit_gib,
                    "refuse runs whose estimate exceeds this many GiB (default: memory available now)");
  bench->add_flag("--estimate", a.estimate, "print the memory each run needs, run nothing");
  bench->add_flag("--no-plot", a.no_plot, "write the records only");
  bench->add_flag("--quiet,-q", a.quiet, "no progress output");
  return bench;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eprop: e-prop spiking network simulator (reproduces NEST 3.10 e-prop models)",
               "eprop"};
  app.footer(std::string(eprop::cli::main_footer) + "\n" + eprop::cli::help_footer);
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
  run->add_option("--integration", options.integration,
                  "override [kernel] eligibility_integration (closed_form: fast, the default; "
                  "stepwise: NEST's loop)")
      ->check(CLI::IsMember({"closed_form", "stepwise"}));
  run->add_flag("--stats", options.stats,
                "print e-prop synapse count, bytes per synapse, closed-form synapses, history "
                "entries and peak memory (also DIR/stats.json)");
  run->add_flag("--quiet,-q", options.quiet, "print nothing on success");

  eprop::cli::TrainArgs train_args;
  CLI::App* train = add_train_command(app, train_args);
  std::string plot_dir;
  std::string plot_out;
  CLI::App* plot = app.add_subcommand("plot", "Plot a training run (PNG files in DIR/plots)");
  plot->add_option("dir", plot_dir, "output directory of `eprop train`")->required();
  plot->add_option("--out,-o", plot_out, "directory for the PNG files (default DIR/plots)");

  eprop::cli::BenchArgs bench_args;
  CLI::App* bench = add_bench_command(app, bench_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (train->parsed()) {
      for (int i = 0; i < argc; ++i) {
        train_args.command_line += (i > 0 ? " " : "") + std::string(argv[i]);
      }
      return eprop::cli::train_command(train_args);
    }
    if (plot->parsed()) return eprop::cli::plot_command(plot_dir, plot_out);
    if (bench->parsed()) return eprop::cli::bench_command(bench_args);
    return run_network(options);
  } catch (const eprop::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}
