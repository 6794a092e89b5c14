// Bad input for the `_bsshslm_2020` family: kernel settings, mixing the two e-prop families,
// softmax normalisation, optimizer and parameter ranges. Every case is a ConfigError that names
// the offending field.

#include <gtest/gtest.h>

#include <string>

#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

PopulationSpec pop(std::string name, std::string model, std::size_t n,
                   std::map<std::string, ParamValue> params = {}) {
  PopulationSpec p;
  p.name = std::move(name);
  p.model = std::move(model);
  p.n = n;
  p.params = std::move(params);
  return p;
}

ConnectionSpec conn(std::string source, std::string target, std::string synapse,
                    int receptor = 0) {
  ConnectionSpec c;
  c.source = std::move(source);
  c.target = std::move(target);
  c.synapse = std::move(synapse);
  c.receptor_type = receptor;
  c.weight = {0.5};
  c.allow_autapses = false;
  return c;
}

// gen -> in (parrots) -> rec -> out, feedback out -> rec, target -> out; `loss` of the readouts.
NetworkSpec network(const std::string& loss = "mean_squared_error", std::size_t n_out = 1) {
  NetworkSpec net;
  net.kernel.precision = Precision::double_precision;
  net.kernel.eprop_update_interval = 20.0;
  net.kernel.eprop_learning_window = 10.0;
  PopulationSpec gen = pop("gen", "spike_generator", 1);
  gen.spike_times = {{3.0, 7.0}};
  PopulationSpec target = pop("target", "step_rate_generator", n_out);
  target.amplitude_times.assign(n_out, {4.0});
  target.amplitude_values.assign(n_out, {1.0});
  net.populations = {gen,
                     pop("in", "parrot_neuron", 1),
                     pop("rec", "eprop_iaf_bsshslm_2020", 2),
                     pop("out", "eprop_readout_bsshslm_2020", n_out, {{"loss", loss}}),
                     target};
  net.connections = {conn("gen", "in", "static_synapse"),
                     conn("in", "rec", "eprop_synapse_bsshslm_2020"),
                     conn("rec", "out", "eprop_synapse_bsshslm_2020"),
                     conn("out", "rec", "eprop_learning_signal_connection_bsshslm_2020"),
                     conn("target", "out", "rate_connection_delayed", 2)};
  net.connections[4].rule = ConnectionRule::one_to_one;
  return net;
}

// Builds spec and expects a ConfigError whose message contains every fragment.
void expect_config_error(const NetworkSpec& spec, std::initializer_list<std::string> fragments) {
  try {
    Simulation sim(spec);
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
    }
  }
}

TEST(BsshslmConfig, ValidNetworkBuilds) { EXPECT_NO_THROW(Simulation{network()}); }

TEST(BsshslmConfig, PerNeuronTauMIsCheckedAndOnlyWhereSupported) {
  NetworkSpec net = network();
  net.populations[2].neuron_params["tau_m"] = {20.0, 25.0};
  EXPECT_NO_THROW(Simulation{net});
  net.populations[2].neuron_params["tau_m"] = {20.0};
  expect_config_error(net, {"population 'rec'", "tau_m", "1 values", "expected 2"});
  net.populations[2].neuron_params["tau_m"] = {20.0, -1.0};
  expect_config_error(net, {"population 'rec'", "tau_m[1]", "-1", "must be > 0"});
  net = network();
  net.populations[2].neuron_params["V_th"] = {1.0, 2.0};
  expect_config_error(net, {"population 'rec'", "'V_th' cannot vary per neuron"});
  net = network();
  net.populations[3].neuron_params["tau_m"] = {20.0};
  expect_config_error(net, {"population 'out'", "'tau_m' cannot vary per neuron"});
}

TEST(BsshslmConfig, LearningWindowLongerThanIntervalIsRejected) {
  NetworkSpec net = network();
  net.kernel.eprop_learning_window = 25.0;
  expect_config_error(net, {"eprop_learning_window", "25", "eprop_update_interval"});
}

TEST(BsshslmConfig, NonPositiveOrOffGridIntervalsAreRejected) {
  for (const double bad : {0.0, -20.0, 10.5}) {
    NetworkSpec net = network();
    net.kernel.eprop_update_interval = bad;
    expect_config_error(net, {"kernel", "eprop_update_interval"});
    net = network();
    net.kernel.eprop_learning_window = bad;
    expect_config_error(net, {"kernel", "eprop_learning_window"});
  }
}

TEST(BsshslmConfig, BsshslmSynapseOntoEventDrivenNeuronIsRejected) {
  NetworkSpec net = network();
  net.populations[2].model = "eprop_iaf";
  expect_config_error(net, {"connection #1", "eprop_synapse_bsshslm_2020", "event-driven",
                            "'eprop_iaf'", "cannot be mixed"});
}

TEST(BsshslmConfig, EventDrivenSynapseOntoBsshslmNeuronIsRejected) {
  NetworkSpec net = network();
  net.connections[1].synapse = "eprop_synapse";
  expect_config_error(net, {"connection #1", "eprop_synapse cannot target",
                            "eprop_iaf_bsshslm_2020", "cannot be mixed"});
  net = network();
  net.connections[2].synapse = "eprop_synapse";
  expect_config_error(net, {"connection #2", "eprop_readout_bsshslm_2020"});
}

