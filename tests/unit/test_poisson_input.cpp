// poisson_generator input drawn by trains (engine/poisson_input.h) against NEST's semantics:
// every synapse receives an independent Poisson count per step. Statistics of the counts (rate,
// distribution per step, independence between synapses, targets and steps), and that a train's
// draws depend on the step alone (rebuilt state gives the same spikes).

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "engine/poisson_input.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

TEST(PoissonCount, InversionHasThePoissonMeanVarianceAndZeroProbability) {
  for (const double mean : {0.01, 0.5, 3.0, 40.0}) {
    const int n = 200000;
    double sum = 0, sum2 = 0;
    int zeros = 0;
    for (int k = 0; k < n; ++k) {
      const double c = poisson_count(mean, std::exp(-mean), uniform_draw(77, static_cast<std::uint64_t>(k)));
      sum += c;
      sum2 += c * c;
      zeros += c == 0 ? 1 : 0;
    }
    const double m = sum / n;
    EXPECT_NEAR(m, mean, 5 * std::sqrt(mean / n)) << "mean " << mean;
    EXPECT_NEAR((sum2 / n - m * m) / mean, 1.0, 0.03 + 5 * std::sqrt(2.0 / n)) << "mean " << mean;
    const double p0 = std::exp(-mean);
    EXPECT_NEAR(zeros / double(n), p0, 5 * std::sqrt(p0 * (1 - p0) / n) + 1e-9);
  }
}

/// `targets` trains of `members` synapses each (weight 1, delay 1), keyed as the builder keys them.
PoissonShard<double> shard(std::size_t targets, std::size_t members) {
  PoissonShard<double> s;
  s.weight.assign(targets * members, 1.0);
  s.delay.assign(targets * members, 1);
  for (std::size_t j = 0; j < targets; ++j) {
    s.train_begin.push_back(j * members);
    s.train_target.push_back(static_cast<LocalIndex>(j));
    s.train_key.push_back(poisson_train_key(9, 2, j, 0));
  }
  s.train_begin.push_back(targets * members);
  return s;
}

/// Counts per synapse and step: counts[t][slot] for steps first .. last - 1.
std::vector<std::vector<int>> run(PoissonShard<double>& s, double mean, Step first, Step last) {
  std::vector<std::vector<int>> counts;
  for (Step t = first; t < last; ++t) {
    counts.emplace_back(s.weight.size(), 0);
    s.step(t, mean, [&](LocalIndex, std::uint64_t slot) { ++counts.back()[slot]; });
  }
  return counts;
}

double poisson_pmf(double mean, int k) {
  return std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0));
}

TEST(PoissonTrains, EverySynapseGetsPoissonCountsPerStep) {
  // Small means (mostly empty steps, the benchmark's case) and large ones (many spikes per step).
  for (const auto& [mean, members] : {std::pair{0.02, 10}, std::pair{1.5, 4}}) {
    PoissonShard<double> s = shard(100, members);
    const auto counts = run(s, mean, 0, 4000);
    std::map<int, double> histogram;
    double n = 0;
    for (const auto& step : counts) {
      for (const int c : step) ++histogram[c];
      n += static_cast<double>(step.size());
    }
    for (int k = 0; k <= 4; ++k) {
      const double p = poisson_pmf(mean, k);
      EXPECT_NEAR(histogram[k] / n, p, 5 * std::sqrt(p * (1 - p) / n) + 1e-6)
          << "P(" << k << ") at mean " << mean;
    }
    double sum = 0;
    for (const auto& [k, f] : histogram) sum += k * f;
    EXPECT_NEAR(sum / n, mean, 5 * std::sqrt(mean / n)) << "rate at mean " << mean;
  }
}

