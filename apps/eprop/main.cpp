// eprop: command line front end.
//   eprop run NETWORK --out DIR     simulate a network file, write its recordings (CSV)
//   eprop train TASK --out DIR      train one of the NEST e-prop examples (train_command.cpp)
//   eprop plot DIR                  plot a training run (plot_command.cpp)
//   eprop compare TASK --out DIR    train both model families side by side (compare_command.cpp)
//   eprop bench --out DIR           the paper's efficiency benchmark (bench_command.cpp)
// Exit status: 0 success, 1 eprop error (bad input, failed run or write), 2 bad command line,
// 130 / 143 interrupted by Ctrl-C / SIGTERM (train: checkpoint written; run: nothing written).

#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

#include "comm/agree.h"
#include "comm/communicator.h"
#include "comm/mpi_session.h"
#include "commands.h"
#include "core/types.h"
#include "help_text.h"
#include "interrupt.h"
#include "tasks/train_config.h"
#include "tasks/training_output.h"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
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
  bool estimate = false;
  bool overwrite = false;
};

namespace fs = std::filesystem;

bool is_empty_dir(const fs::path& dir) {
  return fs::is_directory(dir) && fs::directory_iterator(dir) == fs::directory_iterator();
}

/// Refuses an --out that holds files, unless --overwrite (checked before anything is simulated).
void check_out_dir(const RunOptions& options) {
  const fs::path out(options.out);
  if (!fs::exists(out) || is_empty_dir(out)) return;
  if (!fs::is_directory(out)) {
    throw eprop::ConfigError(fmt::format("--out {}: exists and is not a directory", options.out));
  }
  if (!options.overwrite) {
    throw eprop::ConfigError(fmt::format(
        "--out {}: the directory is not empty (results of another run would mix with these); "
        "pass --overwrite to replace it, or choose another directory",
        options.out));
  }
}

/// Writes the results into a fresh sibling directory that then takes the place of --out, so an
/// old run is removed only once the new one is complete.
void write_output(const eprop::Simulation& sim, const RunOptions& options,
                  const std::string& stats) {
  if (!sim.communicator().writes()) {  // takes part in the gathers; rank 0 writes
    eprop::write_results(sim, {});
    return;
  }
  const fs::path out = fs::absolute(options.out).lexically_normal();
  const fs::path fresh = out.string() + fmt::format(".new-{}", ::getpid());
  const fs::path old = out.string() + fmt::format(".old-{}", ::getpid());
  fs::remove_all(fresh);
  try {
    eprop::write_results(sim, fresh);
    if (!stats.empty()) eprop::tasks::write_file_atomic(fresh / "stats.json", stats);
    if (fs::exists(out)) fs::rename(out, old);
    fs::rename(fresh, out);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(fresh, ignored);
    if (!fs::exists(out) && fs::exists(old)) fs::rename(old, out, ignored);
    throw;
  }
  fs::remove_all(old);
}

void print_estimate(const eprop::NetworkSpec& spec, const std::string& origin) {
  const eprop::MemoryEstimate estimate = eprop::estimate_memory(spec);
  fmt::print("{}: estimated memory (before the network is built)\n{}", origin,
             estimate.describe(eprop::machine_memory_bytes()));
}

/// An integer in [1, max], with a message that says so (CLI11's own range check prints the range
/// of a double).
CLI::Validator count_in_range(std::int64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        const std::string error =
            fmt::format("must be an integer from 1 to {}, got '{}'", max, text);
        if (text.empty() || text.size() > 18 ||
            text.find_first_not_of("0123456789") != std::string::npos) {
          return error;
        }
        const std::int64_t value = std::stoll(text);
        return value >= 1 && value <= max ? std::string() : error;
      },
      fmt::format("1..{}", max));
}

/// Memory and integration statistics of a finished run, as JSON (also written to stats.json):
/// counts summed over the ranks, the peak memory of the largest rank.
std::string format_stats(const eprop::Simulation& sim, double wall_s) {
  eprop::Communicator& comm = sim.communicator();
  eprop::MemoryStats m = sim.memory_stats();
  const eprop::CommStats exchanged = comm.stats();
  m.eprop_synapses = comm.sum(m.eprop_synapses);
  m.eprop_synapse_bytes = comm.sum(m.eprop_synapse_bytes);
  m.closed_form_synapses = comm.sum(m.closed_form_synapses);
  m.history_entries = comm.sum(m.history_entries);
  const auto peak = static_cast<std::uint64_t>(
      comm.max(static_cast<double>(eprop::tasks::peak_rss_bytes())));
  const double per_synapse =
      m.eprop_synapses > 0 ? static_cast<double>(m.eprop_synapse_bytes) /
                                 static_cast<double>(m.eprop_synapses)
                           : 0.0;
  return fmt::format(
      "{{\n  \"eprop_synapses\": {},\n  \"eprop_synapse_bytes\": {},\n"
      "  \"bytes_per_eprop_synapse\": {:.2f},\n  \"closed_form_synapses\": {},\n"
      "  \"history_entries\": {},\n  \"peak_memory_bytes\": {},\n  \"wall_time_s\": {:.6g},\n"
      "  \"steps\": {},\n  \"ranks\": {},\n  \"exchange_bytes_sent_rank0\": {}\n}}\n",
      m.eprop_synapses, m.eprop_synapse_bytes, per_synapse, m.closed_form_synapses,
      m.history_entries, peak, wall_s, sim.steps_done(), comm.size(), exchanged.bytes_sent);
}

