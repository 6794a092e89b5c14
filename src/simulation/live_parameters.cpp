#include "simulation/live_parameters.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <variant>

#include "eprop/error.h"
#include "simulation/build_projections.h"
#include "simulation/lower_populations.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

std::string where(const PopulationSpec& spec) {
  return "population '" + spec.name + "' (" + spec.model + ")";
}

// Parameters NEST lets a user change whose values other parts of the built network read
// (checks of the connections at the build, history pruning): refused rather than half applied.
const char* fixed_after_build(std::string_view name) {
  if (name == "eprop_isi_trace_cutoff") return "the e-prop history bookkeeping is built on it";
  if (name == "flush_event_send_interval" || name.starts_with("ignore_and_spike")) {
    return "the connections were checked against it";
  }
  if (name == "loss") return "the softmax connections between the readouts were built for it";
  return nullptr;
}

bool varies_per_neuron(const PopulationSpec& spec, const std::string& name) {
  const auto type = node_type(spec.model);
  return name == "tau_m" && type &&
         (type->kind == NodeKind::recurrent || type->kind == NodeKind::bsshslm_recurrent);
}

double number_of(const PopulationSpec& spec, const std::string& name, const ParamValue& value) {
  if (const auto* x = std::get_if<double>(&value)) return *x;
  throw ConfigError(where(spec) + ": '" + name + "' must be a number");
}

void check_selection(const PopulationSpec& spec, std::size_t first, std::size_t count,
                     const std::string& name, std::size_t n_values) {
  if (count == 0 || first > spec.n || count > spec.n - first) {
    throw ConfigError(where(spec) + ": '" + name + "' set on neurons " + std::to_string(first) +
                      " .. " + std::to_string(first + count) + " (exclusive) of " +
                      std::to_string(spec.n));
  }
  if (n_values != 1 && n_values != count) {
    throw ConfigError(where(spec) + ": '" + name + "' given " + std::to_string(n_values) +
                      " values for " + std::to_string(count) + " neurons");
  }
}

// Whether the synapses that hold the target's propagators see the same ones in both.
template <class Real>
bool same(const EpropTargetConstants<Real>& a, const EpropTargetConstants<Real>& b) {
  return a.alpha == b.alpha && a.alpha_per_target == b.alpha_per_target && a.kappa == b.kappa &&
         a.kappa_reg == b.kappa_reg && a.rho == b.rho && a.adapt_beta == b.adapt_beta &&
         a.cutoff_steps == b.cutoff_steps;
}

template <class Real>
bool same_bsshslm_constants(const Population<Real>& a, const Population<Real>& b) {
  if (const auto* r = std::get_if<BsshslmReadoutPopulation<Real>>(&a)) {
    const auto& s = std::get<BsshslmReadoutPopulation<Real>>(b).params();
    return r->params().kappa_out == s.kappa_out && r->params().P_z == s.P_z;
  }
  const auto& p = std::get<BsshslmRecurrentPopulation<Real>>(a).params();
  const auto& q = std::get<BsshslmRecurrentPopulation<Real>>(b).params();
  return p.alpha == q.alpha && p.P_z == q.P_z && p.alpha_per_neuron == q.alpha_per_neuron &&
         p.P_z_per_neuron == q.P_z_per_neuron && p.rho == q.rho && p.adapt_beta == q.adapt_beta;
}

// The new constants of each event-driven e-prop projection onto population p (in the order of
// net.plastic_projections, those onto other populations left empty), or ConfigError when they
// cannot change live.
template <class Real>
std::vector<std::optional<EpropTargetConstants<Real>>> new_target_constants(
    const Network<Real>& net, std::size_t p, const Population<Real>& fresh, std::size_t n,
    const std::string& prefix, std::optional<bool> per_synapse) {
  std::vector<std::optional<EpropTargetConstants<Real>>> out(net.plastic_projections.size());
  for (std::size_t k = 0; k < out.size(); ++k) {
    const PlasticProjection<Real>& proj = net.plastic_projections[k];
    if (proj.target != p || proj.shards.empty()) continue;
    const EpropTargetConstants<Real>& old = proj.shards.front().target_constants();
    EpropTargetConstants<Real> c = target_constants(fresh);
    // Once per synapse, a trace stays per synapse: equal alphas give the same numbers.
    if (per_synapse.value_or(old.alpha_varies()) && !c.alpha_varies()) {
      c.alpha_per_target.assign(n, c.alpha);
    }
    if (c.regularised != old.regularised) {
      throw ConfigError(prefix + ": c_reg cannot change between 0 and non-zero after the build "
                                 "(the e-prop synapses onto the population keep the "
                                 "regularisation trace only when c_reg != 0)");
    }
    const bool closed_form = std::any_of(proj.shards.begin(), proj.shards.end(),
                                         [](const auto& s) { return s.uses_closed_form(); });
    if (closed_form && !same(old, c)) {
      throw ConfigError(prefix + " cannot change after the build while the e-prop synapses onto "
                                 "the population integrate in closed form (their tables hold its "
                                 "propagators); set the kernel's eligibility_integration to "
                                 "\"stepwise\"");
    }
    out[k] = std::move(c);
  }
  return out;
}

