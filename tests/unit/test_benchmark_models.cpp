// The benchmark's non-learning models against closed-form and hand-computed values:
// iaf_psc_delta (NEST's exact integration), ignore_and_fire, poisson_generator (rate and thread
// invariance; its draws in test_poisson_input.cpp), and
// stdp_synapse pair updates (NEST's all-to-all pairing, first spike, Wmax and 0 bounds).

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/benchmark_neurons.h"
#include "engine/stdp_projection.h"
#include "eprop/error.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

IafPscDeltaParams<double> iaf_params(double I_e) {
  // NEST defaults: C_m 250 pF, tau_m 10 ms, t_ref 2 ms, V_th -55, V_reset = E_L = -70 mV.
  IafPscDeltaParams<double> p;
  p.E_L = -70;
  p.I_e = I_e;
  p.V_th = 15;
  p.V_reset = 0;
  p.P33 = std::exp(-0.1 / 10.0);
  p.P30 = 10.0 / 250.0 * (1 - std::exp(-0.1 / 10.0));
  p.dt_over_tau_m = 0.01;
  p.refractory_steps = 20;
  return p;
}

TEST(IafPscDelta, RelaxesToTheClosedFormSolution) {
  IafPscDeltaPopulation<double> pop("out", 1, iaf_params(200.0), -70.0);
  EventList out;
  for (Step t = 0; t < 50; ++t) {
    out.reset(t);
    pop.update(t, {0, 1}, out);
    // V(t) = E_L + I_e tau_m / C_m (1 - exp(-t / tau_m)), t = (step + 1) * 0.1 ms
    const double ms = 0.1 * static_cast<double>(t + 1);
    EXPECT_NEAR(pop.V_m(0), -70.0 + 200.0 * 10.0 / 250.0 * (1 - std::exp(-ms / 10.0)), 1e-12);
    EXPECT_TRUE(out.spikes.empty());
  }
}

TEST(IafPscDelta, SpikesAtTheThresholdCrossingAndStaysRefractory) {
  // Asymptote 40 mV above E_L: crossing 15 mV at tau_m ln(40/25) = 4.700 ms, i.e. in the
  // update of loop time 47 (V at 4.8 ms), stamp 48.
  IafPscDeltaPopulation<double> pop("out", 1, iaf_params(1000.0), -70.0);
  EventList out;
  Step spike_step = -1;
  for (Step t = 0; t < 47 + 1 + 20 + 1; ++t) {
    out.reset(t);
    pop.update(t, {0, 1}, out);
    if (!out.spikes.empty() && spike_step < 0) spike_step = t;
    if (spike_step >= 0 && t > spike_step && t <= spike_step + 20) {
      EXPECT_EQ(pop.V_m(0), -70.0) << "clamped at V_reset while refractory, t = " << t;
    }
  }
  EXPECT_EQ(spike_step, 47);
  // First free step after 20 refractory steps: one step of integration from V_reset.
  EXPECT_NEAR(pop.V_m(0), -70.0 + 40.0 * (1 - std::exp(-0.01)), 1e-12);
}

TEST(IafPscDelta, InputSpikesAreVoltageJumps) {
  IafPscDeltaPopulation<double> pop("out", 2, iaf_params(0.0), -70.0);
  pop.input.resize_depth(8);
  pop.input.add(3, 1, 2.5);
  EventList out;
  for (Step t = 0; t < 6; ++t) pop.update(t, {0, 2}, out);
  EXPECT_EQ(pop.V_m(0), -70.0);
  // Jump in the update of loop time 3, then two steps of decay (0.1 ms each).
  EXPECT_NEAR(pop.V_m(1), -70.0 + 2.5 * std::exp(-0.2 / 10.0), 1e-12);
}

TEST(IgnoreAndFire, FiresWithItsPeriodFromItsPhase) {
  IgnoreAndFirePopulation<float> pop("rec", {3, 0}, {10, 4});
  std::vector<std::vector<Step>> spikes(2);
  EventList out;
  for (Step t = 0; t < 25; ++t) {
    out.reset(t);
    pop.update(t, {0, 2}, out);
    for (LocalIndex i : out.spikes) spikes[i].push_back(t);
  }
  EXPECT_EQ(spikes[0], (std::vector<Step>{3, 13, 23}));
  EXPECT_EQ(spikes[1], (std::vector<Step>{0, 4, 8, 12, 16, 20, 24}));
}

/// One synapse 0 -> 0 with delay d, weight w, in a shard; post spikes recorded by the caller.
struct OneStdpSynapse {
  StdpShard<double> shard;
  PostSpikeArchive post{1, 20.0, 1.0};
  InputRing<double> input{1, 8};

