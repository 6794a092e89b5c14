#include "tasks/task_random.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <utility>

#include "core/random.h"
#include "eprop/error.h"
#include "tasks/numpy_random.h"

namespace eprop::tasks {
namespace {

// The engine keys its own counter-based draws (random connection rules) by connection index;
// the tasks' streams sit far above any connection index so that the two never share numbers.
constexpr std::uint64_t kTaskStreamBase = 0x7A5C0000U;

void check_population(std::int64_t a) {
  if (a < 1) {
    throw ConfigError("random draw: population size must be >= 1, got " + std::to_string(a));
  }
}

// Every call in the order it is made, as the NEST scripts make them.
class NumpyTaskRandom final : public TaskRandom {
 public:
  explicit NumpyTaskRandom(std::uint32_t seed) : rng_(seed) {}

  std::vector<double> uniform01(DrawKey /*key*/, std::size_t n) override { return rng_.rand(n); }
  std::vector<double> normal(DrawKey /*key*/, std::size_t n) override { return rng_.randn(n); }
  std::vector<std::int64_t> below(DrawKey /*key*/, std::int64_t a, std::size_t n) override {
    return rng_.choice(a, n);
  }
  std::vector<std::int64_t> permutation(DrawKey /*key*/, std::int64_t n) override {
    return rng_.permutation(n);
  }

 private:
  NumpyRandomState rng_;
};

// Element i of a draw keyed (quantity, block) is a function of (seed, stream, i, block) alone.
// CounterRandom's counter holds a 64-bit `a` and a 32-bit `b`: the element index goes into a.
class CounterTaskRandom final : public TaskRandom {
 public:
  explicit CounterTaskRandom(std::uint32_t seed) : rng_(seed) {}

  std::vector<double> uniform01(DrawKey key, std::size_t n) override {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = rng_.uniform(stream(key), i, key.block);
    return out;
  }

  std::vector<double> normal(DrawKey key, std::size_t n) override {
    // Box-Muller (cosine branch) from the uniforms 2i and 2i + 1; 1 - u lies in (0, 1].
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double u1 = 1.0 - rng_.uniform(stream(key), 2 * i, key.block);
      const double u2 = rng_.uniform(stream(key), 2 * i + 1, key.block);
      out[i] = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    return out;
  }

  std::vector<std::int64_t> below(DrawKey key, std::int64_t a, std::size_t n) override {
    check_population(a);
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = static_cast<std::int64_t>(
          rng_.below(static_cast<std::uint64_t>(a), stream(key), i, key.block));
    }
    return out;
  }

  std::vector<std::int64_t> permutation(DrawKey key, std::int64_t n) override {
    if (n < 0) throw ConfigError("random permutation: negative length " + std::to_string(n));
    // Sorting 0..n-1 by 64 random bits each (ties, about n^2 / 2^65 likely, by index) gives a
    // uniform order that, unlike a Fisher-Yates shuffle, needs no sequence of draws.
    std::vector<std::pair<std::uint64_t, std::int64_t>> keyed(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < keyed.size(); ++i) {
      keyed[i] = {rng_.bits(stream(key), i, key.block), static_cast<std::int64_t>(i)};
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::int64_t> out(keyed.size());
    for (std::size_t i = 0; i < keyed.size(); ++i) out[i] = keyed[i].second;
    return out;
  }

 private:
  static std::uint64_t stream(DrawKey key) {
    return kTaskStreamBase + static_cast<std::uint64_t>(key.quantity);
  }

  CounterRandom rng_;
};

}  // namespace

std::string_view draw_mode_name(DrawMode mode) {
  return mode == DrawMode::numpy_compatible ? "numpy-compatible" : "counter-based";
}

std::vector<double> TaskRandom::uniform(DrawKey key, double low, double high, std::size_t n) {
  const double range = high - low;  // numpy's operation order
  std::vector<double> out = uniform01(key, n);
  for (double& x : out) x = low + range * x;
  return out;
}

std::vector<std::int64_t> TaskRandom::choice(DrawKey key, std::span<const double> p,
                                             std::size_t n) {
  if (p.empty()) throw ConfigError("random choice: empty probability vector");
  return weighted_indices(p, uniform01(key, n));
}

std::unique_ptr<TaskRandom> make_task_random(DrawMode mode, std::uint32_t seed) {
  if (mode == DrawMode::numpy_compatible) return std::make_unique<NumpyTaskRandom>(seed);
  return std::make_unique<CounterTaskRandom>(seed);
}

}  // namespace eprop::tasks
