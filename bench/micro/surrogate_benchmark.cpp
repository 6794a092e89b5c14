// Surrogate gradient functions (core/surrogate.h): one call per neuron and step.

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/surrogate.h"

namespace {

template <class Real, eprop::SurrogateKind Kind>
void BM_Surrogate(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  std::vector<Real> distance(n);
  for (Real& d : distance) d = static_cast<Real>(u(rng));
  for (auto _ : state) {
    Real sum = 0;
    for (const Real d : distance) {
      sum += eprop::surrogate<Real>(Kind, false, d, Real(0.3), Real(0.5));
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

using eprop::SurrogateKind;
BENCHMARK(BM_Surrogate<float, SurrogateKind::piecewise_linear>)->Arg(4096);
BENCHMARK(BM_Surrogate<double, SurrogateKind::piecewise_linear>)->Arg(4096);
BENCHMARK(BM_Surrogate<float, SurrogateKind::exponential>)->Arg(4096);
BENCHMARK(BM_Surrogate<double, SurrogateKind::exponential>)->Arg(4096);
BENCHMARK(BM_Surrogate<float, SurrogateKind::fast_sigmoid_derivative>)->Arg(4096);
BENCHMARK(BM_Surrogate<double, SurrogateKind::fast_sigmoid_derivative>)->Arg(4096);
BENCHMARK(BM_Surrogate<float, SurrogateKind::arctan_derivative>)->Arg(4096);
BENCHMARK(BM_Surrogate<double, SurrogateKind::arctan_derivative>)->Arg(4096);

}  // namespace
