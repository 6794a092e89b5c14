// Evaluation and training pipeline of the evidence-accumulation task (SPEC 11.3).

#include <algorithm>
#include <cmath>
#include <map>

#include "eprop/error.h"
#include "tasks/evidence_task.h"

namespace eprop::tasks {
namespace {

constexpr double kTotalOffset = 4.0;  // first recorded sample: loop time 4 (timestamp 5)

const std::vector<double>& variable(const MultimeterRecording& rec, std::string_view name) {
  const auto it = std::find(rec.variables.begin(), rec.variables.end(), name);
  if (it == rec.variables.end()) {
    throw DataError("evidence task score: multimeter of '" + rec.population +
                    "' did not record " + std::string(name));
  }
  return rec.values[static_cast<std::size_t>(it - rec.variables.begin())];
}

// Rows of each readout (ascending neuron index) in time order.
std::vector<std::vector<std::size_t>> rows_by_readout(const MultimeterRecording& rec) {
  std::map<std::int64_t, std::vector<std::size_t>> rows;
  for (std::size_t r = 0; r < rec.index.size(); ++r) rows[rec.index[r]].push_back(r);
  std::vector<std::vector<std::size_t>> out;
  for (auto& [neuron, idx] : rows) {
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return rec.time[a] < rec.time[b]; });
    out.push_back(std::move(idx));
  }
  return out;
}

// One sequence: -sum_t sum_k y*_k ln y_k over the recall window, and whether the readout with
// the largest window-mean signal is the target's (numpy argmax: the first maximum wins).
struct SequenceScore {
  double loss_sum;
  bool correct;
};

SequenceScore score_sequence(const std::vector<std::vector<std::size_t>>& rows,
                             const std::vector<double>& y, const std::vector<double>& y_star,
                             std::size_t first_sample, EvidenceLoss loss) {
  double loss_sum = 0.0;
  std::vector<double> mean_y(rows.size(), 0.0), mean_target(rows.size(), 0.0);
  for (std::int64_t q = kEvidenceSequence - kEvidenceRecall; q < kEvidenceSequence; ++q) {
    double sum_k = 0.0;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::size_t r = rows[k][first_sample + static_cast<std::size_t>(q)];
      if (loss == EvidenceLoss::cross_entropy) {
        sum_k -= y_star[r] * std::log(y[r]);
      } else {
        sum_k += 0.5 * (y[r] - y_star[r]) * (y[r] - y_star[r]);
      }
      mean_y[k] += y[r];
      mean_target[k] += y_star[r];
    }
    loss_sum += sum_k;
  }
  const auto argmax = [](const std::vector<double>& v) {
    return std::max_element(v.begin(), v.end()) - v.begin();
  };
  return {loss_sum, argmax(mean_y) == argmax(mean_target)};
}

// Position of the first sample of phase `phase` in every readout's rows; throws unless all of the
// phase's samples are there (the recording may have been cleared up to any earlier phase).
std::size_t phase_begin(const MultimeterRecording& rec,
                        const std::vector<std::vector<std::size_t>>& rows, std::int64_t batch_size,
                        std::int64_t phase) {
  const auto per_phase = static_cast<std::size_t>(batch_size * kEvidenceSequence);
  // Phase k holds the samples with timestamps in (4 + k B T, 4 + (k + 1) B T].
  const double first_time = kTotalOffset + static_cast<double>(phase) * double(per_phase) + 1.0;
  std::size_t begin = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& r = rows[k];
    const auto it = std::lower_bound(r.begin(), r.end(), first_time,
                                     [&](std::size_t row, double t) { return rec.time[row] < t; });
    const auto at = static_cast<std::size_t>(it - r.begin());
    const bool complete = at + per_phase <= r.size() && rec.time[r[at]] == first_time &&
                          rec.time[r[at + per_phase - 1]] == first_time + double(per_phase) - 1.0;
    if (!complete) {
      throw DataError("evidence task score: the readout recording does not hold all samples of "
                      "phase " + std::to_string(phase));
    }
    if (k > 0 && at != begin) throw DataError("evidence task score: readouts recorded unevenly");
    begin = at;
  }
  return begin;
}

}  // namespace

