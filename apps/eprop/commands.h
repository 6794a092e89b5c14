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
  std::string integration;
  std::size_t threads = 0;
  std::int64_t checkpoint_every = -1;
  std::int64_t stop_after = 0;
  bool quiet = false;
  bool numpy_compatible = false;
  bool overwrite = false;
  bool print_config = false;
  std::string command_line;
};

/// Runs `eprop train`; returns the exit status (0, 1, 130 on SIGINT, 143 on SIGTERM).
int train_command(const TrainArgs& args);

/// Runs `eprop plot DIR`: the plotting script with /usr/bin/python3. Returns the exit status.
int plot_command(const std::string& dir, const std::string& out);

}  // namespace eprop::cli
