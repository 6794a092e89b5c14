// Connections of the `_bsshslm_2020` family (SPEC 7) and the rules that keep the two e-prop
// families apart: a synapse, feedback or rate connection of one family never touches a node of
// the other, and each such attempt is a ConfigError naming the connection.

#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "eprop/error.h"
#include "simulation/lower_bsshslm.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

bool is_bsshslm(NodeKind k) {
  return k == NodeKind::bsshslm_recurrent || k == NodeKind::bsshslm_readout;
}

bool is_event_driven_eprop(NodeKind k) { return k == NodeKind::recurrent || k == NodeKind::readout; }

std::string named(const NetworkSpec& spec, std::size_t p) {
  return "'" + spec.populations[p].model + "' (population '" + spec.populations[p].name + "')";
}

template <class Real>
BsshslmTargetConstants<Real> target_constants(const Population<Real>& target) {
  BsshslmTargetConstants<Real> c;
  if (const auto* r = std::get_if<BsshslmReadoutPopulation<Real>>(&target)) {
    c.readout = true;
    c.alpha = r->params().kappa_out;
    c.P_z = r->params().P_z;
    c.timing = r->params().timing;
    return c;
  }
  const auto& p = std::get<BsshslmRecurrentPopulation<Real>>(target).params();
  c.adaptive = p.adaptive;
  c.alpha = p.alpha;
  c.P_z = p.P_z;
  c.rho = p.rho;
  c.adapt_beta = p.adapt_beta;
  c.timing = p.timing;
  return c;
}

// A flush event that arrives before the end of the interval of the previous spike makes NEST's
// bsshslm synapse read past the postsynaptic history; NEST forbids such intervals for bsshslm
// neurons only, we check parrot sources too.
void require_flush_after_interval(const NetworkSpec& spec, const Endpoints& e) {
  const auto& params = spec.populations[e.source].params;
  const auto it = params.find("flush_event_send_interval");
  if (it == params.end() || !std::holds_alternative<double>(it->second)) return;
  const double flush = std::get<double>(it->second);
  require(flush >= spec.kernel.eprop_update_interval, e,
          "source " + named(spec, e.source) + " has flush_event_send_interval = " +
              format_number(flush) + " ms, but eprop_synapse_bsshslm_2020 needs it >= the "
              "kernel's eprop_update_interval (" +
              format_number(spec.kernel.eprop_update_interval) + " ms)");
}

template <class Real>
void add_synapse(const NetworkSpec& spec, std::size_t index,
                 const std::vector<ExpandedConnection>& conns, const Endpoints& e,
                 Network<Real>& net) {
  const ConnectionSpec& c = spec.connections[index];
  const NodeKind source = e.source_type.kind;
  require(source != NodeKind::recurrent, e,
          "eprop_synapse_bsshslm_2020 cannot take the event-driven model " +
              named(spec, e.source) + " as source (the two e-prop families cannot be mixed)");
  require(source == NodeKind::parrot_neuron || source == NodeKind::bsshslm_recurrent, e,
          "eprop_synapse_bsshslm_2020 needs a parrot_neuron or _bsshslm_2020 neuron as source "
          "(generators cannot be sources of plastic synapses)");
  require(!is_event_driven_eprop(e.target_type.kind), e,
          "eprop_synapse_bsshslm_2020 cannot target the event-driven model " +
              named(spec, e.target) +
              "; use eprop_synapse (the two e-prop families cannot be mixed)");
  if (const auto* rec = std::get_if<BsshslmRecurrentPopulation<Real>>(&net.populations[e.source])) {
    // NEST 3.10 has already erased the history keys such early stamps would need and aborts at
    // the synapse's first gradient (SPEC_recording R.3.4): refused up front.
    const IgnoreAndSpike& s = rec->params().ignore_and_spike;
    const Step earliest_safe = e.target_type.kind == NodeKind::bsshslm_readout ? 3 : 2;
    require(!s.enabled || s.offset_steps >= earliest_safe, e,
            "the source's ignore_and_spike_offset of " + std::to_string(s.offset_steps) +
                " step(s) gives a spike stamped before step " + std::to_string(earliest_safe) +
                ", which makes NEST 3.10 abort at this target (SPEC_recording R.3.4); use an "
                "offset of at least " + std::to_string(earliest_safe) + " steps");
  }
  require(is_bsshslm(e.target_type.kind), e,
          "eprop_synapse_bsshslm_2020 can only target eprop_iaf_bsshslm_2020, "
          "eprop_iaf_adapt_bsshslm_2020 or eprop_readout_bsshslm_2020, not " +
              named(spec, e.target));
  require(c.receptor_type == 0, e,
          "'receptor_type' = " + std::to_string(c.receptor_type) + " must be 0");
  require(c.tau_m_readout > 0 && std::isfinite(c.tau_m_readout), e,
          "'tau_m_readout' = " + format_number(c.tau_m_readout) + " ms must be > 0");
  require_one_step_delays(conns, spec.kernel.resolution, e, "eprop_synapse_bsshslm_2020");
  require_flush_after_interval(spec, e);
  const OptimizerConfig config = lower_optimizer(c.optimizer, e);
  std::vector<SynapseTriple> triples;
  triples.reserve(conns.size());
  for (const auto& x : conns) {
    if (!(x.weight >= config.Wmin && x.weight <= config.Wmax)) {
      reject_weight_out_of_range(x.weight, config, e);
    }
    triples.push_back({x.source, x.target, x.weight});
  }
  auto& target = net.populations[e.target];
  std::visit([](auto& p) { if constexpr (requires { p.keeps_history; }) p.keeps_history = true; },
             target);
  const BsshslmSynapseConstants<Real> synapse{
      static_cast<Real>(std::exp(-spec.kernel.resolution / c.tau_m_readout)),
      c.average_gradient};
  const std::size_t n_source = spec.populations[e.source].n;
  BsshslmPlasticProjection<Real> proj{e.source, e.target, index, {}, std::nullopt, {}, 0};
  for (const Range& r : net.ranges(e.target)) {
    std::vector<SynapseTriple> owned;
    for (const auto& syn : triples) {
      if (syn.target >= r.begin && syn.target < r.end) owned.push_back(syn);
    }
    proj.shards.emplace_back(n_source, std::move(owned), config, target_constants(target),
                             synapse);
  }
  net.bsshslm_projections.push_back(std::move(proj));
}

