#pragma once

// Per-neuron constants of a population whose parameters may vary per neuron.

#include <cstddef>
#include <vector>

namespace eprop {

/// The given per-neuron values, or `common` for each of the n neurons when none are given.
template <class Real>
[[nodiscard]] std::vector<Real> per_neuron(const std::vector<Real>& given, Real common,
                                           std::size_t n) {
  return given.empty() ? std::vector<Real>(n, common) : given;
}

}  // namespace eprop
