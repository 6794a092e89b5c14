#include "engine/poisson_input.h"

namespace eprop {

std::uint32_t poisson_count(double mean, double p_zero, double uniform) {
  if (uniform < p_zero) return 0;
  // Inversion: walk the cumulative distribution until it passes the uniform draw. The cap
  // guards against rounding in the tail (the mass beyond it is far below 2^-53).
  double p = p_zero;
  double cdf = p;
  std::uint32_t k = 0;
  const auto cap = static_cast<std::uint32_t>(mean + 40.0 * std::sqrt(mean) + 40.0);
  while (uniform >= cdf && k < cap) {
    ++k;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

TrainRate::TrainRate(std::uint64_t members, double mean_per_synapse)
    : size(members),
      mean(static_cast<double>(members) * mean_per_synapse),
      p_zero(std::exp(-mean)),
      p_some(-std::expm1(-mean)) {}

Step first_event(std::uint64_t key, Step block, const TrainRate& rate) {
  // Its own draw index at the block's first step, apart from that step's event draws.
  constexpr std::uint64_t kRestartDraw = std::uint64_t{1} << 62;
  const std::uint64_t step_key =
      key ^ mix64(static_cast<std::uint64_t>(block) + 0x632be59bd9b4e019ULL);
  const double empty = std::floor(-std::log1p(-uniform_draw(step_key, kRestartDraw)) / rate.mean);
  return empty >= static_cast<double>(kBlockSteps) ? block + kBlockSteps
                                                   : block + static_cast<Step>(empty);
}

}  // namespace eprop
