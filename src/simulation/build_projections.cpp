#include "simulation/build_projections.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "eprop/error.h"
#include "simulation/connect.h"
#include "simulation/connection_checks.h"
#include "simulation/lower_bsshslm.h"
#include "simulation/param_reader.h"
#include "simulation/build_poisson.h"
#include "simulation/build_stdp.h"
#include "simulation/shard_rows.h"

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
         k == NodeKind::recurrent || k == NodeKind::bsshslm_recurrent ||
         k == NodeKind::ignore_and_fire || k == NodeKind::iaf_psc_delta ||
         k == NodeKind::poisson_generator;
}

bool is_benchmark_neuron(NodeKind k) {
  return k == NodeKind::ignore_and_fire || k == NodeKind::iaf_psc_delta;
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
    case NodeKind::ignore_and_fire: return "ignore_and_fire";
    case NodeKind::iaf_psc_delta: return "iaf_psc_delta";
    case NodeKind::poisson_generator: return "poisson_generator";
  }
  return "node";
}

}  // namespace

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
  // A tau_m that varies per neuron gives each synapse its own presynaptic trace; a uniform
  // per-neuron array keeps the common one (the same numbers, bit for bit).
  const auto& alpha = p.alpha_per_neuron;
  if (!alpha.empty()) {
    c.alpha = alpha.front();
    if (std::any_of(alpha.begin(), alpha.end(), [&](Real a) { return a != alpha.front(); })) {
      c.alpha_per_target = alpha;
    }
  }
  c.kappa = p.kappa;
  c.kappa_reg = p.kappa_reg;
  c.regularised = p.c_reg != 0;
  c.rho = p.rho;
  c.adapt_beta = p.adapt_beta;
  c.cutoff_steps = p.cutoff_steps;
  return c;
}

template EpropTargetConstants<float> target_constants(const Population<float>&);
template EpropTargetConstants<double> target_constants(const Population<double>&);

