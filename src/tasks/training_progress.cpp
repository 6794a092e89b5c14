#include "tasks/training_progress.h"

#include <cmath>

#include <fmt/format.h>

namespace eprop::tasks {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  const auto s = static_cast<std::int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressReporter::ProgressReporter(ProgressMode mode, std::FILE* stream, std::string task)
    : mode_(mode),
      stream_(stream),
      task_(std::move(task)),
      start_(std::chrono::steady_clock::now()) {}

double ProgressReporter::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::iteration(std::int64_t iteration, const std::string& phase, double loss,
                                 double error, double sim_ms, std::int64_t completed,
                                 std::int64_t planned, std::int64_t completed_this_session) {
  if (mode_ == ProgressMode::quiet || stream_ == nullptr) return;
  const double wall = elapsed_s();
  const double speed = wall > 0.0 ? sim_ms / 1000.0 / wall : 0.0;
  const double per_iteration =
      completed_this_session > 0 ? wall / static_cast<double>(completed_this_session) : 0.0;
  const double eta =
      per_iteration * static_cast<double>(std::max<std::int64_t>(0, planned - completed));
  const std::string error_text = std::isnan(error) ? "" : fmt::format("  error {:.4f}", error);
  const std::string text =
      fmt::format("{} iteration {}/{} {:<14} loss {:.6g}{}  {:.3g} sim s/s  elapsed {}  ETA {}",
                  task_, iteration, planned, phase, loss, error_text, speed, format_duration(wall),
                  format_duration(eta));
  if (mode_ == ProgressMode::live) {
    fmt::print(stream_, "\r\x1b[K{}", text);
    line_open_ = true;
  } else {
    fmt::print(stream_, "{}\n", text);
  }
  std::fflush(stream_);
}

void ProgressReporter::message(const std::string& text) {
  if (mode_ == ProgressMode::quiet || stream_ == nullptr) return;
  close();
  fmt::print(stream_, "{}\n", text);
  std::fflush(stream_);
}

void ProgressReporter::close() {
  if (line_open_ && stream_ != nullptr) {
    fmt::print(stream_, "\n");
    std::fflush(stream_);
  }
  line_open_ = false;
}

}  // namespace eprop::tasks
