// Training loop of the sine-wave task (SPEC 11.1 event-driven, 11.2 bsshslm).
//
// NEST's script simulates the whole task in one call and scores it at the end. Here each
// iteration gets its own simulate() call that ends one step after the iteration's last readout
// sample (a multimeter sample of the last step of a call only arrives with the next call), so
// the recording holds exactly that iteration's samples; the rest of the schedule (extension,
// final update) runs in finish(). Splitting Simulate() does not change the dynamics.

#include <filesystem>
#include <string>

#include "eprop/error.h"
#include "tasks/pattern_task.h"
#include "tasks/sine_task.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

void read_recording(const TrainConfig& c, SineTaskConfig& s) {
  s.recording.readout_dynamics = c.boolean("recording.readout_dynamics");
  s.recording.n_record_rec = static_cast<std::size_t>(c.integer("recording.n_record_rec"));
  s.recording.spikes = c.boolean("recording.spikes");
}

SineTaskConfig sine_config(const TrainConfig& c) {
  const std::string& model = c.string("network.model");
  SineTaskConfig s = is_bsshslm_model(model) ? sine_bsshslm_config() : SineTaskConfig{};
  s.model = model;
  s.n_iter = c.integer("training.n_iter");
  s.sequence = c.integer("training.sequence");
  s.n_in = static_cast<std::size_t>(c.integer("network.n_in"));
  s.n_rec = static_cast<std::size_t>(c.integer("network.n_rec"));
  s.n_out = static_cast<std::size_t>(c.integer("network.n_out"));
  s.seed = static_cast<std::uint32_t>(c.integer("data.seed"));
  s.draws = draw_mode(c);
  s.precision = c.precision();
  s.surrogate_gradient_width = c.number("recurrent.surrogate_gradient_width");
  s.extension_sim = c.integer("training.extension_sim");
  s.final_update = c.boolean("training.final_update");
  read_recording(c, s);
  return s;
}

// SPEC 11.5: the targets (handwriting: from data.root) and NEST's tau_m draws for data.seed.
SineTaskConfig pattern_config(const TrainConfig& c) {
  std::vector<std::vector<double>> targets;
  if (c.task == "handwriting") {
    if (c.string("data.root").empty()) {
      throw ConfigError(c.origin + ": key 'data.root' is required for handwriting (the folder "
                        "with chaos_handwriting.txt), e.g. --set data.root=../shared/data/"
                        "nest-examples");
    }
    const auto path = std::filesystem::path(c.string("data.root")) / "chaos_handwriting.txt";
    targets = handwriting_targets(read_handwriting_data(path), kHandwritingStepsPerPoint);
  } else {
    targets = lemniscate_targets(kLemniscateSequence);
  }
  const auto seed = static_cast<std::uint32_t>(c.integer("data.seed"));
  if (seed == 0) throw ConfigError(c.origin + ": key 'data.seed' = 0 must be >= 1 (NEST rng_seed)");
  const PatternTask task =
      c.task == "handwriting" ? PatternTask::handwriting : PatternTask::lemniscate;
  SineTaskConfig s = is_bsshslm_model(c.string("network.model"))
                         ? pattern_task_config(std::move(targets), seed)
                         : pattern_task_config_eprop_plus(std::move(targets), task, seed);
  s.n_iter = c.integer("training.n_iter");
  s.draws = draw_mode(c);
  s.precision = c.precision();
  s.final_update = c.boolean("training.final_update");
  read_recording(c, s);
  return s;
}

class SineSession final : public TrainingSession {
 public:
  SineSession(const TrainConfig& config, SineTaskConfig task)
      : task_(std::move(task)),
        spec_(make_spec(config, task_)),
        sim_(build_simulation(config, spec_)) {}

  Simulation& simulation() override { return sim_; }
  [[nodiscard]] std::int64_t planned_iterations() const override { return task_.n_iter; }
  [[nodiscard]] bool finished() const override { return next_ >= task_.n_iter; }

  std::vector<IterationResult> step() override {
    const double offset = sine_task_offset(task_);
    const auto seq = static_cast<double>(task_.sequence);
    const double begin = offset + seq * static_cast<double>(next_);
    advance_to(sim_, begin + seq + 1.0);
    IterationResult r;
    r.iteration = next_ + 1;
    r.phase = "training";
    r.begin_ms = begin;
    r.end_ms = begin + seq;
    r.recordings = take_recordings(sim_);
    const MultimeterRecording readout = slice(r.recordings.multimeters.at(0), begin, begin + seq);
    r.loss = sine_task_losses(readout, 1, task_.sequence).at(0);
    ++next_;
    std::vector<IterationResult> done;
    done.push_back(std::move(r));
    return done;
  }

  void finish() override {
    double total = 0.0;
    for (const double ms : spec_.simulate) total += ms;
    advance_to(sim_, total);
    sim_.clear_recordings();
  }

  [[nodiscard]] nlohmann::json save_progress() const override { return {{"next", next_}}; }
  void load_progress(const nlohmann::json& p) override { next_ = p.at("next").get<std::int64_t>(); }

  [[nodiscard]] std::vector<ProjectionInfo> projections() const override {
    const auto plastic = plastic_connections(spec_);
    // Builder order: in -> rec, rec -> rec, rec -> out.
    return {{plastic.at(0), "in_rec", 0, 0},
            {plastic.at(1), "rec_rec", 0, 0},
            {plastic.at(2), "rec_out", 0, 0}};
  }

 private:
  static NetworkSpec make_spec(const TrainConfig& config, const SineTaskConfig& task) {
    NetworkSpec spec = sine_task_network(task);
    apply_config_to_spec(config, spec, {std::string(sine_pop::recurrent)});
    return spec;
  }

  SineTaskConfig task_;
  NetworkSpec spec_;
  Simulation sim_;
  std::int64_t next_ = 0;
};

}  // namespace

std::unique_ptr<TrainingSession> make_sine_session(const TrainConfig& config) {
  return std::make_unique<SineSession>(config, sine_config(config));
}

std::unique_ptr<TrainingSession> make_pattern_session(const TrainConfig& config) {
  return std::make_unique<SineSession>(config, pattern_config(config));
}

}  // namespace eprop::tasks
