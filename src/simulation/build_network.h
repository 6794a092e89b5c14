#pragma once

#include <memory>

#include "engine/network.h"
#include "eprop/spec.h"

namespace eprop {

/// Validates the whole spec and lowers it into a network of the given precision.
template <class Real>
std::unique_ptr<Network<Real>> build_network(const NetworkSpec& spec);

}  // namespace eprop
