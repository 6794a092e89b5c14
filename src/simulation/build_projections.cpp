#include "simulation/build_projections.h"

#include <algorithm>
#include <cmath>

#include "eprop/error.h"
#include "simulation/connect.h"
#include "simulation/connection_checks.h"
#include "simulation/lower_bsshslm.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

std::size_t find_population(const NetworkSpec& spec, const std::string& name,
                            const std::string& where, const char* field) {
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    if (spec.populations[p].name == name) return p;
  }
  throw ConfigError(where + ": '" + field + "' = '" + name + "' is not a population");
}

bool emits_spikes(NodeKind k) {
  return k == NodeKind::spike_generator || k == NodeKind::parrot_neuron ||
         k == NodeKind::recurrent || k == NodeKind::bsshslm_recurrent;
}

bool is_eprop_node(NodeKind k) { return k == NodeKind::recurrent || k == NodeKind::readout; }

bool is_bsshslm_node(NodeKind k) {
  return k == NodeKind::bsshslm_recurrent || k == NodeKind::bsshslm_readout;
}

template <class Real>
std::size_t population_size(const Population<Real>& p) {
  return std::visit([](const auto& x) { return x.size(); }, p);
}

template <class Real>
const std::string& population_name(const Population<Real>& p) {
  return std::visit([](const auto& x) -> const std::string& { return x.name(); }, p);
}

std::string spec_model(const NodeType& t) {
  switch (t.kind) {
    case NodeKind::spike_generator: return "spike_generator";
    case NodeKind::parrot_neuron: return "parrot_neuron";
    case NodeKind::step_rate_generator: return "step_rate_generator";
    case NodeKind::recurrent: return "e-prop recurrent neuron";
    case NodeKind::readout: return "eprop_readout";
    case NodeKind::bsshslm_recurrent: return "e-prop _bsshslm_2020 recurrent neuron";
    case NodeKind::bsshslm_readout: return "eprop_readout_bsshslm_2020";
  }
  return "node";
}

}  // namespace

void require(bool ok, const Endpoints& e, const std::string& message) {
  if (!ok) throw ConfigError(e.where + ": " + message);
}

