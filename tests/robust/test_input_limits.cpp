// Issue 14, input limits: every input that once crashed, hung or succeeded silently (TOML keys of
// ~31,000 dotted parts, devices and directories as files, times beyond the integer range, huge
// populations) ends in a ConfigError that names the input, the field and the limit.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/input_limits.h"
#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"
#include "support/regression_networks.h"
#include "tasks/sine_task.h"
#include "tasks/train_config.h"

namespace eprop {
namespace {

namespace fs = std::filesystem;

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return {};
}

void expect_parts(const std::string& message, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message: " << message << "\nlacks: " << part;
  }
}

std::string dotted(std::size_t parts) {
  std::string key = "a";
  for (std::size_t i = 1; i < parts; ++i) key += ".a";
  return key;
}

const char* kNet = R"(
[[population]]
name = "in"
model = "spike_generator"
n = 2
spike_times = [[1.0], [2.0]]

[[population]]
name = "out"
model = "eprop_iaf"
n = 3

[[connection]]
source = "in"
target = "out"
synapse = "static_synapse"
weight = 1.5
delay = 0.1
)";

TEST(InputLimits, DeepDottedKeysAreRejectedBeforeParsing) {
  // The crash of issue 14: a table header of 31,000 parts; then the same as a key, in an inline
  // table, and with quoted parts.
  const std::string deep = dotted(31000);
  for (const std::string& text : {"[" + deep + "]\nx = 1\n", deep + " = 1\n",
                                  "t = { " + deep + " = 1 }\n", "[[" + deep + "]]\n"}) {
    expect_parts(error_of([&] { check_toml_shape(text, "deep.toml"); }),
                 {"deep.toml", "line 1", "dotted parts"});
  }
  std::string quoted = "\"a\"";
  for (int i = 0; i < 20000; ++i) quoted += ".\"a\"";
  expect_parts(error_of([&] { check_toml_shape(quoted + " = 1", "q.toml"); }), {"dotted parts"});
  // Through every reader.
  expect_parts(error_of([&] { (void)parse_network("[" + deep + "]\n", "net.toml"); }),
               {"net.toml", "dotted parts"});
  expect_parts(
      error_of([&] { (void)tasks::parse_train_config("sine", deep + "=1\n", "c.toml", {}); }),
      {"c.toml", "dotted parts"});
}

TEST(InputLimits, DeepNestingIsRejected) {
  const std::string arrays = "x = " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  expect_parts(error_of([&] { check_toml_shape(arrays, "n.toml"); }), {"n.toml", "nest deeper"});
  std::string tables = "x = ";
  for (int i = 0; i < 100; ++i) tables += "{ a = ";
  tables += "1" + std::string(100, '}');
  expect_parts(error_of([&] { check_toml_shape(tables, "t.toml"); }), {"nest deeper"});
}

TEST(InputLimits, OrdinaryTomlPasses) {
  // Dots in numbers, strings, comments and dates are not key parts; moderate nesting is fine.
  std::string floats = "w = [";
  for (int i = 0; i < 5000; ++i) floats += "1.5, ";
  floats += "2.5]\n";
  for (const std::string& text :
       {std::string(kNet), floats,
        std::string("a.b.c = 1 # x.y.z.w\ns = \"") + std::string(500, '.') +
            "\"\n[t.u]\nv = 1979-05-27T07:32:00.999\n",
        std::string("m = '''") + std::string(300, '.') + "'''\nn = [[1.0, 2.0], [3.0, 4.0]]\n",
        dotted(kMaxTomlKeyParts) + " = 1\n"}) {
    EXPECT_NO_THROW(check_toml_shape(text, "ok.toml")) << text.substr(0, 200);
  }
  EXPECT_NO_THROW((void)parse_network(kNet, "net.toml"));
}

