// Weight optimizers (core/optimizer.h): the per-synapse reference `optimized_weight` against the
// row form `plan_row` + `apply_plan` that the engine uses, for a row of synapses receiving one
// optimizer call each (items = synapse updates).

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/optimizer.h"

namespace {

using eprop::OptimizerKind;

eprop::OptimizerConfig config(OptimizerKind kind) {
  eprop::OptimizerConfig c;
  c.kind = kind;
  c.eta = 1e-4;
  c.batch_size = 1;
  c.optimize_each_step = false;
  return c;
}

template <class Real>
std::vector<Real> gradients(std::size_t n) {
  std::mt19937 rng(2);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<Real> g(n);
  for (Real& x : g) x = static_cast<Real>(normal(rng));
  return g;
}

template <class Real, OptimizerKind Kind>
void BM_OptimizedWeightPerSynapse(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const eprop::OptimizerConfig c = config(Kind);
  std::vector<eprop::OptimizerState<Real>> opt(n);
  std::vector<eprop::AdamMoments<Real>> adam(n);
  std::vector<Real> w(n, Real(0.1));
  const std::vector<Real> g = gradients<Real>(n);
  eprop::Step idx = 1;
  for (auto _ : state) {
    for (std::size_t s = 0; s < n; ++s) {
      w[s] = eprop::optimized_weight<Real>(c, opt[s], Kind == OptimizerKind::adam ? &adam[s] : nullptr,
                                           idx, g[s], w[s]);
    }
    ++idx;
    benchmark::DoNotOptimize(w.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class Real, OptimizerKind Kind>
void BM_PlanRowApply(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const eprop::OptimizerConfig c = config(Kind);
  eprop::RowOptimizerState<Real> row;
  std::vector<Real> scratch;
  std::vector<Real> cumulative(n, 0), m(n, 0), v(n, 0), w(n, Real(0.1));
  const std::vector<Real> g = gradients<Real>(n);
  eprop::Step idx = 1;
  for (auto _ : state) {
    const eprop::OptimizerPlan<Real> plan = eprop::plan_row<Real>(c, row, idx++, scratch);
    for (std::size_t s = 0; s < n; ++s) {
      w[s] = eprop::apply_plan<Real>(c, plan, cumulative[s], m[s], v[s], g[s], w[s]);
    }
    benchmark::DoNotOptimize(w.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

BENCHMARK(BM_OptimizedWeightPerSynapse<float, OptimizerKind::gradient_descent>)->Arg(1000);
BENCHMARK(BM_OptimizedWeightPerSynapse<double, OptimizerKind::gradient_descent>)->Arg(1000);
BENCHMARK(BM_OptimizedWeightPerSynapse<float, OptimizerKind::adam>)->Arg(1000);
BENCHMARK(BM_OptimizedWeightPerSynapse<double, OptimizerKind::adam>)->Arg(1000);
BENCHMARK(BM_PlanRowApply<float, OptimizerKind::gradient_descent>)->Arg(1000);
BENCHMARK(BM_PlanRowApply<double, OptimizerKind::gradient_descent>)->Arg(1000);
BENCHMARK(BM_PlanRowApply<float, OptimizerKind::adam>)->Arg(1000);
BENCHMARK(BM_PlanRowApply<double, OptimizerKind::adam>)->Arg(1000);

}  // namespace
