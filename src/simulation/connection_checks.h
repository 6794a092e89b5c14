#pragma once

// Checks shared by the builders of the two e-prop families' connections.

#include <cstddef>
#include <string>
#include <vector>

#include "core/optimizer.h"
#include "eprop/spec.h"
#include "simulation/connect.h"
#include "simulation/lower_populations.h"

namespace eprop {

/// The two populations of one connection spec, and its name for error messages.
struct Endpoints {
  std::size_t source;
  std::size_t target;
  NodeType source_type;
  NodeType target_type;
  std::string where;
};

/// Throws ConfigError "<where>: <message>" unless ok.
void require(bool ok, const Endpoints& e, const std::string& message);

void require_one_step_delays(const std::vector<ExpandedConnection>& conns, double dt,
                             const Endpoints& e, const std::string& synapse);

/// Validates an optimizer spec and applies NEST's SetDefaults learning-rate bookkeeping.
OptimizerConfig lower_optimizer(const OptimizerSpec& o, const Endpoints& e);

}  // namespace eprop
