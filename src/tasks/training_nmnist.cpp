// Training loop of N-MNIST classification (SPEC 11.4).
//
// As in NEST's script, the generators are re-set at the start of every iteration (time
// 2 + k * G * S) with that iteration's group of samples, so only one group is ever held in memory.
// An iteration's last learning-window sample is recorded one step after the iteration ends,
// i.e. after the next iteration's generators and learning rate are set and extension_sim steps
// are simulated - the script evaluates at the same point. Early stopping (off by default)
// follows SPEC 11.3; its validation iterations take groups from the test loader.

#include <cmath>
#include <limits>
#include <string>

#include "eprop/error.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

constexpr double kOffset = 2.0;  // offset_gen + delay_in_rec

NmnistTaskConfig nmnist_config(const TrainConfig& c) {
  NmnistTaskConfig n;
  n.group_size = c.integer("training.group_size");
  n.n_iter_train = c.integer("training.n_iter_train");
  n.n_iter_test = c.integer("training.n_iter_test");
  n.sequence = c.integer("training.sequence");
  n.learning_window = c.integer("training.learning_window");
  n.extension_sim = c.integer("training.extension_sim");
  n.final_update_sim = c.integer("training.final_update_sim");
  n.n_rec = static_cast<std::size_t>(c.integer("network.n_rec"));
  n.sparsity_in_rec = c.number("network.sparsity_in_rec");
  n.sparsity_rec_rec = c.number("network.sparsity_rec_rec");
  n.sparsity_rec_out = c.number("network.sparsity_rec_out");
  n.kappa = c.number("recurrent.kappa");
  if (c.is_explicit("optimizer.eta")) n.eta_train = c.number("optimizer.eta");
  n.eta_test = c.number("optimizer.eta_test");
  n.model = c.string("network.model");
  n.surrogate_gradient_function = c.string("recurrent.surrogate_gradient_function");
  n.surrogate_gradient_height = c.number("recurrent.surrogate_gradient_height");
  n.surrogate_gradient_width = c.number("recurrent.surrogate_gradient_width");
  n.seed = static_cast<std::uint32_t>(c.integer("data.seed"));
  n.precision = c.precision();
  n.nest_generator_reset = true;
  n.final_update = c.boolean("training.final_update");
  n.recording.readout_dynamics = c.boolean("recording.readout_dynamics");
  n.recording.n_record_rec = static_cast<std::size_t>(c.integer("recording.n_record_rec"));
  n.recording.spikes = c.boolean("recording.spikes");
  return n;
}

PhaseSchedule make_schedule(const TrainConfig& c) {
  return {c.integer("training.n_iter_train"),    c.integer("training.n_iter_test"),
          c.boolean("training.early_stopping"),  c.integer("training.validate_every"),
          c.integer("training.n_iter_early_stop"), c.number("training.stop_criterion")};
}

class NmnistSession final : public TrainingSession {
 public:
  NmnistSession(const TrainConfig& config, const NmnistOpener& open)
      : task_(nmnist_config(config)),
        schedule_(make_schedule(config)),
        dataset_(open(config.string("data.root"), task_.sequence)) {
    // Enough test-loader groups for every validation the schedule may ask for; the loaders'
    // permutations are drawn once, so the first groups do not depend on how many are drawn.
    NmnistTaskConfig draw = task_;
    draw.n_iter_test = schedule_.capacity() - task_.n_iter_train;
    NmnistTaskData data = draw_nmnist_task_data(draw, dataset_.n_train, dataset_.n_test);
    for (NmnistIterationPlan& it : data.plan) {
      (it.split == NmnistSplit::train ? train_groups_ : test_groups_).push_back(std::move(it));
    }
    // The network holds the first iteration; the later ones are set as the script sets them.
    phase_ = schedule_.next(errors_);
    data.plan = {take_group(phase_)};
    spec_ = nmnist_task_network(task_, data, dataset_.source);
    for (RecorderSpec& r : spec_.recorders) r.stop = std::numeric_limits<double>::infinity();
    for (PopulationSpec& p : spec_.populations) {
      if (p.name == nmnist_pop::final_update_generator) p.spike_times = {{}};  // set in finish()
    }
    apply_config_to_spec(config, spec_, {std::string(nmnist_pop::recurrent)});
    sim_.emplace(build_simulation(config, spec_));
    plastic_ = plastic_connections(spec_);
  }

  Simulation& simulation() override { return *sim_; }
  [[nodiscard]] std::int64_t planned_iterations() const override { return schedule_.planned(); }
  [[nodiscard]] bool finished() const override { return phase_.empty(); }

