#include "simulation/lower_populations.h"

#include <cfloat>
#include <cmath>
#include <limits>

#include "simulation/lower_bsshslm.h"
#include "simulation/param_reader.h"

namespace eprop {

std::optional<NodeType> node_type(std::string_view model) {
  if (model == "spike_generator") return NodeType{NodeKind::spike_generator};
  if (model == "parrot_neuron") return NodeType{NodeKind::parrot_neuron};
  if (model == "step_rate_generator") return NodeType{NodeKind::step_rate_generator};
  if (model == "eprop_readout") return NodeType{NodeKind::readout};
  if (model == "eprop_iaf") return NodeType{NodeKind::recurrent, RecurrentModel::iaf};
  if (model == "eprop_iaf_adapt") return NodeType{NodeKind::recurrent, RecurrentModel::iaf_adapt};
  if (model == "eprop_iaf_psc_delta") {
    return NodeType{NodeKind::recurrent, RecurrentModel::psc_delta};
  }
  if (model == "eprop_iaf_psc_delta_adapt") {
    return NodeType{NodeKind::recurrent, RecurrentModel::psc_delta_adapt};
  }
  if (model == "eprop_iaf_bsshslm_2020") {
    return NodeType{NodeKind::bsshslm_recurrent, RecurrentModel::iaf};
  }
  if (model == "eprop_iaf_adapt_bsshslm_2020") {
    return NodeType{NodeKind::bsshslm_recurrent, RecurrentModel::iaf_adapt};
  }
  if (model == "eprop_readout_bsshslm_2020") return NodeType{NodeKind::bsshslm_readout};
  if (model == "ignore_and_fire") return NodeType{NodeKind::ignore_and_fire};
  if (model == "iaf_psc_delta") return NodeType{NodeKind::iaf_psc_delta};
  if (model == "poisson_generator") return NodeType{NodeKind::poisson_generator};
  return std::nullopt;
}

Step to_steps(double ms, double dt) {
  // Times beyond the representable range mean "never", as infinity does.
  const double steps = ms / dt;
  if (std::isnan(steps)) return 0;  // parameter checks reject NaN with a message
  if (std::abs(steps) >= static_cast<double>(kNeverSteps)) {
    return steps > 0 ? kNeverSteps : -kNeverSteps;
  }
  // NEST: ms -> tics (1 us, half up) -> whole steps rounded up (SPEC_recording R.0).
  const double tics = std::floor(ms * 1000.0 + 0.5);
  const double step_tics = std::round(dt * 1000.0);
  return static_cast<Step>(std::ceil(tics / step_tics));
}

IgnoreAndSpike read_ignore_and_spike(ParamReader& r, double dt) {
  IgnoreAndSpike s;
  s.enabled = r.flag("ignore_and_spike", false);
  const double offset = positive(r, "ignore_and_spike_offset", 1.0);
  const double interval = positive(r, "ignore_and_spike_interval", 100.0);
  s.offset_steps = to_steps(offset, dt);
  s.interval_steps = to_steps(interval, dt);
  r.require(s.offset_steps >= 1, "ignore_and_spike_offset", offset, "must be at least 1 us");
  r.require(s.interval_steps >= 1, "ignore_and_spike_interval", interval,
            "must be at least 1 us");
  return s;
}

namespace {

// The propagators of neurons with their own tau_m, computed as for the common one.
template <class Real>
void set_tau_m_per_neuron(ParamReader& r, double tau_m_common, double C_m, double dt,
                          RecurrentParams<Real>& p) {
  const std::vector<double> tau_m =
      r.per_neuron("tau_m", tau_m_common, [](double x) { return x > 0.0; }, "must be > 0");
  for (const double tau : tau_m) {
    p.alpha_per_neuron.push_back(static_cast<Real>(std::exp(-dt / tau)));
    p.P_i_per_neuron.push_back(static_cast<Real>(tau / C_m * (1.0 - std::exp(-dt / tau))));
    p.dt_over_tau_m_per_neuron.push_back(static_cast<Real>(dt / tau));
  }
}

template <class Real>
Population<Real> lower_recurrent(const PopulationSpec& spec, RecurrentModel model, double dt) {
  ParamReader r(spec);
  const bool psc_delta = model == RecurrentModel::psc_delta ||
                         model == RecurrentModel::psc_delta_adapt;
  RecurrentParams<Real> p;
  p.model = model;
  const double C_m = positive(r, "C_m", 250.0);
  const double E_L = r.number("E_L", -70.0);
  const double tau_m = positive(r, "tau_m", 10.0);
  const double t_ref = non_negative(r, "t_ref", 2.0);
  const double V_min = r.number("V_min", -DBL_MAX);
  const double V_th = r.number("V_th", -55.0);
  r.require(V_th >= V_min, "V_th", V_th, "must be >= V_min (" + format_number(V_min) + ")");
  p.E_L = static_cast<Real>(E_L);
  p.I_e = static_cast<Real>(r.number("I_e", 0.0));
  p.V_th = static_cast<Real>(V_th - E_L);
  p.V_min = internal_voltage<Real>(V_min, E_L);
  p.alpha = static_cast<Real>(std::exp(-dt / tau_m));
  p.P_i = static_cast<Real>(tau_m / C_m * (1.0 - std::exp(-dt / tau_m)));
  p.refractory_steps = to_steps(t_ref, dt);
  p.dt_over_tau_m = static_cast<Real>(dt / tau_m);
  if (spec.neuron_params.contains("tau_m")) set_tau_m_per_neuron(r, tau_m, C_m, dt, p);
  p.dt = static_cast<Real>(dt);
  if (psc_delta) {
    const double V_reset = r.number("V_reset", -70.0);
    r.require(V_reset < V_th, "V_reset", V_reset, "must be < V_th (" + format_number(V_th) + ")");
    r.require(V_reset >= V_min, "V_reset", V_reset, "must be >= V_min");
    p.V_reset = static_cast<Real>(V_reset - E_L);
    p.refractory_input = r.flag("refractory_input", false);
  }
  if (is_adaptive(model)) {
    p.adapt_beta = static_cast<Real>(non_negative(r, "adapt_beta", 1.0));
    p.rho = static_cast<Real>(std::exp(-dt / positive(r, "adapt_tau", 10.0)));
  }
  const std::string surrogate_text = r.text("surrogate_gradient_function", "piecewise_linear");
  const auto kind = parse_surrogate(surrogate_text);
  r.require_text(kind.has_value(), "surrogate_gradient_function", surrogate_text,
                 "is not one of piecewise_linear, exponential, fast_sigmoid_derivative, "
                 "arctan_derivative");
  p.surrogate = *kind;
  p.surrogate_height = static_cast<Real>(positive(r, "surrogate_gradient_height", 0.3));
  p.surrogate_width = static_cast<Real>(positive(r, "surrogate_gradient_width", 1.0));
  p.kappa = static_cast<Real>(unit_interval(r, "kappa", 0.97));
  p.kappa_reg = static_cast<Real>(unit_interval(r, "kappa_reg", 0.97));
  p.c_reg = static_cast<Real>(non_negative(r, "c_reg", 0.0));
  p.f_target = static_cast<Real>(non_negative(r, "f_target", 10.0) / 1000.0);
  p.cutoff_steps = to_steps(non_negative(r, "eprop_isi_trace_cutoff", INFINITY), dt);
  p.flush_interval_steps = to_steps(positive(r, "flush_event_send_interval", INFINITY), dt);
  p.ignore_and_spike = read_ignore_and_spike(r, dt);
  const double V_m = initial_V_m(r, -70.0);
  const double adaptation = is_adaptive(model) ? r.number("adaptation", 0.0) : 0.0;
  r.finish();
  return RecurrentPopulation<Real>(spec.name, spec.n, p, static_cast<Real>(V_m),
                                   static_cast<Real>(adaptation));
}

template <class Real>
Population<Real> lower_readout(const PopulationSpec& spec, double dt) {
  ParamReader r(spec);
  ReadoutParams<Real> p;
  const double C_m = positive(r, "C_m", 250.0);
  const double E_L = r.number("E_L", 0.0);
  const double tau_m = positive(r, "tau_m", 10.0);
  p.E_L = static_cast<Real>(E_L);
  p.I_e = static_cast<Real>(r.number("I_e", 0.0));
  p.V_min = internal_voltage<Real>(r.number("V_min", -DBL_MAX), E_L);
  p.kappa_out = static_cast<Real>(std::exp(-dt / tau_m));
  p.P_i = static_cast<Real>(tau_m / C_m * (1.0 - std::exp(-dt / tau_m)));
  p.cutoff_steps = to_steps(non_negative(r, "eprop_isi_trace_cutoff", INFINITY), dt);
  const double V_m = initial_V_m(r, 0.0);
  r.finish();
  return ReadoutPopulation<Real>(spec.name, spec.n, p, static_cast<Real>(V_m));
}

}  // namespace

template <class Real>
Population<Real> lower_population(const PopulationSpec& spec, const KernelSpec& kernel) {
  const double dt = kernel.resolution;
  const auto type = node_type(spec.model);
  if (!type) {
    throw ConfigError("population '" + spec.name + "': unknown model '" + spec.model + "'");
  }
  switch (type->kind) {
    case NodeKind::recurrent: return lower_recurrent<Real>(spec, type->recurrent_model, dt);
    case NodeKind::readout: return lower_readout<Real>(spec, dt);
    case NodeKind::bsshslm_recurrent:
    case NodeKind::bsshslm_readout: return lower_bsshslm_population<Real>(spec, *type, kernel);
    case NodeKind::ignore_and_fire:
    case NodeKind::iaf_psc_delta:
    case NodeKind::poisson_generator: return lower_benchmark_model<Real>(spec, type->kind, kernel);
    default: break;
  }
  return lower_device<Real>(spec, type->kind, dt);
}

template Population<float> lower_population<float>(const PopulationSpec&, const KernelSpec&);
template Population<double> lower_population<double>(const PopulationSpec&, const KernelSpec&);

}  // namespace eprop
