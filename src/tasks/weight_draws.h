#pragma once

// Weight matrices drawn the way NEST's e-prop scripts draw them with numpy: the draw is made in
// float64, divided in float64, then cast to float32 (`np.array(..., dtype=np.float32)`). The same
// conventions hold for counter-based draws (tasks/task_random.h).

#include <cstddef>
#include <vector>

#include "tasks/task_random.h"

namespace eprop::tasks {

/// `np.float32(randn(rows, cols)[.T] / divisor)`, flattened row-major (transposed: [cols][rows]).
std::vector<float> draw_normal_f32(TaskRandom& rng, DrawKey key, std::size_t rows,
                                   std::size_t cols, bool transpose, double divisor);

/// `np.float32(uniform(low, high, (rows, cols))[.T])`, flattened row-major.
std::vector<float> draw_uniform_f32(TaskRandom& rng, DrawKey key, double low, double high,
                                    std::size_t rows, std::size_t cols, bool transpose);

/// float32 values as the doubles NEST receives.
std::vector<double> widen(const std::vector<float>& w);

}  // namespace eprop::tasks
