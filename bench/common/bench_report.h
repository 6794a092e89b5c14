#pragma once

// Helpers shared by the macro workloads: wall-clock timing, peak memory, the machine's load and
// one machine-readable result line per measurement.
//
// Result lines start with "BENCH " followed by space-separated key=value pairs (no spaces inside
// values), for people reading a log. When EPROP_BENCH_JSON names a file, the same result is also
// appended to it as one JSON object per line: bench/make_report.py reads only that file, so every
// number in docs/benchmarks.md comes from the program that measured it.

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cmath>
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

/// One result: a BENCH key=value line on stdout and, with EPROP_BENCH_JSON set, a JSON line.
class ResultLine {
 public:
  explicit ResultLine(std::string_view workload) { add("workload", std::string(workload)); }

  ResultLine& add(std::string_view key, const std::string& value) {
    pairs_.push_back({std::string(key), value, false});
    return *this;
  }
  ResultLine& add(std::string_view key, const char* value) { return add(key, std::string(value)); }
  ResultLine& add(std::string_view key, double value) {
    if (!std::isfinite(value)) return add(key, std::string("nan"));
    std::ostringstream s;
    s.precision(10);
    s << value;
    return add_number(key, s.str());
  }
  ResultLine& add(std::string_view key, std::int64_t value) {
    return add_number(key, std::to_string(value));
  }
  ResultLine& add(std::string_view key, std::uint64_t value) {
    return add_number(key, std::to_string(value));
  }
  ResultLine& add(std::string_view key, int value) {
    return add_number(key, std::to_string(value));
  }

  void print() const {
    std::string line = "BENCH";
    for (const auto& p : pairs_) {
      std::string v = p.value;
      for (char& c : v) {
        if (c == ' ' || c == '\t' || c == '\n') c = '_';
      }
      line.append(1, ' ').append(p.key).append(1, '=').append(v);
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    const char* json_path = std::getenv("EPROP_BENCH_JSON");
    if (json_path != nullptr && *json_path != '\0') {
      std::ofstream(json_path, std::ios::app) << json() << '\n';
    }
  }

  /// The result as one JSON object; numbers stay numbers.
  [[nodiscard]] std::string json() const {
    std::string out = "{";
    for (const auto& p : pairs_) {
      if (out.size() > 1) out += ", ";
      out += quoted(p.key) + ": " + (p.numeric ? p.value : quoted(p.value));
    }
    return out + "}";
  }

 private:
  struct Pair {
    std::string key;
    std::string value;
    bool numeric;
  };

  ResultLine& add_number(std::string_view key, std::string value) {
    pairs_.push_back({std::string(key), std::move(value), true});
    return *this;
  }

  static std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += ' ';
      } else {
        out += c;
      }
    }
    return out + '"';
  }

  std::vector<Pair> pairs_;
};

}  // namespace eprop::bench
