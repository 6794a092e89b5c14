#pragma once

// Counter-based random numbers (Random123 Philox-4x32-10): a draw is a pure function of
// (seed, stream, counter), so results do not depend on thread count, rank count or the order in
// which work is done.

#include <cstdint>

namespace eprop {

__extension__ using Uint128 = unsigned __int128;

class CounterRandom {
 public:
  explicit CounterRandom(std::uint64_t seed) : seed_(seed) {}

  /// 64 random bits for (stream, a, b).
  [[nodiscard]] std::uint64_t bits(std::uint64_t stream, std::uint64_t a, std::uint64_t b) const;
  /// Uniform double in [0, 1) with 53 random bits.
  [[nodiscard]] double uniform(std::uint64_t stream, std::uint64_t a, std::uint64_t b) const {
    return static_cast<double>(bits(stream, a, b) >> 11) * 0x1.0p-53;
  }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
  [[nodiscard]] std::uint64_t below(std::uint64_t n, std::uint64_t stream, std::uint64_t a,
                                    std::uint64_t b) const {
    return static_cast<std::uint64_t>(
        (static_cast<Uint128>(bits(stream, a, b)) * n) >> 64);
  }

 private:
  std::uint64_t seed_;
};

}  // namespace eprop
