// Helpers shared by the per-task training loops, and the early-stopping phase schedule.

#include <algorithm>
#include <cmath>
#include <tuple>

#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "tasks/training.h"
#include "tasks/training_session.h"

namespace eprop::tasks {

std::unique_ptr<TrainingSession> make_session(const TrainConfig& config,
                                              const TrainOptions& options) {
  if (config.task == "sine") return make_sine_session(config);
  if (config.task == "nmnist") {
    if (!options.open_nmnist) throw ConfigError("nmnist: no data set reader available");
    return make_nmnist_session(config, options.open_nmnist);
  }
  if (config.task == "evidence") return make_evidence_session(config);
  if (config.task == "lemniscate" || config.task == "handwriting") {
    return make_pattern_session(config);
  }
  throw ConfigError("unknown task '" + config.task +
                    "' (sine, evidence, nmnist, lemniscate, handwriting)");
}

DrawMode draw_mode(const TrainConfig& config) {
  return config.boolean("data.numpy_compatible") ? DrawMode::numpy_compatible
                                                 : DrawMode::counter_based;
}

void apply_config_to_spec(const TrainConfig& config, NetworkSpec& spec,
                          const std::vector<std::string>& recurrent_populations) {
  spec.kernel.threads = static_cast<std::size_t>(config.integer("run.threads"));
  spec.kernel.precision = config.precision();
  spec.kernel.eligibility_integration =
      *parse_eligibility_integration(config.string("run.integration"));
  for (const std::size_t c : plastic_connections(spec)) {
    OptimizerSpec& opt = spec.connections[c].optimizer;
    const auto number = [&](const char* key, double& target) {
      if (config.is_explicit(key)) target = config.number(key);
    };
    if (config.is_explicit("optimizer.type")) opt.type = config.string("optimizer.type");
    if (config.is_explicit("optimizer.batch_size")) {
      opt.batch_size = config.integer("optimizer.batch_size");
    }
    if (config.is_explicit("optimizer.optimize_each_step")) {
      opt.optimize_each_step = config.boolean("optimizer.optimize_each_step");
    }
    number("optimizer.eta", opt.eta);
    number("optimizer.Wmin", opt.Wmin);
    number("optimizer.Wmax", opt.Wmax);
    number("optimizer.beta_1", opt.beta_1);
    number("optimizer.beta_2", opt.beta_2);
    number("optimizer.epsilon", opt.epsilon);
  }
  for (PopulationSpec& pop : spec.populations) {
    if (std::find(recurrent_populations.begin(), recurrent_populations.end(), pop.name) ==
        recurrent_populations.end()) {
      continue;
    }
    if (config.is_explicit("recurrent.surrogate_gradient_function")) {
      pop.params["surrogate_gradient_function"] =
          config.string("recurrent.surrogate_gradient_function");
    }
    for (const char* name : {"surrogate_gradient_height", "surrogate_gradient_width"}) {
      const std::string key = std::string("recurrent.") + name;
      if (config.is_explicit(key)) pop.params[name] = config.number(key);
    }
    for (const auto& [name, value] : config.recurrent_params) pop.params[name] = value;
  }
}

Simulation build_simulation(const TrainConfig& config, const NetworkSpec& spec) {
  if (config.estimate_only) {
    throw MemoryEstimateReport(config.task +
                               ": estimated memory of the network (before it is built)\n" +
                               estimate_memory(spec).describe(machine_memory_bytes()));
  }
  try {
    Simulation sim(spec);
    sim.expect_eta_changes();  // every task switches eta between its phases
    return sim;
  } catch (const ConfigError& e) {
    throw ConfigError(config.origin + ": " + e.what());
  }
}

IterationRecordings take_recordings(Simulation& sim) {
  IterationRecordings r;
  std::tie(r.multimeters, r.spikes) = sim.take_recordings();
  return r;
}

MultimeterRecording slice(const MultimeterRecording& rec, double begin, double end) {
  MultimeterRecording out;
  out.population = rec.population;
  out.variables = rec.variables;
  out.values.resize(rec.values.size());
  for (std::size_t r = 0; r < rec.time.size(); ++r) {
    if (rec.time[r] > begin && rec.time[r] <= end) {
      out.index.push_back(rec.index[r]);
      out.time.push_back(rec.time[r]);
      for (std::size_t v = 0; v < rec.values.size(); ++v) out.values[v].push_back(rec.values[v][r]);
    }
  }
  return out;
}

SpikeRecording slice(const SpikeRecording& rec, double begin, double end) {
  SpikeRecording out;
  out.population = rec.population;
  for (std::size_t r = 0; r < rec.time.size(); ++r) {
    if (rec.time[r] > begin && rec.time[r] <= end) {
      out.index.push_back(rec.index[r]);
      out.time.push_back(rec.time[r]);
    }
  }
  return out;
}

void append_window(IterationRecordings& into, const IterationRecordings& piece, double begin,
                   double end) {
  const auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  into.multimeters.resize(piece.multimeters.size());
  for (std::size_t m = 0; m < piece.multimeters.size(); ++m) {
    MultimeterRecording rows = slice(piece.multimeters[m], begin, end);
    MultimeterRecording& to = into.multimeters[m];
    to.population = rows.population;
    to.variables = rows.variables;
    to.values.resize(rows.values.size());
    append(to.index, rows.index);
    append(to.time, rows.time);
    for (std::size_t v = 0; v < rows.values.size(); ++v) append(to.values[v], rows.values[v]);
  }
  into.spikes.resize(piece.spikes.size());
  for (std::size_t s = 0; s < piece.spikes.size(); ++s) {
    SpikeRecording rows = slice(piece.spikes[s], begin, end);
    into.spikes[s].population = rows.population;
    append(into.spikes[s].index, rows.index);
    append(into.spikes[s].time, rows.time);
  }
}

void advance_to(Simulation& sim, double ms) {
  const double now = sim.time_ms();
  if (ms > now + 0.5) sim.simulate(ms - now);
}

void set_eta_all(Simulation& sim, const std::vector<std::size_t>& plastic, double eta) {
  for (const std::size_t c : plastic) sim.set_eta(c, eta);
}

std::vector<std::size_t> plastic_connections(const NetworkSpec& spec) {
  std::vector<std::size_t> out;
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    const std::string& s = spec.connections[c].synapse;
    if (s == "eprop_synapse" || s == "eprop_synapse_bsshslm_2020") out.push_back(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

PhaseSchedule::PhaseSchedule(std::int64_t n_train, std::int64_t n_test, bool early_stopping,
                             std::int64_t validate_every, std::int64_t n_early_stop,
                             double criterion)
    : n_train_(n_train),
      n_test_(n_test),
      early_stopping_(early_stopping),
      validate_every_(std::max<std::int64_t>(1, validate_every)),
      n_early_stop_(std::max<std::int64_t>(1, n_early_stop)),
      criterion_(criterion) {}

std::int64_t PhaseSchedule::planned() const {
  const std::int64_t validations =
      early_stopping_ ? (n_train_ + validate_every_ - 1) / validate_every_ : 0;
  return n_train_ + validations + n_test_;
}

std::int64_t PhaseSchedule::capacity() const {
  const std::int64_t validations =
      early_stopping_ ? (n_train_ + validate_every_ - 1) / validate_every_ : 0;
  return planned() + validations * n_early_stop_;
}

// The script's loop (SPEC 11.3), unrolled into one decision per iteration:
//   for k in range(n_train) while not stop:
//     if early stopping and k % validate_every == 0:
//       validation;  if k > 0 and error < criterion:
//         n_early_stop x early-stopping (sum the errors); stop = mean < criterion
//     training
//   n_test x test
// "error" is the newest evaluated iteration, i.e. the one before the iteration just started.
std::string PhaseSchedule::next(const std::vector<double>& errors) {
  const auto error_of = [&](std::int64_t index) {
    if (index < 0 || index >= static_cast<std::int64_t>(errors.size())) {
      throw Error("training schedule: the error of iteration " + std::to_string(index + 1) +
                  " is not known yet");
    }
    return errors[static_cast<std::size_t>(index)];
  };
  for (;;) {
    switch (stage_) {
      case kValidate:
        if (k_train_ >= n_train_ || stop_) {
          stage_ = kTest;
          break;
        }
        if (early_stopping_ && k_train_ % validate_every_ == 0) {
          validation_ = started_;
          stage_ = kCheck;
          ++started_;
          return "validation";
        }
        stage_ = kTrain;
        break;
      case kCheck:
        if (k_train_ > 0 && error_of(validation_ - 1) < criterion_) {
          es_done_ = 0;
          es_sum_ = 0.0;
          es_pending_ = -1;
          stage_ = kEarlyStop;
        } else {
          stage_ = kTrain;
        }
        break;
      case kEarlyStop:
        if (es_pending_ >= 0) {
          es_sum_ += error_of(es_pending_);
          es_pending_ = -1;
        }
        if (es_done_ < n_early_stop_) {
          ++es_done_;
          es_pending_ = started_ - 1;
          ++started_;
          return "early-stopping";
        }
        stop_ = es_sum_ / static_cast<double>(n_early_stop_) < criterion_;
        stage_ = kTrain;
        break;
      case kTrain:
        ++k_train_;
        stage_ = kValidate;
        ++started_;
        return "training";
      default:
        if (k_test_ < n_test_) {
          ++k_test_;
          ++started_;
          return "test";
        }
        return "";
    }
  }
}

nlohmann::json PhaseSchedule::save() const {
  return {{"stage", stage_},     {"k_train", k_train_},       {"validation", validation_},
          {"es_done", es_done_}, {"es_pending", es_pending_}, {"es_sum", es_sum_},
          {"k_test", k_test_},   {"started", started_},       {"stop", stop_}};
}

void PhaseSchedule::load(const nlohmann::json& j) {
  stage_ = j.at("stage").get<int>();
  k_train_ = j.at("k_train").get<std::int64_t>();
  validation_ = j.at("validation").get<std::int64_t>();
  es_done_ = j.at("es_done").get<std::int64_t>();
  es_pending_ = j.at("es_pending").get<std::int64_t>();
  es_sum_ = j.at("es_sum").get<double>();
  k_test_ = j.at("k_test").get<std::int64_t>();
  started_ = j.at("started").get<std::int64_t>();
  stop_ = j.at("stop").get<bool>();
}

}  // namespace eprop::tasks
