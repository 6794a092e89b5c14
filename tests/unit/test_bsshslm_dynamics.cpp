// Step-level behaviour of the `_bsshslm_2020` family on tiny networks, checked against values
// computed by hand from SPEC 7: interval reset, the dropped spike at an interval start, the
// subtractive reset one step after a spike, the one-step-late windowed readout signal, the
// softmax over readouts and the learning-signal alignment.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "eprop/simulation.h"

namespace eprop {
namespace {

constexpr double kInterval = 10.0;  // ms = steps

PopulationSpec pop(std::string name, std::string model, std::size_t n,
                   std::map<std::string, ParamValue> params = {}) {
  PopulationSpec p;
  p.name = std::move(name);
  p.model = std::move(model);
  p.n = n;
  p.params = std::move(params);
  return p;
}

ConnectionSpec conn(std::string source, std::string target, std::string synapse, double weight) {
  ConnectionSpec c;
  c.source = std::move(source);
  c.target = std::move(target);
  c.synapse = std::move(synapse);
  c.weight = {weight};
  c.allow_autapses = false;
  c.optimizer.eta = 0.0;  // the weights stay put; only the dynamics are tested
  return c;
}

RecorderSpec multimeter(std::string population, std::vector<std::string> record_from) {
  RecorderSpec r;
  r.population = std::move(population);
  r.record_from = std::move(record_from);
  return r;
}

NetworkSpec base() {
  NetworkSpec net;
  net.kernel.precision = Precision::double_precision;
  net.kernel.eprop_update_interval = kInterval;
  net.kernel.eprop_learning_window = 3.0;
  return net;
}

// Values of `variable` of neuron j by loop time (a sample with timestamp t + 1 is loop time t).
std::map<long, double> trace(const Simulation& sim, std::size_t recorder,
                             const std::string& variable, std::int64_t j = 0) {
  const auto recordings = sim.multimeters();
  const MultimeterRecording& rec = recordings.at(recorder);
  const auto v = static_cast<std::size_t>(
      std::find(rec.variables.begin(), rec.variables.end(), variable) - rec.variables.begin());
  std::map<long, double> out;
  for (std::size_t r = 0; r < rec.time.size(); ++r) {
    if (rec.index[r] == j) out[std::lround(rec.time[r]) - 1] = rec.values.at(v)[r];
  }
  return out;
}

// One parrot-driven eprop_iaf_bsshslm_2020 neuron, regular spike arrival, no leak of input.
NetworkSpec single_neuron(std::vector<double> spike_times, double weight, double V_th) {
  NetworkSpec net = base();
  PopulationSpec gen = pop("gen", "spike_generator", 1);
  gen.spike_times = {std::move(spike_times)};
  net.populations = {gen, pop("in", "parrot_neuron", 1),
                     pop("rec", "eprop_iaf_bsshslm_2020", 1,
                         {{"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}, {"V_th", V_th},
                          {"tau_m", 10.0}, {"t_ref", 0.0}})};
  net.connections = {conn("gen", "in", "static_synapse", 1.0),
                     conn("in", "rec", "eprop_synapse_bsshslm_2020", weight)};
  net.recorders = {multimeter("rec", {"V_m"})};
  net.simulate = {30.0};
  return net;
}

TEST(BsshslmDynamics, SpikeArrivingAtAnIntervalStartIsDropped) {
  // Generator times T reach the neuron at loop T + 1; recurrent intervals start at 2, 12, 22.
  Simulation sim(single_neuron({5.0, 11.0, 12.0}, 0.25, 100.0));
  sim.run_schedule();
  const auto v = trace(sim, 0, "V_m");
  const double alpha = std::exp(-0.1);
  EXPECT_DOUBLE_EQ(v.at(6), 0.25);
  EXPECT_DOUBLE_EQ(v.at(11), 0.25 * std::pow(alpha, 5));
  EXPECT_EQ(v.at(12), 0.0);  // reset at the interval start, and the spike of stamp 12 dropped
  EXPECT_DOUBLE_EQ(v.at(13), 0.25);
  EXPECT_DOUBLE_EQ(v.at(14), 0.25 * alpha);
}

TEST(BsshslmDynamics, SubtractiveResetActsOneStepAfterTheSpike) {
  Simulation sim(single_neuron({3.0, 4.0}, 0.6, 1.0));
  sim.run_schedule();
  const auto v = trace(sim, 0, "V_m");
  const double alpha = std::exp(-0.1);
  EXPECT_DOUBLE_EQ(v.at(4), 0.6);
  EXPECT_DOUBLE_EQ(v.at(5), 0.6 + alpha * 0.6);  // >= V_th: spikes, recorded unreset
  EXPECT_DOUBLE_EQ(v.at(6), alpha * (0.6 + alpha * 0.6) - 1.0);
}

// Readouts driven by I_e only: v rises from each interval start (3, 13, 23).
NetworkSpec readouts(const std::string& loss, double I_e_second) {
  NetworkSpec net = base();
  const std::map<std::string, ParamValue> p{{"C_m", 1.0}, {"tau_m", 10.0}, {"loss", loss}};
  auto second = p;
  second["I_e"] = I_e_second;
  auto first = p;
  first["I_e"] = 0.5;
  net.populations = {pop("a", "eprop_readout_bsshslm_2020", 1, first),
                     pop("b", "eprop_readout_bsshslm_2020", 1, second)};
  if (loss == "cross_entropy") {
    net.connections = {conn("a", "b", "rate_connection_delayed", 1.0),
                       conn("b", "a", "rate_connection_delayed", 1.0)};
    net.connections[0].receptor_type = net.connections[1].receptor_type = 1;
  }
  net.recorders = {multimeter("a", {"V_m", "readout_signal", "readout_signal_unnorm"}),
                   multimeter("b", {"V_m", "readout_signal", "readout_signal_unnorm"})};
  net.simulate = {30.0};
  return net;
}

TEST(BsshslmDynamics, MeanSquaredErrorSignalLagsOneStepInsideTheWindow) {
  Simulation sim(readouts("mean_squared_error", 0.5));
  sim.run_schedule();
  const auto v = trace(sim, 0, "V_m");
  const auto y = trace(sim, 0, "readout_signal");
  // Reset at the readout interval start 3 + 10: only the current of the previous step remains.
  EXPECT_DOUBLE_EQ(v.at(13), 10.0 * (1.0 - std::exp(-0.1)) * 0.5);
  for (long t = 1; t < 29; ++t) {
    // Window: the last 3 steps of each interval shifted by 4, i.e. (t - 4) mod 10 >= 7.
    const bool in_window = t >= 4 && (t - 4) % 10 >= 7;
    EXPECT_EQ(y.at(t), in_window ? v.at(t - 1) : 0.0) << "loop time " << t;
  }
}

TEST(BsshslmDynamics, CrossEntropySignalIsTheSoftmaxOfThePreviousStep) {
  Simulation sim(readouts("cross_entropy", 1.5));
  sim.run_schedule();
  const auto va = trace(sim, 0, "V_m");
  const auto vb = trace(sim, 1, "V_m");
  const auto ya = trace(sim, 0, "readout_signal");
  const auto yb = trace(sim, 1, "readout_signal");
  EXPECT_DOUBLE_EQ(trace(sim, 0, "readout_signal_unnorm").at(12), std::exp(va.at(12)));
  for (const long t : {11L, 12L, 13L, 21L, 22L, 23L}) {
    const double ea = std::exp(va.at(t - 1));
    const double eb = std::exp(vb.at(t - 1));
    EXPECT_DOUBLE_EQ(ya.at(t), ea / (eb + ea)) << "loop time " << t;
    EXPECT_DOUBLE_EQ(yb.at(t), eb / (ea + eb)) << "loop time " << t;
  }
  EXPECT_EQ(ya.at(14), 0.0);
}

TEST(BsshslmDynamics, LearningSignalIsTheFeedbackOfTheErrorTwoStepsLater) {
  // Recurrent entry k gets B * E(readout loop k + 2); the recordable shows entry t - 3.
  NetworkSpec net = single_neuron({3.0, 4.0, 6.0, 14.0}, 0.6, 1.0);
  net.populations.push_back(pop("out", "eprop_readout_bsshslm_2020", 1,
                                {{"C_m", 1.0}, {"tau_m", 10.0}, {"I_e", 0.2}}));
  net.connections.push_back(conn("rec", "out", "eprop_synapse_bsshslm_2020", 0.7));
  net.connections.push_back(
      conn("out", "rec", "eprop_learning_signal_connection_bsshslm_2020", -1.5));
  net.recorders = {multimeter("rec", {"learning_signal"}), multimeter("out", {"error_signal"})};
  Simulation sim(net);
  sim.run_schedule();
  const auto L = trace(sim, 0, "learning_signal");
  const auto E = trace(sim, 1, "error_signal");
  bool nonzero = false;
  for (long t = 1; t < 29; ++t) {
    EXPECT_DOUBLE_EQ(L.at(t), -1.5 * E.at(t - 1)) << "loop time " << t;
    nonzero = nonzero || L.at(t) != 0.0;
  }
  EXPECT_TRUE(nonzero);
}

}  // namespace
}  // namespace eprop
