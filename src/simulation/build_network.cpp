#include "simulation/build_network.h"

#include <cmath>
#include <set>

#include "eprop/error.h"
#include "simulation/build_projections.h"
#include "simulation/lower_bsshslm.h"
#include "simulation/lower_populations.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

void validate_kernel(const KernelSpec& k) {
  if (!(k.resolution > 0.0) || !std::isfinite(k.resolution)) {
    throw ConfigError("kernel: 'resolution' = " + format_number(k.resolution) +
                      " must be a positive number of ms");
  }
  if (k.threads < 1 || k.threads > 1024) {
    throw ConfigError("kernel: 'threads' = " + std::to_string(k.threads) +
                      " must be between 1 and 1024");
  }
  lower_bsshslm_timing(k);  // NEST checks these settings whatever models are used
}

std::vector<NodeType> validate_populations(const NetworkSpec& spec) {
  std::set<std::string> names;
  std::vector<NodeType> types;
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    const auto& pop = spec.populations[p];
    const std::string where = "population #" + std::to_string(p) + " '" + pop.name + "'";
    if (pop.name.empty()) throw ConfigError(where + ": 'name' must not be empty");
    if (!names.insert(pop.name).second) {
      throw ConfigError(where + ": duplicate population name '" + pop.name + "'");
    }
    if (pop.n == 0) throw ConfigError(where + ": 'n' = 0 must be a positive integer");
    const auto type = node_type(pop.model);
    if (!type) {
      throw ConfigError(where + ": unknown model '" + pop.model +
                        "' (known: spike_generator, parrot_neuron, step_rate_generator, "
                        "eprop_iaf, eprop_iaf_adapt, eprop_iaf_psc_delta, "
                        "eprop_iaf_psc_delta_adapt, eprop_readout, eprop_iaf_bsshslm_2020, "
                        "eprop_iaf_adapt_bsshslm_2020, eprop_readout_bsshslm_2020, "
                        "ignore_and_fire, iaf_psc_delta, poisson_generator)");
    }
    types.push_back(*type);
  }
  return types;
}

}  // namespace

template <class Real>
std::unique_ptr<Network<Real>> build_network(const NetworkSpec& spec, Communicator* comm) {
  validate_kernel(spec.kernel);
  const double dt = spec.kernel.resolution;
  const auto types = validate_populations(spec);
  auto net = std::make_unique<Network<Real>>(static_cast<Real>(dt), spec.kernel.threads, comm);
  net->set_seed(spec.kernel.seed);
  net->set_closed_form_integration(spec.kernel.eligibility_integration ==
                                   EligibilityIntegration::closed_form);
  for (const auto& pop : spec.populations) {
    net->populations.push_back(lower_population<Real>(pop, spec.kernel));
  }
  net->finalize_populations();
  add_projections(spec, types, *net);
  add_recorders(spec, types, *net);
  net->prepare_integration();
  return net;
}

template std::unique_ptr<Network<float>> build_network<float>(const NetworkSpec&, Communicator*);
template std::unique_ptr<Network<double>> build_network<double>(const NetworkSpec&,
                                                                Communicator*);

}  // namespace eprop
