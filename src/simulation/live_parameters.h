#pragma once

// Neuron parameters and state set on a running network (NEST's SetStatus between Simulate
// calls; Simulation::set_neuron_parameters). A change is made on the population's spec, lowered
// and validated as at construction, and the lowered parameters replace the population's: the
// state is kept, and the e-prop synapses onto the population use the new propagators from their
// next gradient on, as NEST's synapses read their target's current parameters.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/network.h"
#include "eprop/spec.h"

namespace eprop {

/// The spec of population `spec` with parameter `name` of neurons first .. first + count - 1
/// set to values[k] (or values[0] for all). Only tau_m of the recurrent models may then vary per
/// neuron (it becomes a per-neuron array); other parameters take one value for the whole
/// population. Throws ConfigError naming the parameter for what cannot change live.
PopulationSpec changed_population(const PopulationSpec& spec, std::size_t first, std::size_t count,
                                  const std::string& name, const std::vector<ParamValue>& values);

/// Whether `name` is a state variable (V_m, adaptation) rather than a parameter.
[[nodiscard]] bool is_neuron_state(const std::string& name);

/// Lowers `replacement` (population p's spec after a change) and installs its parameters into
/// the population and the e-prop synapses onto it. Throws ConfigError, changing nothing, when
/// the values are out of range or the synapses onto the population cannot take the change
/// (`what`, e.g. "'tau_m'", names the change in the message).
/// `per_synapse_traces`, when given, says whether the e-prop synapses onto the population keep
/// a presynaptic trace per synapse (as a saved state has them); else they keep one once they
/// had one (a tau_m that varied per neuron leaves traces that differ per synapse).
template <class Real>
void install_parameters(Network<Real>& net, std::size_t p, const PopulationSpec& replacement,
                        const KernelSpec& kernel, const std::string& what,
                        std::optional<bool> per_synapse_traces = std::nullopt);

/// Whether the e-prop synapses onto population p keep a presynaptic trace per synapse.
template <class Real>
bool per_synapse_traces(const Network<Real>& net, std::size_t p);

/// Sets state variable `name` (V_m in mV, absolute; adaptation) of neurons first .. first +
/// count - 1 of population p (whose spec is `spec`) to values[k] (or values[0] for all).
template <class Real>
void set_neuron_state(Network<Real>& net, std::size_t p, const PopulationSpec& spec,
                      std::size_t first, std::size_t count, const std::string& name,
                      const std::vector<ParamValue>& values);

/// A population's parameters as a checkpoint carries them (after live changes).
struct SavedParameters {
  std::uint64_t population = 0;
  std::vector<std::string> names;
  std::vector<std::uint8_t> kinds;  ///< 0: number, 1: flag, 2: text
  std::vector<double> numbers;      ///< numbers and flags (0/1), in the order of names
  std::vector<std::string> texts;   ///< texts, in the order of names
  std::vector<std::string> array_names;  ///< per-neuron parameters
  std::vector<std::vector<double>> arrays;
  std::uint8_t per_synapse_traces = 0;  ///< see install_parameters

  template <class Archive>
  void state(Archive& ar) {
    ar(population, names, kinds, numbers, texts, array_names, arrays, per_synapse_traces);
  }
};

SavedParameters saved_parameters(std::size_t p, const PopulationSpec& spec);
/// `spec` with the parameters of `saved` (the saved population's whole parameter set).
PopulationSpec with_parameters(const PopulationSpec& spec, const SavedParameters& saved);

}  // namespace eprop
