// The paper's efficiency benchmark (tasks/paper_bench.h) for Python: eprop.bench and
// eprop.bench_estimate wrap these. The options are keyword arguments named like the fields of
// tasks::PaperBenchConfig (and `eprop bench`'s flags); one table maps both ways.

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>

#include <pybind11/stl.h>

#include "bindings.h"
#include "eprop/error.h"
#include "tasks/paper_bench.h"

namespace py = pybind11;

namespace eprop::python {
namespace {

using Config = tasks::PaperBenchConfig;

// Reads and writes one field of the config from and to Python.
template <auto Member>
struct Field {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Member)>;
  static void set(Config& c, const py::handle& value) { c.*Member = value.cast<T>(); }
  static py::object get(const Config& c) { return py::cast(c.*Member); }
};

void set_precision(Config& c, const py::handle& value) {
  const auto text = value.cast<std::string>();
  if (text != "float" && text != "double") {
    throw ConfigError("bench: precision = \"" + text + "\": must be \"float\" or \"double\"");
  }
  c.precision = text == "double" ? Precision::double_precision : Precision::single_precision;
}

py::object get_precision(const Config& c) {
  return py::str(c.precision == Precision::double_precision ? "double" : "float");
}

struct Option {
  const char* name;
  const char* type;  // for the message when a value does not convert
  void (*set)(Config&, const py::handle&);
  py::object (*get)(const Config&);
};

template <auto Member>
constexpr Option option(const char* name, const char* type) {
  return {name, type, &Field<Member>::set, &Field<Member>::get};
}

constexpr std::array kOptions{
    option<&Config::n_in>("n_in", "a non-negative integer"),
    option<&Config::n_out>("n_out", "a non-negative integer"),
    option<&Config::indegree_rec>("indegree_rec", "an integer"),
    option<&Config::indegree_in>("indegree_in", "an integer"),
    option<&Config::indegree_out>("indegree_out", "an integer"),
    option<&Config::rate_rec>("rate_rec", "a number"),
    option<&Config::rate_in>("rate_in", "a number"),
    option<&Config::time_ms>("time_ms", "a number"),
    Option{"precision", "\"float\" or \"double\"", &set_precision, &get_precision},
    option<&Config::threads>("threads", "a positive integer"),
    option<&Config::seed>("seed", "a non-negative integer"),
};

std::string known_options() {
  std::string out;
  for (const Option& o : kOptions) out += (out.empty() ? "" : ", ") + std::string(o.name);
  return out;
}

// The resolved config of one run: defaults, then the keyword options; TypeError for an unknown
// option or a value of the wrong type, ConfigError (a ValueError) for one out of range.
Config make_config(const std::string& variant, std::size_t n_rec, const py::kwargs& options) {
  Config c;
  c.variant = variant;
  c.n_rec = n_rec;
  for (const auto& [key, value] : options) {
    const auto name = key.cast<std::string>();
    const auto* o = std::find_if(kOptions.begin(), kOptions.end(),
                                 [&](const Option& opt) { return name == opt.name; });
    if (o == kOptions.end()) {
      throw py::type_error("bench: unknown option '" + name + "' (options: " + known_options() +
                           ")");
    }
    try {
      o->set(c, value);
    } catch (const py::cast_error&) {
      throw py::type_error("bench: option '" + name + "' = " + py::repr(value).cast<std::string>() +
                           ": expected " + o->type);
    }
  }
  return tasks::resolve(c);  // ConfigError for anything out of range, before allocating
}

}  // namespace

void bind_bench(py::module_& m) {
  m.def("_bench_variants", &tasks::paper_bench_variants);
  m.def("_bench_defaults", [] {
    const Config c;
    py::dict d;
    for (const Option& o : kOptions) d[o.name] = o.get(c);
    return d;
  });
  m.def(
      "_bench_estimate",
      [](const std::string& variant, std::size_t n_rec, const py::kwargs& options) {
        const tasks::MemoryEstimate e = tasks::estimate_memory(make_config(variant, n_rec, options));
        return py::make_tuple(e.synapses, e.bytes);
      },
      py::arg("variant"), py::arg("n_rec"));
  m.def(
      "_bench_run",
      [](const std::string& variant, std::size_t n_rec, const py::kwargs& options) {
        const Config c = make_config(variant, n_rec, options);
        py::gil_scoped_release released;
        return tasks::run_paper_bench(c).dump();  // JSON text; eprop.bench parses it
      },
      py::arg("variant"), py::arg("n_rec"));
}

}  // namespace eprop::python
