#include "random_network.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tasks/spec_builders.h"

namespace eprop::bench {
namespace {

using tasks::connection;
using tasks::constant_rate_generators;
using tasks::fixed_indegree;
using tasks::per_spike_optimizer;
using tasks::population;

/// Poisson spike trains on the 1 ms grid (times >= 1 ms, sorted; a repeated step becomes a
/// spike of multiplicity > 1, as in NEST).
std::vector<std::vector<double>> poisson_trains(std::size_t n, double rate_hz, double duration_ms,
                                                std::mt19937_64& rng) {
  std::vector<std::vector<double>> trains(n);
  std::exponential_distribution<double> isi(rate_hz / 1000.0);
  for (auto& train : trains) {
    double t = isi(rng);
    while (t < duration_ms) {
      train.push_back(std::max(1.0, std::ceil(t)));
      t += isi(rng);
    }
  }
  return trains;
}

}  // namespace

NetworkSpec random_eprop_network(const RandomNetworkConfig& c) {
  NetworkSpec net;
  net.kernel.resolution = 1.0;
  net.kernel.precision = c.precision;
  net.kernel.seed = c.seed;
  net.kernel.threads = c.threads;
  std::mt19937_64 rng(c.seed);

  PopulationSpec generators = population("input_generator", "spike_generator", c.n_in);
  generators.spike_times = poisson_trains(c.n_in, c.rate_in, c.duration_ms, rng);
  net.populations.push_back(std::move(generators));
  net.populations.push_back(population("input", "parrot_neuron", c.n_in));

  PopulationSpec rec = population("recurrent", "eprop_iaf", c.n_rec);
  rec.params = {{"C_m", 250.0},
                {"E_L", 0.0},
                {"V_m", 0.0},
                {"V_th", c.V_th},
                {"tau_m", c.tau_m},
                {"t_ref", c.t_ref},
                {"I_e", 0.0},
                {"c_reg", 0.0},
                {"kappa", 0.97},
                {"kappa_reg", 0.97},
                {"surrogate_gradient_function", std::string("piecewise_linear")},
                {"surrogate_gradient_height", 0.3},
                {"surrogate_gradient_width", 0.5 * c.V_th},
                {"eprop_isi_trace_cutoff", c.isi_trace_cutoff},
                {"flush_event_send_interval", c.flush_interval}};
  net.populations.push_back(std::move(rec));

  PopulationSpec out = population("readout", "eprop_readout", c.n_out);
  out.params = {{"C_m", 1.0}, {"E_L", 0.0}, {"tau_m", 20.0},
                {"V_m", 0.0}, {"I_e", 0.0}, {"eprop_isi_trace_cutoff", c.isi_trace_cutoff}};
  net.populations.push_back(std::move(out));

  std::vector<double> targets(c.n_out);
  for (std::size_t k = 0; k < c.n_out; ++k) targets[k] = 0.1 * static_cast<double>(k + 1);
  net.populations.push_back(constant_rate_generators("target_generator", std::move(targets)));
  net.populations.push_back(constant_rate_generators("learning_window_generator", {1.0}));

  auto& conns = net.connections;
  conns.push_back(
      connection("input_generator", "input", "static_synapse", ConnectionRule::one_to_one, {1.0}));
  conns.push_back(fixed_indegree("input", "recurrent", "static_synapse", c.indegree_in, c.J_in));

  const auto k_exc = static_cast<std::int64_t>(
      std::llround(c.excitatory_fraction * static_cast<double>(c.indegree_rec)));
  ConnectionSpec exc = fixed_indegree("recurrent", "recurrent", "eprop_synapse", k_exc, c.J);
  exc.allow_autapses = false;
  exc.optimizer = per_spike_optimizer(c.eta);
  conns.push_back(std::move(exc));  // kRecExcConnection
  ConnectionSpec inh =
      fixed_indegree("recurrent", "recurrent", "eprop_synapse", c.indegree_rec - k_exc, -c.g * c.J);
  inh.allow_autapses = false;
  inh.optimizer = per_spike_optimizer(c.eta);
  conns.push_back(std::move(inh));  // kRecInhConnection

  // Readout weights ~ N(0, 1/n_rec), feedback B ~ N(0, 1): [target][source] matrices.
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> w_out(c.n_out * c.n_rec);
  for (double& w : w_out) w = normal(rng) / std::sqrt(static_cast<double>(c.n_rec));
  ConnectionSpec rec_out =
      connection("recurrent", "readout", "eprop_synapse", ConnectionRule::all_to_all, w_out);
  rec_out.optimizer = per_spike_optimizer(c.eta);
  conns.push_back(std::move(rec_out));  // kRecOutConnection
  std::vector<double> b(c.n_rec * c.n_out);
  for (double& w : b) w = normal(rng);
  conns.push_back(connection("readout", "recurrent", "eprop_learning_signal_connection",
                             ConnectionRule::all_to_all, std::move(b)));

  ConnectionSpec to_target = connection("target_generator", "readout", "rate_connection_delayed",
                                        ConnectionRule::one_to_one, {1.0});
  to_target.receptor_type = 2;
  conns.push_back(std::move(to_target));
  ConnectionSpec to_window =
      connection("learning_window_generator", "readout", "rate_connection_delayed",
                 ConnectionRule::all_to_all, {1.0});
  to_window.receptor_type = 1;
  conns.push_back(std::move(to_window));

  if (c.record_spikes) {
    RecorderSpec spikes;
    spikes.type = RecorderType::spike_recorder;
    spikes.population = "recurrent";
    spikes.start = c.record_from_ms;
    net.recorders.push_back(std::move(spikes));
  }
  return net;
}

}  // namespace eprop::bench