  OneStdpSynapse(double w, std::uint32_t d) {
    shard.row_begin = {0, 1};
    shard.target = {0};
    shard.weight = {w};
    shard.delay = {d};
    shard.k_plus = {0.0};
    shard.last_stamp = {0};
  }
  double pre(const StdpParams& p, Step stamp) {
    shard.on_spike(p, stamp, 0, 1, post, input, 1.0);
    return shard.weight[0];
  }
};

TEST(StdpSynapse, HandComputedPairs) {
  const StdpParams p;  // NEST defaults: tau_plus 20, lambda 0.01, alpha 1, mu 1, Wmax 100
  OneStdpSynapse syn(50.0, 1);
  syn.post.record(0, 5);
  syn.post.record(0, 12);
  // First presynaptic spike (stamp 10): K_plus is 0, so the post spike at 5 facilitates
  // nothing; depression by K_minus(9) = exp(-4/20).
  double w = 50.0 / 100.0;
  w = w - 0.01 * w * std::exp(-4.0 / 20.0);
  EXPECT_NEAR(syn.pre(p, 10), 100.0 * w, 1e-12);
  // Second spike (stamp 20): post spike 12 + d = 13 is 3 ms after the first pre spike:
  // facilitation by K_plus = exp(-3/20); then depression by K_minus(19) from the spikes at 5, 12.
  w = w + 0.01 * (1 - w) * std::exp(-3.0 / 20.0);
  const double k_minus = (std::exp(-7.0 / 20.0) + 1.0) * std::exp(-7.0 / 20.0);
  w = w - 0.01 * w * k_minus;
  EXPECT_NEAR(syn.pre(p, 20), 100.0 * w, 1e-12);
  // The delivered value is the updated weight.
  EXPECT_NEAR(syn.input.at(20)[0], 100.0 * w, 1e-12);
  EXPECT_NEAR(syn.shard.k_plus[0], std::exp(-10.0 / 20.0) + 1.0, 1e-15);
}

TEST(StdpSynapse, FirstSpikeWithoutPostSpikesLeavesTheWeight) {
  OneStdpSynapse syn(42.0, 2);
  EXPECT_EQ(syn.pre(StdpParams{}, 7), 42.0);
  EXPECT_EQ(syn.shard.k_plus[0], 1.0);
  EXPECT_EQ(syn.shard.last_stamp[0], 7);
}

TEST(StdpSynapse, WeightStaysWithinZeroAndWmax) {
  StdpParams p;
  p.lambda = 5.0;
  p.alpha = 0.0;  // facilitation only
  OneStdpSynapse up(90.0, 1);
  up.pre(p, 1);
  up.post.record(0, 3);
  EXPECT_EQ(up.pre(p, 10), 100.0);  // capped at Wmax
  p.alpha = 10.0;
  p.lambda = 1.0;
  OneStdpSynapse down(10.0, 1);
  down.post.record(0, 3);
  EXPECT_EQ(down.pre(p, 5), 0.0);  // floored at 0
  // mu_plus = 1: facilitation vanishes at Wmax; a weight at Wmax stays there.
  StdpParams q;
  q.alpha = 0.0;
  OneStdpSynapse at_max(100.0, 1);
  at_max.pre(q, 1);
  at_max.post.record(0, 3);
  EXPECT_EQ(at_max.pre(q, 6), 100.0);
}

TEST(StdpSynapse, NegativeWmaxMirrorsTheRule) {
  StdpParams p;
  p.Wmax = -100.0;
  OneStdpSynapse pos(50.0, 1);
  OneStdpSynapse neg(-50.0, 1);
  for (auto* s : {&pos, &neg}) {
    s->post.record(0, 5);
    s->post.record(0, 12);
  }
  StdpParams q;
  pos.pre(q, 10);
  neg.pre(p, 10);
  EXPECT_NEAR(neg.pre(p, 20), -pos.pre(q, 20), 1e-12);
}

TEST(PostSpikeArchive, KeepsWhatFutureQueriesNeed) {
  PostSpikeArchive a(1, 20.0, 1.0);
  for (Step s : {2, 5, 9, 14}) a.record(0, s);
  const double k9 = a.k_minus(0, 12);
  a.discard_up_to(10);  // windows start after 10: spikes 14 and the trace from 9 stay
  EXPECT_EQ(a.entries(), 2u);
  EXPECT_EQ(a.k_minus(0, 12), k9);
  std::vector<Step> seen;
  a.for_each_in(0, 10, 20, [&](Step s) { seen.push_back(s); });
  EXPECT_EQ(seen, (std::vector<Step>{14}));
}

