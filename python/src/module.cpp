// The extension module eprop._eprop: the C++ API (eprop/spec.h, eprop/simulation.h,
// eprop/network_file.h, tasks/training.h) for Python. The pleasant layer on top is Python code in
// python/eprop; this module stays a thin, faithful mirror of the C++ types.

#include <pybind11/pybind11.h>

#include "bindings.h"
#include "comm/communicator.h"
#include "comm/mpi_session.h"
#include "eprop/error.h"

namespace py = pybind11;

PYBIND11_MODULE(_eprop, m) {
  m.doc() = "Native core of the eprop package (use `import eprop`).";

  // A small hierarchy: every deliberate library error is an eprop.Error; invalid input (a
  // network, a parameter, a config file, a data set, a checkpoint) is also a ValueError.
  static py::exception<eprop::Error> error(m, "Error", PyExc_RuntimeError);
  error.attr("__module__") = "eprop";
  static py::handle config_error = PyErr_NewExceptionWithDoc(
      "eprop.ConfigError", "Invalid configuration: network, parameter or config file.",
      py::make_tuple(error, py::handle(PyExc_ValueError)).ptr(), nullptr);
  static py::handle data_error = PyErr_NewExceptionWithDoc(
      "eprop.DataError", "Invalid or unreadable data: data set files, saved state.",
      py::make_tuple(error, py::handle(PyExc_ValueError)).ptr(), nullptr);
  m.attr("ConfigError") = config_error;
  m.attr("DataError") = data_error;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const eprop::ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const eprop::DataError& e) {
      PyErr_SetString(data_error.ptr(), e.what());
    } catch (const eprop::Error& e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });

  // Under mpirun (or another MPI launcher) the module starts MPI as the eprop executable does,
  // so that every Simulation spans all ranks; MPI ends when the interpreter exits. Without a
  // launcher nothing of MPI is touched.
  static int argc = 0;
  static char** argv = nullptr;
  auto* mpi = new eprop::MpiSession(argc, argv);
  py::module_::import("atexit").attr("register")(py::cpp_function([mpi] { delete mpi; }));
  m.def(
      "mpi_rank", [] { return eprop::world_communicator()->rank(); },
      "This process's rank (0 without mpirun).");
  m.def(
      "mpi_size", [] { return eprop::world_communicator()->size(); },
      "The number of processes a Simulation spans (1 without mpirun).");

  eprop::python::bind_spec(m);
  eprop::python::bind_simulation(m);
  eprop::python::bind_training(m);
  eprop::python::bind_random(m);
  eprop::python::bind_bench(m);
}
