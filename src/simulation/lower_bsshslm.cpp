#include "simulation/lower_bsshslm.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "eprop/error.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

Step kernel_steps(double ms, double dt, const char* name) {
  const double steps = ms / dt;
  if (!(steps >= 1.0 - 1e-9) || !(steps <= kMaxInputSteps) ||
      std::abs(steps - std::round(steps)) > 1e-9 * steps) {
    throw ConfigError(std::string("kernel: '") + name + "' = " + format_number(ms) +
                      " ms must be a positive multiple of the resolution (" + format_number(dt) +
                      " ms) of at most " + format_number(kMaxInputSteps) + " steps");
  }
  return static_cast<Step>(std::llround(steps));
}

// Parameters both recurrent models share with the readout: membrane and spike-input factors.
struct Membrane {
  double C_m, E_L, tau_m, alpha;
  bool regular_spike_arrival;
};

Membrane read_membrane(ParamReader& r, double E_L_default, double dt) {
  Membrane m{};
  m.C_m = positive(r, "C_m", 250.0);
  m.E_L = r.number("E_L", E_L_default);
  m.tau_m = positive(r, "tau_m", 10.0);
  m.alpha = std::exp(-dt / m.tau_m);
  m.regular_spike_arrival = r.flag("regular_spike_arrival", true);
  return m;
}

void read_surrogate(ParamReader& r, BsshslmRecurrentParams<double>& p) {
  const std::string text = r.text("surrogate_gradient_function", "piecewise_linear");
  const auto kind = parse_surrogate(text);
  r.require_text(kind.has_value(), "surrogate_gradient_function", text,
                 "is not one of piecewise_linear, exponential, fast_sigmoid_derivative, "
                 "arctan_derivative");
  p.surrogate = *kind;
  p.surrogate_height = positive(r, "surrogate_gradient_height", 0.3);
  p.surrogate_width = positive(r, "surrogate_gradient_width", 1.0);
}

// Everything a flush event or ignore-and-spike needs.
void read_event_mechanisms(ParamReader& r, BsshslmRecurrentParams<double>& p, double dt) {
  const double flush = positive(r, "flush_event_send_interval", INFINITY);
  const double T_ms = static_cast<double>(p.timing.update_interval) * dt;
  r.require(flush >= T_ms, "flush_event_send_interval", flush,
            "must be >= the kernel's eprop_update_interval (" + format_number(T_ms) + " ms)");
  p.flush_interval_steps = to_steps(flush, dt);
  p.ignore_and_spike = read_ignore_and_spike(r, dt);
}

// The propagators of neurons with their own tau_m, computed as for the common one.
void set_tau_m_per_neuron(ParamReader& r, const Membrane& m, double dt,
                          BsshslmRecurrentParams<double>& p) {
  const std::vector<double> tau_m =
      r.per_neuron("tau_m", m.tau_m, [](double x) { return x > 0.0; }, "must be > 0");
  for (const double tau : tau_m) {
    const double alpha = std::exp(-dt / tau);
    p.alpha_per_neuron.push_back(alpha);
    p.P_i_per_neuron.push_back(tau / m.C_m * (1.0 - alpha));
    p.P_z_per_neuron.push_back(m.regular_spike_arrival ? 1.0 : 1.0 - alpha);
  }
}

template <class Real>
BsshslmRecurrentParams<Real> narrow(const BsshslmRecurrentParams<double>& d) {
  BsshslmRecurrentParams<Real> p;
  p.adaptive = d.adaptive;
  p.E_L = static_cast<Real>(d.E_L);
  p.I_e = static_cast<Real>(d.I_e);
  p.V_th = static_cast<Real>(d.V_th);
  p.V_min = d.V_min <= std::numeric_limits<double>::lowest() ? std::numeric_limits<Real>::lowest()
                                                             : static_cast<Real>(d.V_min);
  p.alpha = static_cast<Real>(d.alpha);
  p.P_i = static_cast<Real>(d.P_i);
  p.P_z = static_cast<Real>(d.P_z);
  const auto cast = [](const std::vector<double>& v) { return std::vector<Real>(v.begin(), v.end()); };
  p.alpha_per_neuron = cast(d.alpha_per_neuron);
  p.P_i_per_neuron = cast(d.P_i_per_neuron);
  p.P_z_per_neuron = cast(d.P_z_per_neuron);
  p.rho = static_cast<Real>(d.rho);
  p.adapt_beta = static_cast<Real>(d.adapt_beta);
  p.refractory_steps = d.refractory_steps;
  p.surrogate = d.surrogate;
  p.surrogate_height = static_cast<Real>(d.surrogate_height);
  p.surrogate_width = static_cast<Real>(d.surrogate_width);
  p.c_reg = static_cast<Real>(d.c_reg);
  p.f_target = static_cast<Real>(d.f_target);
  p.dt = static_cast<Real>(d.dt);
  p.flush_interval_steps = d.flush_interval_steps;
  p.ignore_and_spike = d.ignore_and_spike;
  p.timing = d.timing;
  return p;
}

