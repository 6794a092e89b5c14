// NEST parity on the public reference cases of SPEC addendum R (../shared/reference-cases): every
// case's net.toml goes through the path of `eprop run` (read_network_file, Simulation,
// run_schedule) and every multimeter row, every spike and every final plastic weight is compared
// with NEST 3.10's output at rtol 1e-8 (abs 1e-10), with both eligibility integrations and 1, 2
// and 3 threads.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "eprop/network_file.h"
#include "eprop/simulation.h"

namespace eprop {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(EPROP_SHARED_DIR) / "reference-cases";

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Csv read_csv(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  Csv csv;
  std::string line;
  auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(cell);
    return out;
  };
  auto next = [&in, &line] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    return true;
  };
  next();
  csv.header = split(line);
  while (next()) {
    if (!line.empty()) csv.rows.push_back(split(line));
  }
  return csv;
}

bool close(double got, double expected) {
  return std::abs(got - expected) <= 1e-8 * std::abs(expected) + 1e-10;
}

using RowKey = std::pair<std::int64_t, double>;  // (index, time)

void compare_multimeter(const fs::path& file, const MultimeterRecording& got) {
  const Csv expected = read_csv(file);
  std::map<RowKey, std::size_t> rows;
  for (std::size_t r = 0; r < got.index.size(); ++r) rows[{got.index[r], got.time[r]}] = r;
  EXPECT_EQ(got.index.size(), expected.rows.size()) << file;
  int reported = 0;
  for (const auto& row : expected.rows) {
    const RowKey key{std::stoll(row[0]), std::stod(row[1])};
    const auto it = rows.find(key);
    if (it == rows.end()) {
      ADD_FAILURE() << file << ": no row for neuron " << key.first << " at " << key.second;
      if (++reported > 10) return;
      continue;
    }
    for (std::size_t c = 2; c < expected.header.size(); ++c) {
      const auto& vars = got.variables;
      const auto v = std::find(vars.begin(), vars.end(), expected.header[c]);
      ASSERT_NE(v, vars.end()) << file << ": " << expected.header[c] << " not recorded";
      const double value = got.values[static_cast<std::size_t>(v - vars.begin())][it->second];
      if (!close(value, std::stod(row[c]))) {
        ADD_FAILURE() << file.filename() << ": neuron " << key.first << " t=" << key.second << " "
                      << expected.header[c] << " = " << value << ", NEST " << row[c];
        if (++reported > 10) return;
      }
    }
  }
}

void compare_spikes(const fs::path& file, const SpikeRecording& got) {
  const Csv expected = read_csv(file);
  std::vector<RowKey> want, have;
  for (const auto& row : expected.rows) want.emplace_back(std::stoll(row[0]), std::stod(row[1]));
  for (std::size_t r = 0; r < got.index.size(); ++r) have.emplace_back(got.index[r], got.time[r]);
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  EXPECT_EQ(have, want) << file;
}

void compare_weights(const fs::path& file, const Simulation& sim) {
  using Key = std::tuple<std::string, std::int64_t, std::string, std::int64_t>;
  std::map<Key, double> have;
  const NetworkSpec& spec = sim.spec();
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    if (spec.connections[c].synapse.rfind("eprop_synapse", 0) != 0) continue;
    for (const SynapseWeight& w : sim.weights(c)) {
      have[{spec.connections[c].source, w.source, spec.connections[c].target, w.target}] =
          w.weight;
    }
  }
  const Csv expected = read_csv(file);
  EXPECT_EQ(have.size(), expected.rows.size());
  for (const auto& row : expected.rows) {
    const Key key{row[0], std::stoll(row[1]), row[2], std::stoll(row[3])};
    const auto it = have.find(key);
    ASSERT_NE(it, have.end()) << "no weight " << row[0] << "[" << row[1] << "] -> " << row[2]
                              << "[" << row[3] << "]";
    EXPECT_TRUE(close(it->second, std::stod(row[4])))
        << row[0] << "[" << row[1] << "] -> " << row[2] << "[" << row[3]
        << "]: " << it->second << ", NEST " << row[4];
  }
}

struct Variant {
  std::string name;
  EligibilityIntegration integration;
  std::size_t threads;
};

class ReferenceCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceCase, EveryRecordedValueSpikeAndWeightMatchesNest) {
  const fs::path dir = kCases / GetParam();
  if (!fs::exists(dir / "net.toml")) GTEST_SKIP() << dir << " absent (../shared not available)";
  for (const auto integration : {EligibilityIntegration::stepwise,
                                 EligibilityIntegration::closed_form}) {
    for (const std::size_t threads : {1U, 2U, 3U}) {
      SCOPED_TRACE(std::string(to_string(integration)) + ", " + std::to_string(threads) +
                   " threads");
      NetworkSpec spec = read_network_file(dir / "net.toml");
      spec.kernel.eligibility_integration = integration;
      spec.kernel.threads = threads;
      Simulation sim(spec);
      sim.run_schedule();
      for (const MultimeterRecording& m : sim.multimeters()) {
        compare_multimeter(dir / "expected" / (m.population + "_multimeter.csv"), m);
      }
      for (const SpikeRecording& s : sim.spike_recordings()) {
        compare_spikes(dir / "expected" / (s.population + "_spike_recorder.csv"), s);
      }
      compare_weights(dir / "expected" / "weights.csv", sim);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SpecR, ReferenceCase, ::testing::Values("r1_history_erasure",
                                                             "r2_chunked_last_step_spikes",
                                                             "r3a_ignore_and_spike_event_driven",
                                                             "r3b_ignore_and_spike_bsshslm"));

}  // namespace
}  // namespace eprop

