#include "support/regression_networks.h"

#include <string>
#include <utility>

namespace eprop::test_support {
namespace {

PopulationSpec population(std::string name, std::string model) {
  PopulationSpec pop;
  pop.name = std::move(name);
  pop.model = std::move(model);
  pop.n = 1;
  return pop;
}

ConnectionSpec one_to_one(std::string source, std::string target, std::string synapse,
                          double weight) {
  ConnectionSpec conn;
  conn.source = std::move(source);
  conn.target = std::move(target);
  conn.rule = ConnectionRule::one_to_one;
  conn.synapse = std::move(synapse);
  conn.weight = {weight};
  conn.delay = {1.0};
  return conn;
}

}  // namespace

tasks::SineTaskConfig regression_config(std::string_view model, std::string_view optimizer) {
  tasks::SineTaskConfig c;
  c.n_iter = 5;
  c.sequence = 100;
  c.n_in = 100;
  c.n_rec = 100;
  c.n_out = 1;
  c.seed = 1;
  c.precision = Precision::double_precision;
  c.model = std::string(model);
  c.optimizer = std::string(optimizer);
  c.optimize_each_step = true;
  c.surrogate_gradient_width = 0.03;
  c.extension_sim = 3;
  c.final_update = false;
  if (model == "eprop_iaf_adapt") {
    c.recurrent_overrides = {{"adapt_beta", 0.0174}, {"adapt_tau", 2000.0}, {"adaptation", 0.0}};
  }
  return c;
}

NetworkSpec regression_network(std::string_view model, std::string_view optimizer) {
  return tasks::sine_task_network(regression_config(model, optimizer));
}

NetworkSpec surrogate_network(std::string_view surrogate_gradient_function) {
  NetworkSpec net;
  net.kernel.resolution = 1.0;
  net.kernel.precision = Precision::double_precision;
  net.kernel.seed = 1;

  PopulationSpec gen = population("input_generator", "spike_generator");
  gen.spike_times = {{1.0, 2.0, 3.0, 5.0, 9.0, 11.0}};
  PopulationSpec rec = population("recurrent", "eprop_iaf");
  rec.params = {
      {"C_m", 1.0},
      {"c_reg", 0.0},
      {"E_L", 0.0},
      {"I_e", 0.0},
      {"surrogate_gradient_function", std::string(surrogate_gradient_function)},
      {"surrogate_gradient_height", 0.5},
      {"surrogate_gradient_width", 1.0 / 1.7},
      {"t_ref", 3.0},
      {"V_m", 0.0},
      {"V_th", 0.6},
  };
  net.populations = {gen, population("input", "parrot_neuron"), rec};
  // The plastic synapse keeps NEST's default optimizer (gradient descent, eta 1e-4).
  net.connections = {one_to_one("input_generator", "input", "static_synapse", 1.0),
                     one_to_one("input", "recurrent", "eprop_synapse", 0.3)};

  RecorderSpec mm;
  mm.type = RecorderType::multimeter;
  mm.population = "recurrent";
  mm.record_from = {"surrogate_gradient", "V_m"};
  mm.interval = 1.0;
  net.recorders = {mm};
  net.simulate = {20.0};
  return net;
}

}  // namespace eprop::test_support
