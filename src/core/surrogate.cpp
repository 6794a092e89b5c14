#include "core/surrogate.h"

#include <array>
#include <utility>

namespace eprop {
namespace {
constexpr std::array<std::pair<std::string_view, SurrogateKind>, 4> kSurrogates{{
    {"piecewise_linear", SurrogateKind::piecewise_linear},
    {"exponential", SurrogateKind::exponential},
    {"fast_sigmoid_derivative", SurrogateKind::fast_sigmoid_derivative},
    {"arctan_derivative", SurrogateKind::arctan_derivative},
}};
}  // namespace

std::optional<SurrogateKind> parse_surrogate(std::string_view name) {
  for (const auto& [n, kind] : kSurrogates) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string_view surrogate_name(SurrogateKind kind) {
  for (const auto& [n, k] : kSurrogates) {
    if (k == kind) return n;
  }
  return "unknown";
}

}  // namespace eprop
