// The paper's efficiency benchmark (tasks/paper_bench.h) for Python: eprop.bench and
// eprop.bench_estimate wrap these.

#include <string>

#include <pybind11/stl.h>

#include "bindings.h"
#include "eprop/error.h"
#include "tasks/paper_bench.h"

namespace py = pybind11;

namespace eprop::python {
namespace {

tasks::PaperBenchConfig make_config(const std::string& variant, std::size_t n_rec,
                                    std::size_t n_in, std::size_t n_out,
                                    std::int64_t indegree_rec, std::int64_t indegree_in,
                                    std::int64_t indegree_out, double rate_rec, double rate_in,
                                    double time_ms, const std::string& precision,
                                    std::size_t threads, std::uint64_t seed) {
  if (precision != "float" && precision != "double") {
    throw ConfigError("bench: precision = \"" + precision + "\": must be \"float\" or \"double\"");
  }
  tasks::PaperBenchConfig c;
  c.variant = variant;
  c.n_rec = n_rec;
  c.n_in = n_in;
  c.n_out = n_out;
  c.indegree_rec = indegree_rec;
  c.indegree_in = indegree_in;
  c.indegree_out = indegree_out;
  c.rate_rec = rate_rec;
  c.rate_in = rate_in;
  c.time_ms = time_ms;
  c.precision = precision == "double" ? Precision::double_precision : Precision::single_precision;
  c.threads = threads;
  c.seed = seed;
  return tasks::resolve(c);  // ConfigError for anything out of range, before allocating
}

#define EPROP_BENCH_ARGS                                                                         \
  py::arg("variant"), py::arg("n_rec"), py::arg("n_in"), py::arg("n_out"),                       \
      py::arg("indegree_rec"), py::arg("indegree_in"), py::arg("indegree_out"),                  \
      py::arg("rate_rec"), py::arg("rate_in"), py::arg("time_ms"), py::arg("precision"),         \
      py::arg("threads"), py::arg("seed")

}  // namespace

void bind_bench(py::module_& m) {
  m.def("_bench_variants", &tasks::paper_bench_variants);
  m.def("_bench_defaults", [] {
    const tasks::PaperBenchConfig c;
    py::dict d;
    d["n_in"] = c.n_in;
    d["n_out"] = c.n_out;
    d["indegree_rec"] = c.indegree_rec;
    d["indegree_in"] = c.indegree_in;
    d["indegree_out"] = c.indegree_out;
    d["rate_rec"] = c.rate_rec;
    d["rate_in"] = c.rate_in;
    d["time_ms"] = c.time_ms;
    d["precision"] = c.precision == Precision::double_precision ? "double" : "float";
    d["threads"] = c.threads;
    d["seed"] = c.seed;
    return d;
  });
  m.def(
      "_bench_estimate",
      [](const std::string& variant, std::size_t n_rec, std::size_t n_in, std::size_t n_out,
         std::int64_t indegree_rec, std::int64_t indegree_in, std::int64_t indegree_out,
         double rate_rec, double rate_in, double time_ms, const std::string& precision,
         std::size_t threads, std::uint64_t seed) {
        const tasks::MemoryEstimate e = tasks::estimate_memory(
            make_config(variant, n_rec, n_in, n_out, indegree_rec, indegree_in, indegree_out,
                        rate_rec, rate_in, time_ms, precision, threads, seed));
        return py::make_tuple(e.synapses, e.bytes);
      },
      EPROP_BENCH_ARGS);
  m.def(
      "_bench_run",
      [](const std::string& variant, std::size_t n_rec, std::size_t n_in, std::size_t n_out,
         std::int64_t indegree_rec, std::int64_t indegree_in, std::int64_t indegree_out,
         double rate_rec, double rate_in, double time_ms, const std::string& precision,
         std::size_t threads, std::uint64_t seed) {
        const tasks::PaperBenchConfig c =
            make_config(variant, n_rec, n_in, n_out, indegree_rec, indegree_in, indegree_out,
                        rate_rec, rate_in, time_ms, precision, threads, seed);
        py::gil_scoped_release released;
        return tasks::run_paper_bench(c).dump();  // JSON text; eprop.bench parses it
      },
      EPROP_BENCH_ARGS);
}

}  // namespace eprop::python
