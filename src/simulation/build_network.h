#pragma once

#include <memory>

#include "engine/network.h"
#include "eprop/spec.h"

namespace eprop {

/// Validates the whole spec and lowers it into a network of the given precision: this rank's
/// part of it when `comm` (not owned; it must outlive the network) has several ranks.
template <class Real>
std::unique_ptr<Network<Real>> build_network(const NetworkSpec& spec,
                                             Communicator* comm = nullptr);

}  // namespace eprop
