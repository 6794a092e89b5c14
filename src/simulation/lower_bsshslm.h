#pragma once

// Validation and lowering of the `_bsshslm_2020` family (SPEC 7): kernel settings, the two
// recurrent models and the readout, and every connection that involves the family or would mix
// it with the event-driven family.

#include <cstddef>
#include <vector>

#include "engine/network.h"
#include "eprop/spec.h"
#include "simulation/connection_checks.h"
#include "simulation/lower_populations.h"

namespace eprop {

/// Validates eprop_update_interval, eprop_learning_window (SPEC 7.1) and converts them to steps.
BsshslmTiming lower_bsshslm_timing(const KernelSpec& kernel);

/// Lowers a population of kind bsshslm_recurrent or bsshslm_readout.
template <class Real>
Population<Real> lower_bsshslm_population(const PopulationSpec& spec, const NodeType& type,
                                          const KernelSpec& kernel);

/// Adds connection `index` if it belongs to the bsshslm family (eprop_synapse_bsshslm_2020,
/// eprop_learning_signal_connection_bsshslm_2020, rate_connection_delayed onto a bsshslm readout)
/// and throws ConfigError if it mixes the families. Returns false for every other connection.
template <class Real>
bool add_bsshslm_connection(const NetworkSpec& spec, std::size_t index,
                            const std::vector<ExpandedConnection>& conns, const Endpoints& e,
                            Network<Real>& net);

/// Checks that need all connections: every cross-entropy readout of a population with more than
/// one neuron receives the softmax normalisation of all others (SPEC 7.3).
template <class Real>
void validate_bsshslm_connections(const NetworkSpec& spec, const std::vector<NodeType>& types,
                                  const Network<Real>& net);

}  // namespace eprop