template <class Real>
BsshslmSignalProjection<Real> signal(typename BsshslmSignalProjection<Real>::Kind kind,
                                     const std::vector<ExpandedConnection>& conns,
                                     const Endpoints& e) {
  BsshslmSignalProjection<Real> proj;
  proj.kind = kind;
  proj.source = e.source;
  proj.target = e.target;
  for (const auto& c : conns) {
    proj.source_index.push_back(c.source);
    proj.target_index.push_back(c.target);
    proj.weight.push_back(static_cast<Real>(c.weight));
  }
  return proj;
}

template <class Real>
void add_learning_signal(const NetworkSpec& spec, std::size_t index,
                         const std::vector<ExpandedConnection>& conns, const Endpoints& e,
                         Network<Real>& net) {
  const std::string family_rule =
      " (the two e-prop families cannot be mixed: event-driven nodes use "
      "eprop_learning_signal_connection)";
  require(e.source_type.kind == NodeKind::bsshslm_readout, e,
          "eprop_learning_signal_connection_bsshslm_2020 needs an eprop_readout_bsshslm_2020 as "
          "source, not " + named(spec, e.source) + family_rule);
  require(e.target_type.kind == NodeKind::bsshslm_recurrent, e,
          "eprop_learning_signal_connection_bsshslm_2020 needs an eprop_iaf_bsshslm_2020 or "
          "eprop_iaf_adapt_bsshslm_2020 as target, not " + named(spec, e.target) + family_rule);
  const int receptor = spec.connections[index].receptor_type;
  require(receptor == 0, e, "'receptor_type' = " + std::to_string(receptor) + " must be 0");
  require_one_step_delays(conns, spec.kernel.resolution, e,
                          "eprop_learning_signal_connection_bsshslm_2020");
  using Kind = typename BsshslmSignalProjection<Real>::Kind;
  net.bsshslm_signal_projections.push_back(signal<Real>(Kind::learning_signal, conns, e));
}

template <class Real>
bool cross_entropy(const Network<Real>& net, std::size_t p) {
  return std::get<BsshslmReadoutPopulation<Real>>(net.populations[p]).params().cross_entropy;
}

// Receptor 2 takes the target from a step_rate_generator; receptor 1 takes the other readouts'
// unnormalised signals for the softmax, which only cross-entropy readouts send and use.
template <class Real>
void add_rate(const NetworkSpec& spec, std::size_t index,
              const std::vector<ExpandedConnection>& conns, const Endpoints& e,
              Network<Real>& net) {
  using Kind = typename BsshslmSignalProjection<Real>::Kind;
  require(e.target_type.kind == NodeKind::bsshslm_readout, e,
          "rate_connection_delayed from " + named(spec, e.source) +
              " can only target eprop_readout_bsshslm_2020, not " + named(spec, e.target));
  const int receptor = spec.connections[index].receptor_type;
  if (e.source_type.kind == NodeKind::step_rate_generator) {
    require(receptor == 2, e,
            "'receptor_type' = " + std::to_string(receptor) +
                ": a step_rate_generator drives eprop_readout_bsshslm_2020 only on receptor 2 "
                "(target_signal); receptor 1 (readout_signal) takes the other readouts' signals");
    net.bsshslm_signal_projections.push_back(signal<Real>(Kind::target, conns, e));
    return;
  }
  require(e.source_type.kind == NodeKind::bsshslm_readout, e,
          "rate_connection_delayed onto " + named(spec, e.target) +
              " needs a step_rate_generator (receptor 2) or another eprop_readout_bsshslm_2020 "
              "(receptor 1) as source, not " + named(spec, e.source));
  require(receptor == 1, e,
          "'receptor_type' = " + std::to_string(receptor) +
              ": readout -> readout signals (softmax normalisation) use receptor 1");
  require(cross_entropy(net, e.source) && cross_entropy(net, e.target), e,
          "readout -> readout normalisation signals need loss 'cross_entropy' on both readouts; " +
              named(spec, e.source) + " -> " + named(spec, e.target) +
              " has a mean_squared_error readout, which neither sends nor uses them");
  net.bsshslm_signal_projections.push_back(signal<Real>(Kind::normalization, conns, e));
}

}  // namespace

