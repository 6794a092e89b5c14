// `eprop train`: command-line options -> TrainConfig -> tasks::train / tasks::resume.

#include <unistd.h>

#include <memory>

#include <fmt/format.h>

#include "comm/communicator.h"
#include "commands.h"
#include "interrupt.h"
#include "eprop/error.h"
#include "io/nmnist_opener.h"
#include "tasks/training.h"

namespace eprop::cli {
namespace {

void check_resume_args(const TrainArgs& a) {
  if (a.config || !a.set.empty() || !a.precision.empty() || !a.integration.empty() ||
      a.numpy_compatible) {
    throw ConfigError(
        "--resume: the configuration of a run is fixed; --config, --set, --precision, "
        "--integration and --numpy-compatible cannot be combined with --resume");
  }
  if (!a.out.empty() &&
      std::filesystem::weakly_canonical(a.out) != std::filesystem::weakly_canonical(a.resume)) {
    throw ConfigError("--resume " + a.resume + " continues the run in that directory; --out " +
                      a.out + " names another one");
  }
}

int exit_status(tasks::TrainStatus status) {
  if (status != tasks::TrainStatus::interrupted) return 0;
  return interrupt_exit_status();
}

}  // namespace

int train_command(const TrainArgs& a) {
  // Checking the data and building the network touch no file: Ctrl-C ends them at once.
  exit_on_interrupt();
  tasks::TrainOptions options;
  options.progress = a.quiet ? tasks::ProgressMode::quiet
                             : (::isatty(::fileno(stdout)) != 0 ? tasks::ProgressMode::live
                                                                : tasks::ProgressMode::plain);
  options.progress_stream = stdout;
  options.checkpoint_every = a.checkpoint_every;
  options.stop_after = a.stop_after;
  options.interrupt = &interrupt_flag();
  options.overwrite = a.overwrite;
  options.allow_divergence = a.allow_divergence;
  options.version = EPROP_VERSION;
  options.command = a.command_line;
  options.open_nmnist = io::open_nmnist_dataset;
  options.on_start = install_interrupt_handlers;  // until then Ctrl-C ends the program at once

  if (!a.resume.empty()) {
    check_resume_args(a);
    options.out = a.resume;
    options.resume_task = a.task;
    return exit_status(tasks::resume(options, a.threads).status);
  }
  if (a.task.empty()) throw ConfigError("no task given (eprop train sine|evidence|nmnist|lemniscate|handwriting ...)");
  // A preset's settings come first, so that --set and the flags below override them.
  std::vector<std::string> overrides;
  if (!a.preset.empty()) overrides = tasks::preset_settings(a.task, a.preset);
  overrides.insert(overrides.end(), a.set.begin(), a.set.end());
  if (a.threads > 0) overrides.push_back(fmt::format("run.threads={}", a.threads));
  if (!a.precision.empty()) overrides.push_back("run.precision=" + a.precision);
  if (!a.integration.empty()) overrides.push_back("run.integration=" + a.integration);
  if (a.numpy_compatible) overrides.emplace_back("data.numpy_compatible=true");
  if (a.checkpoint_every >= 0) {
    overrides.push_back(fmt::format("run.checkpoint_every={}", a.checkpoint_every));
  }
  tasks::TrainConfig config = tasks::read_train_config(a.task, a.config, overrides);
  const bool speaks = world_communicator()->writes();  // rank 0 under mpirun
  if (a.print_config) {
    if (speaks) fmt::print("{}", tasks::to_toml(config));
    return 0;
  }
  if (a.estimate) {
    config.estimate_only = true;
    try {
      (void)tasks::train(config, options);
    } catch (const tasks::MemoryEstimateReport& report) {
      if (speaks) fmt::print("{}", report.what());
      return 0;
    }
    throw Error("internal error: no memory estimate");
  }
  if (a.out.empty()) throw ConfigError("no output directory given (--out DIR)");
  options.out = a.out;
  return exit_status(tasks::train(config, options).status);
}

}  // namespace eprop::cli