namespace {

// A forced spike with stamp 1 makes NEST 3.10 erase the whole history of an event-driven target
// with infinite trace cutoff, and abort at the next gradient that needs an erased entry
// (SPEC_recording R.3.2). Refused up front rather than continued with other bookkeeping.
template <class Real>
void reject_history_abort(const Population<Real>& source, Step cutoff, const Endpoints& e) {
  const auto* rec = std::get_if<RecurrentPopulation<Real>>(&source);
  if (rec == nullptr || cutoff != kNeverSteps) return;
  const IgnoreAndSpike& s = rec->params().ignore_and_spike;
  require(!(s.enabled && s.offset_steps == 1), e,
          "the source spikes at stamp 1 (ignore_and_spike_offset of one step) into a target "
          "with infinite 'eprop_isi_trace_cutoff': NEST 3.10 erases that target's whole e-prop "
          "history and aborts (SPEC_recording R.3.2); give the target a finite cutoff or the "
          "source an offset of at least 2 steps");
}

template <class Real>
void add_eprop(const ConnectionSpec& spec, std::size_t index, const ConnectionSet& set,
               const Endpoints& e, double dt, Network<Real>& net) {
  require(e.source_type.kind == NodeKind::parrot_neuron ||
              e.source_type.kind == NodeKind::recurrent,
          e, "eprop_synapse needs a parrot_neuron or e-prop neuron as source (generators cannot "
             "be sources of plastic synapses)");
  require(is_eprop_node(e.target_type.kind), e,
          "eprop_synapse can only target e-prop neurons (eprop_iaf*, eprop_readout), not '" +
              population_name(net.populations[e.target]) + "'");
  require(spec.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
  const std::vector<Range>& shards = net.ranges(e.target);
  FirstFailure bad_delay;
  auto row_begin = count_rows_per_shard(set, shards, [&](const ExpandedConnection& c) {
    bad_delay.note(is_one_step(c.delay_ms, dt), c.delay_ms);
  });
  if (bad_delay.value) reject_delay_not_one_step(*bad_delay.value, dt, e, "eprop_synapse");
  // NEST stores Connect's weights unchecked; the optimizer clamps them to [Wmin, Wmax] at the
  // synapse's first optimisation (SPEC_recording R.8).
  const OptimizerConfig config = lower_optimizer(spec.optimizer, e);
  auto& target = net.populations[e.target];
  std::visit(
      [](auto& p) {
        if constexpr (requires { p.keeps_history; }) p.keeps_history = true;
      },
      target);
  const EpropTargetConstants<Real> constants = target_constants(target);
  reject_history_abort(net.populations[e.source], constants.cutoff_steps, e);
  std::vector<std::optional<EpropProjection<Real>>> built(shards.size());
  fill_shards_in_parallel(shards.size(), [&](std::size_t k) {
    built[k].emplace(fill_synapse_rows<Real>(set, shards[k], std::move(row_begin[k])), config,
                     constants);
  });
  PlasticProjection<Real> proj{e.source, e.target, index, {}, std::nullopt, {}, 0};
  proj.shards.reserve(shards.size());
  for (auto& shard : built) proj.shards.push_back(std::move(*shard));
  net.plastic_projections.push_back(std::move(proj));
}

template <class Real>
StaticProjection<Real> static_projection(std::size_t index, const ConnectionSet& set,
                                         const Endpoints& e, double dt,
                                         std::vector<std::vector<std::uint64_t>>& row_begin,
                                         const Network<Real>& net) {
  const std::vector<Range>& shards = net.ranges(e.target);
  StaticProjection<Real> proj;
  proj.source = e.source;
  proj.target = e.target;
  proj.connection = index;
  proj.shards.resize(shards.size());
  fill_shards_in_parallel(shards.size(), [&](std::size_t k) {
    StaticShard<Real>& shard = proj.shards[k];
    fill_delayed_rows(set, shards[k], row_begin[k], dt, shard.target_index, shard.weight,
                      shard.delay);
    shard.row_begin = std::move(row_begin[k]);
  });
  return proj;
}

/// Synapses of a poisson_generator, stored by target and drawn by trains (poisson_input.h).
template <class Real>
PoissonProjection<Real> poisson_projection(std::size_t index, const ConnectionSet& set,
                                           const Endpoints& e, double dt,
                                           const std::vector<std::vector<std::uint64_t>>& col_begin,
                                           const Network<Real>& net) {
  const std::vector<Range>& shards = net.ranges(e.target);
  PoissonProjection<Real> proj{e.source, e.target, index, {}};
  proj.shards.resize(shards.size());
  const double mean = std::get<PoissonGeneratorPopulation>(net.populations[e.source]).mean();
  fill_shards_in_parallel(shards.size(), [&](std::size_t k) {
    proj.shards[k] =
        fill_poisson_shard<Real>(set, shards[k], col_begin[k], dt, mean, {net.seed(), index});
  });
  return proj;
}

template <class Real>
void add_static(const ConnectionSpec& spec, std::size_t index, const ConnectionSet& set,
                const Endpoints& e, double dt, Network<Real>& net) {
  require(emits_spikes(e.source_type.kind), e,
          "static_synapse needs a spike source (spike_generator, poisson_generator, "
          "parrot_neuron, a spiking neuron)");
  require(e.target_type.kind == NodeKind::parrot_neuron || is_eprop_node(e.target_type.kind) ||
              is_bsshslm_node(e.target_type.kind) || is_benchmark_neuron(e.target_type.kind),
          e,
          "static_synapse cannot target a " + spec_model(e.target_type) + "");
  require(spec.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
  const std::vector<Range>& shards = net.ranges(e.target);
  FirstFailure bad_delay;
  Step max_delay = 1;
  const auto check_delay = [&](const ExpandedConnection& c) {
    const bool ok = is_whole_steps(c.delay_ms, dt);
    bad_delay.note(ok, c.delay_ms);
    if (ok) max_delay = std::max(max_delay, delay_steps(c.delay_ms, dt));
  };
  const bool poisson = e.source_type.kind == NodeKind::poisson_generator;
  auto offsets = poisson ? count_columns_per_shard(set, shards, check_delay)
                         : count_rows_per_shard(set, shards, check_delay);
  if (bad_delay.value) {
    require(false, e,
            "'delay' = " + format_number(*bad_delay.value) +
                " ms must be a positive multiple of the resolution (" + format_number(dt) +
                " ms) of at most " + format_number(kMaxInputSteps) + " steps");
  }
  if (poisson) {
    net.poisson_projections.push_back(poisson_projection(index, set, e, dt, offsets, net));
  } else {
    net.static_projections.push_back(static_projection(index, set, e, dt, offsets, net));
  }
  std::visit(
      [max_delay](auto& p) {
        if constexpr (requires { p.input.resize_depth(std::size_t{1}); }) {
          p.input.resize_depth(static_cast<std::size_t>(max_delay));
        }
      },
      net.populations[e.target]);
}

template <class Real>
void add_signal(const ConnectionSpec& spec, const ConnectionSet& set, const Endpoints& e,
                double dt, Network<Real>& net) {
  SignalProjection<Real> proj;
  proj.source = e.source;
  proj.target = e.target;
  proj.receptor = spec.receptor_type;
  const bool learning_signal = spec.synapse == "eprop_learning_signal_connection";
  if (learning_signal) {
    require(e.source_type.kind == NodeKind::readout, e,
            "eprop_learning_signal_connection needs an eprop_readout as source");
    require(e.target_type.kind == NodeKind::recurrent, e,
            "eprop_learning_signal_connection needs an e-prop recurrent neuron as target");
    require(spec.receptor_type == 0, e,
            "'receptor_type' = " + std::to_string(spec.receptor_type) + " must be 0");
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
  FirstFailure bad_delay;
  set.for_each([&](const ExpandedConnection& c) {
    bad_delay.note(!learning_signal || is_one_step(c.delay_ms, dt), c.delay_ms);
    proj.source_index.push_back(c.source);
    proj.target_index.push_back(c.target);
    proj.weight.push_back(static_cast<Real>(c.weight));
  });
  if (bad_delay.value) {
    reject_delay_not_one_step(*bad_delay.value, dt, e, "eprop_learning_signal_connection");
  }
  net.signal_projections.push_back(std::move(proj));
}

/// Whether connection c belongs to the _bsshslm_2020 family, whose builders still take the
/// connections as a list (their networks are small); every other kind streams from the rule.
bool takes_bsshslm_list(const ConnectionSpec& c, const Endpoints& e) {
  return c.synapse.ends_with("_bsshslm_2020") ||
         (c.synapse == "rate_connection_delayed" &&
          (is_bsshslm_node(e.source_type.kind) || is_bsshslm_node(e.target_type.kind)));
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
    const ConnectionSet set(c, index, spec.populations[e.source].n, spec.populations[e.target].n,
                            e.source == e.target, rng, where);
    const auto bsshslm_conns =
        takes_bsshslm_list(c, e) ? set.expand() : std::vector<ExpandedConnection>{};
    if (add_bsshslm_connection(spec, index, bsshslm_conns, e, net)) continue;
    if (c.synapse == "static_synapse") {
      add_static(c, index, set, e, dt, net);
    } else if (c.synapse == "stdp_synapse") {
      add_stdp(c, index, set, e, dt, net);
    } else if (c.synapse == "eprop_synapse") {
      add_eprop(c, index, set, e, dt, net);
    } else if (c.synapse == "eprop_learning_signal_connection" ||
               c.synapse == "rate_connection_delayed") {
      add_signal(c, set, e, dt, net);
    } else {
      throw ConfigError(where + ": unknown synapse '" + c.synapse +
                        "' (known: static_synapse, stdp_synapse, eprop_synapse, "
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
