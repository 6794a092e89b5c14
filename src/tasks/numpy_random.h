#pragma once

// Bit-exact reproduction of numpy's legacy global generator (`np.random.seed(s)` /
// `np.random.RandomState(s)`, numpy 1.17 - 2.x), as far as the e-prop tasks and reference tests
// use it (SPEC 13.1). Used only to rebuild NEST's test inputs and weights; the engine has its own
// counter-based generator.

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace eprop::tasks {

class NumpyRandomState {
 public:
  /// `RandomState(seed)`: for an integer seed numpy calls MT19937 `init_genrand`, which is what
  /// `std::mt19937(seed)` does (checked against numpy 1.24 for seeds 0, 1, 12345, 2^32 - 1).
  explicit NumpyRandomState(std::uint32_t seed);

  /// Raw 32-bit output of the Mersenne Twister.
  std::uint32_t next_uint32();
  /// numpy's `next_uint64`: high word first.
  std::uint64_t next_uint64();

  /// `random_sample()`: 53-bit double in [0, 1) from two 32-bit outputs.
  double random_sample();
  /// `rand(n)` / `random_sample(n)`; a multi-dimensional shape is filled in C order.
  std::vector<double> rand(std::size_t n);
  /// `uniform(low, high, n)`: `low + (high - low) * random_sample()`.
  std::vector<double> uniform(double low, double high, std::size_t n);

  /// One legacy standard normal (polar Box-Muller, second value cached).
  double gauss();
  /// `randn(n)` / `standard_normal(n)`, C order.
  std::vector<double> randn(std::size_t n);

  /// `randint(low, high, n)` (default int64 dtype): masked rejection sampling on 32-bit outputs
  /// (64-bit outputs when high - low - 1 exceeds 32 bits).
  std::vector<std::int64_t> randint(std::int64_t low, std::int64_t high, std::size_t n);
  /// `choice(a, n)` with replacement and no p: indices into a population of size `a`
  /// (`choice([x0, x1], n)` returns `[x0, x1][choice(2, n)]`).
  std::vector<std::int64_t> choice(std::int64_t a, std::size_t n);
  /// `choice(len(p), n, p=p)` with replacement: searchsorted(right) of n uniforms in the
  /// normalised cumulative sum of p.
  std::vector<std::int64_t> choice(std::span<const double> p, std::size_t n);

  /// `permutation(n)`: legacy Fisher-Yates shuffle of arange(n), from the back, with
  /// `random_interval` draws.
  std::vector<std::int64_t> permutation(std::int64_t n);
  /// numpy's `random_interval(max)`: uniform integer in [0, max] by masked rejection on 32-bit
  /// outputs (64-bit when max needs more); also the core of the legacy masked `randint`.
  std::uint64_t random_interval(std::uint64_t max);

 private:
  std::mt19937 mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

/// numpy's weighted choice for given uniforms: `cdf = cumsum(p); cdf /= cdf[-1];
/// cdf.searchsorted(u, side='right')`. Throws ConfigError for an empty p.
std::vector<std::int64_t> weighted_indices(std::span<const double> p, std::span<const double> u);

}  // namespace eprop::tasks
