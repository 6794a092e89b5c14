// The extension module eprop._eprop: the C++ API (eprop/spec.h, eprop/simulation.h,
// eprop/network_file.h, tasks/training.h) for Python. The pleasant layer on top is Python code in
// python/eprop; this module stays a thin, faithful mirror of the C++ types.

#include <pybind11/pybind11.h>

#include "bindings.h"
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

  eprop::python::bind_spec(m);
  eprop::python::bind_simulation(m);
  eprop::python::bind_training(m);
  eprop::python::bind_random(m);
  eprop::python::bind_bench(m);
}
