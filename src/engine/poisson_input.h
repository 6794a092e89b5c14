#pragma once

// poisson_generator -> static_synapse connections, drawn event by event (issue 13).
//
// NEST gives every synapse of a poisson_generator its own train: an independent Poisson count
// per step (a spike of that multiplicity). Drawing that count for every synapse and step costs
// synapses x steps draws, almost all of them zero. Here the synapses of one connection onto one
// target are grouped into trains of at most kTrainMeanLimit expected spikes per step, and a train
// draws only its non-empty steps:
//   - the number of empty steps before the next non-empty one is geometric, drawn as an
//     exponential waiting time rounded down;
//   - at a non-empty step, the train's count given that it is not zero;
//   - for each of its spikes, the member synapse that carries it, uniformly.
// A sum of independent Poisson counts is a Poisson count of the summed mean, and given the sum
// the spikes fall on the members as a multinomial with equal shares (all members have the same
// generator rate): so every synapse receives independent Poisson counts per step, as in NEST, but
// the cost follows the spikes sent (plus one comparison per train and step).
//
// Every draw is a pure function of (seed, connection, target, train within the target, step),
// never of threads or ranks. The chain of waiting times restarts every kBlockSteps steps, which
// changes nothing in distribution (the steps are independent), so that a train's only state, its
// next non-empty step, can be rebuilt from the current step alone (after a checkpoint, or when the
// generator was inactive): checkpoints carry nothing of it.

#include <algorithm>
#include <array>
#include <utility>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/types.h"