TEST(BsshslmConfig, LearningSignalFamiliesMustMatch) {
  NetworkSpec net = network();
  net.connections[3].synapse = "eprop_learning_signal_connection";
  expect_config_error(net, {"connection #3", "eprop_learning_signal_connection_bsshslm_2020"});
  net = network();
  net.populations.push_back(pop("event_out", "eprop_readout", 1));
  net.connections.push_back(
      conn("event_out", "rec", "eprop_learning_signal_connection_bsshslm_2020"));
  expect_config_error(net, {"connection #5", "needs an eprop_readout_bsshslm_2020 as source",
                            "'eprop_readout'", "cannot be mixed"});
  net = network();
  net.populations.push_back(pop("event_rec", "eprop_iaf", 1));
  net.connections.push_back(conn("event_rec", "out", "eprop_synapse_bsshslm_2020"));
  expect_config_error(net, {"connection #5", "source", "'eprop_iaf'", "cannot be mixed"});
}

TEST(BsshslmConfig, CrossEntropyReadoutsNeedTheirNormalisation) {
  NetworkSpec net = network("cross_entropy", 2);
  expect_config_error(net, {"population 'out'", "cross_entropy", "softmax normalisation",
                            "receptor_type 1"});
  // Only readout 0 -> readout 1: readout 0 still lacks readout 1's signal.
  ConnectionSpec one_way = conn("out", "out", "rate_connection_delayed", 1);
  one_way.rule = ConnectionRule::pairwise;
  one_way.sources = {0};
  one_way.targets = {1};
  net.connections.push_back(one_way);
  expect_config_error(net, {"readout 0 receives no softmax normalisation signal from readout 1"});
  net.connections.back() = conn("out", "out", "rate_connection_delayed", 1);
  EXPECT_NO_THROW(Simulation{net});
}

TEST(BsshslmConfig, SingleCrossEntropyReadoutNeedsNoNormalisation) {
  EXPECT_NO_THROW(Simulation{network("cross_entropy", 1)});
}

TEST(BsshslmConfig, NormalisationNeedsCrossEntropyReadoutsAndReceptorOne) {
  NetworkSpec net = network("mean_squared_error", 2);
  net.connections.push_back(conn("out", "out", "rate_connection_delayed", 1));
  expect_config_error(net, {"connection #5", "cross_entropy", "mean_squared_error"});
  net = network("cross_entropy", 2);
  net.connections.push_back(conn("out", "out", "rate_connection_delayed", 2));
  expect_config_error(net, {"connection #5", "receptor 1"});
  net = network();
  net.connections[4].receptor_type = 1;
  expect_config_error(net, {"connection #4", "only on receptor 2"});
}

TEST(BsshslmConfig, OptimizerAndSynapseParametersAreChecked) {
  NetworkSpec net = network();
  net.connections[1].optimizer.batch_size = 0;
  expect_config_error(net, {"connection #1", "batch_size", "0", "> 0"});
  net = network();
  net.connections[2].tau_m_readout = 0.0;
  expect_config_error(net, {"connection #2", "tau_m_readout"});
  net = network();
  net.connections[1].delay = {2.0};
  expect_config_error(net, {"connection #1", "delay", "one simulation step"});
}

TEST(BsshslmConfig, NeuronParametersAreChecked) {
  NetworkSpec net = network();
  net.populations[2].params["kappa"] = 0.9;  // an event-driven parameter
  expect_config_error(net, {"population 'rec'", "unknown parameter 'kappa'"});
  net = network();
  net.populations[2].params["flush_event_send_interval"] = 10.0;
  expect_config_error(net, {"flush_event_send_interval", "eprop_update_interval"});
  net = network();
  net.populations[3].params["loss"] = std::string("hinge");
  expect_config_error(net, {"population 'out'", "loss", "hinge"});
  net = network();
  net.populations[1].params["flush_event_send_interval"] = 5.0;  // parrot source
  expect_config_error(net, {"connection #1", "flush_event_send_interval"});
}

TEST(BsshslmConfig, NetworkFileReadsTheFamilysSettings) {
  const NetworkSpec spec = parse_network(R"(
[kernel]
eprop_update_interval = 2250.0
eprop_learning_window = 150
eprop_reset_neurons_on_update = false

[[population]]
name = "a"
model = "parrot_neuron"

[[connection]]
source = "a"
target = "a"
synapse = "eprop_synapse_bsshslm_2020"
tau_m_readout = 20.0
average_gradient = true
)",
                                         "net.toml");
  EXPECT_EQ(spec.kernel.eprop_update_interval, 2250.0);
  EXPECT_EQ(spec.kernel.eprop_learning_window, 150.0);
  EXPECT_FALSE(spec.kernel.eprop_reset_neurons_on_update);
  ASSERT_EQ(spec.connections.size(), 1U);
  EXPECT_EQ(spec.connections[0].tau_m_readout, 20.0);
  EXPECT_TRUE(spec.connections[0].average_gradient);
  EXPECT_THROW((void)parse_network("[kernel]\neprop_reset_neurons_on_update = 1\n", "k.toml"),
               ConfigError);
  EXPECT_THROW((void)parse_network("[kernel]\neprop_update_interval = \"long\"\n", "k.toml"),
               ConfigError);
}

}  // namespace
}  // namespace eprop
