#include "engine/recorders.h"

#include <array>
#include <utility>

namespace eprop {
namespace {
constexpr std::array<std::pair<std::string_view, Recordable>, 10> kRecordables{{
    {"V_m", Recordable::V_m},
    {"surrogate_gradient", Recordable::surrogate_gradient},
    {"learning_signal", Recordable::learning_signal},
    {"adaptation", Recordable::adaptation},
    {"V_th_adapt", Recordable::V_th_adapt},
    {"eprop_history_duration", Recordable::eprop_history_duration},
    {"readout_signal", Recordable::readout_signal},
    {"readout_signal_unnorm", Recordable::readout_signal_unnorm},
    {"target_signal", Recordable::target_signal},
    {"error_signal", Recordable::error_signal},
}};
}  // namespace

std::optional<Recordable> parse_recordable(std::string_view name) {
  for (const auto& [n, r] : kRecordables) {
    if (n == name) return r;
  }
  return std::nullopt;
}

void MultimeterState::commit_pending(double dt) {
  if (pending_step < 0) return;
  const double t_ms = static_cast<double>(pending_step + 1) * dt;
  const std::size_t n_vars = variables.size();
  for (std::size_t r = 0; r < neurons.size(); ++r) {
    index.push_back(neurons[r]);
    time.push_back(t_ms);
    for (std::size_t v = 0; v < n_vars; ++v) values[v].push_back(pending[r * n_vars + v]);
  }
  pending_step = -1;
}

}  // namespace eprop
