#pragma once

// Helpers shared by the macro workloads: wall-clock timing, peak memory, the machine's load and
// one machine-readable result line per measurement.
//
// Result lines start with "BENCH " followed by space-separated key=value pairs (no spaces inside
// values); bench/make_report.py parses them.

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eprop/spec.h"

namespace eprop::bench {

/// The --integration argument of the workloads; exits with a message for anything else.
inline EligibilityIntegration integration_argument(const std::string& name) {
  const auto integration = parse_eligibility_integration(name);
  if (!integration) {
    std::fprintf(stderr, "integration must be 'closed_form' or 'stepwise', got '%s'\n",
                 name.c_str());
    std::exit(2);
  }
  return *integration;
}

/// CPU time of this process, all threads (s). On a machine shared with other jobs it is a
/// steadier measure of our own work than wall time.
inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Wall-clock (steady clock) and process CPU seconds since construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()), cpu_start_(process_cpu_seconds()) {}
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  [[nodiscard]] double cpu_seconds() const { return process_cpu_seconds() - cpu_start_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

/// Peak resident set size of this process so far, MiB (getrusage ru_maxrss, KiB on Linux).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// Current resident set size, MiB (/proc/self/statm), or -1 if unavailable.
inline double current_rss_mib() {
  std::ifstream in("/proc/self/statm");
  long long pages_total = 0;
  long long pages_resident = 0;
  if (!(in >> pages_total >> pages_resident)) return -1.0;
  return static_cast<double>(pages_resident) * 4096.0 / (1024.0 * 1024.0);
}

/// The 1-minute load average (/proc/loadavg), or -1 if unavailable.
inline double load_average_1min() {
  std::ifstream in("/proc/loadavg");
  double load = -1.0;
  in >> load;
  return load;
}

/// Profiling hook: when EPROP_BENCH_PERF_FIFO names perf's control FIFO
/// (`perf record -D -1 --control=fifo:<path>`), writes `command` ("enable" or "disable") to it so
/// that the profile covers only the measured phase, not the network construction.
inline void perf_control(const char* command) {
  const char* fifo = std::getenv("EPROP_BENCH_PERF_FIFO");
  if (fifo == nullptr || *fifo == '\0') return;
  std::ofstream out(fifo);
  out << command << '\n';
}

/// One result line: BENCH key=value key=value ...
class ResultLine {
 public:
  explicit ResultLine(std::string_view workload) { add("workload", std::string(workload)); }

  ResultLine& add(std::string_view key, const std::string& value) {
    std::string v = value;
    for (char& c : v) {
      if (c == ' ' || c == '\t' || c == '\n') c = '_';
    }
    pairs_.emplace_back(std::string(key), std::move(v));
    return *this;
  }
  ResultLine& add(std::string_view key, const char* value) { return add(key, std::string(value)); }
  ResultLine& add(std::string_view key, double value) {
    std::ostringstream s;
    s.precision(10);
    s << value;
    return add(key, s.str());
  }
  ResultLine& add(std::string_view key, std::int64_t value) {
    return add(key, std::to_string(value));
  }
  ResultLine& add(std::string_view key, std::uint64_t value) {
    return add(key, std::to_string(value));
  }
  ResultLine& add(std::string_view key, int value) { return add(key, std::to_string(value)); }

  void print() const {
    std::string line = "BENCH";
    for (const auto& [k, v] : pairs_) {
      line.append(1, ' ').append(k).append(1, '=').append(v);
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

}  // namespace eprop::bench
