// Draws and network of the evidence-accumulation task (SPEC 11.3, 13.6).

#include "tasks/evidence_task.h"
#include "tasks/spec_builders.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>

#include "eprop/error.h"
#include "tasks/task_random.h"
#include "tasks/weight_draws.h"

namespace eprop::tasks {
namespace {

constexpr std::size_t kOut = kEvidenceReadouts;
constexpr std::size_t kGroups = 4;  // input groups: left cues, right cues, recall, background
constexpr std::int64_t kCues = 7;
constexpr std::int64_t kCue = 100;
constexpr std::int64_t kSpacing = 50;
constexpr double kProbGroup = 0.3;
constexpr double kSpikeProb = 0.04;
constexpr double kTotalOffset = 4.0;  // offset_gen + delays in_rec, rec_out, out_norm (ms)

std::size_t n_rec(const EvidenceTaskConfig& c) { return c.n_regular + c.n_adaptive; }

// Spike probability of every input at one step of a sequence with the given cue sides.
std::vector<double> step_probabilities(std::size_t n_in, std::int64_t step,
                                       const std::array<std::int64_t, kCues>& cues) {
  const std::size_t group = n_in / kGroups;  // neurons per input symbol
  std::vector<double> prob(n_in, 0.0);
  for (std::int64_t c = 0; c < kCues; ++c) {
    const std::int64_t start = c * (kCue + kSpacing) + kSpacing;
    if (step < start || step >= start + kCue) continue;
    const auto side = static_cast<std::size_t>(cues[static_cast<std::size_t>(c)]);
    std::fill_n(prob.begin() + static_cast<std::ptrdiff_t>(side * group), group, kSpikeProb);
  }
  if (step >= kEvidenceSequence - kEvidenceRecall) {
    std::fill_n(prob.begin() + static_cast<std::ptrdiff_t>(2 * group), group, kSpikeProb);
  }
  std::fill_n(prob.begin() + static_cast<std::ptrdiff_t>(3 * group), group, kSpikeProb / 4.0);
  return prob;
}

// One batch of generate_evidence_accumulation_input_output: labels and the spike booleans
// [batch][step][input], step 0 emptied.
struct Batch {
  std::vector<int> labels;
  std::vector<std::uint8_t> spikes;
};

// Draws of batch `phase` in the script's order: the favoured side of every sequence, the cues of
// every sequence, then the spike uniforms sequence by sequence (the script draws the sides and
// the uniforms of the whole batch at once, which is the same stream of numpy numbers).
// Counter-based draws of sequence m are keyed by m, the sequence's index in the whole run.
Batch draw_batch(TaskRandom& rng, const EvidenceTaskConfig& c, std::int64_t phase) {
  const auto n = static_cast<std::size_t>(c.batch_size);
  const auto first_sequence = static_cast<std::uint32_t>(phase * c.batch_size);
  const auto key = [&](TaskDraw quantity, std::size_t b) -> DrawKey {
    return {quantity, first_sequence + static_cast<std::uint32_t>(b)};
  };
  const std::array<float, 2> prob_choices{static_cast<float>(kProbGroup),
                                          static_cast<float>(1.0 - kProbGroup)};
  std::vector<std::int64_t> idx(n);
  for (std::size_t b = 0; b < n; ++b) idx[b] = rng.below(key(TaskDraw::cue_sides, b), 2, 1)[0];
  std::vector<std::array<std::int64_t, kCues>> cues(n);
  Batch out;
  for (std::size_t b = 0; b < n; ++b) {
    // float32 probabilities, widened to float64 by choice(); the left/right side is swapped.
    const std::array<double, 2> p{prob_choices[static_cast<std::size_t>(idx[b])],
                                  prob_choices[static_cast<std::size_t>(1 - idx[b])]};
    const std::vector<std::int64_t> drawn = rng.choice(key(TaskDraw::cues, b), p, kCues);
    std::copy(drawn.begin(), drawn.end(), cues[b].begin());
    std::int64_t right = 0;
    for (const std::int64_t cue : drawn) right += cue;
    out.labels.push_back(right > kCues / 2 ? 1 : 0);
  }
  const std::size_t per_sequence = static_cast<std::size_t>(kEvidenceSequence) * c.n_in;
  out.spikes.assign(n * per_sequence, 0);
  for (std::size_t b = 0; b < n; ++b) {
    const std::vector<double> u = rng.uniform01(key(TaskDraw::input_spikes, b), per_sequence);
    for (std::int64_t step = 1; step < kEvidenceSequence; ++step) {  // step 0 emptied
      const std::vector<double> prob = step_probabilities(c.n_in, step, cues[b]);
      const std::size_t row = static_cast<std::size_t>(step) * c.n_in;
      for (std::size_t i = 0; i < c.n_in; ++i) {
        out.spikes[b * per_sequence + row + i] = prob[i] > u[row + i] ? 1 : 0;
      }
    }
  }
  return out;
}

void validate(const EvidenceTaskConfig& c, std::int64_t n_phases) {
  if (c.n_in < kGroups || c.n_in % kGroups != 0) {
    throw ConfigError("evidence task: n_in = " + std::to_string(c.n_in) +
                      " must be a positive multiple of 4 (left, right, recall and background "
                      "groups of equal size)");
  }
  if (c.n_regular < 1 || c.n_adaptive < 1) {
    throw ConfigError("evidence task: n_regular and n_adaptive must be >= 1 (got " +
                      std::to_string(c.n_regular) + ", " + std::to_string(c.n_adaptive) + ")");
  }
  if (c.batch_size < 1 || n_phases < 1) {
    throw ConfigError("evidence task: batch_size >= 1 and at least one phase required");
  }
  if (static_cast<double>(n_phases * c.batch_size * kEvidenceSequence) + 16.0 > 16777216.0) {
    throw ConfigError("evidence task: spike times beyond 2^24 ms are not exact in float32");
  }
}

}  // namespace

EvidenceTaskData draw_evidence_task_data(const EvidenceTaskConfig& config,
                                         std::int64_t n_phases) {
  validate(config, n_phases);
  const std::unique_ptr<TaskRandom> random = make_task_random(config.draws, config.seed);
  TaskRandom& rng = *random;
  const std::size_t n_in = config.n_in;
  const std::size_t rec = n_rec(config);
  EvidenceTaskData d;
  d.n_phases = n_phases;
  d.w_in = widen(draw_normal_f32(rng, {TaskDraw::w_in}, n_in, rec, true,
                                 std::sqrt(static_cast<double>(n_in))));
  std::vector<float> w_rec = draw_normal_f32(rng, {TaskDraw::w_rec}, rec, rec, true,
                                             std::sqrt(static_cast<double>(rec)));
  for (std::size_t j = 0; j < rec; ++j) w_rec[j * rec + j] = 0.0F;
  d.w_rec = widen(w_rec);
  // Glorot uniform with fan_in n_rec, fan_out 2, in the script's operation order.
  const double glorot_scale = 1.0 / std::max(1.0, static_cast<double>(rec + kOut) / 2.0);
  const double limit = std::sqrt(3.0 * glorot_scale);
  d.w_out = widen(draw_uniform_f32(rng, {TaskDraw::w_out}, -limit, limit, rec, kOut, true));
  d.b = widen(draw_normal_f32(rng, {TaskDraw::feedback}, rec, kOut, false, 1.0));
  d.input_spike_times.resize(n_in);
  for (std::int64_t phase = 0; phase < n_phases; ++phase) {
    const Batch batch = draw_batch(rng, config, phase);
    d.labels.insert(d.labels.end(), batch.labels.begin(), batch.labels.end());
    // Spike time of global step g is g + 1 (offset_gen), cast to float32 (exact here); e-prop+
    // 2 ms later (see EvidenceTaskConfig::eprop_plus).
    const std::int64_t phase_start = phase * config.batch_size * kEvidenceSequence;
    const std::int64_t offset = config.eprop_plus ? 3 : 1;
    for (std::size_t s = 0; s < batch.spikes.size(); ++s) {
      if (batch.spikes[s] == 0) continue;
      const auto g = phase_start + static_cast<std::int64_t>(s / n_in);
      d.input_spike_times[s % n_in].push_back(static_cast<float>(g + offset));
    }
  }
  return d;
}

namespace {

void add_adaptation(std::map<std::string, ParamValue>& p) {
  const double adapt_tau = 2000.0;
  p["adapt_tau"] = adapt_tau;
  p["adaptation"] = 0.0;
  p["adapt_beta"] = 1.7 * ((1.0 - std::exp(-1.0 / adapt_tau)) / (1.0 - std::exp(-1.0 / 20.0)));
}

// What both families' recurrent neurons share.
std::map<std::string, ParamValue> shared_recurrent_params(double V_th) {
  return {
      {"C_m", 1.0},
      {"E_L", 0.0},
      {"f_target", 10.0},
      {"I_e", 0.0},
      {"surrogate_gradient_function", std::string("piecewise_linear")},
      {"t_ref", 5.0},
      {"tau_m", 20.0},
      {"V_m", 0.0},
      {"V_th", V_th},
  };
}

std::map<std::string, ParamValue> recurrent_params(bool adaptive, bool eprop_plus) {
  const double V_th = 0.6;
  std::map<std::string, ParamValue> p = shared_recurrent_params(V_th);
  if (eprop_plus) {
    const double scale = 1.0 - kEvidenceEpropPlusKappa;
    p["c_reg"] = 300.0 / static_cast<double>(kEvidenceSequence) *
                 static_cast<double>(kEvidenceRecall) / (scale * scale);
    p["eprop_isi_trace_cutoff"] = 100.0;
    p["kappa"] = kEvidenceEpropPlusKappa;
    p["kappa_reg"] = kEvidenceEpropPlusKappa;
    p["surrogate_gradient_height"] = 0.5;
    p["surrogate_gradient_width"] = 1.0 / 1.7;
  } else {
    p["c_reg"] = 300.0;
    p["flush_event_send_interval"] = static_cast<double>(kEvidenceSequence);
    p["regular_spike_arrival"] = true;
    p["surrogate_gradient_height"] = 0.3 / V_th;
    p["surrogate_gradient_width"] = 1.0 * V_th;
  }
  if (adaptive) add_adaptation(p);
  return p;
}

void add_populations(NetworkSpec& net, const EvidenceTaskConfig& c, const EvidenceTaskData& d) {
  PopulationSpec gen = population(evidence_pop::input_generator, "spike_generator", c.n_in);
  gen.spike_times = d.input_spike_times;
  net.populations.push_back(std::move(gen));
  net.populations.push_back(population(evidence_pop::input, "parrot_neuron", c.n_in));
  const bool plus = c.eprop_plus;
  PopulationSpec reg = population(evidence_pop::regular,
                                  plus ? "eprop_iaf" : "eprop_iaf_bsshslm_2020", c.n_regular);
  reg.params = recurrent_params(false, plus);
  net.populations.push_back(std::move(reg));
  PopulationSpec ad = population(
      evidence_pop::adaptive, plus ? "eprop_iaf_adapt" : "eprop_iaf_adapt_bsshslm_2020",
      c.n_adaptive);
  ad.params = recurrent_params(true, plus);
  net.populations.push_back(std::move(ad));
  PopulationSpec out = population(evidence_pop::readout,
                                  plus ? "eprop_readout" : "eprop_readout_bsshslm_2020", kOut);
  out.params = {{"C_m", 1.0}, {"E_L", 0.0}, {"I_e", 0.0}, {"tau_m", 20.0}, {"V_m", 0.0}};
  if (plus) {
    out.params["eprop_isi_trace_cutoff"] = 100.0;
  } else {
    out.params["loss"] = std::string("cross_entropy");
    out.params["regular_spike_arrival"] = false;
  }
  net.populations.push_back(std::move(out));
  // Targets switch at 4 + 2250 m (sequence m): 1 on the label's readout, 0 on the other.
  PopulationSpec target = population(evidence_pop::target_generator, "step_rate_generator", kOut);
  target.amplitude_times.assign(kOut, {});
  target.amplitude_values.assign(kOut, {});
  for (std::size_t m = 0; m < d.labels.size(); ++m) {
    for (std::size_t k = 0; k < kOut; ++k) {
      target.amplitude_times[k].push_back(static_cast<double>(m) * kEvidenceSequence +
                                          kTotalOffset);
      target.amplitude_values[k].push_back(d.labels[m] == static_cast<int>(k) ? 1.0 : 0.0);
    }
  }
  net.populations.push_back(std::move(target));
  if (plus) {
    // The event-driven readout learns where its learning window signal is 1: the recall steps.
    PopulationSpec window =
        population(evidence_pop::learning_window_generator, "step_rate_generator", 1);
    window.amplitude_times.assign(1, {});
    window.amplitude_values.assign(1, {});
    for (std::size_t m = 0; m < d.labels.size(); ++m) {
      const double start = static_cast<double>(m) * kEvidenceSequence + kTotalOffset;
      window.amplitude_times[0].insert(window.amplitude_times[0].end(),
                                       {start, start + kEvidenceSequence - kEvidenceRecall});
      window.amplitude_values[0].insert(window.amplitude_values[0].end(), {0.0, 1.0});
    }
    net.populations.push_back(std::move(window));
  }
  if (c.final_update) {
    // task + extension + 1, task = phases * batch * 2250 + 4 (SPEC 11.3)
    PopulationSpec final_gen =
        population(evidence_pop::final_update_generator, "spike_generator", 1);
    final_gen.spike_times = {
        {static_cast<double>(d.n_phases * c.batch_size * kEvidenceSequence) + kTotalOffset + 2.0}};
    net.populations.push_back(std::move(final_gen));
  }
}

// Block [rows) x [cols) of a row-major matrix with `stride` columns.
std::vector<double> block(const std::vector<double>& m, std::size_t stride, std::size_t row0,
                          std::size_t rows, std::size_t col0, std::size_t cols) {
  std::vector<double> out;
  out.reserve(rows * cols);
  for (std::size_t r = row0; r < row0 + rows; ++r) {
    for (std::size_t c = col0; c < col0 + cols; ++c) out.push_back(m[r * stride + c]);
  }
  return out;
}

ConnectionSpec plastic(std::string_view source, std::string_view target,
                       std::vector<double> weight, const EvidenceTaskConfig& c) {
  ConnectionSpec conn =
      connection(source, target, c.eprop_plus ? "eprop_synapse" : "eprop_synapse_bsshslm_2020",
                 ConnectionRule::all_to_all, std::move(weight));
  conn.allow_autapses = source != target;  // full blocks given, the diagonal is skipped
  conn.tau_m_readout = 20.0;               // the readout's tau_m
  conn.average_gradient = !c.eprop_plus;
  conn.optimizer.type = "adam";
  conn.optimizer.batch_size = c.eprop_plus ? 1 : c.batch_size;
  conn.optimizer.optimize_each_step = c.eprop_plus;
  conn.optimizer.beta_1 = 0.9;
  conn.optimizer.beta_2 = 0.999;
  conn.optimizer.epsilon = 1e-8;
  conn.optimizer.eta = c.eta_train;
  conn.optimizer.Wmin = -100.0;
  conn.optimizer.Wmax = 100.0;
  return conn;
}

// NEST connects the combined recurrent collection (regular then adaptive) all_to_all; here each
// of the two populations gets its block of every matrix.
void add_connections(NetworkSpec& net, const EvidenceTaskConfig& c, const EvidenceTaskData& d) {
  using enum ConnectionRule;
  namespace pop = evidence_pop;
  auto& conns = net.connections;
  conns.push_back(connection(pop::input_generator, pop::input, "static_synapse", one_to_one, {1.0}));
  // Each recurrent population: name, first recurrent index, size.
  struct Group {
    std::string_view name;
    std::size_t first;
    std::size_t n;
  };
  const std::size_t n_in = c.n_in;
  const std::size_t rec = n_rec(c);
  const std::array<Group, 2> groups{
      {{pop::regular, 0, c.n_regular}, {pop::adaptive, c.n_regular, c.n_adaptive}}};
  for (const Group& t : groups) {
    conns.push_back(plastic(pop::input, t.name, block(d.w_in, n_in, t.first, t.n, 0, n_in), c));
    for (const Group& s : groups) {
      conns.push_back(
          plastic(s.name, t.name, block(d.w_rec, rec, t.first, t.n, s.first, s.n), c));
    }
  }
  // e-prop+ (PAPER_EXPERIMENTS 5.2): readout weights times 1 - kappa, feedback divided by it.
  const double scale = c.eprop_plus ? 1.0 - kEvidenceEpropPlusKappa : 1.0;
  const auto scaled = [](std::vector<double> w, double factor) {
    for (double& x : w) x *= factor;
    return w;
  };
  for (const Group& s : groups) {
    conns.push_back(plastic(s.name, pop::readout,
                            scaled(block(d.w_out, rec, 0, kOut, s.first, s.n), scale), c));
  }
  for (const Group& t : groups) {
    conns.push_back(connection(pop::readout, t.name,
                               c.eprop_plus ? "eprop_learning_signal_connection"
                                            : "eprop_learning_signal_connection_bsshslm_2020",
                               all_to_all,
                               scaled(block(d.b, kOut, t.first, t.n, 0, kOut), 1.0 / scale)));
  }
  ConnectionSpec target =
      connection(pop::target_generator, pop::readout, "rate_connection_delayed", one_to_one, {1.0});
  target.receptor_type = 2;
  conns.push_back(std::move(target));
  // Receptor 1: the learning window (e-prop+), the other readouts' signals for the softmax
  // normalisation (original).
  ConnectionSpec rate_1 =
      c.eprop_plus ? connection(pop::learning_window_generator, pop::readout,
                                "rate_connection_delayed", all_to_all, {1.0})
                   : connection(pop::readout, pop::readout, "rate_connection_delayed",
                                all_to_all, {1.0});
  rate_1.allow_autapses = false;
  rate_1.receptor_type = 1;
  conns.push_back(std::move(rate_1));
  if (c.final_update) {
    for (const std::string_view t : {pop::input, pop::regular, pop::adaptive}) {
      conns.push_back(connection(pop::final_update_generator, t, "static_synapse", all_to_all,
                                 {1000.0}));
    }
  }
}

}  // namespace

EvidenceTaskConfig evidence_eprop_plus_config() {
  EvidenceTaskConfig c;
  c.eprop_plus = true;
  c.eta_train = kEvidenceEpropPlusEta;
  return c;
}

NetworkSpec evidence_task_network(const EvidenceTaskConfig& config, const EvidenceTaskData& data) {
  NetworkSpec net;
  net.kernel.resolution = 1.0;
  net.kernel.precision = config.precision;
  net.kernel.seed = config.seed;
  net.kernel.threads = config.threads;
  net.kernel.eprop_update_interval = static_cast<double>(kEvidenceSequence);
  net.kernel.eprop_learning_window = static_cast<double>(kEvidenceRecall);
  net.kernel.eprop_reset_neurons_on_update = true;
  add_populations(net, config, data);
  add_connections(net, config, data);
  const double task = static_cast<double>(data.n_phases * config.batch_size * kEvidenceSequence);
  RecorderSpec mm;
  mm.type = RecorderType::multimeter;
  mm.population = std::string(evidence_pop::readout);
  mm.record_from = {"readout_signal", "target_signal"};
  if (config.readout_dynamics) {
    mm.record_from.insert(mm.record_from.end(), {"V_m", "error_signal"});
    if (!config.eprop_plus) mm.record_from.push_back("readout_signal_unnorm");
  }
  mm.interval = 1.0;
  mm.start = kTotalOffset;
  mm.stop = kTotalOffset + task;
  net.recorders.push_back(std::move(mm));
  net.simulate = {task + kTotalOffset + 1.0};
  return net;
}

std::vector<std::size_t> evidence_plastic_connections(const NetworkSpec& spec) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < spec.connections.size(); ++i) {
    const std::string& synapse = spec.connections[i].synapse;
    if (synapse == "eprop_synapse" || synapse == "eprop_synapse_bsshslm_2020") out.push_back(i);
  }
  return out;
}

}  // namespace eprop::tasks