// ---- through the public API -----------------------------------------------------------------

NetworkSpec poisson_into_parrots(std::size_t threads) {
  NetworkSpec spec;
  spec.kernel.resolution = 1.0;
  spec.kernel.threads = threads;
  spec.kernel.seed = 12;
  PopulationSpec gen{"gen", "poisson_generator", 3, {{"rate", 50.0}}, {}, {}, {}, {}};
  PopulationSpec parrots{"parrots", "parrot_neuron", 40, {}, {}, {}, {}, {}};
  spec.populations = {gen, parrots};
  ConnectionSpec c;
  c.source = "gen";
  c.target = "parrots";
  c.rule = ConnectionRule::all_to_all;
  spec.connections = {c};
  RecorderSpec r;
  r.type = RecorderType::spike_recorder;
  r.population = "parrots";
  spec.recorders = {r};
  return spec;
}

TEST(PoissonGeneratorNetwork, RateAndThreadInvariance) {
  Simulation one(poisson_into_parrots(1));
  Simulation two(poisson_into_parrots(2));
  one.simulate(2000.0);
  two.simulate(2000.0);
  const auto a = one.spike_recordings().front();
  const auto b = two.spike_recordings().front();
  // 3 generators at 50 Hz into every parrot: 150 Hz x 40 parrots x 2 s (a parrot spike of
  // multiplicity m is recorded m times).
  const double expected = 40 * 2.0 * 150.0;
  EXPECT_NEAR(static_cast<double>(a.index.size()), expected, 5 * std::sqrt(expected));
  auto sorted = [](const SpikeRecording& r) {
    std::vector<std::pair<double, std::int64_t>> v;
    for (std::size_t k = 0; k < r.index.size(); ++k) v.emplace_back(r.time[k], r.index[k]);
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(a), sorted(b));
}

TEST(StdpNetwork, WeightsChangeAndStayBounded) {
  NetworkSpec spec;
  spec.kernel.precision = Precision::double_precision;
  spec.populations = {
      {"pre", "ignore_and_fire", 20, {{"rate", 50.0}, {"phase", std::string("uniform")}}, {}, {}, {}, {}},
      {"post", "ignore_and_fire", 10, {{"rate", 40.0}, {"phase", std::string("uniform")}}, {}, {}, {}, {}},
  };
  ConnectionSpec c;
  c.source = "pre";
  c.target = "post";
  c.synapse = "stdp_synapse";
  c.rule = ConnectionRule::fixed_indegree;
  c.indegree = 5;
  c.weight = {50.0};
  c.delay = {1.5};
  spec.kernel.resolution = 0.5;
  spec.connections = {c};
  Simulation sim(spec);
  sim.simulate(500.0);
  const auto w = sim.weights(0);
  ASSERT_EQ(w.size(), 50u);
  int changed = 0;
  for (const auto& s : w) {
    EXPECT_GE(s.weight, 0.0);
    EXPECT_LE(s.weight, 100.0);
    changed += s.weight != 50.0;
  }
  EXPECT_EQ(changed, 50);
  EXPECT_EQ(sim.memory_stats().stdp_synapses, 50u);
}

TEST(BenchmarkModels, BadInputIsRejectedWithItsName) {
  NetworkSpec spec;
  spec.populations = {{"rec", "ignore_and_fire", 2, {{"phase", 1.5}}, {}, {}, {}, {}}};
  EXPECT_THROW(
      {
        try {
          Simulation sim(spec);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("'phase' = 1.5"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);
  spec.populations = {{"gen", "poisson_generator", 1, {{"rate", -1.0}}, {}, {}, {}, {}}};
  EXPECT_THROW(Simulation{spec}, ConfigError);
  spec.populations = {{"a", "ignore_and_fire", 2, {}, {}, {}, {}, {}},
                      {"b", "ignore_and_fire", 2, {}, {}, {}, {}, {}}};
  ConnectionSpec c;
  c.source = "a";
  c.target = "b";
  c.synapse = "stdp_synapse";
  c.weight = {-1.0};
  spec.connections = {c};
  EXPECT_THROW(
      {
        try {
          Simulation sim(spec);
        } catch (const ConfigError& e) {
          EXPECT_NE(std::string(e.what()).find("sign of Wmax"), std::string::npos) << e.what();
          throw;
        }
      },
      ConfigError);
}

}  // namespace
}  // namespace eprop
