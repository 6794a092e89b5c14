// Training loop of N-MNIST classification (SPEC 11.4).
//
// As in NEST 3.10's script, the learning rate and the generators are set at the start of every
// iteration k (time k * G * S, before its Simulate(total_offset)) with that iteration's group of
// samples, so only one group is ever held in memory. Iteration k's data occupies the time stamps
// (2 + k * G * S, 2 + (k + 1) * G * S]; its last learning-window sample is recorded after the
// next iteration's total_offset and extension_sim steps, where the script evaluates it. Early
// stopping (off by default) follows SPEC 11.3; its validation iterations take groups from the
// test loader.
//
// With training.nest_generator_reset = false the re-set keeps what is left of the running
// iteration (input spikes of its last sample beyond the iteration's end, which NEST's re-set
// discards) besides the next one; in both modes the result equals nmnist_task_network() with all
// iterations laid out up front.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "eprop/error.h"
#include "tasks/training_session.h"

namespace eprop::tasks {
namespace {

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
  n.indegree_rec_rec = static_cast<std::size_t>(c.integer("network.indegree_rec_rec"));
  n.weight_init = c.string("network.weight_init");
  n.all_pixels = c.boolean("data.all_pixels");
  n.readout_E_L = c.number("readout.E_L");
  n.kappa = c.number("recurrent.kappa");
  if (c.is_explicit("optimizer.eta")) n.eta_train = c.number("optimizer.eta");
  n.eta_test = c.number("optimizer.eta_test");
  n.model = c.string("network.model");
  n.surrogate_gradient_function = c.string("recurrent.surrogate_gradient_function");
  n.surrogate_gradient_height = c.number("recurrent.surrogate_gradient_height");
  n.surrogate_gradient_width = c.number("recurrent.surrogate_gradient_width");
  n.seed = static_cast<std::uint32_t>(c.integer("data.seed"));
  n.draws = draw_mode(c);
  n.precision = c.precision();
  n.nest_generator_reset = c.boolean("training.nest_generator_reset");
  n.final_update = c.boolean("training.final_update");
  n.recording.readout_dynamics = c.boolean("recording.readout_dynamics");
  n.recording.n_record_rec = static_cast<std::size_t>(c.integer("recording.n_record_rec"));
  n.recording.spikes = c.boolean("recording.spikes");
  return n;
}

PhaseSchedule make_schedule(const TrainConfig& c) {
  return {c.integer("training.n_iter_train"),      c.integer("training.n_iter_test"),
          c.boolean("training.early_stopping"),    c.integer("training.validate_every"),
          c.integer("training.n_iter_early_stop"), c.number("training.stop_criterion")};
}

class NmnistSession final : public TrainingSession {
 public:
  NmnistSession(const TrainConfig& config, const NmnistOpener& open)
      : task_(nmnist_config(config)),
        schedule_(make_schedule(config)),
        dataset_(open(config.string("data.root"), task_.sequence, task_.all_pixels)),
        window_steps_(static_cast<double>(config.integer("recording.max_steps"))) {
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
    entry_ = take_group(phase_);
    data.plan = {entry_};
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
    if (sim.steps_done() == 0) {  // the first iteration's SetDefaults, before any Simulate
      set_eta_all(sim, plastic_, eta_of(phase_));
    }
    const std::int64_t k = current_;
    IterationResult r;
    r.iteration = k + 1;
    r.phase = phase_;
    r.begin_ms = begin_of(k);
    r.end_ms = begin_of(k + 1);
    NmnistEvaluator score(task_, 1);
    const double shift = static_cast<double>(k) * per_iteration();  // onto iteration 0's times
    // The next iteration's SetDefaults and SetStatus calls, at its start.
    advance_recording(set_instant(k + 1), r, score, shift);
    std::string next_phase = schedule_.next(errors_);
    NmnistIterationPlan next_entry;
    if (!next_phase.empty()) {
      next_entry = take_group(next_phase);
      set_eta_all(sim, plastic_, eta_of(next_phase));
      set_generators(k, next_entry);
    }
    phase_ = std::move(next_phase);
    entry_ = std::move(next_entry);
    // Simulate(total_offset) and Simulate(extension_sim), then the script evaluates iteration k.
    advance_recording(begin_of(k + 1) + ext, r, score, shift);
    const NmnistEvaluation result = score.result();
    r.loss = result.loss.at(0);
    r.error = result.error.at(0);
    errors_.push_back(r.error);
    ++current_;
    std::vector<IterationResult> done;
    done.push_back(std::move(r));
    return done;
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
    return {{"current", current_},
            {"phase", phase_},
            {"errors", errors_},
            {"next_train", next_train_},
            {"next_test", next_test_},
            {"split", entry_.split == NmnistSplit::train ? "train" : "test"},
            {"samples", entry_.samples},
            {"schedule", schedule_.save()}};
  }

