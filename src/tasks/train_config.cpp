#include "tasks/train_config.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/input_limits.h"
#include "eprop/error.h"
#include "tasks/evidence_task.h"
#include "tasks/nmnist_task.h"
#include "tasks/pattern_task.h"
#include "tasks/sine_task.h"

namespace eprop::tasks {
namespace {

const ConfigField* find_field(const std::vector<ConfigField>& fields, std::string_view key) {
  const auto it = std::find_if(fields.begin(), fields.end(),
                               [&](const ConfigField& f) { return f.key == key; });
  return it == fields.end() ? nullptr : &*it;
}

std::string kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::integer:
      return "an integer";
    case FieldKind::number:
      return "a number";
    case FieldKind::boolean:
      return "true or false";
    case FieldKind::string:
      return "a string";
  }
  return "a value";
}

std::string table_of(std::string_view key) {
  const auto dot = key.find('.');
  return std::string(dot == std::string_view::npos ? std::string_view() : key.substr(0, dot));
}

// Known keys of the same table, for "did you mean" style messages.
std::string known_keys(const std::vector<ConfigField>& fields, std::string_view key) {
  const std::string table = table_of(key);
  std::string out;
  std::set<std::string> tables;
  for (const ConfigField& f : fields) {
    tables.insert(table_of(f.key));
    if (table_of(f.key) == table) {
      out += (out.empty() ? "" : ", ") + f.key.substr(table.size() + 1);
    }
  }
  if (!out.empty()) return "known keys in [" + table + "]: " + out;
  std::string all;
  for (const std::string& t : tables) all += (all.empty() ? "" : ", ") + t;
  return "known tables: " + all;
}

// A TOML value as a config scalar; nullopt for arrays, tables and dates.
std::optional<ConfigScalar> scalar_of(const toml::node& node) {
  if (const auto* v = node.as_integer()) return ConfigScalar(v->get());
  if (const auto* v = node.as_floating_point()) return ConfigScalar(v->get());
  if (const auto* v = node.as_boolean()) return ConfigScalar(v->get());
  if (const auto* v = node.as_string()) return ConfigScalar(v->get());
  return std::nullopt;
}

class Parser {
 public:
  Parser(std::string_view task, TrainConfig& config)
      : fields_(config_fields(task)), config_(config) {}

  void table(const toml::table& t, const std::string& prefix, const std::string& origin) {
    for (const auto& [k, node] : t) {
      const std::string key =
          prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (prefix.empty() && key == "task") {
        check_task(node, origin);
        continue;
      }
      if (const auto* sub = node.as_table(); sub != nullptr && prefix.empty()) {
        table(*sub, key, origin);
        continue;
      }
      const std::optional<ConfigScalar> value = scalar_of(node);
      if (!value) {
        fail(origin, key, describe(node), "must be a single value (" + expected(key) + ")");
      }
      set(origin, key, *value, describe(node));
    }
  }

  void set(const std::string& origin, const std::string& key, const ConfigScalar& raw,
           const std::string& shown) {
    const ConfigField* field = find_field(fields_, key);
    if (field == nullptr) {
      if (table_of(key) == "recurrent" && key.find('.', 10) == std::string::npos) {
        config_.recurrent_params[key.substr(10)] = to_param(origin, key, raw, shown);
        config_.explicit_keys.insert(key);
        return;
      }
      if (key.find('.') == std::string::npos) {
        fail(origin, key, shown, "is not a key of a table (" + known_keys(fields_, key) + ")");
      }
      fail(origin, key, shown, "is an unknown key (" + known_keys(fields_, key) + ")");
    }
    config_.values[key] = checked(origin, *field, raw, shown);
    config_.explicit_keys.insert(key);
  }

  void check_task(const toml::node& node, const std::string& origin) {
    const auto* s = node.as_string();
    if (s == nullptr || s->get() != config_.task) {
      fail(origin, "task", describe(node),
           "does not match the task being trained ('" + config_.task + "')");
    }
  }

  static std::string describe(const toml::node& node) {
    std::ostringstream out;
    node.visit([&out](const auto& n) { out << n; });
    std::string text = out.str();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
  }

