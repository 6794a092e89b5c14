#pragma once

// Checks shared by the builders of the two e-prop families' connections. Per-synapse checks only
// compare numbers; an error message is formatted once, when a check has failed.

#include <cstddef>
#include <optional>
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

/// The first value that failed a check during a pass over the connections. The error is raised
/// after the pass, so that a builder checking several things in one pass still reports them in
/// its documented order.
struct FirstFailure {
  std::optional<double> value;

  void note(bool ok, double v) {
    if (!ok && !value) value = v;
  }
};

/// Throws ConfigError "<where>: <message>" unless ok.
void require(bool ok, const Endpoints& e, const std::string& message);

/// e-prop synapses and learning signals support only a delay of one simulation step.
bool is_one_step(double delay_ms, double dt);
[[noreturn]] void reject_delay_not_one_step(double delay_ms, double dt, const Endpoints& e,
                                            const std::string& synapse);
void require_one_step_delays(const std::vector<ExpandedConnection>& conns, double dt,
                             const Endpoints& e, const std::string& synapse);

/// Static and STDP delays are a whole number (>= 1) of simulation steps.
bool is_whole_steps(double delay_ms, double dt);
Step delay_steps(double delay_ms, double dt);

/// Initial weights of plastic synapses must lie in [Wmin, Wmax].
[[noreturn]] void reject_weight_out_of_range(double weight, const OptimizerConfig& config,
                                             const Endpoints& e);

/// Validates an optimizer spec and applies NEST's SetDefaults learning-rate bookkeeping.
OptimizerConfig lower_optimizer(const OptimizerSpec& o, const Endpoints& e);

}  // namespace eprop