  void load_progress(const nlohmann::json& p) override {
    current_ = p.at("current").get<std::int64_t>();
    phase_ = p.at("phase").get<std::string>();
    errors_ = p.at("errors").get<std::vector<double>>();
    next_train_ = p.at("next_train").get<std::size_t>();
    next_test_ = p.at("next_test").get<std::size_t>();
    entry_.split =
        p.at("split").get<std::string>() == "train" ? NmnistSplit::train : NmnistSplit::test;
    entry_.train = entry_.split == NmnistSplit::train;
    entry_.samples = p.at("samples").get<std::vector<std::size_t>>();
    schedule_.load(p.at("schedule"));
  }

  [[nodiscard]] std::vector<ProjectionInfo> projections() const override {
    return {{plastic_.at(0), "in_rec", 0, 0},
            {plastic_.at(1), "rec_rec", 0, 0},
            {plastic_.at(2), "rec_out", 0, 0}};
  }

 private:
  /// Samples simulated between two readings of the recordings.
  static constexpr std::int64_t kPieceSamples = 10;

  // Advances to `ms` in pieces of kPieceSamples samples and reads the recordings after each:
  // the readout rows go to the evaluation, the rows of the plotted window to r. The recordings
  // of a whole iteration were most of this task's memory; now the simulation holds one piece.
  // The pieces change no number (a simulation's run(a) + run(b) is run(a + b), and the
  // evaluation sums in the same order).
  void advance_recording(double ms, IterationResult& r, NmnistEvaluator& score, double shift) {
    Simulation& sim = *sim_;
    const double piece = static_cast<double>(kPieceSamples * task_.sequence);
    const double window_end = std::min(r.end_ms, r.begin_ms + window_steps_);
    while (ms > sim.time_ms() + 0.5) {
      advance_to(sim, std::min(ms, sim.time_ms() + piece));
      IterationRecordings got = take_recordings(sim);
      score.add(got.multimeters.at(0), shift);
      append_window(r.recordings, got, r.begin_ms, window_end);
    }
  }

  [[nodiscard]] double per_iteration() const {
    return static_cast<double>(task_.group_size * task_.sequence);
  }
  /// Time of the script's SetDefaults / SetStatus calls for iteration k.
  [[nodiscard]] double set_instant(std::int64_t k) const {
    return static_cast<double>(k) * per_iteration();
  }
  /// Iteration k's data has the time stamps (begin_of(k), begin_of(k + 1)].
  [[nodiscard]] double begin_of(std::int64_t k) const {
    return nmnist_task_offset(task_) + set_instant(k);
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

  // The script's SetStatus(generators) for iteration k + 1 (group `next`), at its start. Without
  // the reset, the generators keep what is left of iteration k (entry_) as well.
  void set_generators(std::int64_t k, const NmnistIterationPlan& next) {
    Simulation& sim = *sim_;
    NmnistStimulus st = nmnist_iteration_stimulus(task_, next, k + 1, dataset_.source);
    if (!task_.nest_generator_reset) {
      NmnistStimulus both = nmnist_iteration_stimulus(task_, entry_, k, dataset_.source);
      for (std::size_t i = 0; i < both.spike_times.size(); ++i) {
        auto& t = both.spike_times[i];
        t.insert(t.end(), st.spike_times[i].begin(), st.spike_times[i].end());
        std::sort(t.begin(), t.end());
      }
      for (std::size_t c = 0; c < both.target_times.size(); ++c) {
        both.target_times[c].insert(both.target_times[c].end(), st.target_times[c].begin(),
                                    st.target_times[c].end());
        both.target_values[c].insert(both.target_values[c].end(), st.target_values[c].begin(),
                                     st.target_values[c].end());
      }
      both.window_times.insert(both.window_times.end(), st.window_times.begin(),
                               st.window_times.end());
      both.window_values.insert(both.window_values.end(), st.window_values.begin(),
                                st.window_values.end());
      st = std::move(both);
    }
    sim.set_spike_times(std::string(nmnist_pop::input_generator), st.spike_times);
    sim.set_amplitudes(std::string(nmnist_pop::target_generator), st.target_times,
                       st.target_values);
    sim.set_amplitudes(std::string(nmnist_pop::learning_window_generator), {st.window_times},
                       {st.window_values});
  }

  NmnistTaskConfig task_;
  PhaseSchedule schedule_;
  NmnistDataset dataset_;
  double window_steps_;  ///< recording.max_steps: the plotted window of an iteration
  std::vector<NmnistIterationPlan> train_groups_, test_groups_;
  std::size_t next_train_ = 0, next_test_ = 0;
  NetworkSpec spec_;
  std::optional<Simulation> sim_;
  std::vector<std::size_t> plastic_;
  std::string phase_;          // phase of iteration current_ ("" when the run is over)
  NmnistIterationPlan entry_;  // its group of samples
  std::int64_t current_ = 0;
  std::vector<double> errors_;
};

}  // namespace

std::unique_ptr<TrainingSession> make_nmnist_session(const TrainConfig& config,
                                                     const NmnistOpener& open) {
  return std::make_unique<NmnistSession>(config, open);
}

}  // namespace eprop::tasks