eprop::NetworkSpec read_run_spec(const RunOptions& options) {
  eprop::NetworkSpec spec = eprop::read_network_file(options.network);
  if (options.precision == "float") spec.kernel.precision = eprop::Precision::single_precision;
  if (options.precision == "double") spec.kernel.precision = eprop::Precision::double_precision;
  if (options.threads > 0) spec.kernel.threads = options.threads;
  if (!options.integration.empty()) {  // CLI11 admits only the two spellings
    spec.kernel.eligibility_integration = *eprop::parse_eligibility_integration(options.integration);
  }
  return spec;
}

// Under mpirun every rank reads and validates the network and builds its share; they agree on
// any failure before the first exchange, so a bad input ends every rank with one message.
int run_network(const RunOptions& options) {
  // Reading and building write nothing: Ctrl-C ends them at once (a network of 1e9 synapses
  // takes minutes to build).
  eprop::cli::exit_on_interrupt();
  const std::shared_ptr<eprop::Communicator> comm = eprop::world_communicator();
  eprop::NetworkSpec spec;
  std::optional<eprop::Simulation> sim;
  const auto start = std::chrono::steady_clock::now();
  eprop::agree(*comm, [&] {
    spec = read_run_spec(options);
    if (options.estimate) return;
    if (spec.simulate.empty()) {
      throw eprop::ConfigError(fmt::format(
          "{}: [run]: missing field 'simulate' (nothing to simulate)", options.network));
    }
    if (comm->writes()) check_out_dir(options);
    // The engine names the population/connection and parameter; prefix the file as the parser
    // does.
    try {
      // Every multimeter sample is kept until the results are written.
      eprop::check_memory_fits(eprop::estimate_memory(spec), /*with_recordings=*/true);
      sim.emplace(spec, comm);
    } catch (const eprop::ConfigError& e) {
      throw eprop::ConfigError(fmt::format("{}: {}", options.network, e.what()));
    }
  });
  if (options.estimate) {
    if (comm->writes()) print_estimate(spec, options.network);
    return 0;
  }
  // Ctrl-C stops the simulation within a fraction of a second; nothing is written then.
  eprop::cli::install_interrupt_handlers();
  sim->set_interrupt(&eprop::cli::interrupt_flag());
  try {
    sim->run_schedule();
  } catch (const eprop::Interrupted&) {
    if (comm->writes()) {
      fmt::print(stderr, "eprop: interrupted at {} ms; nothing was written to {}\n",
                 sim->time_ms(), options.out);
    }
    return eprop::cli::interrupt_exit_status();
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string stats = options.stats ? format_stats(*sim, wall_s) : std::string();
  write_output(*sim, options, stats);
  if (!comm->writes()) return 0;
  if (options.stats) fmt::print("{}", stats);
  if (!options.quiet) {
    fmt::print("eprop: simulated {} ms ({} steps) in {:.3g} s wall time; results in {}\n",
               sim->time_ms(), sim->steps_done(), wall_s, options.out);
  }
  return 0;
}

/// Prints one "error: ..." line for the exception.
void report_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr,
               "error: out of memory (this machine has {}); `eprop run --estimate` and `eprop "
               "train --estimate` show what a network needs\n",
               eprop::format_bytes(eprop::machine_memory_bytes()));
  } catch (const std::length_error& e) {
    fmt::print(stderr, "error: a size is too large for this machine ({})\n", e.what());
  } catch (const std::exception& e) {  // eprop::Error, filesystem errors
    fmt::print(stderr, "error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "error: unknown error\n");
  }
}

