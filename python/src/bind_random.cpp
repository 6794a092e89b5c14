// NEST's own random streams (src/core/nest_random.h) for eprop.nest's nest.random parameters.

#include <cstdint>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.h"
#include "core/nest_random.h"

namespace py = pybind11;

namespace eprop::python {

void bind_random(py::module_& m) {
  py::class_<NestRandomStreams>(
      m, "NestRandomStreams",
      "NEST 3.10's random streams of one kernel: one mt19937_64 per virtual process; each node "
      "draws the next value of the stream of the process that owns it.")
      .def(py::init<std::uint64_t, std::uint32_t>(), py::arg("rng_seed"), py::arg("n_vps"))
      .def("normal_for_node", &NestRandomStreams::normal_for_node, py::arg("node_id"),
           py::arg("mean"), py::arg("std"))
      .def("uniform_for_node", &NestRandomStreams::uniform_for_node, py::arg("node_id"),
           py::arg("lo"), py::arg("hi"))
      .def(
          "normal_for_nodes",
          [](NestRandomStreams& s, std::uint64_t first, std::size_t count, double mean,
             double std) { return to_numpy(s.normal_for_nodes(first, count, mean, std)); },
          py::arg("first_id"), py::arg("count"), py::arg("mean"), py::arg("std"));
}

}  // namespace eprop::python
