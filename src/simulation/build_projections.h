#pragma once

#include <vector>

#include "engine/network.h"
#include "eprop/spec.h"
#include "simulation/lower_populations.h"

namespace eprop {

/// Validates every connection (models at both ends, delays, receptors, optimizer, weights) and
/// adds the projections to net. types[p] is the node type of spec.populations[p].
template <class Real>
void add_projections(const NetworkSpec& spec, const std::vector<NodeType>& types,
                     Network<Real>& net);

/// The parameters of an e-prop target population (eprop_iaf*, eprop_readout) that its
/// incoming eprop_synapse connections use.
template <class Real>
EpropTargetConstants<Real> target_constants(const Population<Real>& target);

/// Validates the recorders and adds them to net.
template <class Real>
void add_recorders(const NetworkSpec& spec, const std::vector<NodeType>& types, Network<Real>& net);

}  // namespace eprop
