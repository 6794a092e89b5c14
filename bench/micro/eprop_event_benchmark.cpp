// A whole e-prop event: EpropProjection::on_event for a presynaptic spike, i.e. integrating the
// eligibility traces and gradients of every synapse of the row over the inter-spike interval,
// one optimizer call per synapse, and transmitting the spike (items = synapse-steps integrated),
// stepwise and in closed form (the last argument: 0 stepwise, 1 closed form).
// Then whole simulation steps through the public API: the sine-task network (SPEC 11.1) and a
// 1,000-neuron random network with 1,000 recurrent e-prop synapses per neuron.

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "../common/random_network.h"
#include "engine/eprop_projection.h"
#include "engine/events.h"
#include "engine/history.h"
#include "engine/interval_sums.h"
#include "eprop/simulation.h"
#include "tasks/sine_task.h"

namespace {

template <class Real>
struct EventFixture {
  static constexpr std::size_t kRows = 32;
  static constexpr std::size_t kTargets = 10000;
  eprop::History<Real> history{kTargets, 3};
  eprop::IntervalSums<Real> sums;
  eprop::InputRing<Real> input{kTargets, 1};
  std::unique_ptr<eprop::EpropProjection<Real>> projection;
  eprop::Step t = 8;

  EventFixture(std::size_t outdegree, bool closed_form) {
    std::mt19937 rng(4);
    std::uniform_int_distribution<std::uint32_t> pick(0, kTargets - 1);
    std::vector<eprop::SynapseTriple> synapses;
    for (std::uint32_t i = 0; i < kRows; ++i) {
      for (std::size_t s = 0; s < outdegree; ++s) synapses.push_back({i, pick(rng), 0.01});
    }
    eprop::OptimizerConfig config;
    config.optimize_each_step = false;  // one optimizer call per spike, as the NEST examples
    config.set_eta(1e-5);
    eprop::EpropTargetConstants<Real> target;
    target.alpha = static_cast<Real>(std::exp(-1.0 / 20.0));
    target.kappa = Real(0.97);
    target.kappa_reg = Real(0.97);
    projection = std::make_unique<eprop::EpropProjection<Real>>(kRows, std::move(synapses),
                                                                config, target);
    if (projection->use_closed_form(closed_form)) {
      sums.enable_recurrent(kTargets, target.alpha, target.kappa, target.kappa_reg);
    }
    advance_history(0, t + 1);
    for (std::uint32_t i = 0; i < kRows; ++i) fire(i);
  }

  /// Appends history entries [from, to) with non-zero psi and learning signals (the engine has
  /// appended entry t when it delivers the spikes of stamp t, and the interval sums up to t - 2).
  void advance_history(eprop::Step from, eprop::Step to) {
    for (eprop::Step k = from; k < to; ++k) {
      history.append(k);
      for (std::size_t j = 0; j < kTargets; j += 7) {
        history.at(0, j, k) = Real(0.1);
        history.at(1, j, k) = Real(0.01);
      }
      if (sums.enabled() && k >= 2) {
        sums.open(k - 2);
        sums.accumulate(k - 2, {0, kTargets}, history);
      }
    }
  }

  void discard_before(eprop::Step k) {
    history.discard_before(k);
    sums.discard_before(k - 1);
  }

  void fire(std::uint32_t row) {
    projection->on_event(t, row, 1, false, history, sums, input, nullptr, Real(1));
  }
};

template <class Real>
void BM_EpropEvent(benchmark::State& state) {
  const auto outdegree = static_cast<std::size_t>(state.range(0));
  const eprop::Step isi = state.range(1);
  EventFixture<Real> f(outdegree, state.range(2) != 0);
  for (auto _ : state) {
    state.PauseTiming();
    f.advance_history(f.t + 1, f.t + isi + 1);
    f.t += isi;
    f.discard_before(f.t - isi - 1);
    state.ResumeTiming();
    for (std::uint32_t i = 0; i < EventFixture<Real>::kRows; ++i) f.fire(i);
    f.input.clear(f.t, {0, EventFixture<Real>::kTargets});
  }
  const auto rows = static_cast<std::int64_t>(EventFixture<Real>::kRows);
  state.SetItemsProcessed(state.iterations() * rows * isi * static_cast<std::int64_t>(outdegree));
  state.counters["events"] = benchmark::Counter(static_cast<double>(state.iterations() * rows),
                                                benchmark::Counter::kIsRate);
}

BENCHMARK(BM_EpropEvent<float>)->ArgsProduct({{100, 1000}, {4, 16, 100}, {0, 1}});
BENCHMARK(BM_EpropEvent<double>)->ArgsProduct({{100, 1000}, {4, 16, 100}, {0, 1}});

// Whole steps of a Simulation; the network is rebuilt (untimed) before its input runs out.
template <class MakeSpec>
void simulate_in_chunks(benchmark::State& state, MakeSpec make_spec, double chunk_ms,
                        double limit_ms) {
  auto sim = std::make_unique<eprop::Simulation>(make_spec());
  for (auto _ : state) {
    if (sim->time_ms() + chunk_ms > limit_ms) {
      state.PauseTiming();
      sim = std::make_unique<eprop::Simulation>(make_spec());
      state.ResumeTiming();
    }
    sim->simulate(chunk_ms);
    state.PauseTiming();
    sim->clear_recordings();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(chunk_ms));
  state.SetLabel("items = 1 ms steps");
}

template <eprop::Precision P>
void BM_SimulationSineTask(benchmark::State& state) {
  eprop::tasks::SineTaskConfig config;
  config.n_iter = 20;
  config.precision = P;
  const eprop::NetworkSpec spec = eprop::tasks::sine_task_network(config);
  simulate_in_chunks(state, [&] { return spec; }, 100.0, 19000.0);
}

template <eprop::Precision P>
void BM_SimulationRandom1k(benchmark::State& state) {
  eprop::bench::RandomNetworkConfig config;
  config.n_rec = 1000;
  config.precision = P;
  config.duration_ms = 5000.0;
  config.record_spikes = false;
  const eprop::NetworkSpec spec = eprop::bench::random_eprop_network(config);
  simulate_in_chunks(state, [&] { return spec; }, 20.0, 4900.0);
}

BENCHMARK(BM_SimulationSineTask<eprop::Precision::single_precision>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimulationSineTask<eprop::Precision::double_precision>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimulationRandom1k<eprop::Precision::single_precision>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SimulationRandom1k<eprop::Precision::double_precision>)->Unit(benchmark::kMillisecond);

}  // namespace