  std::vector<IterationResult> step() override {
    Simulation& sim = *sim_;
    const auto ext = static_cast<double>(task_.extension_sim);
    if (sim.steps_done() == 0) {  // Simulate(total_offset); the first iteration's eta
      advance_to(sim, kOffset);
      set_eta_all(sim, plastic_, eta_of(phase_));
      advance_to(sim, kOffset + ext);
    }
    const std::int64_t k = current_;
    advance_to(sim, begin_of(k + 1));
    IterationResult r;
    r.iteration = k + 1;
    r.phase = phase_;
    r.begin_ms = begin_of(k);
    r.end_ms = begin_of(k + 1);
    phase_ = schedule_.next(errors_);
    if (!phase_.empty()) start_iteration(k + 1);
    advance_to(sim, begin_of(k + 1) + ext);
    r.recordings = take_recordings(sim);
    const double shift = static_cast<double>(k) * per_iteration();
    const MultimeterRecording readout =
        slice(r.recordings.multimeters.at(0), -1e300, 1e300, shift);
    const NmnistEvaluation score = evaluate_nmnist(readout, task_, 1);
    r.loss = score.loss.at(0);
    r.error = score.error.at(0);
    errors_.push_back(r.error);
    ++current_;
    return {std::move(r)};
  }

  void finish() override {
    Simulation& sim = *sim_;
    const double end = begin_of(current_) + static_cast<double>(task_.extension_sim);
    if (task_.final_update) {
      // task + extension_sim + 1 (SPEC 11.4), with task = iterations run * G * S + offset.
      sim.set_spike_times(std::string(nmnist_pop::final_update_generator), {{end + 1.0}});
      advance_to(sim, end + static_cast<double>(task_.final_update_sim));
    }
    sim.clear_recordings();
  }

  [[nodiscard]] nlohmann::json save_progress() const override {
    return {{"current", current_}, {"phase", phase_},         {"errors", errors_},
            {"next_train", next_train_}, {"next_test", next_test_}, {"schedule", schedule_.save()}};
  }

  void load_progress(const nlohmann::json& p) override {
    current_ = p.at("current").get<std::int64_t>();
    phase_ = p.at("phase").get<std::string>();
    errors_ = p.at("errors").get<std::vector<double>>();
    next_train_ = p.at("next_train").get<std::size_t>();
    next_test_ = p.at("next_test").get<std::size_t>();
    schedule_.load(p.at("schedule"));
  }

  [[nodiscard]] std::vector<ProjectionInfo> projections() const override {
    const auto in = static_cast<std::int64_t>(kNmnistTaskInputs);
    const auto rec = static_cast<std::int64_t>(task_.n_rec);
    return {{plastic_.at(0), "in_rec", 0, 0},
            {plastic_.at(1), "rec_rec", 0, 0},
            {plastic_.at(2), "rec_out", 0, 0}};
  }

 private:
  [[nodiscard]] double per_iteration() const {
    return static_cast<double>(task_.group_size * task_.sequence);
  }
  [[nodiscard]] double begin_of(std::int64_t k) const {
    return kOffset + static_cast<double>(k) * per_iteration();
  }
  [[nodiscard]] double eta_of(const std::string& phase) const {
    return phase == "training" ? nmnist_eta_train(task_) : task_.eta_test;
  }

  NmnistIterationPlan take_group(const std::string& phase) {
    std::vector<NmnistIterationPlan>& groups = phase == "training" ? train_groups_ : test_groups_;
    std::size_t& next = phase == "training" ? next_train_ : next_test_;
    if (next >= groups.size()) throw Error("N-MNIST training: ran out of planned sample groups");
    return groups[next++];
  }

  // The script's SetDefaults(eta) and SetStatus(generators) at the start of iteration k.
  void start_iteration(std::int64_t k) {
    Simulation& sim = *sim_;
    const NmnistStimulus st = nmnist_iteration_stimulus(task_, take_group(phase_), k,
                                                        dataset_.source);
    sim.set_spike_times(std::string(nmnist_pop::input_generator), st.spike_times);
    sim.set_amplitudes(std::string(nmnist_pop::target_generator), st.target_times,
                       st.target_values);
    sim.set_amplitudes(std::string(nmnist_pop::learning_window_generator), {st.window_times},
                       {st.window_values});
    set_eta_all(sim, plastic_, eta_of(phase_));
  }

  NmnistTaskConfig task_;
  PhaseSchedule schedule_;
  NmnistDataset dataset_;
  std::vector<NmnistIterationPlan> train_groups_, test_groups_;
  std::size_t next_train_ = 0, next_test_ = 0;
  NetworkSpec spec_;
  std::optional<Simulation> sim_;
  std::vector<std::size_t> plastic_;
  std::string phase_;  // phase of iteration current_ ("" when the run is over)
  std::int64_t current_ = 0;
  std::vector<double> errors_;
};

}  // namespace

std::unique_ptr<TrainingSession> make_nmnist_session(const TrainConfig& config,
                                                     const NmnistOpener& open) {
  return std::make_unique<NmnistSession>(config, open);
}

}  // namespace eprop::tasks