std::vector<EvidenceScore> evidence_task_scores(const MultimeterRecording& readout,
                                                std::int64_t batch_size, std::int64_t first,
                                                std::int64_t count, EvidenceLoss loss_kind) {
  const std::vector<double>& y = variable(readout, "readout_signal");
  const std::vector<double>& y_star = variable(readout, "target_signal");
  const auto rows = rows_by_readout(readout);
  if (rows.empty()) throw DataError("evidence task score: the readout recorded nothing");
  std::vector<EvidenceScore> scores;
  for (std::int64_t phase = first; phase < first + count; ++phase) {
    const std::size_t begin = phase_begin(readout, rows, batch_size, phase);
    double loss = 0.0;
    double correct = 0.0;
    for (std::int64_t b = 0; b < batch_size; ++b) {
      const SequenceScore s = score_sequence(
          rows, y, y_star, begin + static_cast<std::size_t>(b * kEvidenceSequence), loss_kind);
      loss += s.loss_sum;
      correct += s.correct ? 1.0 : 0.0;
    }
    const auto n = static_cast<double>(batch_size);
    // Cross-entropy: mean over sequences and recall steps; squared error: sum over the recall
    // steps, mean over sequences and readouts.
    const double per = loss_kind == EvidenceLoss::cross_entropy
                           ? static_cast<double>(kEvidenceRecall)
                           : static_cast<double>(rows.size());
    scores.push_back({loss / (n * per), 1.0 - correct / n});
  }
  return scores;
}

std::int64_t evidence_planned_phases(const EvidenceTaskConfig& c) {
  const std::int64_t validations =
      c.early_stopping && c.validate_every > 0 ? (c.n_iter_train + c.validate_every - 1) / c.validate_every : 0;
  return c.n_iter_train + validations + c.n_iter_test;
}

namespace {

// The script sets eta only at the start of each phase: until then the synapses keep NEST's
// default, so the first learning rate that counts as a change (and drives every synapse's first
// optimisation, SPEC 8) is that of the first phase - 0 when it is a validation. This is what
// reproduces NEST's losses from the second phase on.
NetworkSpec network_without_eta(const EvidenceTaskConfig& config, const EvidenceTaskData& data) {
  NetworkSpec spec = evidence_task_network(config, data);
  for (const std::size_t conn : evidence_plastic_connections(spec)) {
    spec.connections[conn].optimizer.eta = OptimizerSpec{}.eta;
  }
  return spec;
}

// The script's TrainingPipeline: each phase sets eta (between two Simulate calls, eta_offset ms
// into the phase), runs one step, scores the previous phase (as the script evaluates it) and then
// trains or evaluates its batch. Scored recordings are dropped, so memory stays at one phase.
class Pipeline {
 public:
  Pipeline(const EvidenceTaskConfig& config, std::int64_t n_phases)
      : c_(config),
        data_(draw_evidence_task_data(config, n_phases)),
        spec_(network_without_eta(config, data_)),
        sim_(spec_),
        plastic_(evidence_plastic_connections(spec_)) {
    sim_.expect_eta_changes();  // each phase sets its eta
  }

  /// Starts the next phase; false (and nothing simulated) if the network holds no more batches.
  bool phase(const std::string& label, double eta) {
    const auto k = static_cast<std::int64_t>(run_.phases.size());
    if (k >= data_.n_phases) return false;
    advance_to(static_cast<double>(k) * phase_ms() + c_.eta_offset);
    for (const std::size_t conn : plastic_) sim_.set_eta(conn, eta);
    run_.phases.push_back({label, eta, {}});
    advance_to(static_cast<double>(k) * phase_ms() + kTotalOffset + 1.0);
    score_completed();
    return true;
  }

