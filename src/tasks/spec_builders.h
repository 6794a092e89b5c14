#pragma once

// Small builders for the NetworkSpecs of the task networks (sine, evidence, N-MNIST), the paper
// benchmark (tasks/paper_bench.cpp) and the random networks of bench/common.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eprop/spec.h"

namespace eprop::tasks {

inline PopulationSpec population(std::string_view name, std::string model, std::size_t n) {
  PopulationSpec pop;
  pop.name = std::string(name);
  pop.model = std::move(model);
  pop.n = n;
  return pop;
}

/// A connection with delay 1 ms, the only delay e-prop connections allow.
inline ConnectionSpec connection(std::string_view source, std::string_view target,
                                 std::string synapse, ConnectionRule rule,
                                 std::vector<double> weight) {
  ConnectionSpec conn;
  conn.source = std::string(source);
  conn.target = std::string(target);
  conn.synapse = std::move(synapse);
  conn.rule = rule;
  conn.weight = std::move(weight);
  conn.delay = {1.0};
  return conn;
}

/// A fixed_indegree connection with one weight for all synapses, delay 1 ms.
inline ConnectionSpec fixed_indegree(std::string_view source, std::string_view target,
                                     std::string synapse, std::int64_t indegree, double weight) {
  ConnectionSpec conn =
      connection(source, target, std::move(synapse), ConnectionRule::fixed_indegree, {weight});
  conn.indegree = indegree;
  return conn;
}

/// Gradient descent with one optimizer call per presynaptic spike, as in NEST's examples.
inline OptimizerSpec per_spike_optimizer(double eta) {
  OptimizerSpec o;
  o.eta = eta;
  o.optimize_each_step = false;
  return o;
}

/// step_rate_generators that hold value[k] from 1 ms on (constant targets, an open window).
inline PopulationSpec constant_rate_generators(std::string_view name, std::vector<double> value) {
  PopulationSpec pop = population(name, "step_rate_generator", value.size());
  for (const double v : value) {
    pop.amplitude_times.push_back({1.0});
    pop.amplitude_values.push_back({v});
  }
  return pop;
}

}  // namespace eprop::tasks
