#include "tasks/sine_task.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "eprop/error.h"
#include "tasks/task_random.h"
#include "tasks/weight_draws.h"

namespace eprop::tasks {
namespace {

// "Removal of irregular spike arrival": weights and eta are rescaled by 1 - kappa, computed in
// double exactly like the scripts (0.030000000000000027).
constexpr double kInputSpikeProbability = 0.05;
constexpr std::array<std::int64_t, 4> kPeriods{1000, 500, 333, 200};

bool is_psc_delta(const std::string& model) {
  return model == "eprop_iaf_psc_delta" || model == "eprop_iaf_psc_delta_adapt";
}

void validate(const SineTaskConfig& c) {
  const bool known = c.model == "eprop_iaf" || c.model == "eprop_iaf_adapt" ||
                     is_psc_delta(c.model) || is_bsshslm_model(c.model);
  if (!known) {
    throw ConfigError("sine task: unsupported recurrent model '" + c.model +
                      "' (eprop_iaf, eprop_iaf_adapt, eprop_iaf_psc_delta, "
                      "eprop_iaf_psc_delta_adapt, eprop_iaf_bsshslm_2020, "
                      "eprop_iaf_adapt_bsshslm_2020)");
  }
  if (c.n_iter < 1 || c.sequence < 2 || c.n_in == 0 || c.n_rec == 0 || c.n_out == 0) {
    throw ConfigError("sine task: n_iter >= 1, sequence >= 2 and n_in, n_rec, n_out >= 1 required");
  }
  if (!c.fixed_targets.empty() &&
      (c.fixed_targets.size() != c.n_out ||
       std::any_of(c.fixed_targets.begin(), c.fixed_targets.end(), [&](const auto& t) {
         return t.size() != static_cast<std::size_t>(c.sequence);
       }))) {
    throw ConfigError("pattern task: one target of " + std::to_string(c.sequence) +
                      " steps per readout required (" + std::to_string(c.n_out) + " readouts)");
  }
  if (!c.tau_m_per_neuron.empty() && c.tau_m_per_neuron.size() != c.n_rec) {
    throw ConfigError("sine task: tau_m_per_neuron needs one value per recurrent neuron");
  }
  if (static_cast<double>(c.n_iter * c.sequence) + sine_task_offset(c) + 1.0 > 16777216.0) {
    throw ConfigError("sine task: spike times beyond 2^24 ms are not exact in float32");
  }
}

// np.array(np.random.randn(rows, cols)[.T] / np.sqrt(rows), dtype=np.float32): the weight
// matrices are drawn as (n_pre, n_post) and transposed to NEST's [target][source] layout; B is
// drawn directly as (n_rec, n_out) = [target][source].
std::vector<float> draw_normal(TaskRandom& rng, TaskDraw quantity, std::size_t rows,
                               std::size_t cols, bool transpose) {
  return draw_normal_f32(rng, {quantity}, rows, cols, transpose,
                         std::sqrt(static_cast<double>(rows)));
}

// In-place float32 arithmetic, as numpy does for `w *= scale` on a float32 array.
void multiply(std::vector<float>& w, float factor) {
  for (float& x : w) {
    x *= factor;
  }
}

void divide(std::vector<float>& w, float factor) {
  for (float& x : w) {
    x /= factor;
  }
}

// The float32 products happen after all weights are drawn; none depends on the draw order.
void scale_event_driven(std::vector<float>& w_in, std::vector<float>& w_rec,
                        std::vector<float>& w_out, std::vector<float>& b,
                        const std::string& model, double kappa) {
  const auto scale = static_cast<float>(1.0 - kappa);
  multiply(w_out, scale);
  if (is_psc_delta(model)) {
    divide(b, scale);
  } else {
    multiply(w_in, scale);
    multiply(w_rec, scale);
    multiply(b, scale);
  }
}

std::vector<std::vector<double>> draw_input(TaskRandom& rng, const SineTaskConfig& c) {
  // (np.random.rand(sequence, n_in) < p).swapaxes(0, 1); times k + 1 + sequence * i as float32.
  // The bsshslm script empties step 0 of each sequence, whose spikes the synapses would drop.
  const std::vector<double> u =
      rng.uniform01({TaskDraw::input_spikes}, static_cast<std::size_t>(c.sequence) * c.n_in);
  std::vector<std::vector<double>> times(c.n_in);
  const std::int64_t first_step = is_bsshslm_model(c.model) ? 1 : 0;
  for (std::int64_t iter = 0; iter < c.n_iter; ++iter) {
    const double start = static_cast<double>(iter * c.sequence) + 1.0;
    for (std::int64_t k = first_step; k < c.sequence; ++k) {
      for (std::size_t i = 0; i < c.n_in; ++i) {
        if (u[static_cast<std::size_t>(k) * c.n_in + i] < kInputSpikeProbability) {
          times[i].push_back(static_cast<float>(static_cast<double>(k) + start));
        }
      }
    }
  }
  return times;
}

}  // namespace

std::vector<double> numpy_linspace(double start, double stop, std::int64_t num) {
  std::vector<double> y(static_cast<std::size_t>(num));
  const double delta = stop - start;
  const auto div = static_cast<double>(num - 1);
  const double step = num > 1 ? delta / div : 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto fi = static_cast<double>(i);
    y[i] = (num > 1 && step == 0.0 ? fi / div * delta : fi * step) + start;
  }
  if (num > 1) {
    y.back() = stop;
  }
  return y;
}

