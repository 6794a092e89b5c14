#pragma once

// Progress output of `eprop train`: a status line rewritten in place on a terminal, one log line
// per iteration otherwise, or nothing.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "tasks/training.h"

namespace eprop::tasks {

class ProgressReporter {
 public:
  ProgressReporter(ProgressMode mode, std::FILE* stream, std::string task);

  /// After each iteration. `sim_ms` is the model time simulated in this session so far,
  /// `completed` the iterations completed (all sessions), `planned` the expected total.
  void iteration(std::int64_t iteration, const std::string& phase, double loss, double error,
                 double sim_ms, std::int64_t completed, std::int64_t planned,
                 std::int64_t completed_this_session);
  /// A message on its own line (ends a live line first).
  void message(const std::string& text);
  /// Ends a live line.
  void close();

 private:
  [[nodiscard]] double elapsed_s() const;

  ProgressMode mode_;
  std::FILE* stream_;
  std::string task_;
  std::chrono::steady_clock::time_point start_;
  bool line_open_ = false;
};

/// "1:02:03" or "2:03" for a duration in seconds.
[[nodiscard]] std::string format_duration(double seconds);

}  // namespace eprop::tasks
