// eprop.Simulation: simulate in chunks without the GIL (Ctrl-C stops between chunks), recordings
// and weights as numpy arrays, changes between chunks, state save/load.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "comm/communicator.h"
#include "eprop/error.h"
#include "eprop/network_file.h"
#include "eprop/simulation.h"

namespace py = pybind11;

namespace eprop::python {
namespace {

// Wall time of one chunk: short enough that Ctrl-C answers within a fraction of a second, long
// enough that the chunk boundaries cost nothing measurable.
constexpr double kChunkSeconds = 0.05;

class PySimulation {
 public:
  explicit PySimulation(const NetworkSpec& spec) : sim_(spec) {}

  // Runs ms in chunks (Simulate(a) then Simulate(b) equals Simulate(a + b), as in NEST), with the
  // GIL released during each chunk and Python's signal handlers run between chunks. Under MPI
  // the ranks agree on every chunk's length and on an interrupt, so that they stay in step and
  // all raise (no rank waits for one that stopped).
  void simulate(double ms) {
    Guard guard(*this);
    const double dt = sim_.spec().kernel.resolution;
    const double steps_f = ms / dt;
    if (!(steps_f >= 0) || !std::isfinite(steps_f) ||
        std::abs(steps_f - std::round(steps_f)) > 1e-9 * std::max(1.0, steps_f)) {
      sim_.simulate(ms);  // throws the engine's message
      return;
    }
    auto remaining = static_cast<std::int64_t>(std::llround(steps_f));
    std::int64_t chunk = 1;
    while (remaining > 0) {
      const std::int64_t now = std::min(chunk, remaining);
      const auto t0 = std::chrono::steady_clock::now();
      {
        py::gil_scoped_release release;
        sim_.simulate(static_cast<double>(now) * dt);
      }
      remaining -= now;
      const bool signalled = PyErr_CheckSignals() != 0;
      Communicator& comm = sim_.communicator();
      if (!comm.all(!signalled)) {
        if (!signalled) PyErr_SetNone(PyExc_KeyboardInterrupt);  // another rank was interrupted
        throw py::error_already_set();
      }
      const double took = comm.max(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      const double grow = took > 0 ? kChunkSeconds / took : 4.0;
      chunk = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(static_cast<double>(now) * std::clamp(grow, 0.25, 4.0)));
    }
  }

  Simulation& sim() { return sim_; }
  const Simulation& sim() const { return sim_; }

  // Another Python thread must not enter while a chunk runs without the GIL.
  struct Guard {
    explicit Guard(PySimulation& s) : s_(s) {
      if (s_.busy_.exchange(true))
        throw std::runtime_error("this Simulation is busy in another thread");
    }
    ~Guard() { s_.busy_ = false; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    PySimulation& s_;
  };