namespace eprop {
namespace {

// ---- SPEC 13.4 (H1-H3): NEST's test_eprop_history_cleaning ------------------------------------
// Three parrots with stamps {11, 21, 51, 61}, {11, 31, 51, 91}, {41, 61} into one target with
// default parameters; eprop_history_duration at every step of Simulate(110).

std::vector<double> inclusive_ranges(std::initializer_list<std::pair<int, int>> ranges) {
  std::vector<double> out;
  for (const auto& [a, b] : ranges) {
    for (int v = a; v <= b; ++v) out.push_back(v);
  }
  return out;
}

std::vector<double> history_durations(const std::string& model, const std::string& synapse,
                                      std::map<std::string, ParamValue> params,
                                      EligibilityIntegration integration, std::size_t threads) {
  NetworkSpec spec;
  spec.kernel.precision = Precision::double_precision;
  spec.kernel.eligibility_integration = integration;
  spec.kernel.threads = threads;
  spec.kernel.eprop_update_interval = 20.0;
  spec.kernel.eprop_learning_window = 20.0;
  auto population = [](std::string name, std::string kind, std::size_t n) {
    PopulationSpec p;
    p.name = std::move(name);
    p.model = std::move(kind);
    p.n = n;
    return p;
  };
  spec.populations = {population("gen", "spike_generator", 3), population("in", "parrot_neuron", 3),
                      population("target", model, 1)};
  spec.populations[0].spike_times = {{10, 20, 50, 60}, {10, 30, 50, 90}, {40, 60}};
  spec.populations[2].params = std::move(params);
  ConnectionSpec to_parrots;
  to_parrots.source = "gen";
  to_parrots.target = "in";
  to_parrots.rule = ConnectionRule::one_to_one;
  ConnectionSpec plastic;
  plastic.source = "in";
  plastic.target = "target";
  plastic.synapse = synapse;
  spec.connections = {to_parrots, plastic};
  RecorderSpec duration;
  duration.population = "target";
  duration.record_from = {"eprop_history_duration"};
  spec.recorders = {duration};
  Simulation sim(spec);
  sim.simulate(110);
  return sim.multimeters().at(0).values.at(0);
}

struct HistoryCase {
  const char* name;
  const char* model;
  const char* synapse;
  std::map<std::string, ParamValue> params;
  std::vector<double> expected;
};

TEST(HistoryCleaning, DurationsEqualNestsReferences) {
  const std::vector<double> event_driven =
      inclusive_ranges({{1, 11}, {2, 21}, {12, 31}, {12, 21}, {12, 41}, {32, 49}});
  const std::vector<HistoryCase> cases = {
      {"H1 eprop_iaf cutoff 5", "eprop_iaf", "eprop_synapse",
       {{"eprop_isi_trace_cutoff", 5.0}, {"flush_event_send_interval", 5.0}}, event_driven},
      {"H2 eprop_iaf cutoff 1e5", "eprop_iaf", "eprop_synapse",
       {{"eprop_isi_trace_cutoff", 1e5}, {"flush_event_send_interval", 1e5}}, event_driven},
      {"H2 eprop_readout cutoff 1e5", "eprop_readout", "eprop_synapse",
       {{"eprop_isi_trace_cutoff", 1e5}}, event_driven},
      {"H3 eprop_iaf_bsshslm_2020", "eprop_iaf_bsshslm_2020", "eprop_synapse_bsshslm_2020", {},
       inclusive_ranges({{1, 2}, {1, 60}, {21, 60}, {41, 47}})},
      {"H3 eprop_readout_bsshslm_2020", "eprop_readout_bsshslm_2020",
       "eprop_synapse_bsshslm_2020", {},
       inclusive_ranges({{1, 3}, {1, 20}, {20, 59}, {20, 59}, {40, 45}})},
  };
  for (const HistoryCase& c : cases) {
    for (const auto integration :
         {EligibilityIntegration::stepwise, EligibilityIntegration::closed_form}) {
      for (const std::size_t threads : {1U, 2U}) {
        EXPECT_EQ(history_durations(c.model, c.synapse, c.params, integration, threads),
                  c.expected)
            << c.name << ", " << to_string(integration) << ", " << threads << " threads";
      }
    }
  }
}

}  // namespace
}  // namespace eprop
