// Training loop of the evidence-accumulation task (SPEC 11.3), phase by phase as the script's
// TrainingPipeline runs it (and as run_evidence_task does): at 4 ms into each phase the learning
// rate of that phase is set, one step later the previous phase is scored. The batches of the
// planned phases are drawn up front (the task builder's design). Early stopping can add phases:
// when its first early-stopping phase starts, the batches are drawn again for the largest number
// of phases the schedule allows and the generators are re-set with them - the draws of a batch do
// not depend on how many follow, so the phases already planned keep their batches. The
// final-update spike is placed after the phases actually run.

#include <limits>
#include <string>

#include "tasks/evidence_task.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

constexpr double kTotalOffset = 4.0;  // the script's total offset; eta is set here in a phase

EvidenceTaskConfig evidence_config(const TrainConfig& c) {
  EvidenceTaskConfig e = c.string("network.family") == "eprop_plus" ? evidence_eprop_plus_config()
                                                                      : EvidenceTaskConfig{};
  e.n_in = static_cast<std::size_t>(c.integer("network.n_in"));
  e.n_regular = static_cast<std::size_t>(c.integer("network.n_regular"));
  e.n_adaptive = static_cast<std::size_t>(c.integer("network.n_adaptive"));
  e.batch_size = c.integer("training.batch_size");
  e.n_iter_train = c.integer("training.n_iter_train");
  e.n_iter_test = c.integer("training.n_iter_test");
  e.early_stopping = c.boolean("training.early_stopping");
  e.validate_every = c.integer("training.validate_every");
  e.n_iter_early_stop = c.integer("training.n_iter_early_stop");
  e.stop_criterion = c.number("training.stop_criterion");
  e.eta_train = c.number("optimizer.eta");
  e.eta_test = c.number("optimizer.eta_test");
  e.seed = static_cast<std::uint32_t>(c.integer("data.seed"));
  e.draws = draw_mode(c);
  e.precision = c.precision();
  e.threads = static_cast<std::size_t>(c.integer("run.threads"));
  e.final_update = c.boolean("training.final_update");
  e.readout_dynamics = c.boolean("recording.readout_dynamics");
  return e;
}

PhaseSchedule make_schedule(const TrainConfig& c) {
  return {c.integer("training.n_iter_train"),      c.integer("training.n_iter_test"),
          c.boolean("training.early_stopping"),    c.integer("training.validate_every"),
          c.integer("training.n_iter_early_stop"), c.number("training.stop_criterion")};
}

RecorderSpec recorder(RecorderType type, std::string_view population) {
  RecorderSpec r;
  r.type = type;
  r.population = std::string(population);
  r.interval = 1.0;
  r.start = 0.0;
  return r;
}

// Spike recorders and recurrent multimeters for the plots (the builder records the readouts).
void add_recorders(NetworkSpec& spec, const TrainConfig& c) {
  for (const std::string_view pop : {evidence_pop::regular, evidence_pop::adaptive}) {
    const std::int64_t size = c.integer(pop == evidence_pop::regular ? "network.n_regular"
                                                                     : "network.n_adaptive");
    const std::int64_t n_record = std::min(c.integer("recording.n_record_rec"), size);
    if (n_record == 0) continue;
    RecorderSpec mm = recorder(RecorderType::multimeter, pop);
    mm.record_from = {"V_m", "surrogate_gradient", "learning_signal"};
    if (pop == evidence_pop::adaptive) mm.record_from.push_back("V_th_adapt");
    for (std::int64_t i = 0; i < n_record; ++i) mm.neurons.push_back(i);
    spec.recorders.push_back(std::move(mm));
  }
  if (c.boolean("recording.spikes")) {
    for (const std::string_view pop :
         {evidence_pop::input, evidence_pop::regular, evidence_pop::adaptive}) {
      spec.recorders.push_back(recorder(RecorderType::spike_recorder, pop));
    }
  }
}

class EvidenceSession final : public TrainingSession {
 public:
  explicit EvidenceSession(const TrainConfig& config)
      : task_(evidence_config(config)),
        schedule_(make_schedule(config)),
        spec_(make_spec(config, schedule_.planned())),
        sim_(build_simulation(config, spec_)),
        plastic_(evidence_plastic_connections(spec_)),
        phase_(schedule_.next(errors_)),
        extended_(schedule_.capacity() == schedule_.planned()) {}

  Simulation& simulation() override { return sim_; }
  [[nodiscard]] std::int64_t planned_iterations() const override { return schedule_.planned(); }
  [[nodiscard]] bool finished() const override { return phase_.empty(); }

