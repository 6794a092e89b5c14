#include "tasks/weight_draws.h"

namespace eprop::tasks {
namespace {

std::vector<float> to_f32(const std::vector<double>& draws, std::size_t rows, std::size_t cols,
                          bool transpose, double divisor) {
  std::vector<float> w(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      w[transpose ? c * rows + r : r * cols + c] =
          static_cast<float>(draws[r * cols + c] / divisor);
    }
  }
  return w;
}

}  // namespace

std::vector<float> draw_normal_f32(TaskRandom& rng, DrawKey key, std::size_t rows,
                                   std::size_t cols, bool transpose, double divisor) {
  return to_f32(rng.normal(key, rows * cols), rows, cols, transpose, divisor);
}

std::vector<float> draw_uniform_f32(TaskRandom& rng, DrawKey key, double low, double high,
                                    std::size_t rows, std::size_t cols, bool transpose) {
  // x / 1.0 is exact, so the shared conversion adds no rounding.
  return to_f32(rng.uniform(key, low, high, rows * cols), rows, cols, transpose, 1.0);
}

std::vector<double> widen(const std::vector<float>& w) { return {w.begin(), w.end()}; }

}  // namespace eprop::tasks
