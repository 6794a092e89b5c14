#include "tasks/sine_task.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "eprop/error.h"
#include "tasks/numpy_random.h"

namespace eprop::tasks {
namespace {

constexpr double kKappa = 0.97;
// "Removal of irregular spike arrival": weights and eta are rescaled by 1 - kappa, computed in
// double exactly like the scripts (0.030000000000000027).
constexpr double kScale = 1.0 - kKappa;
constexpr double kOffset = 2.0;  // offset_gen + delay_in_rec, ms
constexpr double kInputSpikeProbability = 0.05;
constexpr std::array<std::int64_t, 4> kPeriods{1000, 500, 333, 200};

bool is_psc_delta(const std::string& model) {
  return model == "eprop_iaf_psc_delta" || model == "eprop_iaf_psc_delta_adapt";
}

void validate(const SineTaskConfig& c) {
  const bool known =
      c.model == "eprop_iaf" || c.model == "eprop_iaf_adapt" || is_psc_delta(c.model);
  if (!known) {
    throw ConfigError(
        "sine task: unsupported recurrent model '" + c.model +
        "' (eprop_iaf, eprop_iaf_adapt, eprop_iaf_psc_delta, eprop_iaf_psc_delta_adapt)");
  }
  if (c.n_iter < 1 || c.sequence < 2 || c.n_in == 0 || c.n_rec == 0 || c.n_out == 0) {
    throw ConfigError("sine task: n_iter >= 1, sequence >= 2 and n_in, n_rec, n_out >= 1 required");
  }
  if (static_cast<double>(c.n_iter * c.sequence) + kOffset + 1.0 > 16777216.0) {
    throw ConfigError("sine task: spike times beyond 2^24 ms are not exact in float32");
  }
}

// np.array(np.random.randn(rows, cols)[.T] / np.sqrt(rows), dtype=np.float32), flattened
// row-major. The weight matrices are drawn as (n_pre, n_post) and transposed to NEST's
// [target][source] layout; B is drawn directly as (n_rec, n_out) = [target][source].
std::vector<float> draw_normal(NumpyRandomState& rng, std::size_t rows, std::size_t cols,
                               bool transpose) {
  const std::vector<double> draws = rng.randn(rows * cols);
  const double norm = std::sqrt(static_cast<double>(rows));
  std::vector<float> w(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      w[transpose ? c * rows + r : r * cols + c] = static_cast<float>(draws[r * cols + c] / norm);
    }
  }
  return w;
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

std::vector<double> widen(const std::vector<float>& w) {
  return {w.begin(), w.end()};
}

std::vector<std::vector<double>> draw_input(NumpyRandomState& rng, const SineTaskConfig& c) {
  // (np.random.rand(sequence, n_in) < p).swapaxes(0, 1); times k + 1 + sequence * i as float32.
  const std::vector<double> u = rng.rand(static_cast<std::size_t>(c.sequence) * c.n_in);
  std::vector<std::vector<double>> times(c.n_in);
  for (std::int64_t iter = 0; iter < c.n_iter; ++iter) {
    const double start = static_cast<double>(iter * c.sequence) + 1.0;
    for (std::int64_t k = 0; k < c.sequence; ++k) {
      for (std::size_t i = 0; i < c.n_in; ++i) {
        if (u[static_cast<std::size_t>(k) * c.n_in + i] < kInputSpikeProbability) {
          times[i].push_back(static_cast<float>(static_cast<double>(k) + start));
        }
      }
    }
  }
  return times;
}

// numpy.linspace(start, stop, num) with endpoint, for scalar start/stop (numpy 1.24).
std::vector<double> linspace(double start, double stop, std::int64_t num) {
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

}  // namespace

std::vector<double> superimposed_sines(std::int64_t steps, std::span<const double> amplitudes,
                                       std::span<const double> phases,
                                       std::span<const std::int64_t> periods) {
  std::vector<double> sum(static_cast<std::size_t>(steps), 0.0);
  for (std::size_t s = 0; s < periods.size(); ++s) {
    const auto cycles = static_cast<double>(steps / periods[s]);
    const std::vector<double> x =
        linspace(phases[s], phases[s] + 2.0 * std::numbers::pi * cycles, steps);
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

double sine_task_duration(const SineTaskConfig& config) {
  return static_cast<double>(config.n_iter * config.sequence);
}

SineTaskData draw_sine_task_data(const SineTaskConfig& config) {
  validate(config);
  NumpyRandomState rng(config.seed);
  std::vector<float> w_in = draw_normal(rng, config.n_in, config.n_rec, true);
  std::vector<float> w_rec = draw_normal(rng, config.n_rec, config.n_rec, true);
  for (std::size_t j = 0; j < config.n_rec; ++j) {
    w_rec[j * config.n_rec + j] = 0.0F;
  }
  std::vector<float> w_out = draw_normal(rng, config.n_rec, config.n_out, true);
  const auto scale = static_cast<float>(kScale);
  multiply(w_out, scale);
  std::vector<float> b = draw_normal(rng, config.n_rec, config.n_out, false);
  if (is_psc_delta(config.model)) {
    divide(b, scale);
  } else {
    multiply(w_in, scale);
    multiply(w_rec, scale);
    multiply(b, scale);
  }
  SineTaskData data;
  data.w_in = widen(w_in);
  data.w_rec = widen(w_rec);
  data.w_out = widen(w_out);
  data.b = widen(b);
  data.input_spike_times = draw_input(rng, config);
  const std::vector<double> amplitudes = rng.uniform(0.5, 2.0, kPeriods.size());
  const std::vector<double> phases = rng.uniform(0.0, 2.0 * std::numbers::pi, kPeriods.size());
  data.target = superimposed_sines(config.sequence, amplitudes, phases, kPeriods);
  return data;
}

namespace {

std::map<std::string, ParamValue> recurrent_params(const SineTaskConfig& c) {
  const auto sequence = static_cast<double>(c.sequence);
  std::map<std::string, ParamValue> p{
      {"C_m", 1.0},
      {"c_reg", 300.0 / sequence},
      {"E_L", 0.0},
      {"eprop_isi_trace_cutoff", 100.0},
      {"f_target", 10.0},
      {"flush_event_send_interval", sequence},
      {"I_e", 0.0},
      {"kappa", kKappa},
      {"kappa_reg", kKappa},
      {"surrogate_gradient_function", std::string("piecewise_linear")},
      {"surrogate_gradient_height", 10.0},
      {"surrogate_gradient_width", c.surrogate_gradient_width},
      {"t_ref", 0.0},
      {"tau_m", 30.0},
      {"V_m", 0.0},
      {"V_th", 0.03},
  };
  if (is_psc_delta(c.model)) {
    p["V_reset"] = -0.5;
    p["c_reg"] = 2.0 / sequence / (kScale * kScale);
    p["V_th"] = 0.5;
  } else if (c.model == "eprop_iaf_adapt") {
    p["adapt_beta"] = 0.0;  // SPEC 11.1: switching the example to ALIF keeps adaptation off
  }
  for (const auto& [name, value] : c.recurrent_overrides) {
    p[name] = value;
  }
  return p;
}

PopulationSpec population(std::string_view name, std::string model, std::size_t n) {
  PopulationSpec pop;
  pop.name = std::string(name);
  pop.model = std::move(model);
  pop.n = n;
  return pop;
}

ConnectionSpec connection(std::string_view source, std::string_view target, std::string synapse,
                          ConnectionRule rule, std::vector<double> weight) {
  ConnectionSpec conn;
  conn.source = std::string(source);
  conn.target = std::string(target);
  conn.synapse = std::move(synapse);
  conn.rule = rule;
  conn.weight = std::move(weight);
  conn.delay = {1.0};
  return conn;
}

OptimizerSpec optimizer(const SineTaskConfig& c) {
  OptimizerSpec opt;
  opt.type = c.optimizer;
  opt.eta = 1e-4 * kScale * kScale;
  opt.batch_size = 1;
  opt.optimize_each_step = c.optimize_each_step;
  opt.Wmin = -100.0;
  opt.Wmax = 100.0;
  opt.beta_1 = 0.9;
  opt.beta_2 = 0.999;
  opt.epsilon = 1e-7;
  return opt;
}

void add_populations(NetworkSpec& net, const SineTaskConfig& c, const SineTaskData& data) {
  const double task = sine_task_duration(c);
  PopulationSpec gen_in = population(sine_pop::input_generator, "spike_generator", c.n_in);
  gen_in.spike_times = data.input_spike_times;
  net.populations.push_back(std::move(gen_in));
  net.populations.push_back(population(sine_pop::input, "parrot_neuron", c.n_in));
  PopulationSpec rec = population(sine_pop::recurrent, c.model, c.n_rec);
  rec.params = recurrent_params(c);
  net.populations.push_back(std::move(rec));
  PopulationSpec out = population(sine_pop::readout, "eprop_readout", c.n_out);
  out.params = {{"C_m", 1.0}, {"E_L", 0.0},    {"eprop_isi_trace_cutoff", 100.0},
                {"I_e", 0.0}, {"tau_m", 30.0}, {"V_m", 0.0}};
  net.populations.push_back(std::move(out));

  // Target: amplitude_times arange(task) + 2, values tile(target, n_iter), same for every readout.
  std::vector<double> times(static_cast<std::size_t>(task));
  std::vector<double> values(times.size());
  for (std::size_t t = 0; t < times.size(); ++t) {
    times[t] = static_cast<double>(t) + kOffset;
    values[t] = data.target[t % data.target.size()];
  }
  PopulationSpec target = population(sine_pop::target_generator, "step_rate_generator", c.n_out);
  target.amplitude_times.assign(c.n_out, times);
  target.amplitude_values.assign(c.n_out, values);
  net.populations.push_back(std::move(target));
  PopulationSpec window = population(sine_pop::learning_window_generator, "step_rate_generator", 1);
  window.amplitude_times = {{kOffset}};
  window.amplitude_values = {{1.0}};
  net.populations.push_back(std::move(window));
  if (c.final_update) {
    PopulationSpec final_gen = population(sine_pop::final_update_generator, "spike_generator", 1);
    final_gen.spike_times = {{task + 1.0}};
    net.populations.push_back(std::move(final_gen));
  }
}

// Returns the indices of the in, rec and out plastic projections.
std::array<std::int64_t, 3> add_connections(NetworkSpec& net, const SineTaskConfig& c,
                                            const SineTaskData& data) {
  using enum ConnectionRule;
  auto& conns = net.connections;
  conns.push_back(
      connection(sine_pop::input_generator, sine_pop::input, "static_synapse", one_to_one, {1.0}));
  std::array<std::int64_t, 3> plastic{};
  const std::array<std::pair<std::string_view, const std::vector<double>*>, 3> sources{
      {{sine_pop::input, &data.w_in},
       {sine_pop::recurrent, &data.w_rec},
       {sine_pop::recurrent, &data.w_out}}};
  for (std::size_t p = 0; p < sources.size(); ++p) {
    const std::string_view target = p == 2 ? sine_pop::readout : sine_pop::recurrent;
    ConnectionSpec conn =
        connection(sources[p].first, target, "eprop_synapse", all_to_all, *sources[p].second);
    conn.allow_autapses = p != 1;  // rec -> rec: full matrix given, diagonal skipped
    conn.optimizer = optimizer(c);
    plastic[p] = static_cast<std::int64_t>(conns.size());
    conns.push_back(std::move(conn));
  }
  conns.push_back(connection(sine_pop::readout, sine_pop::recurrent,
                             "eprop_learning_signal_connection", all_to_all, data.b));
  ConnectionSpec target = connection(sine_pop::target_generator, sine_pop::readout,
                                     "rate_connection_delayed", one_to_one, {1.0});
  target.receptor_type = 2;
  conns.push_back(std::move(target));
  ConnectionSpec window = connection(sine_pop::learning_window_generator, sine_pop::readout,
                                     "rate_connection_delayed", all_to_all, {1.0});
  window.receptor_type = 1;
  conns.push_back(std::move(window));
  if (c.final_update) {
    for (const std::string_view target_pop : {sine_pop::input, sine_pop::recurrent}) {
      conns.push_back(connection(sine_pop::final_update_generator, target_pop, "static_synapse",
                                 all_to_all, {1000.0}));
    }
  }
  return plastic;
}

RecorderSpec recorder(RecorderType type, std::string_view pop, double start, double stop) {
  RecorderSpec rec;
  rec.type = type;
  rec.population = std::string(pop);
  rec.interval = 1.0;
  rec.start = start;
  rec.stop = stop;
  return rec;
}

void add_recorders(NetworkSpec& net, const SineTaskConfig& c,
                   const std::array<std::int64_t, 3>& plastic) {
  const double stop = kOffset + sine_task_duration(c);
  const SineTaskRecording& want = c.recording;
  RecorderSpec out = recorder(RecorderType::multimeter, sine_pop::readout, kOffset, stop);
  out.record_from = {"readout_signal", "target_signal"};
  if (want.readout_dynamics) {
    out.record_from.insert(out.record_from.end(), {"V_m", "error_signal"});
  }
  net.recorders.push_back(std::move(out));
  if (want.n_record_rec > 0) {
    RecorderSpec rec = recorder(RecorderType::multimeter, sine_pop::recurrent, kOffset, stop);
    rec.record_from = {"V_m", "surrogate_gradient", "learning_signal"};
    for (std::size_t i = 0; i < std::min(want.n_record_rec, c.n_rec); ++i) {
      rec.neurons.push_back(static_cast<std::int64_t>(i));
    }
    net.recorders.push_back(std::move(rec));
  }
  if (want.spikes) {
    for (const std::string_view pop : {sine_pop::input, sine_pop::recurrent}) {
      net.recorders.push_back(recorder(RecorderType::spike_recorder, pop, 1.0, stop));
    }
  }
  if (want.weights) {
    for (const std::int64_t conn : plastic) {
      RecorderSpec wr = recorder(RecorderType::weight_recorder, "", kOffset, stop);
      wr.connection = conn;
      net.recorders.push_back(std::move(wr));
    }
  }
}

}  // namespace

NetworkSpec sine_task_network(const SineTaskConfig& config) {
  const SineTaskData data = draw_sine_task_data(config);
  NetworkSpec net;
  net.kernel.resolution = 1.0;
  net.kernel.precision = config.precision;
  net.kernel.seed = config.seed;
  add_populations(net, config, data);
  const std::array<std::int64_t, 3> plastic = add_connections(net, config, data);
  add_recorders(net, config, plastic);
  net.simulate = {sine_task_duration(config) + kOffset + static_cast<double>(config.extension_sim)};
  return net;
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