  [[noreturn]] static void fail(const std::string& origin, const std::string& key,
                                const std::string& shown, const std::string& constraint) {
    throw ConfigError(fmt::format("{}: key '{}' = {} {}", origin, key, shown, constraint));
  }

 private:
  std::string expected(const std::string& key) const {
    const ConfigField* f = find_field(fields_, key);
    return f == nullptr ? "a number, boolean or string" : kind_name(f->kind);
  }

  static ParamValue to_param(const std::string& origin, const std::string& key,
                             const ConfigScalar& raw, const std::string& shown) {
    if (const auto* i = std::get_if<std::int64_t>(&raw)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&raw)) {
      if (!std::isfinite(*d)) fail(origin, key, shown, "must be finite");
      return *d;
    }
    if (const auto* b = std::get_if<bool>(&raw)) return *b;
    return std::get<std::string>(raw);
  }

  static ConfigScalar checked(const std::string& origin, const ConfigField& f,
                              const ConfigScalar& raw, const std::string& shown) {
    ConfigScalar value = raw;
    if (f.kind == FieldKind::number && std::holds_alternative<std::int64_t>(raw)) {
      value = static_cast<double>(std::get<std::int64_t>(raw));
    }
    const bool type_ok =
        (f.kind == FieldKind::integer && std::holds_alternative<std::int64_t>(value)) ||
        (f.kind == FieldKind::number && std::holds_alternative<double>(value)) ||
        (f.kind == FieldKind::boolean && std::holds_alternative<bool>(value)) ||
        (f.kind == FieldKind::string && std::holds_alternative<std::string>(value));
    if (!type_ok) fail(origin, f.key, shown, "must be " + kind_name(f.kind));
    if (f.kind == FieldKind::integer || f.kind == FieldKind::number) {
      const double x = f.kind == FieldKind::integer
                           ? static_cast<double>(std::get<std::int64_t>(value))
                           : std::get<double>(value);
      check_range(origin, f, x, shown);
    }
    if (f.kind == FieldKind::string && !f.choices.empty()) {
      const std::string& s = std::get<std::string>(value);
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) {
        std::string list;
        for (const std::string& c : f.choices) list += (list.empty() ? "" : ", ") + c;
        fail(origin, f.key, shown, "must be one of: " + list);
      }
    }
    return value;
  }

  static void check_range(const std::string& origin, const ConfigField& f, double x,
                          const std::string& shown) {
    if (!std::isfinite(x)) fail(origin, f.key, shown, "must be finite");
    const auto bound = [](double b) { return fmt::format("{:g}", b); };
    if (f.min && (f.min_exclusive ? !(x > *f.min) : !(x >= *f.min))) {
      fail(origin, f.key, shown,
           fmt::format("must be {} {}", f.min_exclusive ? ">" : ">=", bound(*f.min)));
    }
    if (f.max && (f.max_exclusive ? !(x < *f.max) : !(x <= *f.max))) {
      fail(origin, f.key, shown,
           fmt::format("must be {} {}", f.max_exclusive ? "<" : "<=", bound(*f.max)));
    }
  }

  const std::vector<ConfigField>& fields_;
  TrainConfig& config_;
};

// `key=value`: the value is read as a TOML value; a bare word is taken as a string.
void apply_override(Parser& parser, const std::string& text) {
  const std::string origin = "--set " + text;
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(origin + ": expected key=value (for example training.n_iter=20)");
  }
  std::string key = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);
  key.erase(key.find_last_not_of(" \t") + 1);
  // The value is parsed as a small TOML document; a line break would smuggle in more keys.
  if (text.find_first_of("\n\r") != std::string::npos || text.size() > kMaxConfigFileBytes) {
    throw ConfigError("--set: '" + key + "': the value must be one value on one line");
  }
  const std::string document = "v = " + value;
  check_toml_shape(document, origin);
  toml::table parsed;
  try {
    parsed = toml::parse(document);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};  // bare word: a string
  }
  const toml::node* node = parsed.get("v");
  const std::optional<ConfigScalar> scalar = scalar_of(*node);
  if (!scalar || parsed.size() != 1) Parser::fail(origin, key, value, "must be a single value");
  parser.set(origin, key, *scalar, Parser::describe(*node));
}