 private:
  Simulation sim_;
  std::atomic<bool> busy_{false};
};

py::dict multimeter_dict(MultimeterRecording&& r) {
  py::dict d;
  d["population"] = r.population;
  d["variables"] = r.variables;
  d["index"] = to_numpy(std::move(r.index));
  d["time"] = to_numpy(std::move(r.time));
  py::dict values;
  for (std::size_t k = 0; k < r.variables.size() && k < r.values.size(); ++k) {
    values[py::str(r.variables[k])] = to_numpy(std::move(r.values[k]));
  }
  d["values"] = values;
  return d;
}

py::list recordings(PySimulation& s, bool clear) {
  py::list out;
  // One entry per recorder in spec order, whatever its type.
  auto wr = s.sim().weight_recordings();  // first: take_recordings clears the weight logs too
  std::vector<MultimeterRecording> mm;
  std::vector<SpikeRecording> sp;
  if (clear) {
    std::tie(mm, sp) = s.sim().take_recordings();  // moved into the arrays, not copied
  } else {
    mm = s.sim().multimeters();
    sp = s.sim().spike_recordings();
  }
  std::size_t im = 0;
  std::size_t is = 0;
  std::size_t iw = 0;
  for (const RecorderSpec& rec : s.sim().spec().recorders) {
    py::dict d;
    if (rec.type == RecorderType::multimeter) {
      d = multimeter_dict(std::move(mm.at(im++)));
      d["type"] = "multimeter";
    } else if (rec.type == RecorderType::spike_recorder) {
      SpikeRecording& r = sp.at(is++);
      d["type"] = "spike_recorder";
      d["population"] = r.population;
      d["index"] = to_numpy(std::move(r.index));
      d["time"] = to_numpy(std::move(r.time));
    } else {
      WeightRecording& r = wr.at(iw++);
      d["type"] = "weight_recorder";
      d["source_population"] = r.source_population;
      d["target_population"] = r.target_population;
      d["source"] = to_numpy(std::move(r.source));
      d["target"] = to_numpy(std::move(r.target));
      d["time"] = to_numpy(std::move(r.time));
      d["weight"] = to_numpy(std::move(r.weight));
    }
    out.append(d);
  }
  return out;
}

// d[name]: the member of every record, as one numpy array.
template <class Record, class Value>
void add_column(py::dict& d, const char* name, const std::vector<Record>& records,
                Value Record::*member) {
  std::vector<Value> column(records.size());
  for (std::size_t k = 0; k < records.size(); ++k) column[k] = records[k].*member;
  d[name] = to_numpy(std::move(column));
}

py::dict weights(const PySimulation& s, std::size_t connection) {
  if (connection >= s.sim().spec().connections.size()) {
    throw py::index_error("connection " + std::to_string(connection) + " out of range (" +
                          std::to_string(s.sim().spec().connections.size()) + " connections)");
  }
  const std::vector<SynapseWeight> w = s.sim().weights(connection);
  py::dict d;
  add_column(d, "source", w, &SynapseWeight::source);
  add_column(d, "target", w, &SynapseWeight::target);
  add_column(d, "weight", w, &SynapseWeight::weight);
  return d;
}

py::dict synapse_states(PySimulation& s, std::size_t connection) {
  const PySimulation::Guard guard(s);  // not while another thread simulates
  const std::vector<SynapseState> states = s.sim().synapse_states(connection);
  py::dict d;
  add_column(d, "source", states, &SynapseState::source);
  add_column(d, "target", states, &SynapseState::target);
  add_column(d, "weight", states, &SynapseState::weight);
  add_column(d, "m", states, &SynapseState::m);
  add_column(d, "v", states, &SynapseState::v);
  return d;
}

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// index[k] gets weight[k], m[k], v[k]; an array left out, or a NaN in it, leaves that value.
void set_synapses(PySimulation& s, std::size_t connection,
                  const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& index,
                  const std::optional<DoubleArray>& weight, const std::optional<DoubleArray>& m,
                  const std::optional<DoubleArray>& v) {
  const auto n = static_cast<std::size_t>(index.size());
  const auto value = [n](const std::optional<DoubleArray>& a, const char* name) {
    if (a && static_cast<std::size_t>(a->size()) != n) {
      throw py::value_error(std::string("set_synapses: ") + name + " has " +
                            std::to_string(a->size()) + " values for " + std::to_string(n) +
                            " indices");
    }
    return [&a](std::size_t k) -> std::optional<double> {
      if (!a || std::isnan(a->data()[k])) return std::nullopt;
      return a->data()[k];
    };
  };
  const auto w = value(weight, "weight");
  const auto mm = value(m, "m");
  const auto vv = value(v, "v");
  const PySimulation::Guard guard(s);
  std::vector<SynapseChange> changes(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (index.data()[k] < 0) throw py::index_error("set_synapses: negative synapse index");
    changes[k] = {static_cast<std::size_t>(index.data()[k]), w(k), mm(k), vv(k)};
  }
  s.sim().set_synapses(connection, changes);
}

std::vector<std::vector<double>> lists_of(const py::iterable& rows) {
  std::vector<std::vector<double>> out;
  for (const py::handle row : rows) {
    const auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(row);
    if (!a) throw py::type_error("expected one sequence of numbers per neuron");
    out.emplace_back(a.data(), a.data() + a.size());
  }
  return out;
}

// Under several ranks the state is every rank's part in one piece (Simulation::save_state_all),
// the same on every rank, so one file holds it and any split of ranks and threads loads it.
py::bytes save_state(const PySimulation& s) {
  std::ostringstream out(std::ios::binary);
  if (s.sim().communicator().size() > 1) {
    s.sim().save_state_all(out);
  } else {
    s.sim().save_state(out);
  }
  return py::bytes(out.str());
}

void load_state(PySimulation& s, const py::object& source) {
  if (py::isinstance<py::bytes>(source)) {
    std::istringstream in(source.cast<std::string>(), std::ios::binary);
    s.sim().load_state(in);
    return;
  }
  const auto path = source.cast<std::filesystem::path>();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open saved state");
  s.sim().load_state(in);
}

void bind_state(py::class_<PySimulation>& cls);

}  // namespace

void bind_simulation(py::module_& m) {
  py::class_<PySimulation> cls(m, "Simulation",
                               "A network built from a NetworkSpec, ready to simulate.");
  cls.def(py::init<const NetworkSpec&>(), py::arg("spec"),
          "Validates the whole spec (ConfigError naming population or connection, parameter, "
          "value and constraint) and builds the network.")
      .def("simulate", &PySimulation::simulate, py::arg("ms"),
           "NEST Simulate(ms). Runs without the GIL; Ctrl-C raises KeyboardInterrupt within a "
           "fraction of a second and leaves the simulation usable at the time it reached.")
      .def_property_readonly(
          "time", [](const PySimulation& s) { return s.sim().time_ms(); }, "simulated time, ms")
      .def_property_readonly("steps", [](const PySimulation& s) { return s.sim().steps_done(); })
      .def_property_readonly(
          "spec", [](const PySimulation& s) { return s.sim().spec(); },
          "a copy of the NetworkSpec the simulation was built from")
      .def("recordings", &recordings, py::arg("clear") = false,
           "Every recorder's data so far, in spec order: dicts of numpy arrays. With clear=True "
           "the simulation drops them (as clear_recordings) and hands its arrays over without "
           "copying them: the way to read long runs in chunks.")
      .def(
          "clear_recordings", [](PySimulation& s) { s.sim().clear_recordings(); },
          "Drops everything recorded so far.")
      .def("weights", &weights, py::arg("connection"),
           "Current weights of spec.connections[connection] sorted by (source, target): "
           "dict of arrays source, target (local indices) and weight.")
      .def("synapse_states", &synapse_states, py::arg("connection"),
           "Weight and Adam's moments m, v (0 for gradient descent) of every synapse of a "
           "plastic connection, in the order of weights(): dict of arrays source, target, "
           "weight, m, v.")
      .def("set_synapses", &set_synapses, py::arg("connection"), py::arg("index"),
           py::arg("weight") = py::none(), py::arg("m") = py::none(), py::arg("v") = py::none(),
           "NEST SetStatus on synapses of a plastic connection between simulate() calls: "
           "synapse index[k] (its position in weights()) gets weight[k], m[k], v[k] (Adam "
           "only); an array left out or a NaN keeps the value. As in NEST, a weight outside "
           "[Wmin, Wmax] is stored and then raises ConfigError (later entries unchanged).")
      .def(
          "set_eta", [](PySimulation& s, std::size_t c, double eta) { s.sim().set_eta(c, eta); },
          py::arg("connection"), py::arg("eta"),
          "Learning rate of a plastic connection (NEST's SetDefaults optimizer eta). With "
          "per-step optimisation, call expect_eta_changes() before the first simulate() for "
          "NEST's numbers when eta changes while sources are silent.")
      .def(
          "expect_eta_changes", [](PySimulation& s) { s.sim().expect_eta_changes(); },
          "Announces set_eta calls while sources may be silent: connections with per-step "
          "optimisation keep NEST's histories (which grow while a source is silent, as in NEST) "
          "instead of integrating the steps of silent sources early, because NEST applies a new "
          "eta to the steps of intervals still open. Call before the first simulate(); "
          "eprop.nest always does (docs/user/limits-and-errors.md).")
      .def(
          "set_spike_times",
          [](PySimulation& s, const std::string& pop, const py::iterable& times) {
            s.sim().set_spike_times(pop, lists_of(times));
          },
          py::arg("population"), py::arg("spike_times"),
          "New spike times (ms, one sorted list per neuron) of a spike_generator population.")
      .def(
          "set_amplitudes",
          [](PySimulation& s, const std::string& pop, const py::iterable& times,
             const py::iterable& values) {
            s.sim().set_amplitudes(pop, lists_of(times), lists_of(values));
          },
          py::arg("population"), py::arg("amplitude_times"), py::arg("amplitude_values"),
          "New switch times and values of a step_rate_generator population.")
      .def(
          "set_neuron_parameters",
          [](PySimulation& s, const std::string& pop, std::size_t first, std::size_t count,
             const std::string& name, const std::vector<ParamValue>& values) {
            s.sim().set_neuron_parameters(pop, first, count, name, values);
          },
          py::arg("population"), py::arg("first"), py::arg("count"), py::arg("name"),
          py::arg("values"),
          "NEST SetStatus on neurons between simulate() calls: parameter `name` of neurons "
          "first .. first + count - 1 becomes values[k] (a list of one value for all). Acts "
          "from the next step on; the state is kept (V_m stays absolute when E_L changes). "
          "'V_m' and 'adaptation' set the state. Only tau_m may differ between the neurons of a "
          "population. ConfigError (nothing changed) for a bad value or a parameter that "
          "cannot change after the build.");
  bind_state(cls);
}

namespace {

// Memory, saved state and result files.
void bind_state(py::class_<PySimulation>& cls) {
  cls.def("memory_stats",
          [](const PySimulation& s) {
            const MemoryStats st = s.sim().memory_stats();
            py::dict d;
            d["eprop_synapses"] = st.eprop_synapses;
            d["eprop_synapse_bytes"] = st.eprop_synapse_bytes;
            d["history_entries"] = st.history_entries;
            d["closed_form_synapses"] = st.closed_form_synapses;
            return d;
          })
      .def(
          "save_state",
          [](const PySimulation& s, const py::object& path) -> py::object {
            const py::bytes state = save_state(s);
            if (path.is_none()) return state;
            // Rank 0 writes; all ranks return once the file is complete, or all raise.
            Communicator& comm = s.sim().communicator();
            const auto p = path.cast<std::filesystem::path>();
            bool written = true;
            if (comm.writes()) {
              std::ofstream out(p, std::ios::binary);
              const std::string bytes = state;
              out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
              out.close();
              written = static_cast<bool>(out);
            }
            if (!comm.all(written)) throw DataError(p.string() + ": cannot write saved state");
            return py::none();
          },
          py::arg("path") = py::none(),
          "The complete dynamic state: as bytes, or written to path (by rank 0 under mpirun: "
          "every rank's part in one file). Any number of ranks and threads can load it.")
      .def("load_state", &load_state, py::arg("state"),
           "Restores a state from save_state (bytes or a path) into a simulation built from "
           "the same spec. DataError if it does not fit.")
      .def(
          "write_results",
          [](const PySimulation& s, const std::filesystem::path& dir) {
            write_results(s.sim(), dir);
          },
          py::arg("dir"), "The CSV files of `eprop run --out DIR`.");
}

}  // namespace
}  // namespace eprop::python
