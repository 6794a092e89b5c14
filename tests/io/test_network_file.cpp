// Network file reader (src/io/network_file.cpp): good files become the expected NetworkSpec, and
// every kind of bad input raises a ConfigError naming the file, table, field, value and constraint.

#include "eprop/network_file.h"

#include "eprop/error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace eprop {
namespace {

std::string error_of(std::string_view text) {
  try {
    (void)parse_network(text, "net.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return {};
}

void expect_error(std::string_view text, std::initializer_list<std::string_view> parts) {
  const std::string message = error_of(text);
  for (std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message: " << message << "\nlacks: " << part << "\nfor:\n"
        << text;
  }
}

// Three populations that the connection and recorder cases refer to.
constexpr std::string_view populations = R"(
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
n = 3
)";

std::string with_populations(std::string_view rest) {
  return std::string(populations) + std::string(rest);
}

TEST(NetworkFile, ParsesEveryField) {
  const NetworkSpec spec = parse_network(R"(
[kernel]
resolution = 0.5
precision = "double"
seed = 42
threads = 4
eligibility_integration = "stepwise"

[[population]]
name = "gen"
model = "spike_generator"
n = 2
spike_times = [[1.0, 4], [2.0, 3.0]]

[[population]]
name = "target"
model = "step_rate_generator"
amplitude_times = [[2.0, 30]]
amplitude_values = [[0.5, -0.3]]

[[population]]
name = "rec"
model = "eprop_iaf"
n = 3
params = { V_th = 0.2, tau_m = 20, surrogate_gradient_function = "piecewise_linear", ignore_and_spike = true }

[[connection]]
source = "gen"
target = "rec"
rule = "all_to_all"
allow_autapses = false
synapse = "eprop_synapse"
weight = [[0.15, 0.12], [0.11, 0.16], [0.13, 0.10]]
delay = 1
receptor_type = 3
optimizer = { type = "adam", eta = 0.05, batch_size = 2, Wmin = -10.0, Wmax = 10, optimize_each_step = false, beta_1 = 0.8, beta_2 = 0.99, epsilon = 1e-8 }

[[recorder]]
type = "multimeter"
population = "rec"
neurons = [0, 2]
record_from = ["V_m", "learning_signal"]
interval = 2.0
start = 1.0
stop = 60

[[recorder]]
type = "spike_recorder"
population = "rec"

[[recorder]]
type = "weight_recorder"
connection = 0

[run]
simulate = [60.0, 20]
)",
                                         "net.toml");
  EXPECT_EQ(spec.kernel.resolution, 0.5);
  EXPECT_EQ(spec.kernel.precision, Precision::double_precision);
  EXPECT_EQ(spec.kernel.seed, 42u);
  EXPECT_EQ(spec.kernel.threads, 4u);
  EXPECT_EQ(spec.kernel.eligibility_integration, EligibilityIntegration::stepwise);

  ASSERT_EQ(spec.populations.size(), 3u);
  const PopulationSpec& gen = spec.populations[0];
  EXPECT_EQ(gen.name, "gen");
  EXPECT_EQ(gen.model, "spike_generator");
  EXPECT_EQ(gen.n, 2u);
  EXPECT_EQ(gen.spike_times, (std::vector<std::vector<double>>{{1.0, 4.0}, {2.0, 3.0}}));
  const PopulationSpec& target = spec.populations[1];
  EXPECT_EQ(target.n, 1u);  // default
  EXPECT_EQ(target.amplitude_times, (std::vector<std::vector<double>>{{2.0, 30.0}}));
  EXPECT_EQ(target.amplitude_values, (std::vector<std::vector<double>>{{0.5, -0.3}}));
  const PopulationSpec& rec = spec.populations[2];
  EXPECT_EQ(rec.params.size(), 4u);
  EXPECT_EQ(std::get<double>(rec.params.at("V_th")), 0.2);
  EXPECT_EQ(std::get<double>(rec.params.at("tau_m")), 20.0);  // integer -> double
  EXPECT_EQ(std::get<std::string>(rec.params.at("surrogate_gradient_function")),
            "piecewise_linear");
  EXPECT_EQ(std::get<bool>(rec.params.at("ignore_and_spike")), true);

  ASSERT_EQ(spec.connections.size(), 1u);
  const ConnectionSpec& conn = spec.connections[0];
  EXPECT_EQ(conn.source, "gen");
  EXPECT_EQ(conn.target, "rec");
  EXPECT_EQ(conn.rule, ConnectionRule::all_to_all);
  EXPECT_FALSE(conn.allow_autapses);
  EXPECT_EQ(conn.synapse, "eprop_synapse");
  EXPECT_EQ(conn.weight, (std::vector<double>{0.15, 0.12, 0.11, 0.16, 0.13, 0.10}));  // row-major
  EXPECT_EQ(conn.delay, (std::vector<double>{1.0}));
  EXPECT_EQ(conn.receptor_type, 3);
  EXPECT_EQ(conn.optimizer.type, "adam");
  EXPECT_EQ(conn.optimizer.eta, 0.05);
  EXPECT_EQ(conn.optimizer.batch_size, 2);
  EXPECT_FALSE(conn.optimizer.optimize_each_step);
  EXPECT_EQ(conn.optimizer.Wmin, -10.0);
  EXPECT_EQ(conn.optimizer.Wmax, 10.0);
  EXPECT_EQ(conn.optimizer.beta_1, 0.8);
  EXPECT_EQ(conn.optimizer.beta_2, 0.99);
  EXPECT_EQ(conn.optimizer.epsilon, 1e-8);

  ASSERT_EQ(spec.recorders.size(), 3u);
  const RecorderSpec& mm = spec.recorders[0];
  EXPECT_EQ(mm.type, RecorderType::multimeter);
  EXPECT_EQ(mm.population, "rec");
  EXPECT_EQ(mm.neurons, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(mm.record_from, (std::vector<std::string>{"V_m", "learning_signal"}));
  EXPECT_EQ(mm.interval, 2.0);
  EXPECT_EQ(mm.start, 1.0);
  EXPECT_EQ(mm.stop, 60.0);
  EXPECT_EQ(spec.recorders[1].type, RecorderType::spike_recorder);
  EXPECT_TRUE(spec.recorders[1].neurons.empty());
  EXPECT_TRUE(std::isinf(spec.recorders[1].stop));
  EXPECT_EQ(spec.recorders[2].type, RecorderType::weight_recorder);
  EXPECT_EQ(spec.recorders[2].connection, 0);

  EXPECT_EQ(spec.simulate, (std::vector<double>{60.0, 20.0}));
}

TEST(NetworkFile, ParsesPerNeuronParameterLists) {
  const NetworkSpec spec = parse_network(
      "[[population]]\nname = \"rec\"\nmodel = \"eprop_iaf\"\nn = 3\n"
      "params = { tau_m = [10, 20.5, 30.0], V_th = 0.5 }\n",
      "net.toml");
  const PopulationSpec& rec = spec.populations.at(0);
  EXPECT_EQ(rec.neuron_params.at("tau_m"), (std::vector<double>{10.0, 20.5, 30.0}));
  EXPECT_FALSE(rec.params.contains("tau_m"));
  EXPECT_EQ(std::get<double>(rec.params.at("V_th")), 0.5);
}

TEST(NetworkFile, DefaultsMatchSpecDefaults) {
  const NetworkSpec spec = parse_network(with_populations(R"(
[[connection]]
source = "in"
target = "rec"
)"),
                                         "net.toml");
  const NetworkSpec defaults;
  EXPECT_EQ(spec.kernel.resolution, defaults.kernel.resolution);
  EXPECT_EQ(spec.kernel.precision, Precision::single_precision);
  EXPECT_EQ(spec.kernel.seed, defaults.kernel.seed);
  EXPECT_EQ(spec.kernel.threads, defaults.kernel.threads);
  ASSERT_EQ(spec.connections.size(), 1u);
  const ConnectionSpec& conn = spec.connections[0];
  const ConnectionSpec plain;
  EXPECT_EQ(conn.rule, plain.rule);
  EXPECT_EQ(conn.synapse, plain.synapse);
  EXPECT_EQ(conn.weight, plain.weight);
  EXPECT_EQ(conn.delay, plain.delay);
  EXPECT_EQ(conn.allow_autapses, plain.allow_autapses);
  EXPECT_EQ(conn.optimizer.type, plain.optimizer.type);
  EXPECT_TRUE(spec.simulate.empty());
  EXPECT_TRUE(spec.populations[2].params.empty());
  EXPECT_TRUE(spec.populations[1].spike_times.empty());
}

TEST(NetworkFile, AcceptsEveryRuleWithMatchingShapes) {
  const NetworkSpec spec = parse_network(with_populations(R"(
[[connection]]
source = "gen"
target = "in"
rule = "one_to_one"
weight = [1.0, 2]
delay = [1.0, 1.0]

[[connection]]
source = "in"
target = "rec"
rule = "pairwise"
sources = [0, 1, 1]
targets = [2, 0, 1]
weight = [0.1, 0.2, 0.3]
delay = 1.0

[[connection]]
source = "rec"
target = "rec"
rule = "fixed_indegree"
indegree = 2
weight = [[1, 2], [3, 4], [5, 6]]

[[connection]]
source = "in"
target = "rec"
rule = "pairwise_bernoulli"
p = 0.5
weight = 0.25

[[connection]]
source = "in"
target = "rec"
weight = [1, 2, 3, 4, 5, 6]
)"),
                                         "net.toml");
  ASSERT_EQ(spec.connections.size(), 5u);
  EXPECT_EQ(spec.connections[0].rule, ConnectionRule::one_to_one);
  EXPECT_EQ(spec.connections[0].weight, (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(spec.connections[1].rule, ConnectionRule::pairwise);
  EXPECT_EQ(spec.connections[1].sources, (std::vector<std::int64_t>{0, 1, 1}));
  EXPECT_EQ(spec.connections[1].targets, (std::vector<std::int64_t>{2, 0, 1}));
  EXPECT_EQ(spec.connections[1].weight, (std::vector<double>{0.1, 0.2, 0.3}));
  EXPECT_EQ(spec.connections[2].rule, ConnectionRule::fixed_indegree);
  EXPECT_EQ(spec.connections[2].indegree, 2);
  EXPECT_EQ(spec.connections[2].weight.size(), 6u);
  EXPECT_EQ(spec.connections[3].rule, ConnectionRule::pairwise_bernoulli);
  EXPECT_EQ(spec.connections[3].p, 0.5);
  EXPECT_EQ(spec.connections[4].weight.size(), 6u);
}

TEST(NetworkFile, ReadsTheAppendixBNetworks) {
  for (const char* name :
       {"appendix_b_eprop_iaf_gradient_descent_each.toml", "appendix_b_eprop_iaf_adam_spike.toml",
        "appendix_b_eprop_iaf_adapt_gradient_descent_each.toml"}) {
    SCOPED_TRACE(name);
    const NetworkSpec spec =
        read_network_file(std::filesystem::path(EPROP_TEST_NETWORKS_DIR) / name);
    EXPECT_EQ(spec.kernel.precision, Precision::double_precision);
    ASSERT_EQ(spec.populations.size(), 6u);
    EXPECT_EQ(spec.populations[0].spike_times[0].size(), 10u);
    ASSERT_EQ(spec.connections.size(), 7u);
    EXPECT_EQ(spec.connections[2].weight.size(), 9u);
    EXPECT_FALSE(spec.connections[2].allow_autapses);
    EXPECT_EQ(spec.connections[1].optimizer.eta, 0.05);
    EXPECT_EQ(spec.connections[5].receptor_type, 2);
    EXPECT_EQ(spec.recorders.size(), 3u);
    EXPECT_EQ(spec.simulate, (std::vector<double>{60.0}));
  }
}

TEST(NetworkFile, MessageNamesFileTableFieldValueAndConstraint) {
  const std::string message = error_of(with_populations(R"(
[[population]]
name = "bad"
model = "eprop_iaf"
n = -3
)"));
  EXPECT_EQ(message.rfind(
                "net.toml: [[population]] #3 'bad': field 'n' = -3 must be a positive integer", 0),
            0u)
      << message;
  EXPECT_NE(message.find("(line 21)"), std::string::npos) << message;
}

TEST(NetworkFile, RejectsMalformedToml) {
  expect_error("[kernel]\nresolution = = 1.0\n",
               {"net.toml", "malformed TOML", "line 2", "column"});
  expect_error("[[population]\nname = \"x\"\n", {"net.toml", "malformed TOML", "line 1"});
  expect_error("[kernel]\nseed = 1\nseed = 2\n", {"net.toml", "line 3"});
}

TEST(NetworkFile, RejectsUnknownKeysEverywhere) {
  expect_error("[kernl]\n", {"top level", "unknown field 'kernl'", "allowed: kernel"});
  expect_error("[kernel]\nresolutoin = 1.0\n", {"[kernel]", "unknown field 'resolutoin'"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"parrot_neuron\"\nsize = 3\n",
               {"[[population]] #0", "unknown field 'size'", "allowed: name, model, n"});
  expect_error(
      with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\nwieght = 1.0\n"),
      {"[[connection]] #0", "unknown field 'wieght'"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "synapse = \"eprop_synapse\"\noptimizer = { etaa = 0.1 }\n"),
               {"[[connection]] #0 'in' -> 'rec'", "unknown field 'optimizer.etaa'"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"rec\"\n"
                                "intervall = 1.0\n"),
               {"[[recorder]] #0", "unknown field 'intervall'"});
  expect_error("[run]\nsimulte = 10.0\n", {"[run]", "unknown field 'simulte'"});
}

TEST(NetworkFile, RejectsWrongTypes) {
  expect_error("[kernel]\nresolution = \"1.0\"\n", {"field 'resolution' = '1.0' must be a number"});
  expect_error("[kernel]\nseed = 1.5\n", {"field 'seed' = 1.5 must be an integer"});
  expect_error("[kernel]\neligibility_integration = \"fast\"\n",
               {"field 'eligibility_integration' = 'fast'", "'closed_form' or 'stepwise'"});
  expect_error("[[population]]\nname = 3\nmodel = \"x\"\n", {"field 'name' = 3 must be a string"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"x\"\nn = 2.5\n",
               {"'a'", "field 'n' = 2.5 must be an integer"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"x\"\nparams = { V_th = { a = 1 } }\n",
               {"field 'params.V_th'", "must be a number, true/false, a string or a list of numbers"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"x\"\nn = 2\n"
               "params = { tau_m = [10.0, 20.0, 30.0] }\n",
               {"'a'", "field 'params.tau_m' has 3 values, must have one per neuron (n = 2)"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"x\"\nn = 2\n"
               "params = { tau_m = [10.0, \"x\"] }\n",
               {"field 'params.tau_m': element 1", "must be a number"});
  expect_error("[[population]]\nname = \"a\"\nmodel = \"x\"\nparams = 3\n",
               {"field 'params' = 3 must be a table"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "allow_autapses = 1\n"),
               {"field 'allow_autapses' = 1 must be true or false"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "weight = \"heavy\"\n"),
               {"field 'weight' = 'heavy' must be a number"});
  expect_error(with_populations("[[recorder]]\ntype = \"multimeter\"\npopulation = \"rec\"\n"
                                "record_from = \"V_m\"\n"),
               {"field 'record_from' = 'V_m' must be a list of strings"});
  expect_error("population = 3\n", {"field 'population' = 3 must be an array of tables"});
  expect_error("[population]\nname = \"a\"\n",
               {"must be an array of tables (write [[population]])"});
}

TEST(NetworkFile, RejectsMissingFields) {
  expect_error("[[population]]\nmodel = \"x\"\n",
               {"[[population]] #0", "missing required field 'name'"});
  expect_error("[[population]]\nname = \"a\"\n", {"'a'", "missing required field 'model'"});
  expect_error(with_populations("[[connection]]\ntarget = \"rec\"\n"),
               {"missing required field 'source'"});
  expect_error(with_populations("[[recorder]]\npopulation = \"rec\"\n"),
               {"missing required field 'type'"});
  expect_error(with_populations("[[recorder]]\ntype = \"multimeter\"\npopulation = \"rec\"\n"),
               {"missing required field 'record_from'"});
  expect_error(
      with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\nrule = \"pairwise\"\n"),
      {"missing required field 'sources'"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "rule = \"fixed_indegree\"\n"),
               {"missing required field 'indegree'"});
  expect_error(with_populations("[[recorder]]\ntype = \"weight_recorder\"\n"),
               {"missing required field 'connection'"});
}

TEST(NetworkFile, RejectsNegativeTimes) {
  expect_error(
      "[[population]]\nname = \"g\"\nmodel = \"spike_generator\"\nspike_times = [[2.0, -1.0]]\n",
      {"'g'", "field 'spike_times'", "must not contain negative times", "[0][1]"});
  expect_error(
      "[[population]]\nname = \"s\"\nmodel = \"step_rate_generator\"\n"
      "amplitude_times = [[-2.0]]\namplitude_values = [[1.0]]\n",
      {"field 'amplitude_times'", "negative"});
  expect_error(
      with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\ndelay = -1.0\n"),
      {"field 'delay' = -1.0 must not be negative"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"rec\"\n"
                                "start = -5\n"),
               {"field 'start' = -5 must not be negative"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"rec\"\n"
                                "start = 5.0\nstop = 4.0\n"),
               {"field 'stop' = 4.0 must not be less than start"});
  expect_error(with_populations("[[recorder]]\ntype = \"multimeter\"\npopulation = \"rec\"\n"
                                "record_from = [\"V_m\"]\ninterval = 0.0\n"),
               {"field 'interval' = 0.0 must be a positive"});
  expect_error("[run]\nsimulate = [10.0, -1.0]\n", {"[run]", "field 'simulate'", "non-negative"});
  expect_error("[kernel]\nthreads = 0\n", {"field 'threads' = 0 must be a positive integer"});
  expect_error("[kernel]\nresolution = 0.0\n", {"field 'resolution' = 0.0 must be a positive"});
}

TEST(NetworkFile, RejectsWronglyShapedArrays) {
  expect_error(
      "[[population]]\nname = \"g\"\nmodel = \"spike_generator\"\nn = 2\n"
      "spike_times = [[1.0]]\n",
      {"field 'spike_times'", "one list per neuron (n = 2), got 1"});
  expect_error(
      "[[population]]\nname = \"g\"\nmodel = \"spike_generator\"\nspike_times = [1.0, 2.0]\n",
      {"field 'spike_times'", "must be a list of lists of numbers"});
  expect_error(
      "[[population]]\nname = \"s\"\nmodel = \"step_rate_generator\"\n"
      "amplitude_times = [[1.0, 2.0]]\namplitude_values = [[1.0]]\n",
      {"field 'amplitude_values'", "as many values as amplitude_times"});
  expect_error(
      "[[population]]\nname = \"s\"\nmodel = \"step_rate_generator\"\n"
      "amplitude_times = [[1.0]]\n",
      {"missing required field 'amplitude_values'"});
  expect_error("[[population]]\nname = \"p\"\nmodel = \"parrot_neuron\"\nspike_times = [[1.0]]\n",
               {"field 'spike_times'", "only allowed with model = 'spike_generator'"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "weight = [[1.0, 2.0], [3.0], [4.0, 5.0]]\n"),
               {"field 'weight'", "rectangular matrix", "row 1 has 1 values"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "weight = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]\n"),
               {"field 'weight'", "3 x 2", "got 2 x 3"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "weight = [1.0, 2.0]\n"),
               {"field 'weight'", "list of 6 values"});
  expect_error(with_populations("[[connection]]\nsource = \"gen\"\ntarget = \"in\"\n"
                                "rule = \"one_to_one\"\nweight = [[1.0, 2.0], [3.0, 4.0]]\n"),
               {"field 'weight'", "only with rule all_to_all or fixed_indegree"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "rule = \"pairwise_bernoulli\"\np = 0.1\ndelay = [1.0]\n"),
               {"field 'delay'", "single number with rule pairwise_bernoulli"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "rule = \"pairwise\"\nsources = [0, 1]\ntargets = [0]\n"),
               {"field 'targets'", "as many entries as sources"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "rule = \"pairwise\"\nsources = [0, 2]\ntargets = [0, 1]\n"),
               {"field 'sources'", "[0, 2) (found 2)"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "rule = \"one_to_one\"\n"),
               {"field 'rule'", "equal size"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"rec\"\n"
                                "neurons = [0, 3]\n"),
               {"field 'neurons'", "[0, 3) (found 3)"});
}

TEST(NetworkFile, RejectsUnknownNames) {
  expect_error("[kernel]\nprecision = \"half\"\n",
               {"field 'precision' = 'half' must be 'float' or 'double'"});
  expect_error(
      with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\nrule = \"random\"\n"),
      {"field 'rule' = 'random' must be one of all_to_all"});
  expect_error(with_populations("[[recorder]]\ntype = \"voltmeter\"\npopulation = \"rec\"\n"),
               {"field 'type' = 'voltmeter' must be one of multimeter"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "synapse = \"eprop_synapse\"\noptimizer = { type = \"sgd\" }\n"),
               {"field 'optimizer.type' = 'sgd' must be 'gradient_descent' or 'adam'"});
  expect_error(with_populations("[[connection]]\nsource = \"inp\"\ntarget = \"rec\"\n"),
               {"field 'source' = 'inp' does not name a [[population]]"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"recc\"\n"),
               {"field 'population' = 'recc' does not name a [[population]]"});
  expect_error(with_populations("[[population]]\nname = \"rec\"\nmodel = \"parrot_neuron\"\n"),
               {"field 'name' = 'rec' is already used"});
  expect_error("[[population]]\nname = \"../x\"\nmodel = \"parrot_neuron\"\n",
               {"field 'name' = '../x'", "letters, digits"});
}

TEST(NetworkFile, RejectsFieldsThatWouldBeIgnored) {
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "optimizer = { eta = 0.1 }\n"),
               {"field 'optimizer'", "only allowed with an e-prop synapse"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "synapse = \"eprop_synapse\"\noptimizer = { beta_1 = 0.5 }\n"),
               {"field 'optimizer.beta_1' = 0.5 is only allowed with type = 'adam'"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\np = 0.5\n"),
               {"field 'p' = 0.5 is only allowed with rule = 'pairwise_bernoulli'"});
  expect_error(with_populations("[[recorder]]\ntype = \"spike_recorder\"\npopulation = \"rec\"\n"
                                "record_from = [\"V_m\"]\n"),
               {"field 'record_from'", "not allowed for type = 'spike_recorder'"});
  expect_error(with_populations("[[connection]]\nsource = \"in\"\ntarget = \"rec\"\n"
                                "[[recorder]]\ntype = \"weight_recorder\"\nconnection = 0\n"),
               {"field 'connection' = 0 must refer to an e-prop connection"});
  expect_error(
      with_populations("[[recorder]]\ntype = \"weight_recorder\"\nconnection = 1\n"),
      {"field 'connection' = 1 must be the 0-based index of a [[connection]] (there are 0)"});
}

TEST(NetworkFile, ReadNetworkFileNamesMissingFile) {
  const std::filesystem::path missing =
      std::filesystem::temp_directory_path() / "eprop_no_such.toml";
  try {
    (void)read_network_file(missing);
    FAIL() << "no error for a missing file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
}

TEST(NetworkFile, ReadNetworkFileUsesThePathAsOrigin) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "eprop_bad_net.toml";
  {
    std::ofstream out(path);
    out << "[kernel]\nseed = -1\n";
  }
  try {
    (void)read_network_file(path);
    FAIL() << "no error for a negative seed";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": [kernel]: field 'seed' = -1", 0), 0u)
        << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace eprop
