// Streaming construction of projections (simulation/connect.h, simulation/shard_rows.h): the
// connection rules generate the same connections for any split into target ranges, the CSR of
// every shard is the stable sort by source of the rule's connections (the layout NEST's order
// and the thread-invariance of results rely on), and errors keep their order.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "simulation/build_network.h"
#include "simulation/connect.h"

namespace eprop {
namespace {

constexpr std::size_t kSources = 9;
constexpr std::size_t kTargets = 9;

std::vector<double> ramp(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = 0.25 * static_cast<double>(k) - 3.0;
  return v;
}

/// One spec per rule, with per-connection (or matrix) weights so that the creation index shows.
std::vector<ConnectionSpec> rule_specs() {
  std::vector<ConnectionSpec> specs;
  ConnectionSpec c;
  c.rule = ConnectionRule::all_to_all;
  c.allow_autapses = false;
  c.weight = ramp(kSources * kTargets);  // [target][source] matrix
  specs.push_back(c);
  c.weight = ramp(kSources * kTargets - kTargets);  // one per connection (no autapses)
  specs.push_back(c);
  c = {};
  c.rule = ConnectionRule::one_to_one;
  c.weight = ramp(kTargets);
  specs.push_back(c);
  c = {};
  c.rule = ConnectionRule::pairwise;
  for (std::int64_t k = 0; k < 40; ++k) {
    c.sources.push_back((k * 5) % 9);
    c.targets.push_back((k * 7 + k / 9) % 9);
  }
  c.weight = ramp(40);
  specs.push_back(c);
  c = {};
  c.rule = ConnectionRule::fixed_indegree;
  c.indegree = 4;
  c.allow_autapses = false;
  c.weight = ramp(4 * kTargets);
  specs.push_back(c);
  c = {};
  c.rule = ConnectionRule::pairwise_bernoulli;
  c.p = 0.4;
  specs.push_back(c);
  return specs;
}

ConnectionSet make_set(const ConnectionSpec& spec) {
  return ConnectionSet(spec, 3, kSources, kTargets, true, CounterRandom(11), "test");
}

bool same(const ExpandedConnection& a, const ExpandedConnection& b) {
  return a.source == b.source && a.target == b.target && a.weight == b.weight &&
         a.delay_ms == b.delay_ms;
}

TEST(ConnectionSet, TargetRangesSplitTheCreationOrder) {
  for (const ConnectionSpec& spec : rule_specs()) {
    const ConnectionSet set = make_set(spec);
    const std::vector<ExpandedConnection> all = set.expand();
    EXPECT_EQ(all.size(), set.count());
    for (const Range r : {Range{0, 4}, Range{4, 5}, Range{5, 9}, Range{2, 7}}) {
      std::vector<ExpandedConnection> expected;
      for (const auto& c : all) {
        if (c.target >= r.begin && c.target < r.end) expected.push_back(c);
      }
      std::vector<ExpandedConnection> got;
      set.for_each(r, [&got](const ExpandedConnection& c) { got.push_back(c); });
      ASSERT_EQ(got.size(), expected.size()) << "rule " << static_cast<int>(spec.rule);
      for (std::size_t k = 0; k < got.size(); ++k) {
        EXPECT_TRUE(same(got[k], expected[k])) << "rule " << static_cast<int>(spec.rule);
      }
    }
  }
}

TEST(ConnectionSet, ListedValuesFollowTheCreationIndex) {
  ConnectionSpec spec = rule_specs()[1];  // all_to_all without autapses, one weight each
  const auto all = make_set(spec).expand();
  ASSERT_EQ(all.size(), kSources * kTargets - kTargets);
  for (std::size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k].weight, spec.weight[k]);
  spec = rule_specs()[0];  // the same as a [target][source] matrix
  for (const auto& c : make_set(spec).expand()) {
    EXPECT_EQ(c.weight, spec.weight[c.target * kSources + c.source]);
  }
}

PopulationSpec population(const char* name, const char* model, std::size_t n) {
  PopulationSpec p;
  p.name = name;
  p.model = model;
  p.n = n;
  if (p.model == "spike_generator") p.spike_times.assign(n, {});
  return p;
}

ConnectionSpec eprop_connection(ConnectionSpec c, const char* source, const char* target) {
  c.source = source;
  c.target = target;
  c.synapse = "eprop_synapse";
  return c;
}

NetworkSpec network(std::size_t threads) {
  NetworkSpec net;
  net.kernel.threads = threads;
  net.populations.push_back(population("gen", "spike_generator", kSources));
  net.populations.push_back(population("in", "parrot_neuron", kSources));
  net.populations.push_back(population("rec", "eprop_iaf", kTargets));
  ConnectionSpec gen_in;
  gen_in.source = "gen";
  gen_in.target = "in";
  gen_in.rule = ConnectionRule::one_to_one;
  net.connections.push_back(gen_in);
  for (const ConnectionSpec& c : rule_specs()) {
    net.connections.push_back(eprop_connection(c, "rec", "rec"));
  }
  ConnectionSpec in_rec = rule_specs()[4];
  in_rec.source = "in";
  in_rec.target = "rec";
  in_rec.delay = ramp(4 * kTargets);
  for (double& d : in_rec.delay) d = 1.0 + std::abs(std::round(d));
  net.connections.push_back(in_rec);  // static, with per-connection delays
  return net;
}

/// Every shard's CSR is the stable sort by source of the connections it owns.
TEST(ShardRows, EveryShardIsTheStableSortBySource) {
  for (std::size_t threads = 1; threads <= 3; ++threads) {
    const NetworkSpec spec = network(threads);
    const auto net = build_network<double>(spec);
    ASSERT_EQ(net->plastic_projections.size(), rule_specs().size());
    for (const auto& proj : net->plastic_projections) {
      const ConnectionSpec& c = spec.connections[proj.connection];
      const auto all = ConnectionSet(c, proj.connection, kTargets, kTargets, true,
                                     CounterRandom(spec.kernel.seed), "test")
                           .expand();
      ASSERT_EQ(proj.shards.size(), threads);
      for (std::size_t k = 0; k < threads; ++k) {
        const auto& shard = proj.shards[k];
        const Range r = net->ranges(proj.target)[k];
        std::vector<ExpandedConnection> expected;
        for (const auto& x : all) {
          if (x.target >= r.begin && x.target < r.end) expected.push_back(x);
        }
        std::stable_sort(expected.begin(), expected.end(),
                         [](const auto& a, const auto& b) { return a.source < b.source; });
        std::vector<ExpandedConnection> got;
        for (std::size_t i = 0; i + 1 < shard.row_begin().size(); ++i) {
          for (auto s = shard.row_begin()[i]; s < shard.row_begin()[i + 1]; ++s) {
            got.push_back({static_cast<LocalIndex>(i), shard.targets()[s], shard.weights()[s],
                           1.0});
          }
        }
        ASSERT_EQ(got.size(), expected.size()) << "connection " << proj.connection;
        for (std::size_t s = 0; s < got.size(); ++s) {
          EXPECT_TRUE(same(got[s], expected[s])) << "connection " << proj.connection << " #" << s;
        }
      }
    }
    const auto& input = net->static_projections.back();
    std::size_t synapses = 0;
    for (const auto& shard : input.shards) synapses += shard.delay.size();
    EXPECT_EQ(synapses, 4 * kTargets);
  }
}

std::string config_error(const NetworkSpec& spec) {
  try {
    (void)build_network<double>(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

TEST(ShardRows, ErrorsNameTheFirstBadDelay) {
  NetworkSpec spec = network(2);
  ConnectionSpec& c = spec.connections[5];  // fixed_indegree, 36 listed weights
  // Weights outside [Wmin, Wmax] are accepted at Connect, as NEST does (SPEC_recording R.8).
  c.weight[7] = 500.0;
  c.weight[20] = -700.0;
  EXPECT_EQ(config_error(spec), "no ConfigError");
  c.delay = std::vector<double>(c.weight.size(), 1.0);
  c.delay[30] = 3.0;
  EXPECT_NE(config_error(spec).find("'delay' = 3 ms, but eprop_synapse"), std::string::npos)
      << config_error(spec);
  spec = network(2);
  spec.connections.back().delay[3] = 1.5;
  EXPECT_NE(config_error(spec).find("'delay' = 1.5 ms must be a positive multiple"),
            std::string::npos)
      << config_error(spec);
}

TEST(EpropProjectionRows, TriplesKeepTheirOrderWithinARow) {
  const std::vector<SynapseTriple> triples = {
      {2, 5, 0.5}, {0, 1, 1.0}, {2, 3, 2.0}, {0, 1, 3.0}, {1, 0, 4.0}, {2, 4, 5.0}};
  OptimizerConfig config;
  const EpropProjection<double> p(4, triples, config, EpropTargetConstants<double>{});
  EXPECT_EQ(p.row_begin(), (std::vector<std::uint64_t>{0, 2, 3, 6, 6}));
  EXPECT_EQ(p.targets(), (std::vector<LocalIndex>{1, 1, 0, 5, 3, 4}));
  EXPECT_EQ(p.weights(), (std::vector<double>{1.0, 3.0, 4.0, 0.5, 2.0, 5.0}));
}

}  // namespace
}  // namespace eprop
