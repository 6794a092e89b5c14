#pragma once

// Surrogate gradients (pseudo-derivatives) of the spike function, NEST 3.10 code formulas
// (SPEC 3.2; the user documentation differs, the code is the reference).

#include <cmath>
#include <optional>
#include <string_view>

namespace eprop {

enum class SurrogateKind { piecewise_linear, exponential, fast_sigmoid_derivative, arctan_derivative };

std::optional<SurrogateKind> parse_surrogate(std::string_view name);
std::string_view surrogate_name(SurrogateKind kind);

/// psi for distance d = v - threshold, height h, width w; zero while refractory.
template <class Real>
inline Real surrogate(SurrogateKind kind, bool refractory, Real d, Real h, Real w) {
  if (refractory) return Real(0);
  switch (kind) {
    case SurrogateKind::piecewise_linear: {
      const Real x = Real(1) - std::abs(d) / w;
      return x > Real(0) ? h * x : Real(0);
    }
    case SurrogateKind::exponential:
      return h * std::exp(-std::abs(d) / w);
    case SurrogateKind::fast_sigmoid_derivative: {
      const Real x = Real(1) + std::abs(d) / w;
      return h / (x * x);
    }
    case SurrogateKind::arctan_derivative: {
      const Real x = d / w;
      return h / (Real(1) + x * x);
    }
  }
  return Real(0);
}

}  // namespace eprop
