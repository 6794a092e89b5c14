#pragma once

// Validation and lowering of population specs into engine populations.

#include <optional>
#include <string_view>

#include "engine/network.h"
#include "eprop/spec.h"

namespace eprop {

enum class NodeKind {
  spike_generator,
  parrot_neuron,
  step_rate_generator,
  recurrent,          ///< event-driven eprop_iaf*
  readout,            ///< eprop_readout
  bsshslm_recurrent,  ///< eprop_iaf_bsshslm_2020, eprop_iaf_adapt_bsshslm_2020
  bsshslm_readout,    ///< eprop_readout_bsshslm_2020
  ignore_and_fire,    ///< benchmark models (lower_benchmark.cpp)
  iaf_psc_delta,
  poisson_generator,
};

struct NodeType {
  NodeKind kind;
  /// recurrent: the model; bsshslm_recurrent: iaf or iaf_adapt.
  RecurrentModel recurrent_model = RecurrentModel::iaf;
};

/// Recognised NEST model names; nullopt for anything else.
std::optional<NodeType> node_type(std::string_view model);

/// ms -> steps as NEST converts them (to the microsecond grid, then up to whole steps);
/// +inf -> kNeverSteps.
Step to_steps(double ms, double dt);

class ParamReader;
/// ignore_and_spike, ignore_and_spike_offset, ignore_and_spike_interval (SPEC_recording R.9).
IgnoreAndSpike read_ignore_and_spike(ParamReader& r, double dt);

/// Validates spec (all parameters, names, shapes) and builds the population.
template <class Real>
Population<Real> lower_population(const PopulationSpec& spec, const KernelSpec& kernel);

/// ignore_and_fire, iaf_psc_delta and poisson_generator.
template <class Real>
Population<Real> lower_benchmark_model(const PopulationSpec& spec, NodeKind kind,
                                       const KernelSpec& kernel);

/// The device part of lower_population (generators and parrots).
template <class Real>
Population<Real> lower_device(const PopulationSpec& spec, NodeKind kind, double dt);

}  // namespace eprop
