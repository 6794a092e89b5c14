// `eprop compare TASK --out DIR`: trains the task once per model family (e-prop+ and the
// original `_bsshslm_2020` models), each in its own child process `eprop train` so that wall time
// and peak memory are the family's alone, on the same task instance (same config, seed and draw
// mode), then writes DIR/compare.csv (the learning curves), DIR/compare.md (one table) and
// DIR/compare.png (one figure, via eprop_plot.py).

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.h"
#include "eprop/error.h"
#include "tasks/train_config.h"

namespace eprop::cli {
namespace {

namespace fs = std::filesystem;

struct FamilyRun {
  tasks::TaskFamily family;
  double wall_s = 0.0;
  double peak_mib = 0.0;
  std::vector<std::vector<std::string>> rows;  ///< metrics.csv: iteration, phase, loss, error
};

// Runs argv as a child; returns its wall time and peak RSS. Throws if it fails.
void run_child(std::vector<std::string> args, FamilyRun& run) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("eprop compare: fork failed");
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
  }
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error("eprop compare: training the " + run.family.name + " family failed (" +
                fmt::format("{}", fmt::join(args, " ")) + ")");
  }
}

std::vector<std::vector<std::string>> read_metrics(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw DataError("eprop compare: " + path.string() + " is missing");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    if (cells.size() >= 4) rows.push_back({cells[0], cells[1], cells[2], cells[3]});
  }
  return rows;
}

std::string final_of(const FamilyRun& r, std::size_t column) {
  return r.rows.empty() ? "-" : r.rows.back()[column];
}

void write_outputs(const CompareArgs& a, const std::vector<FamilyRun>& runs) {
  const fs::path out(a.out);
  std::ofstream csv(out / "compare.csv");
  csv << "family,iteration,phase,loss,error\n";
  for (const FamilyRun& r : runs) {
    for (const auto& row : r.rows) {
      csv << r.family.name << ',' << row[0] << ',' << row[1] << ',' << row[2] << ',' << row[3]
          << '\n';
    }
  }
  std::ofstream md(out / "compare.md");
  md << "# eprop compare " << a.task << "\n\n"
     << "| family | models | iterations | first loss | last loss | last error | wall (s) | "
        "peak RSS (MiB) |\n|---|---|---|---|---|---|---|---|\n";
  for (const FamilyRun& r : runs) {
    md << "| " << r.family.name << " | " << r.family.doc << " | " << r.rows.size() << " | "
       << (r.rows.empty() ? "-" : r.rows.front()[2]) << " | " << final_of(r, 2) << " | "
       << final_of(r, 3) << " | " << fmt::format("{:.2f}", r.wall_s) << " | "
       << fmt::format("{:.0f}", r.peak_mib) << " |\n";
  }
  md << "\nCurves: compare.csv, compare.png; each family's run: " << a.out << "/<family>/.\n";
}

}  // namespace

int compare_command(const CompareArgs& a) {
  const std::vector<tasks::TaskFamily>& families = tasks::task_families(a.task);
  if (families.size() < 2) {
    throw ConfigError("eprop compare: task '" + a.task + "' runs in one model family so far (" +
                      families.front().name + ")");
  }
  if (a.out.empty()) throw ConfigError("no output directory given (--out DIR)");
  if (fs::exists(a.out) && !a.overwrite) {
    throw ConfigError("eprop compare: " + a.out + " exists (--overwrite replaces it)");
  }
  fs::create_directories(a.out);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::vector<FamilyRun> runs;
  for (const tasks::TaskFamily& family : families) {
    FamilyRun run;
    run.family = family;
    const std::string dir =
        (fs::path(a.out) / (family.name == "e-prop+" ? "eprop_plus" : family.name)).string();
    std::vector<std::string> args{self, "train", a.task, "--out", dir, "--overwrite", "--quiet"};
    if (a.config) args.insert(args.end(), {"--config", *a.config});
    for (const std::string& s : a.set) args.insert(args.end(), {"--set", s});
    for (const std::string& s : family.settings) args.insert(args.end(), {"--set", s});
    if (a.numpy_compatible) args.emplace_back("--numpy-compatible");
    if (!a.precision.empty()) args.insert(args.end(), {"--precision", a.precision});
    if (!a.quiet) fmt::print("eprop compare: training the {} family into {}\n", family.name, dir);
    std::fflush(stdout);  // before the child writes to the same stream
    run_child(args, run);
    run.rows = read_metrics(fs::path(dir) / "metrics.csv");
    runs.push_back(std::move(run));
  }
  write_outputs(a, runs);
  if (!a.quiet) {
    std::ifstream md(fs::path(a.out) / "compare.md");
    fmt::print("{}", std::string(std::istreambuf_iterator<char>(md), {}));
  }
  return plot_command(a.out, "");
}

}  // namespace eprop::cli
