#include "simulation/build_poisson.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace eprop {
namespace {

/// Members per train: as many as keep its mean at most kTrainMeanLimit (at least one).
std::uint64_t train_size(double mean) {
  if (!(mean > 0)) return std::numeric_limits<std::uint64_t>::max();
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::floor(kTrainMeanLimit / mean)));
}

}  // namespace

template <class Real>
PoissonShard<Real> fill_poisson_shard(const ConnectionSet& set, Range shard,
                                      const std::vector<std::uint64_t>& col_begin, double dt,
                                      double mean, TrainKeys keys) {
  PoissonShard<Real> s;
  s.weight.resize(col_begin.back());
  s.delay.resize(col_begin.back());
  std::vector<std::uint64_t> cursor(col_begin.begin(), col_begin.end() - 1);
  set.for_each(shard, [&](const ExpandedConnection& c) {
    const std::uint64_t slot = cursor[c.target - shard.begin]++;
    s.weight[slot] = static_cast<Real>(c.weight);
    s.delay[slot] = delay_steps(c.delay_ms, dt);
  });
  const std::uint64_t size = train_size(mean);
  for (std::size_t j = 0; j + 1 < col_begin.size(); ++j) {
    const auto target = static_cast<LocalIndex>(shard.begin + j);
    std::uint64_t train = 0;
    for (std::uint64_t b = col_begin[j]; b < col_begin[j + 1]; b += std::min(size, col_begin[j + 1] - b)) {
      s.train_begin.push_back(b);
      s.train_target.push_back(target);
      s.train_key.push_back(poisson_train_key(keys.seed, keys.connection, target, train++));
    }
  }
  s.train_begin.push_back(col_begin.back());
  return s;
}

template PoissonShard<float> fill_poisson_shard<float>(const ConnectionSet&, Range,
                                                       const std::vector<std::uint64_t>&, double,
                                                       double, TrainKeys);
template PoissonShard<double> fill_poisson_shard<double>(const ConnectionSet&, Range,
                                                         const std::vector<std::uint64_t>&,
                                                         double, double, TrainKeys);

}  // namespace eprop
