#include "simulation/connection_checks.h"

#include <cmath>

#include "eprop/error.h"
#include "simulation/param_reader.h"

namespace eprop {

void require(bool ok, const Endpoints& e, const std::string& message) {
  if (!ok) throw ConfigError(e.where + ": " + message);
}

bool is_one_step(double delay_ms, double dt) { return std::abs(delay_ms - dt) <= 1e-9 * dt; }

void reject_delay_not_one_step(double delay_ms, double dt, const Endpoints& e,
                               const std::string& synapse) {
  throw ConfigError(e.where + ": 'delay' = " + format_number(delay_ms) + " ms, but " + synapse +
                    " connections require a delay of exactly one simulation step (" +
                    format_number(dt) + " ms)");
}

void require_one_step_delays(const std::vector<ExpandedConnection>& conns, double dt,
                             const Endpoints& e, const std::string& synapse) {
  for (const auto& c : conns) {
    if (!is_one_step(c.delay_ms, dt)) reject_delay_not_one_step(c.delay_ms, dt, e, synapse);
  }
}

void reject_weight_out_of_range(double weight, const OptimizerConfig& config,
                                const Endpoints& e) {
  throw ConfigError(e.where + ": 'weight' = " + format_number(weight) +
                    " must lie in [Wmin, Wmax] = [" + format_number(config.Wmin) + ", " +
                    format_number(config.Wmax) + "]");
}

OptimizerConfig lower_optimizer(const OptimizerSpec& o, const Endpoints& e) {
  OptimizerConfig c;
  if (o.type == "gradient_descent") {
    c.kind = OptimizerKind::gradient_descent;
  } else if (o.type == "adam") {
    c.kind = OptimizerKind::adam;
  } else {
    require(false, e, "optimizer 'type' = '" + o.type + "' must be 'gradient_descent' or 'adam'");
  }
  require(o.eta >= 0, e, "optimizer 'eta' = " + format_number(o.eta) + " must be >= 0");
  require(o.batch_size > 0, e,
          "optimizer 'batch_size' = " + std::to_string(o.batch_size) + " must be > 0");
  require(o.Wmin <= o.Wmax, e,
          "optimizer 'Wmin' = " + format_number(o.Wmin) + " must be <= 'Wmax' = " +
              format_number(o.Wmax));
  require(o.beta_1 >= 0 && o.beta_1 < 1, e,
          "optimizer 'beta_1' = " + format_number(o.beta_1) + " must be in [0, 1)");
  require(o.beta_2 >= 0 && o.beta_2 < 1, e,
          "optimizer 'beta_2' = " + format_number(o.beta_2) + " must be in [0, 1)");
  require(o.epsilon >= 0, e,
          "optimizer 'epsilon' = " + format_number(o.epsilon) + " must be >= 0");
  c.batch_size = o.batch_size;
  c.optimize_each_step = o.optimize_each_step;
  c.Wmin = o.Wmin;
  c.Wmax = o.Wmax;
  c.beta_1 = o.beta_1;
  c.beta_2 = o.beta_2;
  c.epsilon = o.epsilon;
  c.set_eta(o.eta);  // starts from NEST's default 1e-4, as SetDefaults would
  return c;
}

bool is_whole_steps(double delay_ms, double dt) {
  const double steps = delay_ms / dt;
  return steps >= 1.0 - 1e-9 && steps <= kMaxInputSteps &&
         std::abs(steps - std::round(steps)) <= 1e-9 * steps;
}

Step delay_steps(double delay_ms, double dt) { return std::llround(delay_ms / dt); }

}  // namespace eprop