template <class Pop>
bool is_adaptive_population(const Pop& pop) {
  if constexpr (requires { pop.params().adaptive; }) {
    return pop.params().adaptive;
  } else {
    return is_adaptive(pop.params().model);
  }
}

}  // namespace

bool is_neuron_state(const std::string& name) { return name == "V_m" || name == "adaptation"; }

PopulationSpec changed_population(const PopulationSpec& spec, std::size_t first, std::size_t count,
                                  const std::string& name, const std::vector<ParamValue>& values) {
  check_selection(spec, first, count, name, values.size());
  if (const char* why = fixed_after_build(name)) {
    throw ConfigError(where(spec) + ": '" + name + "' cannot change after the build (" + why +
                      ")");
  }
  PopulationSpec out = spec;
  const bool uniform = std::all_of(values.begin(), values.end(),
                                   [&](const ParamValue& v) { return v == values.front(); });
  if (uniform && first == 0 && count == spec.n) {
    out.params[name] = values.front();
    out.neuron_params.erase(name);
    return out;
  }
  if (!varies_per_neuron(spec, name)) {
    throw ConfigError(where(spec) + ": '" + name + "' takes one value for all " +
                      std::to_string(spec.n) + " neurons of the population after the build (only "
                      "tau_m of the recurrent models may differ between neurons)");
  }
  std::vector<double>& array = out.neuron_params[name];
  if (array.empty()) {
    const auto it = spec.params.find(name);
    constexpr double kDefaultTauM = 10.0;  // NEST's default of every recurrent model (SPEC 3.1, 7.2)
    const double common = it == spec.params.end() ? kDefaultTauM : number_of(spec, name, it->second);
    array.assign(spec.n, common);
  }
  for (std::size_t k = 0; k < count; ++k) {
    array[first + k] = number_of(spec, name, values[values.size() == 1 ? 0 : k]);
  }
  return out;
}

template <class Real>
void install_parameters(Network<Real>& net, std::size_t p, const PopulationSpec& replacement,
                        const KernelSpec& kernel, const std::string& what,
                        std::optional<bool> per_synapse_traces) {
  const std::string prefix = where(replacement) + ": " + what;
  Population<Real> fresh = lower_population<Real>(replacement, kernel);
  const auto constants =
      new_target_constants(net, p, fresh, replacement.n, prefix, per_synapse_traces);
  for (const auto& proj : net.bsshslm_projections) {
    if (proj.target == p && !same_bsshslm_constants(net.populations[p], fresh)) {
      throw ConfigError(prefix + " cannot change after the build while "
                                 "eprop_synapse_bsshslm_2020 connections target the population "
                                 "(their traces hold its propagators: tau_m, C_m, adapt_*, "
                                 "regular_spike_arrival)");
    }
  }
  std::visit(
      [&](auto& live) {
        using Pop = std::decay_t<decltype(live)>;
        if constexpr (requires { live.set_params(live.params()); }) {
          live.set_params(std::get<Pop>(fresh).params());
        } else {
          throw ConfigError(prefix + ": the parameters of this model cannot change after the "
                                     "build");
        }
      },
      net.populations[p]);
  for (std::size_t k = 0; k < constants.size(); ++k) {
    if (!constants[k]) continue;
    for (auto& shard : net.plastic_projections[k].shards) shard.set_target_constants(*constants[k]);
  }
}

