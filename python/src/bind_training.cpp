// eprop._eprop.train / resume: `eprop train` from Python. Training runs on a worker thread
// without the GIL; the calling thread wakes every 50 ms to run Python's signal handlers, so that
// Ctrl-C stops the run after the current iteration with a checkpoint (as the CLI does) and then
// raises KeyboardInterrupt. The progress callback runs on the worker thread with the GIL.

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "io/nmnist_opener.h"
#include "tasks/train_config.h"
#include "tasks/training.h"

namespace py = pybind11;

namespace eprop::python {
namespace {

// A Python error caught off the main thread (or by the watcher), re-raised on the caller's thread.
class PendingError {
 public:
  // With the GIL held and the error indicator set.
  void take() {
    if (type_ != nullptr) {
      PyErr_Clear();
      return;
    }
    PyErr_Fetch(&type_, &value_, &trace_);
  }
  [[nodiscard]] bool set() const { return type_ != nullptr; }
  // With the GIL held.
  [[noreturn]] void raise() {
    PyErr_Restore(type_, value_, trace_);
    type_ = value_ = trace_ = nullptr;
    throw py::error_already_set();
  }

 private:
  PyObject* type_ = nullptr;
  PyObject* value_ = nullptr;
  PyObject* trace_ = nullptr;
};

py::dict summary_dict(const tasks::TrainSummary& s) {
  py::dict d;
  d["status"] = s.status == tasks::TrainStatus::completed
                    ? "completed"
                    : (s.status == tasks::TrainStatus::interrupted ? "interrupted" : "stopped");
  d["iterations"] = s.iterations;
  d["final_loss"] = s.final_loss;
  d["wall_time_s"] = s.wall_time_s;
  return d;
}

template <class Run>
py::dict run_training(tasks::TrainOptions options, const py::object& progress, Run run) {
  std::atomic<bool> stop{false};
  PendingError pending;
  options.interrupt = &stop;
  options.open_nmnist = io::open_nmnist_dataset;
  if (!progress.is_none()) {
    options.on_iteration = [&](const tasks::IterationProgress& p) {
      py::gil_scoped_acquire gil;
      try {
        py::dict d;
        d["iteration"] = p.iteration;
        d["phase"] = p.phase;
        d["loss"] = p.loss;
        d["error"] = p.error;
        d["wall_time_s"] = p.wall_time_s;
        d["completed"] = p.completed;
        d["planned"] = p.planned;
        progress(d);
      } catch (py::error_already_set& e) {
        e.restore();
        pending.take();
        stop = true;  // stop after this iteration, with a checkpoint
      }
    };
  }
  tasks::TrainSummary summary;
  std::exception_ptr failure;
  std::atomic<bool> done{false};
  {
    py::gil_scoped_release release;
    std::thread worker([&] {
      try {
        summary = run(options);
      } catch (...) {
        failure = std::current_exception();
      }
      done = true;
    });
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {
        pending.take();
        stop = true;
      }
    }
    worker.join();
  }
  if (pending.set()) pending.raise();
  if (failure) std::rethrow_exception(failure);
  return summary_dict(summary);
}

tasks::TrainOptions make_options(const std::filesystem::path& out, bool verbose,
                                 std::int64_t checkpoint_every, std::int64_t stop_after,
                                 bool overwrite) {
  tasks::TrainOptions o;
  o.out = out;
  o.progress = verbose ? tasks::ProgressMode::plain : tasks::ProgressMode::quiet;
  o.progress_stream = stderr;
  o.checkpoint_every = checkpoint_every;
  o.stop_after = stop_after;
  o.overwrite = overwrite;
  o.version = EPROP_VERSION;
  o.command = "python: eprop.train";
  return o;
}

}  // namespace

void bind_training(py::module_& m) {
  m.attr("__version__") = EPROP_VERSION;
  m.def("train_tasks", &tasks::train_tasks);
  m.def(
      "describe_config", [](const std::string& task) { return tasks::describe_config(task); },
      py::arg("task"));
  m.def(
      "resolve_config",
      [](const std::string& task, const std::optional<std::string>& path,
         const std::vector<std::string>& overrides) {
        return tasks::to_toml(tasks::read_train_config(task, path, overrides));
      },
      py::arg("task"), py::arg("path"), py::arg("overrides"),
      "The resolved configuration (TOML text) of a config file plus key=value overrides.");
  m.def(
      "train",
      [](const std::string& task, const std::optional<std::string>& path,
         const std::vector<std::string>& overrides, const std::filesystem::path& out,
         const py::object& progress, bool verbose, std::int64_t checkpoint_every,
         std::int64_t stop_after, bool overwrite) {
        const tasks::TrainConfig config = tasks::read_train_config(task, path, overrides);
        return run_training(
            make_options(out, verbose, checkpoint_every, stop_after, overwrite), progress,
            [&config](const tasks::TrainOptions& o) { return tasks::train(config, o); });
      },
      py::arg("task"), py::arg("path"), py::arg("overrides"), py::arg("out"), py::arg("progress"),
      py::arg("verbose"), py::arg("checkpoint_every"), py::arg("stop_after"), py::arg("overwrite"));
  m.def(
      "resume",
      [](const std::filesystem::path& out, const py::object& progress, bool verbose,
         std::int64_t stop_after, std::size_t threads) {
        return run_training(
            make_options(out, verbose, -1, stop_after, false), progress,
            [threads](const tasks::TrainOptions& o) { return tasks::resume(o, threads); });
      },
      py::arg("out"), py::arg("progress"), py::arg("verbose"), py::arg("stop_after"),
      py::arg("threads"));
}

}  // namespace eprop::python
