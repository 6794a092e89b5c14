#include "eprop/network_file.h"

#include "core/input_limits.h"
#include "core/types.h"
#include "eprop/error.h"
#include "io/toml_reader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>
#include <utility>

// The file format is documented for users in `eprop run --help` (apps/eprop/help_text.h). This
// reader checks structure and types only; model parameters, value ranges of the dynamics and
// connection legality are validated by eprop::Simulation, which sees the whole network at once.

namespace eprop {

namespace {

using io::NumberArray;
using io::TableContext;
using io::TableReader;

std::string population_label(std::size_t index, std::string_view name) {
  return name.empty() ? fmt::format("[[population]] #{}", index)
                      : fmt::format("[[population]] #{} '{}'", index, name);
}

bool is_plastic(std::string_view synapse) {
  return synapse.starts_with("eprop_synapse");
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

void reject_for_type(const TableReader& r, std::string_view key, std::string_view type) {
  if (r.has(key)) r.fail(key, fmt::format("is not allowed for type = '{}'", type));
}

void check_not_negative(const TableReader& r, std::string_view key, double value) {
  if (std::isnan(value) || value < 0.0) r.fail(key, "must not be negative");
}

/// Times of a [neuron][k] list: one list per neuron, none negative.
void check_time_lists(const TableReader& r, std::string_view key,
                      const std::vector<std::vector<double>>& lists, std::size_t n) {
  if (lists.size() != n) {
    r.fail(key,
           fmt::format("must hold one list per neuron (n = {}), got {} lists", n, lists.size()));
  }
  for (std::size_t i = 0; i < lists.size(); ++i) {
    for (std::size_t k = 0; k < lists[i].size(); ++k) {
      if (std::isnan(lists[i][k]) || lists[i][k] < 0.0) {
        r.fail(key, fmt::format("must not contain negative times (element [{}][{}] = {})", i, k,
                                lists[i][k]));
      }
    }
  }
}

// A parameter given as a list: one number per neuron (the model says which parameters may vary).
std::vector<double> per_neuron_values(const TableReader& r, const PopulationSpec& pop,
                                      const std::string& name, const toml::array& list) {
  std::vector<double> values;
  for (const toml::node& element : list) {
    if (!element.is_number()) {
      io::throw_at(r.context(),
                   fmt::format("field 'params.{}': element {} = {} must be a number", name,
                               values.size(), io::describe(element)),
                   &element);
    }
    values.push_back(element.is_integer() ? static_cast<double>(element.as_integer()->get())
                                          : element.as_floating_point()->get());
  }
  if (values.size() != pop.n) {
    io::throw_at(r.context(),
                 fmt::format("field 'params.{}' has {} values, must have one per neuron (n = {})",
                             name, values.size(), pop.n),
                 &list);
  }
  return values;
}

void parse_params(const TableReader& r, PopulationSpec& pop) {
  const toml::table* params = r.table("params");
  if (params == nullptr) return;
  for (auto&& [key, value] : *params) {
    const std::string name(key.str());
    if (value.is_integer()) {
      pop.params[name] = static_cast<double>(value.as_integer()->get());
    } else if (value.is_floating_point()) {
      pop.params[name] = value.as_floating_point()->get();
    } else if (value.is_boolean()) {
      pop.params[name] = value.as_boolean()->get();
    } else if (value.is_string()) {
      pop.params[name] = value.as_string()->get();
    } else if (value.is_array()) {
      pop.neuron_params[name] = per_neuron_values(r, pop, name, *value.as_array());
    } else {
      io::throw_at(r.context(),
                   fmt::format("field 'params.{}' = {} must be a number, true/false, a string or "
                               "a list of numbers (one per neuron)",
                               name, io::describe(value)),
                   &value);
    }
  }
}

void parse_generator_lists(const TableReader& r, PopulationSpec& pop) {
  if (auto times = r.number_lists("spike_times")) {
    if (pop.model != "spike_generator") {
      r.fail("spike_times", "is only allowed with model = 'spike_generator'");
    }
    check_time_lists(r, "spike_times", *times, pop.n);
    pop.spike_times = std::move(*times);
  }
  auto times = r.number_lists("amplitude_times");
  auto values = r.number_lists("amplitude_values");
  if (!times && !values) return;
  for (std::string_view key : {"amplitude_times", "amplitude_values"}) {
    if (r.has(key) && pop.model != "step_rate_generator") {
      r.fail(key, "is only allowed with model = 'step_rate_generator'");
    }
  }
  if (!times) r.fail_missing("amplitude_times", "required together with amplitude_values");
  if (!values) r.fail_missing("amplitude_values", "required together with amplitude_times");
  check_time_lists(r, "amplitude_times", *times, pop.n);
  if (values->size() != pop.n) {
    r.fail("amplitude_values", fmt::format("must hold one list per neuron (n = {}), got {} lists",
                                           pop.n, values->size()));
  }
  for (std::size_t i = 0; i < pop.n; ++i) {
    if ((*values)[i].size() != (*times)[i].size()) {
      r.fail("amplitude_values",
             fmt::format("must have as many values as amplitude_times for each neuron "
                         "(neuron {}: {} values, {} times)",
                         i, (*values)[i].size(), (*times)[i].size()));
    }
  }
  pop.amplitude_times = std::move(*times);
  pop.amplitude_values = std::move(*values);
}

class Parser {
 public:
  Parser(const toml::table& root, std::string origin, const io::ParsedArrays& arrays)
      : root_(root), origin_(std::move(origin)), arrays_(arrays) {}
  NetworkSpec run();

 private:
  TableContext context(std::string label) const {
    return TableContext{origin_, std::move(label), "", &arrays_};
  }
  void parse_kernel(const toml::table& table);
  void parse_population(const toml::table& table, std::size_t index);
  void parse_connection(const toml::table& table, std::size_t index);
  void parse_connection_rule(const TableReader& r, ConnectionSpec& conn) const;
  void parse_optimizer(const TableReader& r, ConnectionSpec& conn) const;
  std::vector<double> parse_shaped(const TableReader& r, std::string_view key,
                                   const ConnectionSpec& conn, std::vector<double> fallback) const;
  void parse_recorder(const toml::table& table, std::size_t index);
  void parse_recorder_source(const TableReader& r, RecorderSpec& rec, std::string_view type) const;
  void parse_run(const toml::table& table);
  const PopulationSpec* find_population(std::string_view name) const;
  const PopulationSpec& population_field(const TableReader& r, std::string_view key,
                                         const std::string& name) const;

  const toml::table& root_;
  std::string origin_;
  const io::ParsedArrays& arrays_;
  NetworkSpec spec_;
};

NetworkSpec Parser::run() {
  TableReader top(root_, context("top level"),
                  {"kernel", "population", "connection", "recorder", "run"});
  if (const toml::table* kernel = top.table("kernel")) parse_kernel(*kernel);
  auto populations = top.tables("population");
  for (std::size_t i = 0; i < populations.size(); ++i) parse_population(*populations[i], i);
  auto connections = top.tables("connection");
  for (std::size_t i = 0; i < connections.size(); ++i) parse_connection(*connections[i], i);
  auto recorders = top.tables("recorder");
  for (std::size_t i = 0; i < recorders.size(); ++i) parse_recorder(*recorders[i], i);
  if (const toml::table* run = top.table("run")) parse_run(*run);
  return std::move(spec_);
}

void Parser::parse_kernel(const toml::table& table) {
  TableReader r(table, context("[kernel]"),
                {"resolution", "precision", "seed", "threads", "eligibility_integration",
                 "eprop_update_interval",
                 "eprop_learning_window", "eprop_reset_neurons_on_update"});
  KernelSpec& kernel = spec_.kernel;
  kernel.resolution = r.number("resolution").value_or(kernel.resolution);
  if (!(kernel.resolution > 0.0) || std::isinf(kernel.resolution)) {
    r.fail("resolution", "must be a positive number of milliseconds");
  }
  if (auto precision = r.string("precision")) {
    if (*precision == "float") {
      kernel.precision = Precision::single_precision;
    } else if (*precision == "double") {
      kernel.precision = Precision::double_precision;
    } else {
      r.fail("precision", "must be 'float' or 'double'");
    }
  }
  if (auto seed = r.integer("seed")) {
    if (*seed < 0) r.fail("seed", "must be a non-negative integer");
    kernel.seed = static_cast<std::uint64_t>(*seed);
  }
  if (auto threads = r.integer("threads")) {
    if (*threads <= 0) r.fail("threads", "must be a positive integer");
    if (*threads > kMaxThreads) r.fail("threads", fmt::format("must be at most {}", kMaxThreads));
    kernel.threads = static_cast<std::size_t>(*threads);
  }
  if (auto name = r.string("eligibility_integration")) {
    const auto integration = parse_eligibility_integration(*name);
    if (!integration) r.fail("eligibility_integration", "must be 'closed_form' or 'stepwise'");
    kernel.eligibility_integration = *integration;
  }
  // _bsshslm_2020 settings (ms); their range is checked with the rest of the spec.
  kernel.eprop_update_interval =
      r.number("eprop_update_interval").value_or(kernel.eprop_update_interval);
  kernel.eprop_learning_window =
      r.number("eprop_learning_window").value_or(kernel.eprop_learning_window);
  kernel.eprop_reset_neurons_on_update =
      r.boolean("eprop_reset_neurons_on_update").value_or(kernel.eprop_reset_neurons_on_update);
}

void Parser::parse_population(const toml::table& table, std::size_t index) {
  TableReader r(
      table, context(population_label(index, "")),
      {"name", "model", "n", "params", "spike_times", "amplitude_times", "amplitude_values"});
  PopulationSpec pop;
  pop.name = r.require(r.string("name"), "name", "a string naming the population");
  if (!valid_name(pop.name)) {
    r.fail("name",
           "must be a non-empty name of letters, digits, '_' and '-' (it names output files)");
  }
  if (find_population(pop.name) != nullptr) r.fail("name", "is already used by another population");
  r.set_label(population_label(index, pop.name));
  pop.model = r.require(r.string("model"), "model", "a NEST model name, e.g. 'eprop_iaf'");
  if (pop.model.empty()) r.fail("model", "must not be empty");
  if (auto n = r.integer("n")) {
    if (*n <= 0) r.fail("n", "must be a positive integer");
    if (*n > kMaxPopulationSize) r.fail("n", fmt::format("must be at most {}", kMaxPopulationSize));
    pop.n = static_cast<std::size_t>(*n);
  }
  parse_params(r, pop);
  parse_generator_lists(r, pop);
  spec_.populations.push_back(std::move(pop));
}

const PopulationSpec* Parser::find_population(std::string_view name) const {
  for (const PopulationSpec& pop : spec_.populations) {
    if (pop.name == name) return &pop;
  }
  return nullptr;
}

const PopulationSpec& Parser::population_field(const TableReader& r, std::string_view key,
                                               const std::string& name) const {
  const PopulationSpec* pop = find_population(name);
  if (pop == nullptr) r.fail(key, "does not name a [[population]]");
  return *pop;
}

void Parser::parse_connection(const toml::table& table, std::size_t index) {
  TableReader r(table, context(fmt::format("[[connection]] #{}", index)),
                {"source", "target", "rule", "allow_autapses", "synapse", "weight", "delay",
                 "receptor_type", "sources", "targets", "indegree", "p", "optimizer",
                 "tau_m_readout", "average_gradient", "tau_plus", "lambda", "alpha", "mu_plus",
                 "mu_minus", "Wmax"});
  ConnectionSpec conn;
  conn.source = r.require(r.string("source"), "source", "the name of a population");
  conn.target = r.require(r.string("target"), "target", "the name of a population");
  population_field(r, "source", conn.source);
  population_field(r, "target", conn.target);
  r.set_label(fmt::format("[[connection]] #{} '{}' -> '{}'", index, conn.source, conn.target));
  parse_connection_rule(r, conn);
  conn.allow_autapses = r.boolean("allow_autapses").value_or(conn.allow_autapses);
  conn.synapse = r.string("synapse").value_or(conn.synapse);
  if (conn.synapse.empty()) r.fail("synapse", "must not be empty");
  if (auto receptor = r.integer("receptor_type")) {
    if (*receptor < 0 || *receptor > 1'000'000)
      r.fail("receptor_type", "must be a non-negative integer");
    conn.receptor_type = static_cast<int>(*receptor);
  }
  conn.weight = parse_shaped(r, "weight", conn, conn.weight);
  conn.delay = parse_shaped(r, "delay", conn, conn.delay);
  for (double delay : conn.delay) check_not_negative(r, "delay", delay);
  parse_optimizer(r, conn);
  // eprop_synapse_bsshslm_2020 only; checked with the rest of the spec.
  conn.tau_m_readout = r.number("tau_m_readout").value_or(conn.tau_m_readout);
  conn.average_gradient = r.boolean("average_gradient").value_or(conn.average_gradient);
  // stdp_synapse only (NEST names); checked with the rest of the spec.
  StdpSpec& stdp = conn.stdp;
  for (auto [key, field] : {std::pair{"tau_plus", &stdp.tau_plus}, {"lambda", &stdp.lambda},
                            {"alpha", &stdp.alpha}, {"mu_plus", &stdp.mu_plus},
                            {"mu_minus", &stdp.mu_minus}, {"Wmax", &stdp.Wmax}}) {
    *field = r.number(key).value_or(*field);
  }
  spec_.connections.push_back(std::move(conn));
}

void parse_pairwise(const TableReader& r, ConnectionSpec& conn, std::size_t n_source,
                    std::size_t n_target) {
  conn.sources = r.require(r.integer_list("sources"), "sources", "source indices of rule pairwise");
  conn.targets = r.require(r.integer_list("targets"), "targets", "target indices of rule pairwise");
  if (conn.sources.size() != conn.targets.size()) {
    r.fail("targets",
           fmt::format("must have as many entries as sources ({})", conn.sources.size()));
  }
  for (auto [key, list, n] : {std::tuple{"sources", &conn.sources, n_source},
                              std::tuple{"targets", &conn.targets, n_target}}) {
    for (std::int64_t i : *list) {
      if (i < 0 || static_cast<std::size_t>(i) >= n) {
        r.fail(key, fmt::format("must hold indices in [0, {}) (found {})", n, i));
      }
    }
  }
}

void Parser::parse_connection_rule(const TableReader& r, ConnectionSpec& conn) const {
  const std::string rule = r.string("rule").value_or("all_to_all");
  static constexpr std::pair<std::string_view, ConnectionRule> rules[] = {
      {"all_to_all", ConnectionRule::all_to_all},
      {"one_to_one", ConnectionRule::one_to_one},
      {"pairwise", ConnectionRule::pairwise},
      {"fixed_indegree", ConnectionRule::fixed_indegree},
      {"pairwise_bernoulli", ConnectionRule::pairwise_bernoulli}};
  auto it = std::find_if(std::begin(rules), std::end(rules),
                         [&](const auto& entry) { return entry.first == rule; });
  if (it == std::end(rules)) {
    r.fail("rule",
           "must be one of all_to_all, one_to_one, pairwise, fixed_indegree, "
           "pairwise_bernoulli");
  }
  conn.rule = it->second;
  const auto only_with = [&](std::string_view key, ConnectionRule needed, std::string_view name) {
    if (r.has(key) && conn.rule != needed)
      r.fail(key, fmt::format("is only allowed with rule = '{}'", name));
  };
  only_with("sources", ConnectionRule::pairwise, "pairwise");
  only_with("targets", ConnectionRule::pairwise, "pairwise");
  only_with("indegree", ConnectionRule::fixed_indegree, "fixed_indegree");
  only_with("p", ConnectionRule::pairwise_bernoulli, "pairwise_bernoulli");
  const std::size_t n_source = find_population(conn.source)->n;
  const std::size_t n_target = find_population(conn.target)->n;
  if (conn.rule == ConnectionRule::one_to_one && n_source != n_target) {
    r.fail("rule", fmt::format("needs populations of equal size (source n = {}, target n = {})",
                               n_source, n_target));
  }
  if (conn.rule == ConnectionRule::pairwise) parse_pairwise(r, conn, n_source, n_target);
  if (conn.rule == ConnectionRule::fixed_indegree) {
    conn.indegree = r.require(r.integer("indegree"), "indegree", "a positive integer");
    if (conn.indegree <= 0) r.fail("indegree", "must be a positive integer");
    if (conn.indegree > kMaxPopulationSize) {
      r.fail("indegree", fmt::format("must be at most {}", kMaxPopulationSize));
    }
  }
  if (conn.rule == ConnectionRule::pairwise_bernoulli) {
    conn.p = r.require(r.number("p"), "p", "a probability in [0, 1]");
    if (!(conn.p >= 0.0 && conn.p <= 1.0)) r.fail("p", "must be a probability in [0, 1]");
  }
}

std::vector<double> Parser::parse_shaped(const TableReader& r, std::string_view key,
                                         const ConnectionSpec& conn,
                                         std::vector<double> fallback) const {
  auto array = r.number_array(key);
  if (!array) return fallback;
  const std::size_t n_source = find_population(conn.source)->n;
  const std::size_t n_target = find_population(conn.target)->n;
  const NumberArray& a = *array;
  if (a.rank == 0) return a.values;
  const auto matrix_shape = [&]() -> std::pair<std::size_t, std::size_t> {
    if (conn.rule == ConnectionRule::all_to_all) return {n_target, n_source};
    if (conn.rule == ConnectionRule::fixed_indegree) {
      return {n_target, static_cast<std::size_t>(conn.indegree)};
    }
    return {0, 0};
  };
  const auto [rows, cols] = matrix_shape();
  if (a.rank == 2) {
    if (rows == 0)
      r.fail(key, "may be a [target][source] matrix only with rule all_to_all or fixed_indegree");
    if (a.rows != rows || a.cols != cols) {
      r.fail(key,
             fmt::format("must be a [target][source] matrix of {} x {} (targets in '{}' x {}), "
                         "got {} x {}",
                         rows, cols, conn.target,
                         conn.rule == ConnectionRule::all_to_all
                             ? fmt::format("sources in '{}'", conn.source)
                             : std::string("indegree"),
                         a.rows, a.cols));
    }
    return a.values;
  }
  std::size_t expected = rows * cols;
  if (conn.rule == ConnectionRule::one_to_one) expected = n_target;
  if (conn.rule == ConnectionRule::pairwise) expected = conn.sources.size();
  if (conn.rule == ConnectionRule::pairwise_bernoulli) {
    r.fail(key,
           "must be a single number with rule pairwise_bernoulli (the number of connections "
           "is random)");
  }
  if (a.values.size() != expected) {
    r.fail(key, fmt::format("must be a single number or a list of {} values (one per connection), "
                            "got {}",
                            expected, a.values.size()));
  }
  return a.values;
}

void Parser::parse_optimizer(const TableReader& r, ConnectionSpec& conn) const {
  const toml::table* table = r.table("optimizer");
  if (table == nullptr) return;
  if (!is_plastic(conn.synapse)) {
    r.fail("optimizer",
           fmt::format("is only allowed with an e-prop synapse (synapse = '{}')", conn.synapse));
  }
  TableReader o(*table, r.nested("optimizer"),
                {"type", "eta", "batch_size", "optimize_each_step", "Wmin", "Wmax", "beta_1",
                 "beta_2", "epsilon"});
  OptimizerSpec& opt = conn.optimizer;
  opt.type = o.string("type").value_or(opt.type);
  if (opt.type != "gradient_descent" && opt.type != "adam") {
    o.fail("type", "must be 'gradient_descent' or 'adam'");
  }
  if (opt.type != "adam") {
    for (std::string_view key : {"beta_1", "beta_2", "epsilon"}) {
      if (o.has(key)) o.fail(key, "is only allowed with type = 'adam'");
    }
  }
  opt.eta = o.number("eta").value_or(opt.eta);
  opt.batch_size = o.integer("batch_size").value_or(opt.batch_size);
  opt.optimize_each_step = o.boolean("optimize_each_step").value_or(opt.optimize_each_step);
  opt.Wmin = o.number("Wmin").value_or(opt.Wmin);
  opt.Wmax = o.number("Wmax").value_or(opt.Wmax);
  opt.beta_1 = o.number("beta_1").value_or(opt.beta_1);
  opt.beta_2 = o.number("beta_2").value_or(opt.beta_2);
  opt.epsilon = o.number("epsilon").value_or(opt.epsilon);
}

void Parser::parse_recorder_source(const TableReader& r, RecorderSpec& rec,
                                   std::string_view type) const {
  if (rec.type == RecorderType::weight_recorder) {
    for (std::string_view key : {"population", "neurons", "record_from", "interval"})
      reject_for_type(r, key, type);
    rec.connection = r.require(r.integer("connection"), "connection",
                               "0-based index of the [[connection]] to watch");
    if (rec.connection < 0 ||
        static_cast<std::size_t>(rec.connection) >= spec_.connections.size()) {
      r.fail("connection",
             fmt::format("must be the 0-based index of a [[connection]] (there are {})",
                         spec_.connections.size()));
    }
    const ConnectionSpec& watched = spec_.connections[static_cast<std::size_t>(rec.connection)];
    if (!is_plastic(watched.synapse)) {
      r.fail("connection", fmt::format("must refer to an e-prop connection (it has synapse = '{}')",
                                       watched.synapse));
    }
  } else {
    reject_for_type(r, "connection", type);
    rec.population = r.require(r.string("population"), "population", "the name of a population");
    const PopulationSpec& pop = population_field(r, "population", rec.population);
    rec.neurons = r.integer_list("neurons").value_or(std::vector<std::int64_t>{});
    for (std::int64_t i : rec.neurons) {
      if (i < 0 || static_cast<std::size_t>(i) >= pop.n) {
        r.fail("neurons", fmt::format("must hold indices in [0, {}) (found {})", pop.n, i));
      }
    }
  }
}

void Parser::parse_recorder(const toml::table& table, std::size_t index) {
  TableReader r(
      table, context(fmt::format("[[recorder]] #{}", index)),
      {"type", "population", "neurons", "record_from", "interval", "start", "stop", "connection"});
  RecorderSpec rec;
  const std::string type =
      r.require(r.string("type"), "type", "multimeter, spike_recorder or weight_recorder");
  if (type == "multimeter") {
    rec.type = RecorderType::multimeter;
  } else if (type == "spike_recorder") {
    rec.type = RecorderType::spike_recorder;
  } else if (type == "weight_recorder") {
    rec.type = RecorderType::weight_recorder;
  } else {
    r.fail("type", "must be one of multimeter, spike_recorder, weight_recorder");
  }
  r.set_label(fmt::format("[[recorder]] #{} ({})", index, type));
  parse_recorder_source(r, rec, type);
  if (rec.type == RecorderType::multimeter) {
    rec.record_from =
        r.require(r.string_list("record_from"), "record_from", "a list of state variable names");
    if (rec.record_from.empty()) r.fail("record_from", "must name at least one variable");
    rec.interval = r.number("interval").value_or(rec.interval);
    if (!(rec.interval > 0.0)) r.fail("interval", "must be a positive number of milliseconds");
  } else if (rec.type == RecorderType::spike_recorder) {
    for (std::string_view key : {"record_from", "interval"}) reject_for_type(r, key, type);
  }
  rec.start = r.number("start").value_or(rec.start);
  check_not_negative(r, "start", rec.start);
  rec.stop = r.number("stop").value_or(rec.stop);
  check_not_negative(r, "stop", rec.stop);
  if (rec.stop < rec.start)
    r.fail("stop", fmt::format("must not be less than start ({})", rec.start));
  spec_.recorders.push_back(std::move(rec));
}

void Parser::parse_run(const toml::table& table) {
  TableReader r(table, context("[run]"), {"simulate"});
  auto durations = r.number_array("simulate");
  if (!durations) return;
  if (durations->rank == 2) r.fail("simulate", "must be a number or a list of numbers (ms)");
  for (double ms : durations->values) {
    if (std::isnan(ms) || ms < 0.0 || std::isinf(ms)) {
      r.fail("simulate", "must hold finite, non-negative durations (ms)");
    }
  }
  spec_.simulate = std::move(durations->values);
}

}  // namespace

NetworkSpec parse_network(std::string_view toml_text, const std::string& origin) {
  check_toml_shape(toml_text, origin);
  // Large numeric arrays first (numeric_arrays.h): toml++ reads numbers slowly.
  std::string text(toml_text);
  const io::ParsedArrays arrays = io::take_numeric_arrays(text);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(origin));
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    throw ConfigError(fmt::format("{}: malformed TOML at line {}, column {}: {}", origin, at.line,
                                  at.column, error.description()));
  }
  return Parser(root, origin, arrays).run();
}

NetworkSpec read_network_file(const std::filesystem::path& path) {
  return parse_network(read_input_file(path, "network file", kMaxNetworkFileBytes), path.string());
}

}  // namespace eprop
