// write_results (src/io/results_writer.cpp): file names, columns, collision suffixes, full
// precision and no temporary files left behind. Runs a tiny network through the engine.

#include "eprop/network_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace eprop {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "missing " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class ResultsWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("eprop_results_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr std::string_view network = R"(
[kernel]
precision = "double"

[[population]]
name = "gen"
model = "spike_generator"
n = 2
spike_times = [[1.0, 4.0], [2.0]]

[[population]]
name = "in"
model = "parrot_neuron"
n = 2

[[population]]
name = "rec"
model = "eprop_iaf"
n = 2

[[connection]]
source = "gen"
target = "in"
rule = "one_to_one"

[[connection]]
source = "in"
target = "rec"
synapse = "eprop_synapse"
weight = [[0.1, 0.2], [0.3, 0.4]]

[[recorder]]
type = "spike_recorder"
population = "in"

[[recorder]]
type = "spike_recorder"
population = "in"
neurons = [1]

[[recorder]]
type = "multimeter"
population = "rec"
record_from = ["V_m"]

[run]
simulate = [10.0]
)";

TEST_F(ResultsWriter, WritesOneFilePerRecorderAndTheWeights) {
  Simulation sim(parse_network(network, "net.toml"));
  sim.run_schedule();
  write_results(sim, dir_ / "nested");
  const fs::path out = dir_ / "nested";

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(out)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"in_spike_recorder_0.csv", "in_spike_recorder_1.csv",
                                             "rec_multimeter.csv", "weights.csv"}));

  // Parrots re-emit generator spikes one step later (SPEC 1.2): stamps 2, 5 and 3.
  std::vector<std::string> all = lines_of(out / "in_spike_recorder_0.csv");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], "index,time");
  std::sort(all.begin() + 1, all.end(),
            [](const std::string& a, const std::string& b) { return a.substr(2) < b.substr(2); });
  EXPECT_EQ(all, (std::vector<std::string>{"index,time", "0,2", "1,3", "0,5"}));
  EXPECT_EQ(lines_of(out / "in_spike_recorder_1.csv"),
            (std::vector<std::string>{"index,time", "1,3"}));

  const std::vector<std::string> mm = lines_of(out / "rec_multimeter.csv");
  ASSERT_EQ(mm.size(), 1u + 2u * 9u);  // times 1..9 for two neurons
  EXPECT_EQ(mm[0], "index,time,V_m");
  // Every number as printf's %.17g writes it (the documented format; round-trips every double).
  for (std::size_t row = 1; row < mm.size(); ++row) {
    const std::string value = mm[row].substr(mm[row].rfind(',') + 1);
    char expected[32];
    std::snprintf(expected, sizeof expected, "%.17g", std::strtod(value.c_str(), nullptr));
    EXPECT_EQ(value, expected) << "row " << row;
  }

  const std::vector<std::string> weights = lines_of(out / "weights.csv");
  ASSERT_EQ(weights.size(), 5u);
  EXPECT_EQ(weights[0], "source_population,source,target_population,target,weight");
  // Without a readout there is no learning signal, so every gradient is zero and the initial
  // weights come back exactly, written with 17 significant digits.
  EXPECT_EQ(weights[2], "in,0,rec,1,0.29999999999999999");
  EXPECT_EQ(weights[4], "in,1,rec,1,0.40000000000000002");
}

}  // namespace
}  // namespace eprop