// Defaults that depend on other keys, exactly as the task builders compute them.
void fill_dependent_defaults(TrainConfig& c) {
  if (c.task == "sine" && is_bsshslm_model(c.string("network.model"))) {
    const SineTaskConfig b = sine_bsshslm_config();
    if (!c.is_explicit("optimizer.eta")) c.values["optimizer.eta"] = 1e-4;
    if (!c.is_explicit("recurrent.surrogate_gradient_width")) {
      c.values["recurrent.surrogate_gradient_width"] = b.surrogate_gradient_width;
    }
    if (!c.is_explicit("training.extension_sim"))
      c.values["training.extension_sim"] = b.extension_sim;
  }
  const bool pattern = c.task == "lemniscate" || c.task == "handwriting";
  if (pattern && !is_bsshslm_model(c.string("network.model")) && !c.is_explicit("optimizer.eta")) {
    c.values["optimizer.eta"] = kPatternEpropPlusEta;
  }
  if (c.task == "evidence" && c.string("network.family") == "eprop_plus") {
    if (!c.is_explicit("optimizer.eta")) c.values["optimizer.eta"] = kEvidenceEpropPlusEta;
    if (!c.is_explicit("recurrent.surrogate_gradient_width")) {
      c.values["recurrent.surrogate_gradient_width"] = 1.0 / 1.7;
    }
  }
  // numpy_compatible promises NEST's numbers: by default it takes NEST's stepwise integration,
  // whose rounding the closed form does not reproduce (SPEC_multiplicity).
  if (c.boolean("data.numpy_compatible") && !c.is_explicit("run.integration")) {
    c.values["run.integration"] = std::string("stepwise");
  }
  if (c.task == "nmnist" && !c.is_explicit("optimizer.eta")) {
    NmnistTaskConfig n;
    n.kappa = c.number("recurrent.kappa");
    n.model = c.string("network.model");
    c.values["optimizer.eta"] = nmnist_eta_train(n);
  }
}

void check_relations(const TrainConfig& c) {
  const auto fail = [&](const std::string& what) { throw ConfigError(c.origin + ": " + what); };
  if (c.number("optimizer.Wmin") > c.number("optimizer.Wmax")) {
    fail(fmt::format("optimizer.Wmin = {:g} must not exceed optimizer.Wmax = {:g}",
                     c.number("optimizer.Wmin"), c.number("optimizer.Wmax")));
  }
  if (c.task == "nmnist") {
    if (c.string("data.root").empty()) {
      fail(
          "key 'data.root' is required for nmnist (the N-MNIST folder with Train/ and Test/), "
          "e.g. --set data.root=/path/to/nmnist");
    }
    if (c.integer("training.learning_window") > c.integer("training.sequence")) {
      fail(fmt::format("training.learning_window = {} must be <= training.sequence = {}",
                       c.integer("training.learning_window"), c.integer("training.sequence")));
    }
    if (c.integer("network.indegree_rec_rec") >= c.integer("network.n_rec")) {
      fail(fmt::format("network.indegree_rec_rec = {} must be < network.n_rec = {} (no autapses)",
                       c.integer("network.indegree_rec_rec"), c.integer("network.n_rec")));
    }
    const std::int64_t per_iteration =
        c.integer("training.group_size") * c.integer("training.sequence");
    if (c.integer("training.extension_sim") + 3 > per_iteration) {
      fail("training.extension_sim must be <= group_size * sequence - 3");
    }
  }
  if ((c.task == "nmnist" || c.task == "evidence") &&
      c.integer("training.n_iter_train") + c.integer("training.n_iter_test") < 1) {
    fail("training.n_iter_train + training.n_iter_test must be >= 1");
  }
  if (c.task == "evidence" && c.integer("network.n_in") % 4 != 0) {
    fail(
        fmt::format("key 'network.n_in' = {} must be a multiple of 4 (left, right, recall and "
                    "background input groups of equal size)",
                    c.integer("network.n_in")));
  }
  if (c.task == "sine" && static_cast<double>(c.integer("training.n_iter")) *
                                  static_cast<double>(c.integer("training.sequence")) >
                              16777200.0) {
    fail(
        "training.n_iter * training.sequence must stay below 2^24 ms (spike times are float32 "
        "in the NEST example)");
  }
}

}  // namespace

