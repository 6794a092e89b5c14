#include "tasks/numpy_random.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "eprop/error.h"

namespace eprop::tasks {
namespace {

// Smallest all-ones bit mask >= value (numpy's gen_mask).
std::uint64_t gen_mask(std::uint64_t value) {
  std::uint64_t mask = value;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  return mask;
}

}  // namespace

NumpyRandomState::NumpyRandomState(std::uint32_t seed) : mt_(seed) {}

std::uint32_t NumpyRandomState::next_uint32() {
  return static_cast<std::uint32_t>(mt_());
}

std::uint64_t NumpyRandomState::next_uint64() {
  const std::uint64_t high = next_uint32();
  return (high << 32) | next_uint32();
}

double NumpyRandomState::random_sample() {
  // numpy's legacy_double / mt19937_next_double: 27 + 26 bits.
  const std::uint32_t a = next_uint32() >> 5;
  const std::uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

std::vector<double> NumpyRandomState::rand(std::size_t n) {
  std::vector<double> out(n);
  for (double& x : out) {
    x = random_sample();
  }
  return out;
}

std::vector<double> NumpyRandomState::uniform(double low, double high, std::size_t n) {
  const double range = high - low;
  std::vector<double> out(n);
  for (double& x : out) {
    x = low + range * random_sample();
  }
  return out;
}

double NumpyRandomState::gauss() {
  if (has_gauss_) {
    has_gauss_ = false;
    return std::exchange(gauss_, 0.0);
  }
  double x1 = 0.0;
  double x2 = 0.0;
  double r2 = 0.0;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

std::vector<double> NumpyRandomState::randn(std::size_t n) {
  std::vector<double> out(n);
  for (double& x : out) {
    x = gauss();
  }
  return out;
}

std::vector<std::int64_t> NumpyRandomState::randint(std::int64_t low, std::int64_t high,
                                                    std::size_t n) {
  if (high <= low) {
    throw ConfigError("numpy randint: low >= high (" + std::to_string(low) +
                      " >= " + std::to_string(high) + ")");
  }
  const auto range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) - 1U;
  std::vector<std::int64_t> out(n);
  for (std::int64_t& x : out) {
    x = static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + random_interval(range));
  }
  return out;
}

std::vector<std::int64_t> NumpyRandomState::choice(std::int64_t a, std::size_t n) {
  if (a <= 0) {
    throw ConfigError("numpy choice: population size must be > 0, got " + std::to_string(a));
  }
  return randint(0, a, n);
}

std::vector<std::int64_t> NumpyRandomState::choice(std::span<const double> p, std::size_t n) {
  if (p.empty()) {
    throw ConfigError("numpy choice: empty probability vector");
  }
  return weighted_indices(p, rand(n));
}

std::vector<std::int64_t> weighted_indices(std::span<const double> p, std::span<const double> u) {
  if (p.empty()) {
    throw ConfigError("weighted choice: empty probability vector");
  }
  std::vector<double> cdf(p.size());
  std::partial_sum(p.begin(), p.end(), cdf.begin());
  const double total = cdf.back();
  for (double& c : cdf) {
    c /= total;
  }
  std::vector<std::int64_t> out(u.size());
  for (std::size_t i = 0; i < u.size(); ++i) {
    out[i] = std::upper_bound(cdf.begin(), cdf.end(), u[i]) - cdf.begin();
  }
  return out;
}

std::uint64_t NumpyRandomState::random_interval(std::uint64_t max) {
  if (max == 0) {
    return 0;
  }
  const std::uint64_t mask = gen_mask(max);
  std::uint64_t value = 0;
  if (max <= 0xFFFFFFFFULL) {
    do {
      value = next_uint32() & mask;
    } while (value > max);
  } else {
    do {
      value = next_uint64() & mask;
    } while (value > max);
  }
  return value;
}

std::vector<std::int64_t> NumpyRandomState::permutation(std::int64_t n) {
  if (n < 0) {
    throw ConfigError("numpy permutation: negative length " + std::to_string(n));
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), std::int64_t{0});
  for (std::int64_t i = n - 1; i >= 1; --i) {
    const auto j = random_interval(static_cast<std::uint64_t>(i));
    std::swap(out[static_cast<std::size_t>(i)], out[j]);
  }
  return out;
}

}  // namespace eprop::tasks