std::vector<double> superimposed_sines(std::int64_t steps, std::span<const double> amplitudes,
                                       std::span<const double> phases,
                                       std::span<const std::int64_t> periods) {
  std::vector<double> sum(static_cast<std::size_t>(steps), 0.0);
  for (std::size_t s = 0; s < periods.size(); ++s) {
    const auto cycles = static_cast<double>(steps / periods[s]);
    const std::vector<double> x =
        numpy_linspace(phases[s], phases[s] + 2.0 * std::numbers::pi * cycles, steps);
    for (std::size_t t = 0; t < sum.size(); ++t) {
      sum[t] += amplitudes[s] * std::sin(x[t]);
    }
  }
  const double first = sum.front();
  double max_abs = 0.0;
  for (double& v : sum) {
    v -= first;
    max_abs = std::max(max_abs, std::abs(v));
  }
  const double norm = std::max(max_abs, 1e-6);
  for (double& v : sum) {
    v /= norm;
  }
  return sum;
}

bool is_bsshslm_model(std::string_view model) {
  return model == "eprop_iaf_bsshslm_2020" || model == "eprop_iaf_adapt_bsshslm_2020";
}

SineTaskConfig sine_bsshslm_config() {
  SineTaskConfig c;
  c.model = "eprop_iaf_bsshslm_2020";
  c.surrogate_gradient_width = 1.0 * 0.03;  // width * |V_th|, as the script converts it
  c.extension_sim = 1;
  return c;
}

double sine_task_duration(const SineTaskConfig& config) {
  return static_cast<double>(config.n_iter * config.sequence);
}

double sine_task_offset(const SineTaskConfig& config) {
  return is_bsshslm_model(config.model) ? 4.0 : 2.0;
}

SineTaskData draw_sine_task_data(const SineTaskConfig& config) {
  validate(config);
  const std::unique_ptr<TaskRandom> random = make_task_random(config.draws, config.seed);
  TaskRandom& rng = *random;
  std::vector<float> w_in = draw_normal(rng, TaskDraw::w_in, config.n_in, config.n_rec, true);
  std::vector<float> w_rec = draw_normal(rng, TaskDraw::w_rec, config.n_rec, config.n_rec, true);
  for (std::size_t j = 0; j < config.n_rec; ++j) {
    w_rec[j * config.n_rec + j] = 0.0F;
  }
  std::vector<float> w_out = draw_normal(rng, TaskDraw::w_out, config.n_rec, config.n_out, true);
  std::vector<float> b = draw_normal(rng, TaskDraw::feedback, config.n_rec, config.n_out, false);
  // SPEC 11.2 uses its weights unscaled.
  if (!is_bsshslm_model(config.model)) scale_event_driven(w_in, w_rec, w_out, b, config.model, config.kappa);
  SineTaskData data;
  data.w_in = widen(w_in);
  data.w_rec = widen(w_rec);
  data.w_out = widen(w_out);
  data.b = widen(b);
  data.input_spike_times = draw_input(rng, config);
  const std::vector<double> amplitudes =
      rng.uniform({TaskDraw::target_amplitudes}, 0.5, 2.0, kPeriods.size());
  const std::vector<double> phases =
      rng.uniform({TaskDraw::target_phases}, 0.0, 2.0 * std::numbers::pi, kPeriods.size());
  data.target = superimposed_sines(config.sequence, amplitudes, phases, kPeriods);
  return data;
}

std::vector<double> sine_task_losses(const MultimeterRecording& recording, std::int64_t n_iter,
                                     std::int64_t sequence) {
  const auto find = [&](std::string_view name) -> const std::vector<double>& {
    const auto it = std::find(recording.variables.begin(), recording.variables.end(), name);
    if (it == recording.variables.end()) {
      throw DataError("sine task loss: multimeter of '" + recording.population +
                      "' did not record " + std::string(name));
    }
    return recording.values[static_cast<std::size_t>(it - recording.variables.begin())];
  };
  const std::vector<double>& y = find("readout_signal");
  const std::vector<double>& y_star = find("target_signal");
  // Rows of each readout in time order (NEST: events of one sender, in recording order).
  std::map<std::int64_t, std::vector<std::size_t>> rows;
  for (std::size_t r = 0; r < recording.index.size(); ++r) {
    rows[recording.index[r]].push_back(r);
  }
  const auto n_samples = static_cast<std::size_t>(n_iter * sequence);
  std::vector<double> loss(static_cast<std::size_t>(n_iter), 0.0);
  for (auto& [neuron, idx] : rows) {
    if (idx.size() != n_samples) {
      throw DataError("sine task loss: readout " + std::to_string(neuron) + " has " +
                      std::to_string(idx.size()) + " samples, expected " +
                      std::to_string(n_samples));
    }
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return recording.time[a] < recording.time[b];
    });
    for (std::size_t s = 0; s < n_samples; ++s) {
      const double d = y[idx[s]] - y_star[idx[s]];
      loss[s / static_cast<std::size_t>(sequence)] += d * d;
    }
  }
  if (rows.empty()) {
    throw DataError("sine task loss: the readout multimeter recorded nothing");
  }
  for (double& l : loss) {
    l = 0.5 * l / static_cast<double>(rows.size());
  }
  return loss;
}

}  // namespace eprop::tasks
