// `eprop bench --out DIR`: the paper's efficiency benchmark (src/tasks/paper_bench.h) over
// variants and sizes; one JSON record per run in DIR/records.jsonl and the figure DIR/bench.png.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "comm/communicator.h"
#include "commands.h"
#include "eprop/error.h"
#include "tasks/paper_bench.h"
#include "tasks/training_output.h"

namespace eprop::cli {
namespace {

namespace fs = std::filesystem;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

/// MemAvailable from /proc/meminfo, bytes (0 if unknown).
double available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024.0;
  }
  return 0;
}

std::vector<tasks::PaperBenchConfig> configurations(const BenchArgs& a) {
  const bool quick = a.n_rec.empty();
  const std::vector<std::size_t> sizes =
      quick ? std::vector<std::size_t>{1000, 4000, 16000} : a.n_rec;
  const std::vector<std::string> variants =
      a.variants.empty() ? tasks::paper_bench_variants() : a.variants;
  std::vector<tasks::PaperBenchConfig> out;
  for (const std::size_t n : sizes) {
    for (const std::string& v : variants) {
      tasks::PaperBenchConfig c;
      c.variant = v;
      c.n_rec = n;
      c.n_in = a.n_in;
      c.n_out = a.n_out;
      c.indegree_rec = a.indegree_rec > 0 ? a.indegree_rec
                                          : std::min<std::int64_t>(100, static_cast<std::int64_t>(n) - 1);
      c.indegree_in = a.indegree_in;
      c.indegree_out = a.indegree_out;
      c.rate_rec = a.rate_rec;
      c.rate_in = a.rate_in;
      c.time_ms = a.time_ms > 0 ? a.time_ms : (quick ? 500.0 : 1000.0);
      c.precision = a.precision == "double" ? Precision::double_precision
                                            : Precision::single_precision;
      c.threads = a.threads;
      c.seed = a.seed;
      out.push_back(tasks::resolve(c));  // every configuration is checked before any run
    }
  }
  return out;
}

std::string describe(const tasks::PaperBenchConfig& c) {
  return fmt::format("{} n_rec={} n_in={} n_out={} indegree_rec={}", c.variant, c.n_rec, c.n_in,
                     c.n_out, c.indegree_rec);
}

/// Runs one configuration in a child process, so that its peak memory is its own, and appends
/// its record to `records`. Under mpirun the ranks run it together in their own processes (an
/// MPI process cannot fork a child that communicates); rank 0 appends the record.
void run_isolated(const tasks::PaperBenchConfig& c, const fs::path& records) {
  const auto world = world_communicator();
  if (world->size() > 1) {
    const nlohmann::json r = tasks::run_paper_bench(c);
    if (!world->writes()) return;
    std::ofstream file(records, std::ios::app);
    file << r.dump() << '\n';
    if (!file.flush()) throw Error("eprop bench: cannot write " + records.string());
    return;
  }
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("eprop bench: fork failed");
  if (pid == 0) {
    int status = 0;
    try {
      const nlohmann::json r = tasks::run_paper_bench(c);
      std::ofstream file(records, std::ios::app);
      file << r.dump() << '\n';
      file.flush();
      status = file ? 0 : 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "\nerror: {}\n", e.what());
      status = 1;
    }
    ::_exit(status);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error("eprop bench: the run " + describe(c) + " failed" +
                (WIFSIGNALED(status) ? " (signal " + std::to_string(WTERMSIG(status)) + ")" : ""));
  }
}

/// A rank other than 0 under mpirun: runs every configuration with the others, writes nothing.
int bench_follower(const BenchArgs& a, const std::vector<tasks::PaperBenchConfig>& configs) {
  if (a.estimate || a.out.empty()) return 0;
  for (const auto& c : configs) (void)tasks::run_paper_bench(c);
  return 0;
}

void progress(std::size_t done, std::size_t total, const std::string& what) {
  constexpr std::size_t kWidth = 24;
  const std::size_t filled = total == 0 ? kWidth : done * kWidth / total;
  fmt::print(stderr, "\r[{}{}] {}/{} {:<60}", std::string(filled, '#'),
             std::string(kWidth - filled, '.'), done, total, what);
  if (done == total) fmt::print(stderr, "\n");
}

}  // namespace

int bench_command(const BenchArgs& a) {
  const auto configs = configurations(a);
  if (!world_communicator()->writes()) return bench_follower(a, configs);
  const double limit = a.memory_limit_gib > 0 ? a.memory_limit_gib * kGiB : available_memory();
  if (a.estimate) {
    fmt::print("{:<16} {:>10} {:>14} {:>12}\n", "variant", "n_rec", "synapses", "memory_GiB");
    for (const auto& c : configs) {
      const auto m = tasks::estimate_memory(c);
      fmt::print("{:<16} {:>10} {:>14} {:>12.3f}{}\n", c.variant, c.n_rec, m.synapses,
                 static_cast<double>(m.bytes) / kGiB,
                 limit > 0 && static_cast<double>(m.bytes) > limit ? "  (does not fit)" : "");
    }
    if (limit > 0) fmt::print("limit: {:.2f} GiB\n", limit / kGiB);
    return 0;
  }
  if (a.out.empty()) throw ConfigError("eprop bench: --out DIR is required (except with --estimate)");
  for (const auto& c : configs) {
    const double bytes = static_cast<double>(tasks::estimate_memory(c).bytes);
    if (limit > 0 && bytes > limit) {
      throw ConfigError(fmt::format(
          "eprop bench: {} needs about {:.2f} GiB, more than the {:.2f} GiB {} (lower n_rec or "
          "the in-degrees, or set --memory-limit)",
          describe(c), bytes / kGiB, limit / kGiB,
          a.memory_limit_gib > 0 ? "of --memory-limit" : "available now"));
    }
  }
  fs::create_directories(a.out);
  const fs::path records = fs::path(a.out) / "records.jsonl";
  if (!std::ofstream(records, std::ios::trunc)) {
    throw Error("eprop bench: cannot write " + records.string());
  }
  for (std::size_t k = 0; k < configs.size(); ++k) {
    if (!a.quiet) progress(k, configs.size(), describe(configs[k]));
    std::fflush(nullptr);  // nothing buffered may be written twice by the child
    run_isolated(configs[k], records);
  }
  if (!a.quiet) progress(configs.size(), configs.size(), "done");
  if (!a.no_plot) {
    const std::string figure = (fs::path(a.out) / "bench.png").string();
    if (run_plot_script("eprop_bench_plot.py", {records.string(), "--out", figure}) != 0) {
      throw Error("eprop bench: the figure could not be drawn (records are in " +
                  records.string() + ")");
    }
  }
  if (!a.quiet) fmt::print("eprop bench: {} runs; records in {}\n", configs.size(), records.string());
  return 0;
}

}  // namespace eprop::cli