template <class Real>
bool add_bsshslm_connection(const NetworkSpec& spec, std::size_t index,
                            const std::vector<ExpandedConnection>& conns, const Endpoints& e,
                            Network<Real>& net) {
  const std::string& synapse = spec.connections[index].synapse;
  const bool bsshslm_end = is_bsshslm(e.source_type.kind) || is_bsshslm(e.target_type.kind);
  if (synapse == "eprop_synapse") {
    require(!is_bsshslm(e.target_type.kind), e,
            "eprop_synapse cannot target the _bsshslm_2020 model " + named(spec, e.target) +
                "; use eprop_synapse_bsshslm_2020 (the two e-prop families cannot be mixed)");
    require(!is_bsshslm(e.source_type.kind), e,
            "eprop_synapse cannot take the _bsshslm_2020 model " + named(spec, e.source) +
                " as source (the two e-prop families cannot be mixed)");
    return false;
  }
  if (synapse == "eprop_learning_signal_connection") {
    require(!bsshslm_end, e,
            "eprop_learning_signal_connection cannot connect " + named(spec, e.source) + " -> " +
                named(spec, e.target) + "; _bsshslm_2020 nodes use "
                "eprop_learning_signal_connection_bsshslm_2020 (the two e-prop families cannot "
                "be mixed)");
    return false;
  }
  if (synapse == "eprop_synapse_bsshslm_2020") {
    add_synapse(spec, index, conns, e, net);
  } else if (synapse == "eprop_learning_signal_connection_bsshslm_2020") {
    add_learning_signal(spec, index, conns, e, net);
  } else if (synapse == "rate_connection_delayed" && bsshslm_end) {
    add_rate(spec, index, conns, e, net);
  } else {
    return false;
  }
  return true;
}

template <class Real>
void validate_bsshslm_connections(const NetworkSpec& spec, const std::vector<NodeType>& types,
                                  const Network<Real>& net) {
  using Kind = typename BsshslmSignalProjection<Real>::Kind;
  for (std::size_t p = 0; p < types.size(); ++p) {
    if (types[p].kind != NodeKind::bsshslm_readout || !cross_entropy(net, p)) continue;
    // A single readout normalises by itself only (softmax over one class is 1, as in NEST).
    const std::size_t n = spec.populations[p].n;
    if (n < 2) continue;
    std::set<std::pair<std::size_t, std::size_t>> received;  // (target, source)
    for (const auto& proj : net.bsshslm_signal_projections) {
      if (proj.kind != Kind::normalization || proj.target != p || proj.source != p) continue;
      for (std::size_t c = 0; c < proj.weight.size(); ++c) {
        received.insert({proj.target_index[c], proj.source_index[c]});
      }
    }
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < n; ++k) {
        if (k == j || received.count({j, k}) != 0) continue;
        throw ConfigError(
            "population '" + spec.populations[p].name +
            "' (eprop_readout_bsshslm_2020, loss cross_entropy): readout " + std::to_string(j) +
            " receives no softmax normalisation signal from readout " + std::to_string(k) +
            "; connect the readouts to each other with rate_connection_delayed, rule "
            "all_to_all, allow_autapses = false, receptor_type 1");
      }
    }
  }
}

template bool add_bsshslm_connection<float>(const NetworkSpec&, std::size_t,
                                            const std::vector<ExpandedConnection>&,
                                            const Endpoints&, Network<float>&);
template bool add_bsshslm_connection<double>(const NetworkSpec&, std::size_t,
                                             const std::vector<ExpandedConnection>&,
                                             const Endpoints&, Network<double>&);
template void validate_bsshslm_connections<float>(const NetworkSpec&,
                                                  const std::vector<NodeType>&,
                                                  const Network<float>&);
template void validate_bsshslm_connections<double>(const NetworkSpec&,
                                                   const std::vector<NodeType>&,
                                                   const Network<double>&);

}  // namespace eprop
