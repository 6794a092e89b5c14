// SPEC_recording R.9 (ignore-and-spike schedule on all 6 recurrent models, refused where NEST
// aborts), R.7 (spikes of a run's last step) and SPEC_multiplicity (a multiplicity-m spike adds
// its weight m times).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eprop/error.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

PopulationSpec population(std::string name, std::string model, std::size_t n,
                          std::map<std::string, ParamValue> params = {}) {
  PopulationSpec p;
  p.name = std::move(name);
  p.model = std::move(model);
  p.n = n;
  p.params = std::move(params);
  return p;
}

ConnectionSpec connection(std::string source, std::string target, std::string synapse,
                          std::vector<double> weight) {
  ConnectionSpec c;
  c.source = std::move(source);
  c.target = std::move(target);
  c.synapse = std::move(synapse);
  c.weight = std::move(weight);
  return c;
}

RecorderSpec spike_recorder(std::string pop) {
  RecorderSpec r;
  r.type = RecorderType::spike_recorder;
  r.population = std::move(pop);
  return r;
}

std::map<std::string, ParamValue> forced(double offset, double interval) {
  return {{"ignore_and_spike", true},
          {"ignore_and_spike_offset", offset},
          {"ignore_and_spike_interval", interval},
          {"V_th", 1e6},
          {"eprop_isi_trace_cutoff", 50.0}};
}

// R.9's worked example, confirmed on NEST for all 6 models: offset 3 ms, interval 7 ms.
TEST(IgnoreAndSpike, ScheduleOfNestsWorkedExampleOnEveryModel) {
  for (const char* model :
       {"eprop_iaf", "eprop_iaf_adapt", "eprop_iaf_psc_delta", "eprop_iaf_psc_delta_adapt",
        "eprop_iaf_bsshslm_2020", "eprop_iaf_adapt_bsshslm_2020"}) {
    NetworkSpec spec;
    spec.kernel.eprop_update_interval = 50.0;
    spec.kernel.eprop_learning_window = 50.0;
    auto params = forced(3.0, 7.0);
    if (std::string(model).find("bsshslm") != std::string::npos) {
      params.erase("eprop_isi_trace_cutoff");
    }
    if (std::string(model).find("psc_delta") != std::string::npos) params["V_reset"] = -80.0;
    spec.populations = {population("n", model, 2, params)};
    spec.recorders = {spike_recorder("n")};
    Simulation sim(spec);
    sim.simulate(10);
    EXPECT_EQ(sim.spike_recordings().at(0).time, (std::vector<double>{3, 3, 10, 10})) << model;
    sim.simulate(20);
    EXPECT_EQ(sim.spike_recordings().at(0).time,
              (std::vector<double>{3, 3, 10, 10, 17, 17, 24, 24}))
        << model;
  }
}

TEST(IgnoreAndSpike, ReadoutsHaveNoSuchParameter) {
  NetworkSpec spec;
  spec.populations = {population("out", "eprop_readout", 1, {{"ignore_and_spike", true}})};
  EXPECT_THROW(Simulation{spec}, ConfigError);
}

std::string build_error(const NetworkSpec& spec) {
  try {
    Simulation sim(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// R.3.2 / R.3.4: the stamps with which NEST aborts are refused when the network is built.
TEST(IgnoreAndSpike, StampsThatMakeNestAbortAreRefused) {
  NetworkSpec spec;
  spec.populations = {population("src", "eprop_iaf", 1, forced(1.0, 10.0)),
                      population("dst", "eprop_iaf", 1)};
  spec.connections = {connection("src", "dst", "eprop_synapse", {0.1})};
  EXPECT_NE(build_error(spec).find("R.3.2"), std::string::npos) << build_error(spec);
  spec.populations[1].params["eprop_isi_trace_cutoff"] = 20.0;
  EXPECT_EQ(build_error(spec), "");
  spec.populations[0].params["ignore_and_spike_offset"] = 2.0;
  spec.populations[1].params.erase("eprop_isi_trace_cutoff");
  EXPECT_EQ(build_error(spec), "");

  NetworkSpec b;
  b.kernel.eprop_update_interval = 20.0;
  b.kernel.eprop_learning_window = 20.0;
  auto params = forced(2.0, 10.0);
  params.erase("eprop_isi_trace_cutoff");
  b.populations = {population("src", "eprop_iaf_bsshslm_2020", 1, params),
                   population("rec", "eprop_iaf_bsshslm_2020", 1),
                   population("out", "eprop_readout_bsshslm_2020", 1)};
  b.connections = {connection("src", "rec", "eprop_synapse_bsshslm_2020", {0.1})};
  EXPECT_EQ(build_error(b), "");  // stamp 2 into a recurrent target: dropped, harmless
  b.connections.push_back(connection("src", "out", "eprop_synapse_bsshslm_2020", {0.1}));
  EXPECT_NE(build_error(b).find("R.3.4"), std::string::npos) << build_error(b);
  b.populations[0].params["ignore_and_spike_offset"] = 3.0;
  EXPECT_EQ(build_error(b), "");
}

// R.7: a spike emitted in the last step of a simulate call is in that call's recording.
TEST(SpikeRecorder, HoldsTheSpikesOfTheLastStepOfEachCall) {
  NetworkSpec spec;
  spec.populations = {population("n", "eprop_iaf", 1, forced(5.0, 5.0))};
  spec.recorders = {spike_recorder("n")};
  Simulation sim(spec);
  sim.simulate(5);
  EXPECT_EQ(sim.spike_recordings().at(0).time, std::vector<double>{5});
  sim.simulate(10);
  EXPECT_EQ(sim.spike_recordings().at(0).time, (std::vector<double>{5, 10, 15}));
}

// SPEC_multiplicity: NEST sends a parrot's multiplicity-2 spike as two single spikes, each adding
// w to the target's input: (a + w) + w, which differs from a + 2w for these numbers.
TEST(Multiplicity, EachCopyAddsTheWeightOnceThroughEverySynapseType) {
  const double a = 0.11;
  const double w = 0.7;
  ASSERT_NE((a + w) + w, a + 2 * w);
  for (const char* synapse : {"eprop_synapse", "static_synapse"}) {
    NetworkSpec spec;
    spec.kernel.precision = Precision::double_precision;
    PopulationSpec gen = population("gen", "spike_generator", 2);
    gen.spike_times = {{5.0}, {5.0, 5.0}};
    spec.populations = {gen, population("in", "parrot_neuron", 2),
                        population("rec", "eprop_iaf",
                                   1, {{"C_m", 1.0}, {"E_L", 0.0}, {"V_m", 0.0}, {"V_th", 100.0}})};
    ConnectionSpec to_parrots = connection("gen", "in", "static_synapse", {1.0});
    to_parrots.rule = ConnectionRule::one_to_one;
    spec.connections = {to_parrots, connection("in", "rec", synapse, {a, w})};
    RecorderSpec mm;
    mm.population = "rec";
    mm.record_from = {"V_m"};
    spec.recorders = {mm, spike_recorder("in")};
    Simulation sim(spec);
    sim.simulate(10);
    // Parrot spikes stamped 6 act in loop time 6: V_m sample at 7 ms.
    const MultimeterRecording v = sim.multimeters().at(0);
    EXPECT_EQ(v.values[0].at(6), (a + w) + w) << synapse;
    EXPECT_EQ(v.time.at(6), 7.0);
    // The spike recorder logs the multiplicity-2 spike twice.
    EXPECT_EQ(sim.spike_recordings().at(0).index, (std::vector<std::int64_t>{0, 1, 1}));
  }
}

}  // namespace
}  // namespace eprop