namespace eprop {

/// A Poisson(mean) count from one uniform draw (inversion; mean <= kMaxPoissonMean);
/// p_zero = exp(-mean).
std::uint32_t poisson_count(double mean, double p_zero, double uniform);
/// Largest supported expected spike count per generator and step.
inline constexpr double kMaxPoissonMean = 100.0;
/// Largest expected spike count per step of one train (the count's inversion walks ~ mean).
inline constexpr double kTrainMeanLimit = 16.0;
/// Steps after which every train's chain of waiting times restarts.
inline constexpr Step kBlockSteps = 64;

/// SplitMix64's finalizer: the counter-based generator of the Poisson draws (a Philox block per
/// draw costs about 60 ns, this one a few).
inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
/// Uniform in [0, 1): draw `index` of a key.
inline double uniform_draw(std::uint64_t key, std::uint64_t index) {
  return static_cast<double>(mix64(key + (index + 1) * 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
}
/// The key of train `train` (counted within the target) of `target` in connection `connection`.
inline std::uint64_t poisson_train_key(std::uint64_t seed, std::uint64_t connection,
                                       std::uint64_t target, std::uint64_t train) {
  return mix64(mix64(mix64(mix64(seed ^ 0x5eed5eed5eed5eedULL) ^ connection) ^ target) ^ train);
}

/// The mean of a train of `size` synapses and what its draws need.
struct TrainRate {
  TrainRate() = default;
  TrainRate(std::uint64_t members, double mean_per_synapse);
  std::uint64_t size = 0;
  double mean = 0;    ///< expected spikes per step of the whole train
  double p_zero = 1;  ///< exp(-mean)
  double p_some = 0;  ///< 1 - exp(-mean)
};

/// The first non-empty step of a train in the block starting at `block`, or the block's end.
Step first_event(std::uint64_t key, Step block, const TrainRate& rate);

/// The non-empty step `t` of a train: calls pick(member) once per spike and returns the next
/// non-empty step (at most the end of t's block, where the chain restarts).
template <class Pick>
Step train_event(std::uint64_t key, Step t, const TrainRate& rate, Pick&& pick) {
  const std::uint64_t step_key = key ^ mix64(static_cast<std::uint64_t>(t) + 0x632be59bd9b4e019ULL);
  // The count given that it is not zero: the inversion restricted to [p_zero, 1).
  const double u = rate.p_zero + uniform_draw(step_key, 0) * rate.p_some;
  const std::uint32_t n = std::max<std::uint32_t>(1, poisson_count(rate.mean, rate.p_zero, u));
  const auto size = static_cast<double>(rate.size);
  for (std::uint32_t k = 0; k < n; ++k) {
    const auto member = static_cast<std::uint64_t>(uniform_draw(step_key, 1 + k) * size);
    pick(std::min(member, rate.size - 1));
  }
  const Step block_end = t - t % kBlockSteps + kBlockSteps;
  const double empty = std::floor(-std::log1p(-uniform_draw(step_key, 1 + n)) / rate.mean);
  return empty >= static_cast<double>(block_end - t - 1) ? block_end
                                                        : t + 1 + static_cast<Step>(empty);
}

/// The synapses of one shard of a poisson_generator connection, by target, and their trains.
template <class Real>
struct PoissonShard {
  std::vector<Real> weight;  ///< by target, then in creation order
  std::vector<Step> delay;   ///< steps, >= 1
  std::vector<std::uint64_t> train_begin;  ///< members of train k: [train_begin[k], [k + 1])
  std::vector<LocalIndex> train_target;
  std::vector<std::uint64_t> train_key;
  std::vector<Step> next;  ///< next non-empty step of each train
  Step valid_at = -1;      ///< `next` holds for this step; else it is rebuilt from the step

  [[nodiscard]] std::size_t trains() const { return train_target.size(); }

  /// Delivers step t: deliver(target, slot) once per spike.
  template <class Deliver>
  void step(Step t, double mean_per_synapse, Deliver&& deliver);

 private:
  /// `next` at step t, replaying each chain from the start of t's block.
  void rebuild(Step t, double mean_per_synapse);
};

template <class Real>
template <class Deliver>
void PoissonShard<Real>::step(Step t, double mean_per_synapse, Deliver&& deliver) {
  if (valid_at != t || t % kBlockSteps == 0) rebuild(t, mean_per_synapse);
  // The synapses that fire are scattered over the shard, so each one's weight and delay miss
  // the caches: they are prefetched when drawn and delivered a batch later, which overlaps the
  // misses instead of queueing them (about 3x faster at 10^6 synapses).
  constexpr std::size_t kBatch = 32;
  std::array<std::pair<LocalIndex, std::uint64_t>, kBatch> batch;
  std::size_t pending = 0;
  const auto flush = [&] {
    for (std::size_t b = 0; b < pending; ++b) deliver(batch[b].first, batch[b].second);
    pending = 0;
  };
  TrainRate rate;
  for (std::size_t k = 0; k < next.size(); ++k) {
    if (next[k] != t) continue;
    const std::uint64_t begin = train_begin[k];
    if (rate.size != train_begin[k + 1] - begin) {
      rate = TrainRate(train_begin[k + 1] - begin, mean_per_synapse);
    }
    next[k] = train_event(train_key[k], t, rate, [&](std::uint64_t member) {
      if (pending == kBatch) flush();
      __builtin_prefetch(&weight[begin + member]);
      __builtin_prefetch(&delay[begin + member]);
      batch[pending++] = {train_target[k], begin + member};
    });
  }
  flush();
  valid_at = t + 1;
}

template <class Real>
void PoissonShard<Real>::rebuild(Step t, double mean_per_synapse) {
  const Step block = t - t % kBlockSteps;
  next.resize(trains());
  TrainRate rate;
  for (std::size_t k = 0; k < trains(); ++k) {
    if (rate.size != train_begin[k + 1] - train_begin[k]) {
      rate = TrainRate(train_begin[k + 1] - train_begin[k], mean_per_synapse);
    }
    Step s = first_event(train_key[k], block, rate);
    while (s < t) s = train_event(train_key[k], s, rate, [](std::uint64_t) {});
    next[k] = s;
  }
}

/// A poisson_generator -> static_synapse connection (NetworkSpec::connections[connection]).
template <class Real>
struct PoissonProjection {
  std::size_t source = 0;
  std::size_t target = 0;
  std::size_t connection = 0;
  std::vector<PoissonShard<Real>> shards;  ///< one per thread
};

}  // namespace eprop
