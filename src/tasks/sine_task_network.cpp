// The NetworkSpec of the sine-wave task for both e-prop families (SPEC 11.1, 11.2, 13.2, 13.5).

#include <algorithm>
#include <array>
#include <string>

#include "tasks/sine_task.h"
#include "tasks/spec_builders.h"

namespace eprop::tasks {
namespace {

constexpr double kOffsetRecurrent = 2.0;  // offset_gen + delay_in_rec, ms

bool is_psc_delta(const std::string& model) {
  return model == "eprop_iaf_psc_delta" || model == "eprop_iaf_psc_delta_adapt";
}

std::map<std::string, ParamValue> event_driven_recurrent_params(const SineTaskConfig& c) {
  const auto sequence = static_cast<double>(c.sequence);
  const double scale = 1.0 - c.kappa;
  std::map<std::string, ParamValue> p{
      {"C_m", 1.0},
      {"c_reg", 300.0 / sequence},
      {"E_L", 0.0},
      {"eprop_isi_trace_cutoff", 100.0},
      {"f_target", 10.0},
      {"flush_event_send_interval", sequence},
      {"I_e", 0.0},
      {"kappa", c.kappa},
      {"kappa_reg", c.kappa},
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
    p["c_reg"] = 2.0 / sequence / (scale * scale);
    p["V_th"] = 0.5;
  } else if (c.model == "eprop_iaf_adapt") {
    p["adapt_beta"] = 0.0;  // SPEC 11.1: switching the example to ALIF keeps adaptation off
  }
  return p;
}

// SPEC 11.2 / 13.5: the surrogate height is 0.3 / V_th as the script converts it.
std::map<std::string, ParamValue> bsshslm_recurrent_params(const SineTaskConfig& c) {
  const double V_th = 0.03;
  return {
      {"C_m", 1.0},
      {"c_reg", 300.0},
      {"E_L", 0.0},
      {"f_target", 10.0},
      {"flush_event_send_interval", static_cast<double>(c.sequence)},
      {"I_e", 0.0},
      {"regular_spike_arrival", false},
      {"surrogate_gradient_function", std::string("piecewise_linear")},
      {"surrogate_gradient_height", 0.3 / V_th},
      {"surrogate_gradient_width", c.surrogate_gradient_width},
      {"t_ref", 0.0},
      {"tau_m", 30.0},
      {"V_m", 0.0},
      {"V_th", V_th},
  };
}

std::map<std::string, ParamValue> recurrent_params(const SineTaskConfig& c) {
  auto p = is_bsshslm_model(c.model) ? bsshslm_recurrent_params(c)
                                     : event_driven_recurrent_params(c);
  for (const auto& [name, value] : c.recurrent_overrides) {
    p[name] = value;
  }
  return p;
}

PopulationSpec readout_population(const SineTaskConfig& c) {
  PopulationSpec out;
  out.name = std::string(sine_pop::readout);
  out.n = c.n_out;
  if (is_bsshslm_model(c.model)) {
    out.model = "eprop_readout_bsshslm_2020";
    out.params = {{"C_m", 1.0},
                  {"E_L", 0.0},
                  {"I_e", 0.0},
                  {"loss", std::string("mean_squared_error")},
                  {"regular_spike_arrival", false},
                  {"tau_m", c.tau_m_readout},
                  {"V_m", 0.0}};
  } else {
    out.model = "eprop_readout";
    out.params = {{"C_m", 1.0}, {"E_L", 0.0},    {"eprop_isi_trace_cutoff", 100.0},
                  {"I_e", 0.0}, {"tau_m", c.tau_m_readout}, {"V_m", 0.0}};
  }
  return out;
}

OptimizerSpec optimizer(const SineTaskConfig& c) {
  OptimizerSpec opt;
  opt.type = c.optimizer;
  const double scale = 1.0 - c.kappa;
  opt.eta = is_bsshslm_model(c.model) ? 1e-4 : 1e-4 * scale * scale;
  if (c.eta > 0.0) opt.eta = c.eta;
  opt.batch_size = 1;
  opt.optimize_each_step = c.optimize_each_step;
  opt.Wmin = -100.0;
  opt.Wmax = 100.0;
  opt.beta_1 = 0.9;
  opt.beta_2 = 0.999;
  opt.epsilon = c.adam_epsilon;
  return opt;
}

void add_populations(NetworkSpec& net, const SineTaskConfig& c, const SineTaskData& data) {
  const double task = sine_task_duration(c);
  const bool bsshslm = is_bsshslm_model(c.model);
  PopulationSpec gen_in = population(sine_pop::input_generator, "spike_generator", c.n_in);
  gen_in.spike_times = data.input_spike_times;
  net.populations.push_back(std::move(gen_in));
  net.populations.push_back(population(sine_pop::input, "parrot_neuron", c.n_in));
  PopulationSpec rec = population(sine_pop::recurrent, c.model, c.n_rec);
  rec.params = recurrent_params(c);
  if (!c.tau_m_per_neuron.empty()) rec.neuron_params["tau_m"] = c.tau_m_per_neuron;
  net.populations.push_back(std::move(rec));
  net.populations.push_back(readout_population(c));

  // Target: amplitude_times arange(task) + offset, values tile(target, n_iter), every readout.
  std::vector<double> times(static_cast<std::size_t>(task));
  std::vector<double> values(times.size());
  for (std::size_t t = 0; t < times.size(); ++t) {
    times[t] = static_cast<double>(t) + sine_task_offset(c);
    values[t] = data.target[t % data.target.size()];
  }
  PopulationSpec target = population(sine_pop::target_generator, "step_rate_generator", c.n_out);
  target.amplitude_times.assign(c.n_out, times);
  target.amplitude_values.assign(c.n_out, values);
  for (std::size_t k = 0; k < c.fixed_targets.size(); ++k) {
    const std::vector<double>& pattern = c.fixed_targets[k];
    for (std::size_t t = 0; t < times.size(); ++t) {
      target.amplitude_values[k][t] = pattern[t % pattern.size()];
    }
  }
  net.populations.push_back(std::move(target));
  if (!bsshslm) {  // the bsshslm readout's window comes from the kernel
    PopulationSpec window =
        population(sine_pop::learning_window_generator, "step_rate_generator", 1);
    window.amplitude_times = {{kOffsetRecurrent}};
    window.amplitude_values = {{1.0}};
    net.populations.push_back(std::move(window));
  }
  if (c.final_update) {
    // bsshslm: late enough to trigger the last interval's update at the readouts as well.
    PopulationSpec final_gen = population(sine_pop::final_update_generator, "spike_generator", 1);
    final_gen.spike_times = {{task + (bsshslm ? 3.0 : 1.0)}};
    net.populations.push_back(std::move(final_gen));
  }
}

ConnectionSpec plastic_connection(const SineTaskConfig& c, std::string_view source,
                                  std::string_view target, const std::vector<double>& weight) {
  if (!is_bsshslm_model(c.model)) {
    return connection(source, target, "eprop_synapse", ConnectionRule::all_to_all, weight);
  }
  ConnectionSpec conn = connection(source, target, "eprop_synapse_bsshslm_2020",
                                   ConnectionRule::all_to_all, weight);
  conn.tau_m_readout = c.tau_m_readout;
  conn.average_gradient = false;
  return conn;
}

// Returns the indices of the in, rec and out plastic projections.
std::array<std::int64_t, 3> add_connections(NetworkSpec& net, const SineTaskConfig& c,
                                            const SineTaskData& data) {
  using enum ConnectionRule;
  const bool bsshslm = is_bsshslm_model(c.model);
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
    ConnectionSpec conn = plastic_connection(c, sources[p].first, target, *sources[p].second);
    conn.allow_autapses = p != 1;  // rec -> rec: full matrix given, diagonal skipped
    conn.optimizer = optimizer(c);
    plastic[p] = static_cast<std::int64_t>(conns.size());
    conns.push_back(std::move(conn));
  }
  conns.push_back(connection(sine_pop::readout, sine_pop::recurrent,
                             bsshslm ? "eprop_learning_signal_connection_bsshslm_2020"
                                     : "eprop_learning_signal_connection",
                             all_to_all, data.b));
  ConnectionSpec target = connection(sine_pop::target_generator, sine_pop::readout,
                                     "rate_connection_delayed", one_to_one, {1.0});
  target.receptor_type = 2;
  conns.push_back(std::move(target));
  if (!bsshslm) {
    ConnectionSpec window = connection(sine_pop::learning_window_generator, sine_pop::readout,
                                       "rate_connection_delayed", all_to_all, {1.0});
    window.receptor_type = 1;
    conns.push_back(std::move(window));
  }
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
  const double offset = sine_task_offset(c);
  const double task = sine_task_duration(c);
  const SineTaskRecording& want = c.recording;
  RecorderSpec out = recorder(RecorderType::multimeter, sine_pop::readout, offset, offset + task);
  out.record_from = {"readout_signal", "target_signal"};
  if (want.readout_dynamics) {
    out.record_from.insert(out.record_from.end(), {"V_m", "error_signal"});
  }
  net.recorders.push_back(std::move(out));
  if (want.n_record_rec > 0) {
    RecorderSpec rec = recorder(RecorderType::multimeter, sine_pop::recurrent, kOffsetRecurrent,
                                kOffsetRecurrent + task);
    rec.record_from = {"V_m", "surrogate_gradient", "learning_signal"};
    for (std::size_t i = 0; i < std::min(want.n_record_rec, c.n_rec); ++i) {
      rec.neurons.push_back(static_cast<std::int64_t>(i));
    }
    net.recorders.push_back(std::move(rec));
  }
  if (want.spikes) {
    for (const std::string_view pop : {sine_pop::input, sine_pop::recurrent}) {
      net.recorders.push_back(recorder(RecorderType::spike_recorder, pop, 1.0, offset + task));
    }
  }
  if (want.weights) {
    for (const std::int64_t conn : plastic) {
      RecorderSpec wr = recorder(RecorderType::weight_recorder, "", offset, offset + task);
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
  if (is_bsshslm_model(config.model)) {
    // One update interval per sequence, learning window = whole sequence (SPEC 11.2).
    net.kernel.eprop_update_interval = static_cast<double>(config.sequence);
    net.kernel.eprop_learning_window = static_cast<double>(config.sequence);
    net.kernel.eprop_reset_neurons_on_update = true;
  }
  add_populations(net, config, data);
  const std::array<std::int64_t, 3> plastic = add_connections(net, config, data);
  add_recorders(net, config, plastic);
  net.simulate = {sine_task_duration(config) + sine_task_offset(config) +
                  static_cast<double>(config.extension_sim)};
  return net;
}

}  // namespace eprop::tasks
