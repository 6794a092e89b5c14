#pragma once

// Expands a ConnectionSpec (NEST Connect rules) into explicit connections.

#include <cstddef>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/types.h"
#include "eprop/spec.h"

namespace eprop {

struct ExpandedConnection {
  LocalIndex source;
  LocalIndex target;
  double weight;
  double delay_ms;
};

/// `where` names the connection in error messages; `same_population` decides autapses.
/// Random rules draw from rng with the connection index as stream, so adding a connection never
/// changes the draws of another.
std::vector<ExpandedConnection> expand_connection(const ConnectionSpec& spec, std::size_t index,
                                                  std::size_t n_source, std::size_t n_target,
                                                  bool same_population, const CounterRandom& rng,
                                                  const std::string& where);

}  // namespace eprop
