#pragma once

// Small builders for the NetworkSpecs of the task networks (sine, evidence, N-MNIST).

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

}  // namespace eprop::tasks