  /// The script's self.error: the newest evaluated phase, the one before the phase now running.
  [[nodiscard]] double previous_error() const {
    const std::size_t n = run_.phases.size();
    return n < 2 ? 0.0 : run_.phases[n - 2].score.error;
  }

  /// Scores the last phase and, with a final update, simulates through the final-update spike.
  EvidenceRun finish() {
    const auto n = static_cast<double>(run_.phases.size());
    advance_to(n * phase_ms() + kTotalOffset + 1.0);
    score_completed();
    // The spike at task + 2 ms reaches the readouts' synapses two steps later.
    if (c_.final_update) advance_to(sim_.time_ms() + 3.0);
    run_.simulated_ms = sim_.time_ms();
    return run_;
  }

  EvidenceRun& run() { return run_; }

 private:
  [[nodiscard]] double phase_ms() const {
    return static_cast<double>(c_.batch_size * kEvidenceSequence);
  }
  void advance_to(double ms) {
    if (ms > sim_.time_ms()) sim_.simulate(ms - sim_.time_ms());
  }
  // Phase j is complete once its last sample (timestamp 4 + (j + 1) B T) has been committed.
  void score_completed() {
    std::int64_t complete = 0;
    while (complete < static_cast<std::int64_t>(run_.phases.size()) &&
           sim_.time_ms() >= static_cast<double>(complete + 1) * phase_ms() + kTotalOffset + 1.0) {
      ++complete;
    }
    if (complete <= scored_) return;
    const auto scores =
        evidence_task_scores(sim_.multimeters().at(0), c_.batch_size, scored_,
                             complete - scored_, evidence_loss(c_));
    for (const EvidenceScore& s : scores) run_.phases[static_cast<std::size_t>(scored_++)].score = s;
    sim_.clear_recordings();
  }

  EvidenceTaskConfig c_;
  EvidenceTaskData data_;
  NetworkSpec spec_;
  Simulation sim_;
  std::vector<std::size_t> plastic_;
  EvidenceRun run_;
  std::int64_t scored_ = 0;
};

// Runs the script's loop on a network with n_phases batches; false if they did not suffice.
bool run_phases(const EvidenceTaskConfig& c, Pipeline& p) {
  bool stop = false;
  for (std::int64_t k = 0; k < c.n_iter_train && !stop; ++k) {
    const bool validate = c.early_stopping && k % c.validate_every == 0;
    if (validate && !p.phase("validation", c.eta_test)) return false;
    if (validate && k > 0 && p.previous_error() < c.stop_criterion) {
      double sum = 0.0;
      for (std::int64_t e = 0; e < c.n_iter_early_stop; ++e) {
        if (!p.phase("early-stopping", c.eta_test)) return false;
        sum += p.previous_error();
      }
      stop = sum / static_cast<double>(c.n_iter_early_stop) < c.stop_criterion;
      p.run().stopped_early = stop;
    }
    if (!p.phase("training", c.eta_train)) return false;
  }
  for (std::int64_t k = 0; k < c.n_iter_test; ++k) {
    if (!p.phase("test", c.eta_test)) return false;
  }
  return true;
}

}  // namespace

EvidenceRun run_evidence_task(const EvidenceTaskConfig& config) {
  if (config.early_stopping && (config.validate_every < 1 || config.n_iter_early_stop < 1)) {
    throw ConfigError("evidence task: validate_every and n_iter_early_stop must be >= 1");
  }
  if (config.n_iter_train < 0 || config.n_iter_test < 0 ||
      config.n_iter_train + config.n_iter_test < 1) {
    throw ConfigError("evidence task: n_iter_train, n_iter_test >= 0 and one phase required");
  }
  std::int64_t n_phases = evidence_planned_phases(config);
  for (;;) {
    Pipeline p(config, n_phases);
    const bool complete = run_phases(config, p);
    const auto used = static_cast<std::int64_t>(p.run().phases.size());
    if (complete && used == n_phases) return p.finish();
    n_phases = complete ? used : n_phases + config.n_iter_early_stop;
  }
}

}  // namespace eprop::tasks