TEST(InputLimits, FilesMustBeRegularAndSmallEnough) {
  const fs::path dir = fs::temp_directory_path() / ("eprop_limits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  expect_parts(error_of([&] { (void)read_network_file(dir); }), {dir.string(), "is a directory"});
  expect_parts(error_of([&] { (void)read_network_file("/dev/zero"); }),
               {"/dev/zero", "not a regular file"});
  expect_parts(error_of([&] { (void)read_network_file(dir / "missing.toml"); }),
               {"missing.toml", "no such network file"});
  expect_parts(error_of([&] { (void)tasks::read_train_config("sine", dir.string(), {}); }),
               {dir.string(), "is a directory, not a config file"});
  const fs::path big = dir / "big.toml";
  {
    std::ofstream out(big);
    out << "# " << std::string(kMaxConfigFileBytes, 'x') << "\n";
  }
  expect_parts(error_of([&] { (void)tasks::read_train_config("sine", big.string(), {}); }),
               {"big.toml", "bytes, more than the limit of 1048576 bytes"});
  fs::remove_all(dir);
}

TEST(InputLimits, SetValuesAreOneValueOnOneLine) {
  const auto set_error = [](const std::string& set) {
    return error_of([&] { (void)tasks::parse_train_config("sine", "", "defaults", {set}); });
  };
  expect_parts(set_error("training.n_iter=3\n[optimizer]\neta=5"), {"--set", "one line"});
  expect_parts(set_error("training.n_iter=3\rx=1"), {"one line"});
  expect_parts(set_error("training.n_iter={ " + dotted(31000) + " = 1 }"), {"dotted parts"});
  expect_parts(set_error("training.n_iter=3, x = 4"), {"training.n_iter"});
  // A relation between keys broken by --set names the --set value, not "defaults".
  const std::string relation = set_error("optimizer.Wmin=1000");
  expect_parts(relation, {"--set optimizer.Wmin=1000", "must not exceed"});
  EXPECT_EQ(relation.find("defaults"), std::string::npos) << relation;
}

TEST(InputLimits, TimesBeyondTheStepRangeAreRejected) {
  NetworkSpec spec = parse_network(kNet, "net.toml");
  spec.simulate = {1e300};  // once "simulated 0 ms" with exit 0 (llround overflow)
  expect_parts(error_of([&] { Simulation sim(spec); }), {"simulate", "at most"});
  spec.simulate = {10.0};
  spec.connections[0].delay = {1e300};
  expect_parts(error_of([&] { Simulation sim(spec); }), {"delay", "at most"});
  spec.connections[0].delay = {0.1};
  spec.populations[0].spike_times = {{1e300}, {1.0}};
  expect_parts(error_of([&] { Simulation sim(spec); }), {"spike_times", "at most"});
}

TEST(InputLimits, CountsBeyondTheirRangeAreRejected) {
  std::string net = kNet;
  const auto with = [&](std::string_view from, std::string_view to) {
    std::string text = net;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  expect_parts(
      error_of([&] { (void)parse_network(with("n = 3", "n = 1000000000000"), "net.toml"); }),
      {"'n' = 1000000000000", "must be at most 2147483648"});
  expect_parts(
      error_of([&] { (void)parse_network("[kernel]\nthreads = 100000\n" + net, "net.toml"); }),
      {"threads", "must be at most 1024"});
}

TEST(MemoryEstimate, CountsFromTheSpecAndRefusesWhatCannotFit) {
  NetworkSpec spec = parse_network(kNet, "net.toml");
  spec.connections[0].synapse = "eprop_synapse";
  spec.connections[0].delay = {0.1};
  spec.simulate = {100.0};
  MemoryEstimate m = estimate_memory(spec);
  EXPECT_EQ(m.neurons, 5u);
  EXPECT_EQ(m.eprop_synapses, 6u);  // all_to_all 2 x 3
  EXPECT_EQ(m.static_synapses, 0u);
  EXPECT_GT(m.total_bytes(), 0u);
  // 1e6 x 1e6 all_to_all: about 60 TB, refused before anything is drawn or allocated.
  spec.populations[0].n = 1000000;
  spec.populations[0].spike_times.assign(1000000, {});
  spec.populations[1].n = 1000000;
  m = estimate_memory(spec);
  EXPECT_EQ(m.eprop_synapses, 1000000000000u);
  expect_parts(error_of([&] { Simulation sim(spec); }),
               {"needs about", "more than this machine's", "e-prop synapses", "1000000000000"});
  // A ring of 1e12 ms of delay steps for a million neurons.
  spec.connections[0].synapse = "static_synapse";
  spec.connections[0].rule = ConnectionRule::one_to_one;
  spec.connections[0].delay = {1e12};
  expect_parts(error_of([&] { Simulation sim(spec); }),
               {"input rings", "more than this machine's"});
}

TEST(MemoryEstimate, BytesReadAsAPersonWritesThem) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(1000 * 1024), "1000 KiB");  // not "1e+03 KiB"
  EXPECT_EQ(format_bytes(std::uint64_t{23} << 30), "23 GiB");
}

TEST(MemoryEstimate, RecordingsCountOnlyWhereTheyAreKept) {
  // A multimeter on 1000 neurons every step for 1e9 ms: 24 TB of samples if kept (eprop run
  // keeps them); a Simulation user may clear them as it goes, so the engine alone builds it.
  NetworkSpec spec = parse_network(kNet, "net.toml");
  spec.populations[1].n = 1000;
  spec.connections[0].delay = {1.0};
  spec.simulate = {1e9};
  RecorderSpec multimeter;
  multimeter.population = "out";
  multimeter.record_from = {"V_m", "learning_signal"};
  spec.recorders.push_back(multimeter);
  const MemoryEstimate m = estimate_memory(spec);
  EXPECT_GT(m.recorder_bytes, std::uint64_t{20} << 40);
  EXPECT_NO_THROW(check_memory_fits(m));
  expect_parts(error_of([&] { check_memory_fits(m, /*with_recordings=*/true); }),
               {"multimeters", "more than this machine's"});
  EXPECT_NO_THROW(Simulation sim(spec));
}

TEST(MemoryEstimate, BoundsTheEngineArraysOfATaskNetwork) {
  for (const char* optimizer : {"gradient_descent", "adam"}) {
    const NetworkSpec spec = tasks::sine_task_network(
        test_support::regression_config("eprop_iaf_adapt", optimizer));
    const MemoryEstimate estimate = estimate_memory(spec);
    const Simulation sim(spec);
    const MemoryStats actual = sim.memory_stats();
    EXPECT_EQ(estimate.eprop_synapses, actual.eprop_synapses) << optimizer;
    EXPECT_GE(estimate.eprop_synapse_bytes, actual.eprop_synapse_bytes) << optimizer;
    EXPECT_LE(estimate.eprop_synapse_bytes, 3 * actual.eprop_synapse_bytes) << optimizer;
  }
}

}  // namespace
}  // namespace eprop
