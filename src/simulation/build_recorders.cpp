#include <cmath>

#include "eprop/error.h"
#include "simulation/build_projections.h"
#include "simulation/param_reader.h"

namespace eprop {
namespace {

bool recordable_by(NodeKind kind, Recordable r) {
  switch (kind) {
    case NodeKind::recurrent:
    case NodeKind::bsshslm_recurrent:
      return r == Recordable::V_m || r == Recordable::surrogate_gradient ||
             r == Recordable::learning_signal || r == Recordable::adaptation ||
             r == Recordable::V_th_adapt || r == Recordable::eprop_history_duration;
    case NodeKind::readout:
      return r == Recordable::V_m || r == Recordable::readout_signal ||
             r == Recordable::target_signal || r == Recordable::error_signal ||
             r == Recordable::eprop_history_duration;
    case NodeKind::bsshslm_readout:
      return recordable_by(NodeKind::readout, r) || r == Recordable::readout_signal_unnorm;
    case NodeKind::iaf_psc_delta: return r == Recordable::V_m;
    default: return false;
  }
}

std::size_t find_population(const NetworkSpec& spec, const std::string& name,
                            const std::string& where) {
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    if (spec.populations[p].name == name) return p;
  }
  throw ConfigError(where + ": 'population' = '" + name + "' is not a population");
}

void check_window(const RecorderSpec& r, const std::string& where) {
  if (!(r.start >= 0)) {
    throw ConfigError(where + ": 'start' = " + format_number(r.start) + " must be >= 0");
  }
  if (!(r.stop >= r.start)) {
    throw ConfigError(where + ": 'stop' = " + format_number(r.stop) + " must be >= 'start' (" +
                      format_number(r.start) + ")");
  }
}

std::vector<LocalIndex> neuron_subset(const RecorderSpec& r, std::size_t n,
                                      const std::string& where) {
  std::vector<LocalIndex> out;
  if (r.neurons.empty()) {
    for (std::size_t j = 0; j < n; ++j) out.push_back(static_cast<LocalIndex>(j));
    return out;
  }
  for (const auto j : r.neurons) {
    if (j < 0 || static_cast<std::size_t>(j) >= n) {
      throw ConfigError(where + ": 'neurons' entry " + std::to_string(j) + " is outside [0, " +
                        std::to_string(n) + ")");
    }
    out.push_back(static_cast<LocalIndex>(j));
  }
  return out;
}

MultimeterState make_multimeter(const NetworkSpec& spec, const RecorderSpec& r,
                                const std::vector<NodeType>& types, const std::string& where) {
  MultimeterState m;
  m.population = find_population(spec, r.population, where);
  const NodeKind kind = types[m.population].kind;
  for (const auto& name : r.record_from) {
    const auto var = parse_recordable(name);
    if (!var || !recordable_by(kind, *var)) {
      throw ConfigError(where + ": 'record_from' entry '" + name + "' is not a recordable of '" +
                        spec.populations[m.population].model + "'");
    }
    m.variables.push_back(*var);
  }
  const double dt = spec.kernel.resolution;
  const double steps = r.interval / dt;
  if (!(steps >= 1.0 - 1e-9) || !(steps <= kMaxInputSteps) ||
      std::abs(steps - std::round(steps)) > 1e-9 * steps) {
    throw ConfigError(where + ": 'interval' = " + format_number(r.interval) +
                      " ms must be a positive multiple of the resolution of at most " +
                      format_number(kMaxInputSteps) + " steps");
  }
  m.interval = static_cast<Step>(std::llround(steps));
  m.neurons = neuron_subset(r, spec.populations[m.population].n, where);
  m.start_ms = r.start;
  m.stop_ms = r.stop;
  m.values.resize(m.variables.size());
  return m;
}

}  // namespace

template <class Real>
void add_recorders(const NetworkSpec& spec, const std::vector<NodeType>& types,
                   Network<Real>& net) {
  for (std::size_t i = 0; i < spec.recorders.size(); ++i) {
    const RecorderSpec& r = spec.recorders[i];
    const std::string where = "recorder #" + std::to_string(i);
    check_window(r, where);
    if (r.type == RecorderType::multimeter) {
      net.multimeters.push_back(make_multimeter(spec, r, types, where));
    } else if (r.type == RecorderType::spike_recorder) {
      SpikeRecorderState s;
      s.population = find_population(spec, r.population, where);
      const NodeKind k = types[s.population].kind;
      if (k == NodeKind::step_rate_generator || k == NodeKind::readout ||
          k == NodeKind::bsshslm_readout) {
        throw ConfigError(where + ": population '" + r.population + "' emits no spikes");
      }
      if (k == NodeKind::poisson_generator) {
        throw ConfigError(where + ": population '" + r.population +
                          "' is a poisson_generator, whose spikes are drawn per target (record "
                          "a parrot_neuron it drives instead)");
      }
      s.start_ms = r.start;
      s.stop_ms = r.stop;
      if (!r.neurons.empty()) {
        s.selected.assign(spec.populations[s.population].n, 0);
        for (const LocalIndex j : neuron_subset(r, s.selected.size(), where)) s.selected[j] = 1;
      }
      net.spike_recorders.push_back(std::move(s));
    } else {
      std::optional<std::size_t>* watched = nullptr;
      for (auto& proj : net.plastic_projections) {
        if (r.connection >= 0 && proj.connection == static_cast<std::size_t>(r.connection)) {
          watched = &proj.weight_log;
        }
      }
      for (auto& proj : net.bsshslm_projections) {
        if (r.connection >= 0 && proj.connection == static_cast<std::size_t>(r.connection)) {
          watched = &proj.weight_log;
        }
      }
      if (watched == nullptr) {
        throw ConfigError(where + ": 'connection' = " + std::to_string(r.connection) +
                          " is not the index of an eprop_synapse or "
                          "eprop_synapse_bsshslm_2020 connection");
      }
      *watched = net.weight_logs.size();
      net.weight_logs.emplace_back(net.threads());
    }
  }
}

template void add_recorders<float>(const NetworkSpec&, const std::vector<NodeType>&,
                                   Network<float>&);
template void add_recorders<double>(const NetworkSpec&, const std::vector<NodeType>&,
                                    Network<double>&);

}  // namespace eprop
