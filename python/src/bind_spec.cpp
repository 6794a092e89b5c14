// NetworkSpec and its parts as Python classes with the C++ field names. Enumerations travel as
// the network file's strings ("double", "stepwise", "all_to_all", "multimeter"). List fields are
// values: assign a whole list (spec.populations = [...]); appending to the list a getter
// returned changes nothing.

#include <array>
#include <filesystem>
#include <string>
#include <utility>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/spec.h"

namespace py = pybind11;

namespace eprop::python {
namespace {

template <class Enum, std::size_t N>
struct Names {
  std::array<std::pair<Enum, const char*>, N> table;
  const char* what;

  [[nodiscard]] std::string name(Enum value) const {
    for (const auto& [e, s] : table) {
      if (e == value) return s;
    }
    return "?";
  }
  [[nodiscard]] Enum parse(const std::string& text) const {
    std::string allowed;
    for (const auto& [e, s] : table) {
      if (text == s) return e;
      allowed += (allowed.empty() ? "" : ", ") + std::string(s);
    }
    throw ConfigError(std::string(what) + " = \"" + text + "\" must be one of " + allowed);
  }
};

const Names<Precision, 2> kPrecision{
    {{{Precision::single_precision, "single"}, {Precision::double_precision, "double"}}},
    "precision"};
const Names<ConnectionRule, 5> kRule{{{{ConnectionRule::all_to_all, "all_to_all"},
                                       {ConnectionRule::one_to_one, "one_to_one"},
                                       {ConnectionRule::pairwise, "pairwise"},
                                       {ConnectionRule::fixed_indegree, "fixed_indegree"},
                                       {ConnectionRule::pairwise_bernoulli, "pairwise_bernoulli"}}},
                                     "rule"};
const Names<RecorderType, 3> kRecorder{{{{RecorderType::multimeter, "multimeter"},
                                         {RecorderType::spike_recorder, "spike_recorder"},
                                         {RecorderType::weight_recorder, "weight_recorder"}}},
                                       "type"};

// A string property over an enumeration field.
template <class Class, class Enum, std::size_t N>
void enum_property(py::class_<Class>& cls, const char* name, Enum Class::*field,
                   const Names<Enum, N>& names) {
  cls.def_property(
      name, [field, &names](const Class& c) { return names.name(c.*field); },
      [field, &names](Class& c, const std::string& s) { c.*field = names.parse(s); });
}

void bind_kernel(py::module_& m) {
  py::class_<KernelSpec> k(m, "KernelSpec", "Kernel settings (NEST: nest.set(...)).");
  k.def(py::init<>())
      .def_readwrite("resolution", &KernelSpec::resolution, "ms")
      .def_readwrite("seed", &KernelSpec::seed)
      .def_readwrite("threads", &KernelSpec::threads,
                     "worker threads (results do not depend on it)")
      .def_readwrite("eprop_update_interval", &KernelSpec::eprop_update_interval)
      .def_readwrite("eprop_learning_window", &KernelSpec::eprop_learning_window)
      .def_readwrite("eprop_reset_neurons_on_update", &KernelSpec::eprop_reset_neurons_on_update);
  enum_property(k, "precision", &KernelSpec::precision, kPrecision);
  k.def_property(
      "eligibility_integration",
      [](const KernelSpec& s) { return std::string(to_string(s.eligibility_integration)); },
      [](KernelSpec& s, const std::string& name) {
        const auto mode = parse_eligibility_integration(name);
        if (!mode) {
          throw ConfigError("eligibility_integration = \"" + name +
                            "\" must be one of closed_form, stepwise");
        }
        s.eligibility_integration = *mode;
      });
}

void bind_parts(py::module_& m) {
  py::class_<PopulationSpec>(m, "PopulationSpec",
                             "One population (NEST: Create(model, n, params)).")
      .def(py::init<>())
      .def_readwrite("name", &PopulationSpec::name)
      .def_readwrite("model", &PopulationSpec::model)
      .def_readwrite("n", &PopulationSpec::n)
      .def_readwrite("params", &PopulationSpec::params)
      .def_readwrite("spike_times", &PopulationSpec::spike_times)
      .def_readwrite("amplitude_times", &PopulationSpec::amplitude_times)
      .def_readwrite("amplitude_values", &PopulationSpec::amplitude_values)
      .def_readwrite("neuron_params", &PopulationSpec::neuron_params,
                     "per-neuron values (n each) replacing params of the same name (tau_m of "
                     "the recurrent e-prop models)");

  py::class_<OptimizerSpec>(m, "OptimizerSpec", "Optimizer of a plastic connection.")
      .def(py::init<>())
      .def_readwrite("type", &OptimizerSpec::type)
      .def_readwrite("eta", &OptimizerSpec::eta)
      .def_readwrite("batch_size", &OptimizerSpec::batch_size)
      .def_readwrite("optimize_each_step", &OptimizerSpec::optimize_each_step)
      .def_readwrite("Wmin", &OptimizerSpec::Wmin)
      .def_readwrite("Wmax", &OptimizerSpec::Wmax)
      .def_readwrite("beta_1", &OptimizerSpec::beta_1)
      .def_readwrite("beta_2", &OptimizerSpec::beta_2)
      .def_readwrite("epsilon", &OptimizerSpec::epsilon);

  py::class_<ConnectionSpec> c(m, "ConnectionSpec", "One Connect() call between two populations.");
  c.def(py::init<>())
      .def_readwrite("source", &ConnectionSpec::source)
      .def_readwrite("target", &ConnectionSpec::target)
      .def_readwrite("allow_autapses", &ConnectionSpec::allow_autapses)
      .def_readwrite("synapse", &ConnectionSpec::synapse)
      .def_readwrite("weight", &ConnectionSpec::weight)
      .def_readwrite("delay", &ConnectionSpec::delay)
      .def_readwrite("receptor_type", &ConnectionSpec::receptor_type)
      .def_readwrite("sources", &ConnectionSpec::sources)
      .def_readwrite("targets", &ConnectionSpec::targets)
      .def_readwrite("indegree", &ConnectionSpec::indegree)
      .def_readwrite("p", &ConnectionSpec::p)
      .def_readwrite("optimizer", &ConnectionSpec::optimizer)
      .def_readwrite("tau_m_readout", &ConnectionSpec::tau_m_readout)
      .def_readwrite("average_gradient", &ConnectionSpec::average_gradient);
  enum_property(c, "rule", &ConnectionSpec::rule, kRule);

  py::class_<RecorderSpec> r(m, "RecorderSpec", "A multimeter, spike_recorder or weight_recorder.");
  r.def(py::init<>())
      .def_readwrite("population", &RecorderSpec::population)
      .def_readwrite("neurons", &RecorderSpec::neurons)
      .def_readwrite("record_from", &RecorderSpec::record_from)
      .def_readwrite("interval", &RecorderSpec::interval)
      .def_readwrite("start", &RecorderSpec::start)
      .def_readwrite("stop", &RecorderSpec::stop)
      .def_readwrite("connection", &RecorderSpec::connection);
  enum_property(r, "type", &RecorderSpec::type, kRecorder);

  py::class_<NetworkSpec>(m, "NetworkSpec",
                          "A whole network: kernel, populations, connections, recorders.")
      .def(py::init<>())
      .def_readwrite("kernel", &NetworkSpec::kernel)
      .def_readwrite("populations", &NetworkSpec::populations)
      .def_readwrite("connections", &NetworkSpec::connections)
      .def_readwrite("recorders", &NetworkSpec::recorders)
      .def_readwrite("simulate", &NetworkSpec::simulate);
}

// One list of doubles per neuron from any sequence of arrays, copied in one pass per row (the
// generic conversion goes through a Python float per value).
std::vector<std::vector<double>> rows_of(const py::sequence& rows) {
  std::vector<std::vector<double>> out;
  out.reserve(rows.size());
  for (const py::handle row : rows) {
    const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(row);
    if (!a) throw py::type_error("expected one sequence of numbers per neuron");
    out.emplace_back(a.data(), a.data() + a.size());
  }
  return out;
}

std::vector<std::vector<double>>& rows_field(PopulationSpec& p, const std::string& field) {
  if (field == "spike_times") return p.spike_times;
  if (field == "amplitude_times") return p.amplitude_times;
  if (field == "amplitude_values") return p.amplitude_values;
  throw py::value_error("set_rows: unknown field '" + field + "'");
}

}  // namespace

void bind_spec(py::module_& m) {
  m.def(
      "set_rows",
      [](PopulationSpec& p, const std::string& field, const py::sequence& rows) {
        rows_field(p, field) = rows_of(rows);
      },
      py::arg("population"), py::arg("field"), py::arg("rows"),
      "Sets spike_times, amplitude_times or amplitude_values from one array per neuron (fast).");
  m.def(
      "set_rows",
      [](NetworkSpec& s, std::size_t population, const std::string& field,
         const py::sequence& rows) {
        if (population >= s.populations.size()) {
          throw py::index_error("set_rows: population " + std::to_string(population) +
                                " out of range");
        }
        rows_field(s.populations[population], field) = rows_of(rows);
      },
      py::arg("spec"), py::arg("population"), py::arg("field"), py::arg("rows"),
      "The same on spec.populations[population] in place (no copy of the other populations).");
  bind_kernel(m);
  bind_parts(m);
  m.def("parse_network", &parse_network, py::arg("text"), py::arg("origin") = "<string>",
        "Parses a network file's text (TOML); `origin` names it in error messages.");
  m.def(
      "read_network_file", [](const std::filesystem::path& p) { return read_network_file(p); },
      py::arg("path"), "Reads a network file (docs/user/network-file.md).");
  m.def("format_network", &format_network, py::arg("spec"),
        "The network as network-file text that parse_network reads back.");
  m.def(
      "write_network_file",
      [](const NetworkSpec& s, const std::filesystem::path& p) { write_network_file(s, p); },
      py::arg("spec"), py::arg("path"), "Writes a network file.");
}

}  // namespace eprop::python