template <class Real>
void set_neuron_state(Network<Real>& net, std::size_t p, const PopulationSpec& spec,
                      std::size_t first, std::size_t count, const std::string& name,
                      const std::vector<ParamValue>& values) {
  check_selection(spec, first, count, name, values.size());
  std::vector<Real> x;
  for (const ParamValue& v : values) x.push_back(static_cast<Real>(number_of(spec, name, v)));
  std::visit(
      [&](auto& pop) {
        const auto value = [&](std::size_t k) { return x[x.size() == 1 ? 0 : k]; };
        if constexpr (requires { pop.set_V_m(0, Real{}); }) {
          if (name == "V_m") {
            for (std::size_t k = 0; k < count; ++k) pop.set_V_m(first + k, value(k));
            return;
          }
        }
        if constexpr (requires { pop.set_adaptation(0, Real{}); }) {
          if (name == "adaptation" && is_adaptive_population(pop)) {
            for (std::size_t k = 0; k < count; ++k) pop.set_adaptation(first + k, value(k));
            return;
          }
        }
        throw ConfigError(where(spec) + " has no state '" + name + "' to set");
      },
      net.populations[p]);
}

SavedParameters saved_parameters(std::size_t p, const PopulationSpec& spec) {
  SavedParameters s;
  s.population = p;
  for (const auto& [name, value] : spec.params) {
    s.names.push_back(name);
    s.kinds.push_back(static_cast<std::uint8_t>(value.index()));
    if (const auto* x = std::get_if<double>(&value)) s.numbers.push_back(*x);
    if (const auto* b = std::get_if<bool>(&value)) s.numbers.push_back(*b ? 1.0 : 0.0);
    if (const auto* t = std::get_if<std::string>(&value)) s.texts.push_back(*t);
  }
  for (const auto& [name, values] : spec.neuron_params) {
    s.array_names.push_back(name);
    s.arrays.push_back(values);
  }
  return s;
}

PopulationSpec with_parameters(const PopulationSpec& spec, const SavedParameters& saved) {
  const std::size_t n_numbers = static_cast<std::size_t>(
      std::count_if(saved.kinds.begin(), saved.kinds.end(), [](auto k) { return k < 2; }));
  if (saved.kinds.size() != saved.names.size() || saved.numbers.size() != n_numbers ||
      saved.texts.size() != saved.names.size() - n_numbers ||
      saved.arrays.size() != saved.array_names.size() ||
      std::any_of(saved.kinds.begin(), saved.kinds.end(), [](auto k) { return k > 2; })) {
    throw DataError("the saved state's parameters of " + where(spec) + " are corrupt");
  }
  PopulationSpec out = spec;
  out.params.clear();
  out.neuron_params.clear();
  std::size_t number = 0, text = 0;
  for (std::size_t k = 0; k < saved.names.size(); ++k) {
    switch (saved.kinds[k]) {
      case 0: out.params[saved.names[k]] = saved.numbers[number++]; break;
      case 1: out.params[saved.names[k]] = saved.numbers[number++] != 0.0; break;
      default: out.params[saved.names[k]] = saved.texts[text++]; break;
    }
  }
  for (std::size_t k = 0; k < saved.array_names.size(); ++k) {
    out.neuron_params[saved.array_names[k]] = saved.arrays[k];
  }
  return out;
}

template <class Real>
bool per_synapse_traces(const Network<Real>& net, std::size_t p) {
  return std::any_of(net.plastic_projections.begin(), net.plastic_projections.end(),
                     [p](const PlasticProjection<Real>& proj) {
                       return proj.target == p && !proj.shards.empty() &&
                              proj.shards.front().target_constants().alpha_varies();
                     });
}

template void install_parameters(Network<float>&, std::size_t, const PopulationSpec&,
                                 const KernelSpec&, const std::string&, std::optional<bool>);
template void install_parameters(Network<double>&, std::size_t, const PopulationSpec&,
                                 const KernelSpec&, const std::string&, std::optional<bool>);
template bool per_synapse_traces(const Network<float>&, std::size_t);
template bool per_synapse_traces(const Network<double>&, std::size_t);
template void set_neuron_state(Network<float>&, std::size_t, const PopulationSpec&, std::size_t,
                               std::size_t, const std::string&, const std::vector<ParamValue>&);
template void set_neuron_state(Network<double>&, std::size_t, const PopulationSpec&, std::size_t,
                               std::size_t, const std::string&, const std::vector<ParamValue>&);

}  // namespace eprop