void require_one_step_delays(const std::vector<ExpandedConnection>& conns, double dt,
                             const Endpoints& e, const std::string& synapse) {
  for (const auto& c : conns) {
    if (std::abs(c.delay_ms - dt) <= 1e-9 * dt) continue;  // message built only on failure
    require(false, e,
            "'delay' = " + format_number(c.delay_ms) + " ms, but " + synapse +
                " connections require a delay of exactly one simulation step (" +
                format_number(dt) + " ms)");
  }
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

namespace {

template <class Real>
EpropTargetConstants<Real> target_constants(const Population<Real>& target) {
  EpropTargetConstants<Real> c;
  if (const auto* r = std::get_if<ReadoutPopulation<Real>>(&target)) {
    c.readout = true;
    c.alpha = r->params().kappa_out;
    c.cutoff_steps = r->params().cutoff_steps;
    return c;
  }
  const auto& p = std::get<RecurrentPopulation<Real>>(target).params();
  c.adaptive = is_adaptive(p.model);
  c.alpha = p.alpha;
  c.kappa = p.kappa;
  c.kappa_reg = p.kappa_reg;
  c.rho = p.rho;
  c.adapt_beta = p.adapt_beta;
  c.cutoff_steps = p.cutoff_steps;
  return c;
}

template <class Real>
void add_eprop(const ConnectionSpec& spec, std::size_t index,
               const std::vector<ExpandedConnection>& conns, const Endpoints& e, double dt,
               Network<Real>& net) {
  require(e.source_type.kind == NodeKind::parrot_neuron ||
              e.source_type.kind == NodeKind::recurrent,
          e, "eprop_synapse needs a parrot_neuron or e-prop neuron as source (generators cannot "
             "be sources of plastic synapses)");
  require(is_eprop_node(e.target_type.kind), e,
          "eprop_synapse can only target e-prop neurons (eprop_iaf*, eprop_readout), not '" +
              population_name(net.populations[e.target]) + "'");
  require(spec.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
  require_one_step_delays(conns, dt, e, "eprop_synapse");
  const OptimizerConfig config = lower_optimizer(spec.optimizer, e);
  std::vector<SynapseTriple> triples;
  triples.reserve(conns.size());
  for (const auto& c : conns) {
    if (!(c.weight >= config.Wmin && c.weight <= config.Wmax)) {
      require(false, e,
            "'weight' = " + format_number(c.weight) + " must lie in [Wmin, Wmax] = [" +
                  format_number(config.Wmin) + ", " + format_number(config.Wmax) + "]");
    }
    triples.push_back({c.source, c.target, c.weight});
  }
  auto& target = net.populations[e.target];
  std::visit(
      [](auto& p) {
        if constexpr (requires { p.keeps_history; }) p.keeps_history = true;
      },
      target);
  const std::size_t n_source = population_size(net.populations[e.source]);
  PlasticProjection<Real> proj{e.source, e.target, index, {}, std::nullopt};
  for (const Range& r : net.ranges(e.target)) {
    std::vector<SynapseTriple> owned;
    for (const auto& syn : triples) {
      if (syn.target >= r.begin && syn.target < r.end) owned.push_back(syn);
    }
    proj.shards.emplace_back(n_source, std::move(owned), config, target_constants(target));
  }
  net.plastic_projections.push_back(std::move(proj));
}

/// Builds the shard of the connections whose targets lie in r; returns its longest delay.
template <class Real>
Step add_static_shard(const std::vector<ExpandedConnection>& sorted, Range r,
                      std::size_t n_source, const Endpoints& e, double dt,
                      StaticProjection<Real>& proj) {
  StaticShard<Real> shard;
  shard.row_begin.assign(n_source + 1, 0);
  Step max_delay = 1;
  for (const auto& c : sorted) {
    if (c.target < r.begin || c.target >= r.end) continue;
    const double steps = c.delay_ms / dt;
    if (!(steps >= 1.0 - 1e-9 && std::abs(steps - std::round(steps)) <= 1e-9 * steps)) {
      require(false, e,
            "'delay' = " + format_number(c.delay_ms) +
                  " ms must be a positive multiple of the resolution (" + format_number(dt) +
                  " ms)");
    }
    const Step d = static_cast<Step>(std::llround(steps));
    max_delay = std::max(max_delay, d);
    ++shard.row_begin[c.source + 1];
    shard.target_index.push_back(c.target);
    shard.weight.push_back(static_cast<Real>(c.weight));
    shard.delay.push_back(d);
  }
  for (std::size_t i = 0; i < n_source; ++i) shard.row_begin[i + 1] += shard.row_begin[i];
  proj.shards.push_back(std::move(shard));
  return max_delay;
}

template <class Real>
void add_static(const ConnectionSpec& spec, const std::vector<ExpandedConnection>& conns,
                const Endpoints& e, double dt, Network<Real>& net) {
  require(emits_spikes(e.source_type.kind), e,
          "static_synapse needs a spike source (spike_generator, parrot_neuron, e-prop neuron)");
  require(e.target_type.kind == NodeKind::parrot_neuron || is_eprop_node(e.target_type.kind) ||
              is_bsshslm_node(e.target_type.kind),
          e,
          "static_synapse cannot target a " + spec_model(e.target_type) + "");
  require(spec.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
  StaticProjection<Real> proj;
  proj.source = e.source;
  proj.target = e.target;
  const std::size_t n_source = population_size(net.populations[e.source]);
  std::vector<ExpandedConnection> sorted = conns;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.source < b.source; });
  Step max_delay = 1;
  for (const Range& r : net.ranges(e.target)) {
    max_delay = std::max(max_delay, add_static_shard(sorted, r, n_source, e, dt, proj));
  }
  std::visit(
      [max_delay](auto& p) {
        if constexpr (requires { p.input.resize_depth(std::size_t{1}); }) {
          p.input.resize_depth(static_cast<std::size_t>(max_delay));
        }
      },
      net.populations[e.target]);
  net.static_projections.push_back(std::move(proj));
}

template <class Real>
void add_signal(const ConnectionSpec& spec, const std::vector<ExpandedConnection>& conns,
                const Endpoints& e, double dt, Network<Real>& net) {
  SignalProjection<Real> proj;
  proj.source = e.source;
  proj.target = e.target;
  proj.receptor = spec.receptor_type;
  if (spec.synapse == "eprop_learning_signal_connection") {
    require(e.source_type.kind == NodeKind::readout, e,
            "eprop_learning_signal_connection needs an eprop_readout as source");
    require(e.target_type.kind == NodeKind::recurrent, e,
            "eprop_learning_signal_connection needs an e-prop recurrent neuron as target");
    require(spec.receptor_type == 0, e,
            "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
    require_one_step_delays(conns, dt, e, "eprop_learning_signal_connection");
    proj.kind = SignalProjection<Real>::Kind::learning_signal;
  } else {
    require(e.source_type.kind == NodeKind::step_rate_generator, e,
            "rate_connection_delayed needs a step_rate_generator as source");
    require(e.target_type.kind == NodeKind::readout, e,
            "rate_connection_delayed needs an eprop_readout as target");
    require(spec.receptor_type == 1 || spec.receptor_type == 2, e,
            "'receptor_type' = " + std::to_string(spec.receptor_type) +
                " must be 1 (eprop_learning_window) or 2 (target_signal) on an eprop_readout");
    proj.kind = SignalProjection<Real>::Kind::rate;
  }
  for (const auto& c : conns) {
    proj.source_index.push_back(c.source);
    proj.target_index.push_back(c.target);
    proj.weight.push_back(static_cast<Real>(c.weight));
  }
  net.signal_projections.push_back(std::move(proj));
}

}  // namespace

template <class Real>
void add_projections(const NetworkSpec& spec, const std::vector<NodeType>& types,
                     Network<Real>& net) {
  const double dt = spec.kernel.resolution;
  const CounterRandom rng(spec.kernel.seed);
  for (std::size_t index = 0; index < spec.connections.size(); ++index) {
    const ConnectionSpec& c = spec.connections[index];
    const std::string where = "connection #" + std::to_string(index) + " (" + c.source + " -> " +
                              c.target + ", " + c.synapse + ")";
    Endpoints e{find_population(spec, c.source, where, "source"),
                find_population(spec, c.target, where, "target"), {}, {}, where};
    e.source_type = types[e.source];
    e.target_type = types[e.target];
    const auto conns = expand_connection(c, index, spec.populations[e.source].n,
                                         spec.populations[e.target].n, e.source == e.target, rng,
                                         where);
    if (add_bsshslm_connection(spec, index, conns, e, net)) continue;
    if (c.synapse == "static_synapse") {
      add_static(c, conns, e, dt, net);
    } else if (c.synapse == "eprop_synapse") {
      add_eprop(c, index, conns, e, dt, net);
    } else if (c.synapse == "eprop_learning_signal_connection" ||
               c.synapse == "rate_connection_delayed") {
      add_signal(c, conns, e, dt, net);
    } else {
      throw ConfigError(where + ": unknown synapse '" + c.synapse +
                        "' (known: static_synapse, eprop_synapse, "
                        "eprop_learning_signal_connection, rate_connection_delayed, "
                        "eprop_synapse_bsshslm_2020, "
                        "eprop_learning_signal_connection_bsshslm_2020)");
    }
  }
  validate_bsshslm_connections(spec, types, net);
}

template void add_projections<float>(const NetworkSpec&, const std::vector<NodeType>&,
                                     Network<float>&);
template void add_projections<double>(const NetworkSpec&, const std::vector<NodeType>&,
                                      Network<double>&);

}  // namespace eprop