std::int64_t TrainConfig::integer(std::string_view key) const {
  return std::get<std::int64_t>(values.at(std::string(key)));
}
double TrainConfig::number(std::string_view key) const {
  return std::get<double>(values.at(std::string(key)));
}
bool TrainConfig::boolean(std::string_view key) const {
  return std::get<bool>(values.at(std::string(key)));
}
const std::string& TrainConfig::string(std::string_view key) const {
  return std::get<std::string>(values.at(std::string(key)));
}
bool TrainConfig::is_explicit(std::string_view key) const {
  return explicit_keys.count(std::string(key)) > 0;
}
Precision TrainConfig::precision() const {
  return string("run.precision") == "float" ? Precision::single_precision
                                            : Precision::double_precision;
}

TrainConfig parse_train_config(std::string_view task, std::string_view toml_text,
                               const std::string& origin,
                               const std::vector<std::string>& overrides) {
  TrainConfig config;
  config.task = std::string(task);
  config.origin = origin;
  for (const ConfigField& f : config_fields(task)) config.values[f.key] = f.fallback;
  Parser parser(task, config);
  check_toml_shape(toml_text, origin);
  toml::table table;
  try {
    table = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(
        fmt::format("{}: line {}: {}", origin, e.source().begin.line, e.description()));
  }
  parser.table(table, "", origin);
  for (const std::string& o : overrides) apply_override(parser, o);
  // Errors found from here on may come from the file or from a --set value: name both.
  std::string sets;
  for (const std::string& o : overrides) sets += (sets.empty() ? "--set " : ", --set ") + o;
  if (!sets.empty()) config.origin = origin == "defaults" ? sets : origin + " with " + sets;
  fill_dependent_defaults(config);
  check_relations(config);
  return config;
}

TrainConfig read_train_config(std::string_view task, const std::optional<std::string>& path,
                              const std::vector<std::string>& overrides) {
  std::string text;
  std::string origin = "defaults";
  if (path) {
    text = read_input_file(*path, "config file", kMaxConfigFileBytes);
    origin = *path;
  }
  return parse_train_config(task, text, origin, overrides);
}

std::string format_scalar(const ConfigScalar& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    std::string s = fmt::format("{}", *d);  // shortest text that reads back to the same double
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
  }
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  std::string out = "\"";  // TOML basic string
  for (const char ch : std::get<std::string>(value)) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(ch));
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string to_toml(const TrainConfig& config) {
  std::string out = fmt::format("task = \"{}\"\n", config.task);
  std::string current;
  const auto open = [&](const std::string& table) {
    if (table != current) {
      out += "\n[" + table + "]\n";
      current = table;
    }
  };
  std::vector<std::string> order;
  for (const ConfigField& f : config_fields(config.task)) {
    if (std::find(order.begin(), order.end(), table_of(f.key)) == order.end()) {
      order.push_back(table_of(f.key));
    }
  }
  for (const std::string& table : order) {
    for (const ConfigField& f : config_fields(config.task)) {
      if (table_of(f.key) != table) continue;
      open(table);
      out += f.key.substr(table.size() + 1) + " = " + format_scalar(config.values.at(f.key)) + "\n";
    }
    if (table == "recurrent") {
      for (const auto& [name, value] : config.recurrent_params) {
        ConfigScalar s = std::visit([](const auto& v) { return ConfigScalar(v); }, value);
        out += name + " = " + format_scalar(s) + "\n";
      }
    }
  }
  return out;
}

std::string describe_config(std::string_view task) {
  std::string out;
  std::string current;
  for (const ConfigField& f : config_fields(task)) {
    const std::string table = table_of(f.key);
    if (table != current) {
      out += "  [" + table + "]\n";
      current = table;
    }
    const std::string shown = f.default_doc.empty() ? format_scalar(f.fallback) : f.default_doc;
    out += fmt::format("    {} = {}\n", f.key.substr(table.size() + 1), shown);
  }
  return out;
}

}  // namespace eprop::tasks
