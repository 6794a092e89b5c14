#include "eprop/memory_estimate.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/types.h"
#include "engine/bsshslm_projection.h"
#include "engine/eprop_projection.h"
#include "eprop/error.h"

namespace eprop {
namespace {

// Bytes per item, upper bounds read off the engine's arrays (docs/user/limits-and-errors.md):
// a neuron keeps at most 24 state values and an input ring slot per delay step; an e-prop
// synapse what its projection allocates (eprop_synapse_bytes below); a static synapse a target,
// a weight and an 8-byte delay (an STDP synapse a 4-byte one); CSR rows 8 bytes per source and
// shard.
constexpr double kNeuronValues = 24.0;
constexpr double kHistoryChannels = 4.0;
constexpr double kInitialHistorySteps = 64.0;

std::uint64_t saturate(double x) {
  constexpr double max = 9.2e18;
  return x >= max ? static_cast<std::uint64_t>(max) : static_cast<std::uint64_t>(std::max(0.0, x));
}

bool is_plastic(const std::string& synapse) {
  return synapse.starts_with("eprop_synapse");
}

const PopulationSpec* find(const NetworkSpec& spec, const std::string& name) {
  for (const PopulationSpec& pop : spec.populations) {
    if (pop.name == name) return &pop;
  }
  return nullptr;
}

double connection_count(const ConnectionSpec& c, double n_source, double n_target) {
  const double autapses = c.source == c.target && !c.allow_autapses ? n_target : 0.0;
  switch (c.rule) {
    case ConnectionRule::all_to_all:
      return n_source * n_target - autapses;
    case ConnectionRule::one_to_one:
      return n_target;
    case ConnectionRule::pairwise:
      return static_cast<double>(c.sources.size());
    case ConnectionRule::fixed_indegree:
      return n_target * static_cast<double>(c.indegree);
    case ConnectionRule::pairwise_bernoulli:
      return (n_source * n_target - autapses) * std::clamp(c.p, 0.0, 1.0);
  }
  return 0.0;
}

double param_or(const PopulationSpec& pop, const std::string& name, double otherwise) {
  const auto it = pop.params.find(name);
  const double* value = it == pop.params.end() ? nullptr : std::get_if<double>(&it->second);
  return value != nullptr ? *value : otherwise;
}

/// Bytes of one e-prop synapse, read off the arrays its projection allocates for this target
/// and optimizer (EpropProjection / BsshslmProjection::synapse_bytes), plus those that may come
/// later: the pending weight (and moments) of per-step optimisation, allocated when a source
/// first falls silent, and the per-synapse trace of a tau_m that varies per neuron.
template <class Real>
double eprop_synapse_bytes(const ConnectionSpec& c, const PopulationSpec& target) {
  const OptimizerSpec& o = c.optimizer;
  const bool adam = o.type == "adam";
  if (c.synapse != "eprop_synapse") {
    return static_cast<double>(BsshslmProjection<Real>::synapse_bytes(adam));
  }
  const bool readout = target.model.starts_with("eprop_readout");
  const bool adaptive = target.model.find("adapt") != std::string::npos;
  const bool regularised = param_or(target, "c_reg", 0.0) != 0.0;
  const bool cumulative = o.batch_size > 1 || !o.optimize_each_step;
  const std::size_t pending = o.optimize_each_step ? (adam ? 3 : 1) : 0;
  const std::size_t per_target_alpha = !readout && target.neuron_params.contains("tau_m") ? 1 : 0;
  const std::size_t bytes =
      EpropProjection<Real>::synapse_bytes(readout, regularised, adaptive, cumulative, adam) +
      sizeof(Real) * (pending + per_target_alpha);
  return static_cast<double>(bytes);
}

double recorded_ms(const NetworkSpec& spec, const RecorderSpec& r) {
  double schedule = 0.0;
  for (const double ms : spec.simulate) {  // durations out of range have their own error
    if (ms / spec.kernel.resolution <= kMaxInputSteps) schedule += ms;
  }
  return std::max(0.0, std::min(schedule, r.stop) - r.start);
}

/// Multimeter rows: index, time and one double per variable, for every sample of the schedule.
double multimeter_bytes(const NetworkSpec& spec) {
  double bytes = 0.0;
  for (const RecorderSpec& r : spec.recorders) {
    const PopulationSpec* pop = find(spec, r.population);
    if (r.type != RecorderType::multimeter || pop == nullptr || !(r.interval > 0.0)) continue;
    const double n = r.neurons.empty() ? static_cast<double>(pop->n)
                                       : static_cast<double>(r.neurons.size());
    const double samples = std::floor(recorded_ms(spec, r) / r.interval);
    bytes += n * samples * (16.0 + 8.0 * static_cast<double>(r.record_from.size()));
  }
  return bytes;
}

}  // namespace

std::uint64_t MemoryEstimate::total_bytes() const {
  return saturate(static_cast<double>(neuron_bytes) + static_cast<double>(eprop_synapse_bytes) +
                  static_cast<double>(static_synapse_bytes) + static_cast<double>(ring_bytes) +
                  static_cast<double>(history_bytes) + static_cast<double>(recorder_bytes));
}

std::string MemoryEstimate::describe(std::uint64_t machine) const {
  const auto line = [](const char* what, std::uint64_t bytes, std::string count) {
    char text[160];
    std::snprintf(text, sizeof text, "  %-22s %12s%s\n", what, format_bytes(bytes).c_str(),
                  count.c_str());
    return std::string(text);
  };
  const auto count = [](std::uint64_t n, const char* unit) {
    return "  (" + std::to_string(n) + " " + unit + ")";
  };
  return line("neurons", neuron_bytes, count(neurons, "neurons")) +
         line("e-prop synapses", eprop_synapse_bytes, count(eprop_synapses, "synapses")) +
         line("static synapses", static_synapse_bytes, count(static_synapses, "synapses")) +
         line("input rings", ring_bytes, "") + line("e-prop histories", history_bytes, "") +
         line("multimeters", recorder_bytes, "") + line("total", total_bytes(), "") +
         (machine > 0 ? line("machine memory", machine, "") : std::string());
}

MemoryEstimate estimate_memory(const NetworkSpec& spec) {
  const double real = spec.kernel.precision == Precision::double_precision ? 8.0 : 4.0;
  const double dt = spec.kernel.resolution > 0.0 ? spec.kernel.resolution : 1.0;
  const double shards = static_cast<double>(std::max<std::size_t>(1, spec.kernel.threads));
  double neurons = 0.0, neuron_bytes = 0.0, history = 0.0, rings = 0.0;
  double eprop = 0.0, eprop_bytes = 0.0, fixed = 0.0, fixed_bytes = 0.0;
  for (const PopulationSpec& pop : spec.populations) {
    const double n = static_cast<double>(pop.n);
    neurons += n;
    neuron_bytes += n * (kNeuronValues * real + 16.0);
    double max_delay = 1.0;
    bool eprop_target = false;
    for (const ConnectionSpec& c : spec.connections) {
      if (c.target != pop.name) continue;
      // Delays beyond the step range are rejected by the build, with their own message.
      for (double d : c.delay) {
        if (d / dt <= kMaxInputSteps) max_delay = std::max(max_delay, std::ceil(d / dt));
      }
      eprop_target = eprop_target || is_plastic(c.synapse);
    }
    rings += n * (max_delay + 1.0) * 2.0 * real;
    if (eprop_target) history += n * kHistoryChannels * kInitialHistorySteps * real;
  }
  for (const ConnectionSpec& c : spec.connections) {
    const PopulationSpec* source = find(spec, c.source);
    const PopulationSpec* target = find(spec, c.target);
    if (source == nullptr || target == nullptr) continue;  // the build names the error
    const double ns = static_cast<double>(source->n);
    const double count = connection_count(c, ns, static_cast<double>(target->n));
    const double rows = 8.0 * (ns + 1.0) * shards;
    if (is_plastic(c.synapse)) {
      eprop += count;
      const double per_synapse = real == 8.0 ? eprop_synapse_bytes<double>(c, *target)
                                             : eprop_synapse_bytes<float>(c, *target);
      eprop_bytes += count * per_synapse + rows;
    } else if (source->model == "poisson_generator") {
      // By target (engine/poisson_input.h): weight and delay, and about one train per target.
      fixed += count;
      fixed_bytes += count * (real + 8.0) + 28.0 * static_cast<double>(target->n);
    } else if (c.synapse == "stdp_synapse") {
      // engine/stdp_projection.h: target, weight, a 4-byte delay; per source and shard its
      // trace and last spike.
      fixed += count;
      fixed_bytes += count * (4.0 + real + 4.0) + rows + 16.0 * ns * shards;
    } else {
      fixed += count;
      fixed_bytes += count * (4.0 + real + 8.0) + rows;
    }
  }
  MemoryEstimate m;
  m.neurons = saturate(neurons);
  m.neuron_bytes = saturate(neuron_bytes);
  m.eprop_synapses = saturate(eprop);
  m.eprop_synapse_bytes = saturate(eprop_bytes);
  m.static_synapses = saturate(fixed);
  m.static_synapse_bytes = saturate(fixed_bytes);
  m.ring_bytes = saturate(rings);
  m.history_bytes = saturate(history);
  m.recorder_bytes = saturate(multimeter_bytes(spec));
  return m;
}

std::uint64_t machine_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  std::uint64_t bytes = pages > 0 && page > 0
                            ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                            : 0;
  // A container's limit (cgroup v2) is what the kernel enforces.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::uint64_t limit = 0;
  if (cgroup >> limit && limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  return bytes;
}

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double x = static_cast<double>(bytes);
  std::size_t u = 0;
  while (x >= 1024.0 && u + 1 < std::size(units)) {
    x /= 1024.0;
    ++u;
  }
  char text[32];
  // Three significant digits, but never an exponent (1000 to 1023 of a unit).
  std::snprintf(text, sizeof text, u == 0 || x >= 999.5 ? "%.0f %s" : "%.3g %s", x, units[u]);
  return text;
}

void check_memory_fits(const MemoryEstimate& estimate, bool with_recordings) {
  const std::uint64_t machine = machine_memory_bytes();
  const std::uint64_t needed =
      with_recordings ? estimate.total_bytes() : estimate.total_bytes() - estimate.recorder_bytes;
  if (machine == 0 || needed <= machine) return;
  throw ConfigError("the network needs about " + format_bytes(needed) +
                    " of memory, more than this machine's " + format_bytes(machine) +
                    " (estimate from the network description, before anything is built):\n" +
                    estimate.describe() + "make it smaller, or run it on a larger machine");
}

}  // namespace eprop
