// Postsynaptic history (engine/history.h): appending one step for a whole population, and the
// access pattern of a synapse row (one history row per integrated step, gathered at the row's
// sorted targets).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "engine/history.h"

namespace {

// Items = neuron entries appended (3 channels each, as a recurrent population).
template <class Real>
void BM_HistoryAppend(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  eprop::History<Real> h(n, 3);
  eprop::Step t = 0;
  for (auto _ : state) {
    h.append(t);
    h.at(0, n / 2, t) = Real(1);
    if (t % 32 == 0) h.discard_before(t - 128);  // keep a window as the engine's pruning does
    ++t;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

// Items = (step, synapse) pairs read: `window` steps of one row of `outdegree` synapses.
template <class Real>
void BM_HistoryRowGather(benchmark::State& state) {
  const std::size_t n = 10000;
  const auto outdegree = static_cast<std::size_t>(state.range(0));
  const eprop::Step window = state.range(1);
  eprop::History<Real> h(n, 3);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (eprop::Step t = 0; t < window; ++t) {
    h.append(t);
    for (std::size_t j = 0; j < n; ++j) h.at(0, j, t) = static_cast<Real>(u(rng));
  }
  std::vector<std::uint32_t> target(outdegree);
  std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(n - 1));
  for (auto& j : target) j = pick(rng);
  std::sort(target.begin(), target.end());
  std::vector<Real> acc(outdegree, 0);
  for (auto _ : state) {
    for (eprop::Step k = 0; k < window; ++k) {
      const Real* psi = h.row(0, k);
      for (std::size_t s = 0; s < outdegree; ++s) acc[s] = Real(0.97) * acc[s] + psi[target[s]];
    }
    benchmark::DoNotOptimize(acc.data());
  }
  state.SetItemsProcessed(state.iterations() * window * static_cast<std::int64_t>(outdegree));
}

BENCHMARK(BM_HistoryAppend<float>)->Arg(100)->Arg(10000)->Arg(100000);
BENCHMARK(BM_HistoryAppend<double>)->Arg(100)->Arg(10000)->Arg(100000);
BENCHMARK(BM_HistoryRowGather<float>)->Args({100, 100})->Args({1000, 100});
BENCHMARK(BM_HistoryRowGather<double>)->Args({100, 100})->Args({1000, 100});

}  // namespace