/// Correlation of x and y over all samples.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    mx += x[k];
    my += y[k];
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    sxy += (x[k] - mx) * (y[k] - my);
    sxx += (x[k] - mx) * (x[k] - mx);
    syy += (y[k] - my) * (y[k] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(PoissonTrains, SynapsesTargetsAndStepsAreIndependent) {
  // Pairs of counts that NEST draws independently: two synapses of one train (which share the
  // train's count), the same synapse slot of neighbouring targets, and one synapse at
  // consecutive steps. Their correlation stays within 5 standard errors of zero.
  const double mean = 0.3;
  const int members = 3;
  PoissonShard<double> s = shard(200, members);
  const auto counts = run(s, mean, 0, 3000);
  std::vector<double> a, same_train, next_target, next_step;
  for (std::size_t t = 0; t + 1 < counts.size(); ++t) {
    for (std::size_t j = 0; j + 1 < 200; ++j) {
      const std::size_t slot = j * members;
      a.push_back(counts[t][slot]);
      same_train.push_back(counts[t][slot + 1]);
      next_target.push_back(counts[t][slot + members]);
      next_step.push_back(counts[t + 1][slot]);
    }
  }
  const double se = 1.0 / std::sqrt(static_cast<double>(a.size()));
  EXPECT_NEAR(correlation(a, same_train), 0.0, 5 * se);
  EXPECT_NEAR(correlation(a, next_target), 0.0, 5 * se);
  EXPECT_NEAR(correlation(a, next_step), 0.0, 5 * se);
}

TEST(PoissonTrains, DrawsDependOnTheStepAloneNotOnWhenTheyStarted) {
  // A train's state is rebuilt from the step (after a checkpoint, or an inactive generator):
  // the spikes from any step on are those of an uninterrupted run.
  const double mean = 0.1;
  PoissonShard<double> whole = shard(50, 5);
  const auto reference = run(whole, mean, 0, 400);
  PoissonShard<double> late = shard(50, 5);
  const auto from_137 = run(late, mean, 137, 400);
  EXPECT_EQ(from_137, std::vector<std::vector<int>>(reference.begin() + 137, reference.end()));
  PoissonShard<double> gap = shard(50, 5);
  run(gap, mean, 0, 150);
  const auto after_gap = run(gap, mean, 181, 400);  // steps 150 .. 180 skipped
  EXPECT_EQ(after_gap, std::vector<std::vector<int>>(reference.begin() + 181, reference.end()));
  int spikes = 0;
  for (const auto& step : reference) {
    for (const int c : step) spikes += c;
  }
  EXPECT_GT(spikes, 0);
}

TEST(PoissonTrains, KeysDifferBySeedConnectionTargetAndTrain) {
  const std::uint64_t k = poisson_train_key(1, 2, 3, 4);
  EXPECT_NE(k, poisson_train_key(2, 2, 3, 4));
  EXPECT_NE(k, poisson_train_key(1, 3, 3, 4));
  EXPECT_NE(k, poisson_train_key(1, 2, 4, 4));
  EXPECT_NE(k, poisson_train_key(1, 2, 3, 5));
}

// ---- through the public API -----------------------------------------------------------------

/// n generators at `rate` Hz, each parrot receiving `indegree` of them; spikes of the parrots.
NetworkSpec generators_into_parrots(double rate, std::int64_t indegree, std::size_t threads) {
  NetworkSpec spec;
  spec.kernel.resolution = 1.0;
  spec.kernel.threads = threads;
  spec.kernel.seed = 5;
  spec.populations = {{"gen", "poisson_generator", 10, {{"rate", rate}}, {}, {}, {}, {}},
                      {"parrots", "parrot_neuron", 60, {}, {}, {}, {}, {}}};
  ConnectionSpec c;
  c.source = "gen";
  c.target = "parrots";
  c.rule = ConnectionRule::fixed_indegree;
  c.indegree = indegree;
  spec.connections = {c};
  RecorderSpec r;
  r.type = RecorderType::spike_recorder;
  r.population = "parrots";
  spec.recorders = {r};
  return spec;
}

/// Spikes per (parrot, time), a parrot spike of multiplicity m counted m times.
std::map<std::pair<std::int64_t, double>, int> spike_counts(const SpikeRecording& r) {
  std::map<std::pair<std::int64_t, double>, int> counts;
  for (std::size_t k = 0; k < r.index.size(); ++k) ++counts[{r.index[k], r.time[k]}];
  return counts;
}

TEST(PoissonGeneratorNetwork, ManyTrainsPerTargetSumToAPoissonCount) {
  // 5 kHz at 1 ms: 5 spikes per synapse and step, so a target's 10 synapses form several
  // trains (at most kTrainMeanLimit each). Their sum per step is Poisson(50): mean = variance.
  Simulation sim(generators_into_parrots(5000.0, 10, 1));
  sim.simulate(300.0);
  const auto counts = spike_counts(sim.spike_recordings().front());
  double sum = 0, sum2 = 0, n = 0;
  for (const auto& [key, c] : counts) {
    sum += c;
    sum2 += static_cast<double>(c) * c;
    ++n;
  }
  ASSERT_GT(n, 60 * 290);  // (almost) every parrot spikes at every step
  const double m = sum / n;
  EXPECT_NEAR(m, 50.0, 5 * std::sqrt(50.0 / n));
  EXPECT_NEAR((sum2 / n - m * m) / m, 1.0, 0.05);
}

TEST(PoissonGeneratorNetwork, PiecesThreadsAndStopGiveTheSameSpikes) {
  // One call or three, one thread or three: the same spikes; none after 'stop'.
  NetworkSpec spec = generators_into_parrots(40.0, 3, 1);
  spec.populations[0].params["stop"] = 700.0;
  Simulation whole(spec);
  whole.simulate(1000.0);
  spec.kernel.threads = 3;
  Simulation pieces(spec);
  pieces.simulate(333.0);
  pieces.simulate(100.0);
  pieces.simulate(567.0);
  const auto a = spike_counts(whole.spike_recordings().front());
  EXPECT_EQ(a, spike_counts(pieces.spike_recordings().front()));
  const double expected = 60 * 3 * 40.0 * 0.7;
  double total = 0;
  for (const auto& [key, c] : a) {
    EXPECT_LE(key.second, 701.0);  // stamp 700 arrives at the parrot one step later
    total += c;
  }
  EXPECT_NEAR(total, expected, 5 * std::sqrt(expected));
}

}  // namespace
}  // namespace eprop
