#pragma once

#include <cstddef>

#include "engine/network.h"
#include "eprop/spec.h"
#include "simulation/connect.h"
#include "simulation/connection_checks.h"

namespace eprop {

/// Validates an stdp_synapse connection (endpoints, delays, parameters, weights against Wmax)
/// and adds it to net; enables the target's spike archive.
template <class Real>
void add_stdp(const ConnectionSpec& spec, std::size_t index, const ConnectionSet& set,
              const Endpoints& e, double dt, Network<Real>& net);

}  // namespace eprop
