#pragma once

// Subcommands of the eprop CLI beyond `run` (main.cpp): `train` and `plot`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace eprop::cli {

struct TrainArgs {
  std::string task;
  std::optional<std::string> config;
  std::vector<std::string> set;
  std::string out;
  std::string resume;
  std::string precision;
  std::string preset;
  std::string integration;
  std::size_t threads = 0;
  std::int64_t checkpoint_every = -1;
  std::int64_t stop_after = 0;
  bool quiet = false;
  bool numpy_compatible = false;
  bool overwrite = false;
  bool allow_divergence = false;
  bool estimate = false;
  bool print_config = false;
  std::string command_line;
};

/// Runs `eprop train`; returns the exit status (0, 1, 130 on SIGINT, 143 on SIGTERM).
int train_command(const TrainArgs& args);

struct CompareArgs {
  std::string task;
  std::optional<std::string> config;
  std::vector<std::string> set;
  std::string out;
  std::string precision;
  bool numpy_compatible = false;
  bool quiet = false;
  bool overwrite = false;
};

/// Runs `eprop compare TASK`: trains every model family of the task (tasks::task_families) and
/// writes one table and one figure of their learning curves, wall times and peak memory.
int compare_command(const CompareArgs& args);

/// Runs `eprop plot DIR`: the plotting script with /usr/bin/python3. Returns the exit status.
int plot_command(const std::string& dir, const std::string& out);

/// Runs scripts/<script_name> (installed in share/eprop) with Debian's python3; 0 or 1.
int run_plot_script(const std::string& script_name, const std::vector<std::string>& args);

/// Options of `eprop bench` (bench_command.cpp).
struct BenchArgs {
  std::string out;
  std::vector<std::string> variants;
  std::vector<std::size_t> n_rec;
  std::size_t n_in = 0;
  std::size_t n_out = 0;
  std::int64_t indegree_rec = 0;  ///< 0: the default, clipped to small sizes
  std::int64_t indegree_in = 10;
  std::int64_t indegree_out = 10;
  double rate_rec = 10.0;
  double rate_in = 10.0;
  double time_ms = 0;  ///< 0: the default
  std::string precision = "float";
  std::size_t threads = 1;
  std::uint64_t seed = 1;
  double memory_limit_gib = 0;  ///< 0: the memory available now
  bool estimate = false;
  bool no_plot = false;
  bool quiet = false;
};

/// Runs `eprop bench`; returns the exit status.
int bench_command(const BenchArgs& args);

}  // namespace eprop::cli