  std::vector<IterationResult> step() override {
    if (sim_.steps_done() == 0) {
      advance_to(sim_, kTotalOffset);
      set_eta_all(sim_, plastic_, eta_of(phase_));
      advance_to(sim_, kTotalOffset + 1.0);
    }
    const std::int64_t k = current_;
    IterationResult r;
    r.iteration = k + 1;
    r.phase = phase_;
    r.begin_ms = kTotalOffset + phase_ms() * static_cast<double>(k);
    r.end_ms = r.begin_ms + phase_ms();
    advance_to(sim_, r.end_ms);
    std::string next = schedule_.next(errors_);
    if (next == "early-stopping" && !extended_) extend();
    if (!next.empty()) set_eta_all(sim_, plastic_, eta_of(next));
    advance_to(sim_, r.end_ms + 1.0);
    r.recordings = take_recordings(sim_);
    const EvidenceScore score =
        evidence_task_scores(r.recordings.multimeters.at(0), task_.batch_size, k, 1,
                             evidence_loss(task_))
            .at(0);
    r.loss = score.loss;
    r.error = score.error;
    errors_.push_back(score.error);
    phase_ = std::move(next);
    ++current_;
    std::vector<IterationResult> done;
    done.push_back(std::move(r));
    return done;
  }

  void finish() override {
    if (task_.final_update) {
      // task + extension + 1 (SPEC 11.3), after the phases run; it reaches the readouts'
      // synapses two steps later.
      const double spike = static_cast<double>(current_) * phase_ms() + kTotalOffset + 2.0;
      sim_.set_spike_times(std::string(evidence_pop::final_update_generator), {{spike}});
      advance_to(sim_, spike + 2.0);
    }
    sim_.clear_recordings();
  }

  [[nodiscard]] nlohmann::json save_progress() const override {
    return {{"current", current_},
            {"phase", phase_},
            {"errors", errors_},
            {"extended", extended_},
            {"schedule", schedule_.save()}};
  }

  void load_progress(const nlohmann::json& p) override {
    current_ = p.at("current").get<std::int64_t>();
    phase_ = p.at("phase").get<std::string>();
    errors_ = p.at("errors").get<std::vector<double>>();
    extended_ = p.at("extended").get<bool>();  // the generators' schedules are in the state
    schedule_.load(p.at("schedule"));
  }

  [[nodiscard]] std::vector<ProjectionInfo> projections() const override {
    // Regular neurons come first in the recurrent group.
    const auto n_regular = static_cast<std::int64_t>(task_.n_regular);
    const auto role = [n_regular](const std::string& pop) -> std::pair<std::string, std::int64_t> {
      if (pop == evidence_pop::input) return {"in", 0};
      if (pop == evidence_pop::readout) return {"out", 0};
      return {"rec", pop == evidence_pop::adaptive ? n_regular : 0};
    };
    std::vector<ProjectionInfo> out;
    for (const std::string group : {"in_rec", "rec_rec", "rec_out"}) {
      for (const std::size_t c : plastic_) {
        const auto [src, src_offset] = role(spec_.connections[c].source);
        const auto [tgt, tgt_offset] = role(spec_.connections[c].target);
        if (src + "_" + tgt == group) out.push_back({c, group, src_offset, tgt_offset});
      }
    }
    return out;
  }

 private:
  [[nodiscard]] double phase_ms() const {
    return static_cast<double>(task_.batch_size * kEvidenceSequence);
  }
  [[nodiscard]] double eta_of(const std::string& phase) const {
    return phase == "training" ? task_.eta_train : task_.eta_test;
  }

  // Re-sets the input and target generators with batches for every phase the schedule allows.
  void extend() {
    const NetworkSpec full =
        evidence_task_network(task_, draw_evidence_task_data(task_, schedule_.capacity()));
    for (const PopulationSpec& p : full.populations) {
      if (p.name == evidence_pop::input_generator) sim_.set_spike_times(p.name, p.spike_times);
      if (p.name == evidence_pop::target_generator) {
        sim_.set_amplitudes(p.name, p.amplitude_times, p.amplitude_values);
      }
    }
    extended_ = true;
  }

  NetworkSpec make_spec(const TrainConfig& config, std::int64_t n_phases) const {
    NetworkSpec spec = evidence_task_network(task_, draw_evidence_task_data(task_, n_phases));
    for (RecorderSpec& r : spec.recorders) r.stop = std::numeric_limits<double>::infinity();
    apply_config_to_spec(config, spec,
                         {std::string(evidence_pop::regular), std::string(evidence_pop::adaptive)});
    for (const std::size_t c : evidence_plastic_connections(spec)) {
      // Until the script's first SetDefaults the synapses keep NEST's default learning rate
      // (see run_evidence_task); phase 0 sets the first one that counts.
      spec.connections[c].optimizer.eta = OptimizerSpec{}.eta;
    }
    for (PopulationSpec& p : spec.populations) {
      if (p.name == evidence_pop::final_update_generator) p.spike_times = {{}};  // set in finish()
    }
    add_recorders(spec, config);
    return spec;
  }

  EvidenceTaskConfig task_;
  PhaseSchedule schedule_;
  NetworkSpec spec_;
  Simulation sim_;
  std::vector<std::size_t> plastic_;
  std::vector<double> errors_;
  std::string phase_;  // phase of iteration current_ ("" when the run is over)
  bool extended_;      // the generators hold batches for schedule_.capacity() phases
  std::int64_t current_ = 0;
};

}  // namespace

std::unique_ptr<TrainingSession> make_evidence_session(const TrainConfig& config) {
  return std::make_unique<EvidenceSession>(config);
}

}  // namespace eprop::tasks
