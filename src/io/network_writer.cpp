#include "eprop/network_file.h"

#include "eprop/error.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

// Writes a NetworkSpec as a network file that parse_network reads back into an identical spec:
// numbers with 17 significant digits (exact round trip for doubles), only the fields that
// belong to each table's type, defaults left out where the reader's default is the same.

namespace eprop {
namespace {

std::string number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{:.17g}", x);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string quoted(const std::string& s) { return fmt::format("\"{}\"", s); }

template <class T, class F>
std::string list(const std::vector<T>& values, F format) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += format(values[i]);
  }
  return out + "]";
}

std::string number_list(const std::vector<double>& v) { return list(v, number); }

std::string nested_number_list(const std::vector<std::vector<double>>& v) {
  return list(v, number_list);
}

std::string integer_list(const std::vector<std::int64_t>& v) {
  return list(v, [](std::int64_t i) { return std::to_string(i); });
}

std::string param_value(const ParamValue& value) {
  if (const double* d = std::get_if<double>(&value)) return number(*d);
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return quoted(std::get<std::string>(value));
}

const char* rule_name(ConnectionRule rule) {
  switch (rule) {
    case ConnectionRule::all_to_all: return "all_to_all";
    case ConnectionRule::one_to_one: return "one_to_one";
    case ConnectionRule::pairwise: return "pairwise";
    case ConnectionRule::fixed_indegree: return "fixed_indegree";
    case ConnectionRule::pairwise_bernoulli: return "pairwise_bernoulli";
  }
  return "all_to_all";
}

void write_kernel(std::ostream& out, const KernelSpec& k) {
  out << "[kernel]\n"
      << "resolution = " << number(k.resolution) << "\n"
      << "precision = "
      << quoted(k.precision == Precision::double_precision ? "double" : "float") << "\n"
      << "seed = " << k.seed << "\n"
      << "threads = " << k.threads << "\n"
      << "eligibility_integration = "
      << quoted(std::string(to_string(k.eligibility_integration)))
      << "\n"
      << "eprop_update_interval = " << number(k.eprop_update_interval) << "\n"
      << "eprop_learning_window = " << number(k.eprop_learning_window) << "\n"
      << "eprop_reset_neurons_on_update = " << (k.eprop_reset_neurons_on_update ? "true" : "false")
      << "\n";
}

void write_population(std::ostream& out, const PopulationSpec& p) {
  out << "\n[[population]]\nname = " << quoted(p.name) << "\nmodel = " << quoted(p.model)
      << "\nn = " << p.n << "\n";
  if (!p.params.empty() || !p.neuron_params.empty()) {
    out << "params = {";
    bool first = true;
    for (const auto& [name, value] : p.params) {
      // A per-neuron list replaces the common value: only the list is written.
      if (p.neuron_params.contains(name)) continue;
      out << (first ? " " : ", ") << name << " = " << param_value(value);
      first = false;
    }
    for (const auto& [name, values] : p.neuron_params) {
      out << (first ? " " : ", ") << name << " = " << number_list(values);
      first = false;
    }
    out << " }\n";
  }
  if (p.model == "spike_generator") out << "spike_times = " << nested_number_list(p.spike_times) << "\n";
  if (p.model == "step_rate_generator") {
    out << "amplitude_times = " << nested_number_list(p.amplitude_times) << "\n"
        << "amplitude_values = " << nested_number_list(p.amplitude_values) << "\n";
  }
}

void write_optimizer(std::ostream& out, const OptimizerSpec& o) {
  out << "optimizer = { type = " << quoted(o.type) << ", eta = " << number(o.eta)
      << ", batch_size = " << o.batch_size
      << ", optimize_each_step = " << (o.optimize_each_step ? "true" : "false")
      << ", Wmin = " << number(o.Wmin) << ", Wmax = " << number(o.Wmax);
  if (o.type == "adam") {
    out << ", beta_1 = " << number(o.beta_1) << ", beta_2 = " << number(o.beta_2)
        << ", epsilon = " << number(o.epsilon);
  }
  out << " }\n";
}

void write_connection(std::ostream& out, const ConnectionSpec& c) {
  out << "\n[[connection]]\nsource = " << quoted(c.source) << "\ntarget = " << quoted(c.target)
      << "\nrule = " << quoted(rule_name(c.rule))
      << "\nallow_autapses = " << (c.allow_autapses ? "true" : "false")
      << "\nsynapse = " << quoted(c.synapse) << "\n";
  if (c.rule == ConnectionRule::pairwise) {
    out << "sources = " << integer_list(c.sources) << "\ntargets = " << integer_list(c.targets)
        << "\n";
  }
  if (c.rule == ConnectionRule::fixed_indegree) out << "indegree = " << c.indegree << "\n";
  if (c.rule == ConnectionRule::pairwise_bernoulli) out << "p = " << number(c.p) << "\n";
  auto shaped = [](const std::vector<double>& v) {
    return v.size() == 1 ? number(v[0]) : number_list(v);
  };
  out << "weight = " << shaped(c.weight) << "\ndelay = " << shaped(c.delay)
      << "\nreceptor_type = " << c.receptor_type << "\n";
  if (c.synapse.starts_with("eprop_synapse")) write_optimizer(out, c.optimizer);
  if (c.synapse == "eprop_synapse_bsshslm_2020") {
    out << "tau_m_readout = " << number(c.tau_m_readout)
        << "\naverage_gradient = " << (c.average_gradient ? "true" : "false") << "\n";
  }
}

void write_recorder(std::ostream& out, const RecorderSpec& r) {
  static constexpr const char* kTypes[] = {"multimeter", "spike_recorder", "weight_recorder"};
  out << "\n[[recorder]]\ntype = " << quoted(kTypes[static_cast<int>(r.type)]) << "\n";
  if (r.type == RecorderType::weight_recorder) {
    out << "connection = " << r.connection << "\n";
  } else {
    out << "population = " << quoted(r.population) << "\n";
    if (!r.neurons.empty()) out << "neurons = " << integer_list(r.neurons) << "\n";
  }
  if (r.type == RecorderType::multimeter) {
    out << "record_from = " << list(r.record_from, quoted) << "\ninterval = " << number(r.interval)
        << "\n";
  }
  out << "start = " << number(r.start) << "\n";
  if (std::isfinite(r.stop)) out << "stop = " << number(r.stop) << "\n";
}

}  // namespace

std::string format_network(const NetworkSpec& spec) {
  std::ostringstream out;
  write_kernel(out, spec.kernel);
  for (const auto& p : spec.populations) write_population(out, p);
  for (const auto& c : spec.connections) write_connection(out, c);
  for (const auto& r : spec.recorders) write_recorder(out, r);
  out << "\n[run]\nsimulate = " << number_list(spec.simulate) << "\n";
  return out.str();
}

void write_network_file(const NetworkSpec& spec, const std::filesystem::path& path) {
  const std::string text = format_network(spec);
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    if (!out) throw DataError(path.string() + ": could not write the network file");
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace eprop
