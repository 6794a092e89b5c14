#pragma once

// User-facing description of a network, in NEST's vocabulary and units (ms, mV, pA, pF).
// A NetworkSpec is plain data: build it in code or read it from a TOML file
// (eprop/network_file.h), then hand it to eprop::Simulation, which validates all of it at once
// and lowers it into the engine's arrays.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace eprop {

enum class Precision { single_precision, double_precision };

/// How eprop_synapse integrates its eligibility traces over an inter-spike interval.
enum class EligibilityIntegration {
  /// From per-neuron prefix sums, at a cost per synapse independent of the interval's length,
  /// wherever a connection allows it (per-spike optimisation, non-adaptive target); stepwise
  /// elsewhere. Equal to stepwise up to rounding (docs/design/0005).
  closed_form,
  /// NEST's step-by-step loop everywhere: the reference.
  stepwise,
};

/// The spelling of network files and command lines: "closed_form" or "stepwise".
[[nodiscard]] inline std::string_view to_string(EligibilityIntegration integration) {
  return integration == EligibilityIntegration::stepwise ? "stepwise" : "closed_form";
}
/// The mode a spelling names; nullopt for anything else.
[[nodiscard]] inline std::optional<EligibilityIntegration> parse_eligibility_integration(
    std::string_view name) {
  for (const auto mode : {EligibilityIntegration::closed_form, EligibilityIntegration::stepwise}) {
    if (name == to_string(mode)) return mode;
  }
  return std::nullopt;
}

/// A scalar parameter value as NEST accepts it.
using ParamValue = std::variant<double, bool, std::string>;

struct KernelSpec {
  double resolution = 1.0;  ///< ms
  Precision precision = Precision::single_precision;
  std::uint64_t seed = 1;
  /// Worker threads; results are bit-identical for every thread count.
  std::size_t threads = 1;
  EligibilityIntegration eligibility_integration = EligibilityIntegration::closed_form;
  /// `_bsshslm_2020` family only (SPEC 7.1): length of one update interval (trial), ms.
  double eprop_update_interval = 1000.0;
  /// `_bsshslm_2020` family only: the last part of each interval with non-zero readout signals, ms.
  double eprop_learning_window = 1000.0;
  /// `_bsshslm_2020` family only: reset the neuron state at the start of every interval.
  bool eprop_reset_neurons_on_update = true;
};

/// One population of identical nodes (NEST: Create(model, n, params)).
struct PopulationSpec {
  std::string name;
  std::string model;  ///< NEST model name, e.g. "eprop_iaf"
  std::size_t n = 1;
  /// Model parameters and initial state by NEST name (e.g. "V_th", "V_m", "surrogate_gradient_function").
  std::map<std::string, ParamValue> params;
  /// spike_generator: spike times in ms, one list per neuron.
  std::vector<std::vector<double>> spike_times;
  /// step_rate_generator: switch times (ms) and values, one list per neuron.
  std::vector<std::vector<double>> amplitude_times;
  std::vector<std::vector<double>> amplitude_values;
  /// Per-neuron values (n each) that replace the value in `params` of the same name, as NEST's
  /// random parameters draw one per node (e.g. tau_m ~ nest.random.normal). Only tau_m of the
  /// recurrent e-prop models (event-driven and `_bsshslm_2020`) may vary per neuron so far. In a
  /// network file: the parameter given as a list, `params = { tau_m = [28.1, 31.7, ...] }`.
  std::map<std::string, std::vector<double>> neuron_params;
};

enum class ConnectionRule { all_to_all, one_to_one, pairwise, fixed_indegree, pairwise_bernoulli };

/// Optimizer of a plastic projection (NEST: the synapse model's "optimizer" dictionary).
struct OptimizerSpec {
  std::string type = "gradient_descent";  ///< "gradient_descent" or "adam"
  double eta = 1e-4;
  std::int64_t batch_size = 1;
  bool optimize_each_step = true;
  double Wmin = -100.0;
  double Wmax = 100.0;
  double beta_1 = 0.9;    ///< adam only
  double beta_2 = 0.999;  ///< adam only
  double epsilon = 1e-7;  ///< adam only
};

/// stdp_synapse parameters (NEST 3.10 names and defaults); the depression time constant
/// tau_minus is a parameter of the target neuron.
struct StdpSpec {
  double tau_plus = 20.0;  ///< ms
  double lambda = 0.01;
  double alpha = 1.0;
  double mu_plus = 1.0;
  double mu_minus = 1.0;
  double Wmax = 100.0;
};

/// One Connect() call between two populations.
struct ConnectionSpec {
  std::string source;
  std::string target;
  ConnectionRule rule = ConnectionRule::all_to_all;
  bool allow_autapses = true;
  std::string synapse = "static_synapse";
  /// One value (all connections), a [target][source] matrix flattened row-major (all_to_all),
  /// one value per connection (one_to_one, pairwise), or one value per target-source pair in the
  /// order the rule creates them.
  std::vector<double> weight = {1.0};
  std::vector<double> delay = {1.0};  ///< ms, same shapes as weight
  int receptor_type = 0;
  /// pairwise: explicit local indices (0-based) of sources and targets.
  std::vector<std::int64_t> sources;
  std::vector<std::int64_t> targets;
  std::int64_t indegree = 0;  ///< fixed_indegree
  double p = 0.0;             ///< pairwise_bernoulli
  OptimizerSpec optimizer;    ///< eprop_synapse and eprop_synapse_bsshslm_2020 only
  /// eprop_synapse_bsshslm_2020 only: time constant of the eligibility filter, ms (set it to the
  /// readout's tau_m, as NEST's examples do).
  double tau_m_readout = 10.0;
  /// eprop_synapse_bsshslm_2020 only: divide each gradient by the learning window (in steps).
  bool average_gradient = false;
  StdpSpec stdp;  ///< stdp_synapse only
};

enum class RecorderType { multimeter, spike_recorder, weight_recorder };

struct RecorderSpec {
  RecorderType type = RecorderType::multimeter;
  std::string population;             ///< multimeter, spike_recorder
  std::vector<std::int64_t> neurons;  ///< subset (local indices); empty = all
  std::vector<std::string> record_from;
  double interval = 1.0;  ///< ms
  double start = 0.0;     ///< ms, records times t with start < t <= stop
  double stop = std::numeric_limits<double>::infinity();
  /// weight_recorder: index into NetworkSpec::connections of the plastic projection to watch.
  std::int64_t connection = -1;
};

struct NetworkSpec {
  KernelSpec kernel;
  std::vector<PopulationSpec> populations;
  std::vector<ConnectionSpec> connections;
  std::vector<RecorderSpec> recorders;
  std::vector<double> simulate;  ///< successive Simulate() durations in ms (used by `eprop run`)
};

}  // namespace eprop