/// Runs a command; any error becomes one "error: ..." line and exit status 1 (a failed allocation
/// says so in words instead of "std::bad_alloc"). Under mpirun an error all ranks agreed on is
/// printed by rank 0; any other error is printed by its rank, which then ends the whole job so
/// that no rank waits forever in an exchange.
template <class Command>
int with_error_report(Command&& command) {
  const std::shared_ptr<eprop::Communicator> comm = eprop::world_communicator();
  try {
    return command();
  } catch (const eprop::AgreedError& e) {
    if (comm->writes()) fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (...) {
    if (comm->size() > 1) fmt::print(stderr, "rank {}: ", comm->rank());
    report_error(std::current_exception());
    if (comm->size() > 1) comm->abort(1);
  }
  return 1;
}


std::string train_footer() {
  std::string text = eprop::cli::train_help;
  for (const std::string& task : eprop::tasks::train_tasks()) {
    text += "\nCONFIG KEYS OF '" + task + "' (defaults; docs/user/training.md explains each)\n";
    text += eprop::tasks::describe_config(task);
    for (const auto& preset : eprop::tasks::train_presets(task)) {
      text += "  --preset " + preset.name + ": " + preset.doc + "\n   ";
      for (const std::string& setting : preset.settings) text += " " + setting;
      text += "\n";
    }
  }
  return text;
}

CLI::App* add_train_command(CLI::App& app, eprop::cli::TrainArgs& a) {
  CLI::App* train =
      app.add_subcommand("train", "Train one of NEST's e-prop examples (sine, evidence, nmnist, "
                                  "lemniscate, handwriting)");
  train->footer(train_footer());
  train->add_option("task", a.task, "sine | evidence | nmnist | lemniscate | handwriting")
      ->check(CLI::IsMember(eprop::tasks::train_tasks()));
  train->add_option("--config,-c", a.config, "TOML file with config keys (see below)");
  train->add_option("--preset", a.preset,
                    "named settings of the task (see below), applied over --config; --set and "
                    "the flags below override them");
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
      ->check(count_in_range(eprop::kMaxThreads));
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
      ->check(count_in_range(std::int64_t{1} << 40));
  train->add_flag("--overwrite", a.overwrite,
                  "replace a previous run in --out (kept until the new run has completed its "
                  "first iteration)");
  train->add_flag("--allow-divergence", a.allow_divergence,
                  "go on when a loss is not finite (by default training stops: \"diverged\")");
  train->add_flag("--estimate", a.estimate,
                  "print the memory the network will need (data checked, nothing built) and exit");
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
  const eprop::MpiSession mpi(argc, argv);  // when started by mpirun
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
      ->check(count_in_range(eprop::kMaxThreads));
  run->add_option("--integration", options.integration,
                  "override [kernel] eligibility_integration (closed_form: fast, the default; "
                  "stepwise: NEST's loop)")
      ->check(CLI::IsMember({"closed_form", "stepwise"}));
  run->add_flag("--stats", options.stats,
                "print e-prop synapse count, bytes per synapse, closed-form synapses, history "
                "entries and peak memory (also DIR/stats.json)");
  run->add_flag("--quiet,-q", options.quiet, "print nothing on success");
  run->add_flag("--estimate", options.estimate,
                "print the memory the network will need (from its description) and exit");
  run->add_flag("--overwrite", options.overwrite,
                "replace a non-empty --out (removed only once the new results are written)");

  eprop::cli::TrainArgs train_args;
  CLI::App* train = add_train_command(app, train_args);
  std::string plot_dir;
  std::string plot_out;
  CLI::App* plot = app.add_subcommand("plot", "Plot a training run (PNG files in DIR/plots)");
  plot->add_option("dir", plot_dir, "output directory of `eprop train`")->required();
  plot->add_option("--out,-o", plot_out, "directory for the PNG files (default DIR/plots)");

  eprop::cli::CompareArgs compare_args;
  CLI::App* compare = app.add_subcommand(
      "compare", "Train a task in both model families (e-prop+ and the original _bsshslm_2020 "
                 "models) on the same task instance; one table (DIR/compare.md) and one figure "
                 "(DIR/compare.png) of their learning curves, wall time and peak memory");
  compare->add_option("task", compare_args.task,
                      "sine, evidence, nmnist, lemniscate or handwriting")
      ->required()
      ->check(CLI::IsMember(eprop::tasks::train_tasks()));
  compare->add_option("--config,-c", compare_args.config, "TOML config of the task (both runs)");
  compare->add_option("--set,-s", compare_args.set, "override one key (both runs)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  compare->add_option("--out,-o", compare_args.out, "output directory")->required();
  compare->add_option("--precision", compare_args.precision, "float | double")
      ->check(CLI::IsMember({"float", "double"}));
  compare->add_flag("--numpy-compatible", compare_args.numpy_compatible,
                    "the NEST scripts' numpy draws (as eprop train)");
  compare->add_flag("--overwrite", compare_args.overwrite, "replace an existing DIR");
  compare->add_flag("--quiet,-q", compare_args.quiet, "print nothing on success");
  eprop::cli::BenchArgs bench_args;
  CLI::App* bench = add_bench_command(app, bench_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream quiet;
    const bool speaks = eprop::world_communicator()->writes();  // once under mpirun
    const int code = speaks ? app.exit(e) : app.exit(e, quiet, quiet);
    return code == 0 ? 0 : 2;
  }

  return with_error_report([&] {
    if (train->parsed()) {
      for (int i = 0; i < argc; ++i) {
        train_args.command_line += (i > 0 ? " " : "") + std::string(argv[i]);
      }
      return eprop::cli::train_command(train_args);
    }
    if (plot->parsed()) return eprop::cli::plot_command(plot_dir, plot_out);
    if (compare->parsed()) return eprop::cli::compare_command(compare_args);
    if (bench->parsed()) return eprop::cli::bench_command(bench_args);
    return run_network(options);
  });
}