template <class Real>
Population<Real> lower_recurrent(const PopulationSpec& spec, bool adaptive,
                                 const KernelSpec& kernel) {
  const double dt = kernel.resolution;
  ParamReader r(spec);
  BsshslmRecurrentParams<double> p;
  p.adaptive = adaptive;
  p.timing = lower_bsshslm_timing(kernel);
  const Membrane m = read_membrane(r, -70.0, dt);
  const double V_min = r.number("V_min", -DBL_MAX);
  const double V_th = r.number("V_th", -55.0);
  r.require(V_th >= V_min, "V_th", V_th, "must be >= V_min (" + format_number(V_min) + ")");
  p.E_L = m.E_L;
  p.I_e = r.number("I_e", 0.0);
  p.V_th = V_th - m.E_L;
  p.V_min = internal_voltage<double>(V_min, m.E_L);
  p.alpha = m.alpha;
  p.P_i = m.tau_m / m.C_m * (1.0 - m.alpha);
  p.P_z = m.regular_spike_arrival ? 1.0 : 1.0 - m.alpha;
  if (spec.neuron_params.contains("tau_m")) set_tau_m_per_neuron(r, m, dt, p);
  p.refractory_steps = to_steps(non_negative(r, "t_ref", 2.0), dt);
  p.c_reg = non_negative(r, "c_reg", 0.0);
  p.f_target = non_negative(r, "f_target", 10.0) / 1000.0;
  p.dt = dt;
  if (adaptive) {
    p.adapt_beta = non_negative(r, "adapt_beta", 1.0);
    p.rho = std::exp(-dt / positive(r, "adapt_tau", 10.0));
  }
  read_surrogate(r, p);
  read_event_mechanisms(r, p, dt);
  const double V_m = initial_V_m(r, -70.0);
  const double adaptation = adaptive ? r.number("adaptation", 0.0) : 0.0;
  r.finish();
  return BsshslmRecurrentPopulation<Real>(spec.name, spec.n, narrow<Real>(p),
                                          static_cast<Real>(V_m), static_cast<Real>(adaptation));
}

template <class Real>
Population<Real> lower_readout(const PopulationSpec& spec, const KernelSpec& kernel) {
  ParamReader r(spec);
  BsshslmReadoutParams<Real> p;
  p.timing = lower_bsshslm_timing(kernel);
  const Membrane m = read_membrane(r, 0.0, kernel.resolution);
  const std::string loss = r.text("loss", "mean_squared_error");
  r.require_text(loss == "mean_squared_error" || loss == "cross_entropy", "loss", loss,
                 "is not one of mean_squared_error, cross_entropy");
  p.cross_entropy = loss == "cross_entropy";
  p.E_L = static_cast<Real>(m.E_L);
  p.I_e = static_cast<Real>(r.number("I_e", 0.0));
  p.V_min = internal_voltage<Real>(r.number("V_min", -DBL_MAX), m.E_L);
  p.kappa_out = static_cast<Real>(m.alpha);
  p.P_i = static_cast<Real>(m.tau_m / m.C_m * (1.0 - m.alpha));
  p.P_z = static_cast<Real>(m.regular_spike_arrival ? 1.0 : 1.0 - m.alpha);
  const double V_m = initial_V_m(r, 0.0);
  r.finish();
  return BsshslmReadoutPopulation<Real>(spec.name, spec.n, p, static_cast<Real>(V_m));
}

}  // namespace

BsshslmTiming lower_bsshslm_timing(const KernelSpec& kernel) {
  const double dt = kernel.resolution;
  BsshslmTiming t;
  t.update_interval = kernel_steps(kernel.eprop_update_interval, dt, "eprop_update_interval");
  t.learning_window = kernel_steps(kernel.eprop_learning_window, dt, "eprop_learning_window");
  if (t.learning_window > t.update_interval) {
    throw ConfigError("kernel: 'eprop_learning_window' = " +
                      format_number(kernel.eprop_learning_window) +
                      " ms must be <= 'eprop_update_interval' (" +
                      format_number(kernel.eprop_update_interval) + " ms)");
  }
  t.reset_on_update = kernel.eprop_reset_neurons_on_update;
  return t;
}

template <class Real>
Population<Real> lower_bsshslm_population(const PopulationSpec& spec, const NodeType& type,
                                          const KernelSpec& kernel) {
  if (type.kind == NodeKind::bsshslm_readout) return lower_readout<Real>(spec, kernel);
  return lower_recurrent<Real>(spec, type.recurrent_model == RecurrentModel::iaf_adapt, kernel);
}

template Population<float> lower_bsshslm_population<float>(const PopulationSpec&,
                                                           const NodeType&, const KernelSpec&);
template Population<double> lower_bsshslm_population<double>(const PopulationSpec&,
                                                             const NodeType&, const KernelSpec&);

}  // namespace eprop
