#include "eprop/simulation.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <variant>

#include <istream>
#include <ostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "comm/communicator.h"
#include "core/state_archive.h"
#include "eprop/error.h"
#include "eprop/memory_estimate.h"
#include "simulation/build_network.h"
#include "simulation/live_parameters.h"
#include "simulation/lower_populations.h"
#include "simulation/param_reader.h"

namespace eprop {

class Simulation::Impl {
 public:
  Impl(const NetworkSpec& spec, std::shared_ptr<Communicator> comm)
      : spec_(spec), comm_(comm ? std::move(comm) : world_communicator()) {
    for (double ms : spec.simulate) steps_for(ms, "run: 'simulate'");
    check_memory_fits(estimate_memory(spec));
    if (spec.kernel.precision == Precision::double_precision) {
      net_ = build_network<double>(spec, comm_.get());
    } else {
      net_ = build_network<float>(spec, comm_.get());
    }
  }

  Step steps_for(double ms, const char* what) const {
    const double dt = spec_.kernel.resolution;
    const double steps = ms / dt;
    if (!(steps >= 0) || !(steps <= kMaxInputSteps) ||
        std::abs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps)) {
      throw ConfigError(std::string(what) + ": duration " + format_number(ms) +
                        " ms must be a non-negative multiple of the resolution (" +
                        format_number(dt) + " ms) of at most " + format_number(kMaxInputSteps) +
                        " steps");
    }
    return static_cast<Step>(std::llround(steps));
  }

  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit([&](auto& net) -> decltype(auto) { return f(*net); }, net_);
  }
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](const auto& net) -> decltype(auto) { return f(*net); }, net_);
  }

  /// Runs `steps` in pieces of about kCheckSeconds of wall time while an interrupt flag is
  /// set; a network's run(a) + run(b) is run(a + b). Ranks agree on the flag (a signal may
  /// reach them at different moments) and on each piece's length (the slowest rank's).
  void run_interruptible(Step steps) {
    constexpr double kCheckSeconds = 0.05;
    while (steps > 0) {
      if (!comm_->all(!interrupt_->load())) throw Interrupted("interrupted");
      const Step piece = std::min(steps, piece_steps_);
      const auto start = std::chrono::steady_clock::now();
      visit([piece](auto& net) { net.run(piece); });
      steps -= piece;
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double scale = std::clamp(kCheckSeconds / std::max(s, 1e-6), 0.5, 2.0);
      piece_steps_ = std::clamp<Step>(static_cast<Step>(static_cast<double>(piece_steps_) * scale),
                                      1, Step{1} << 20);
      if (comm_->size() > 1) {
        piece_steps_ = static_cast<Step>(-comm_->max(-static_cast<double>(piece_steps_)));
      }
    }
  }

  /// Installs `replacement` as population p's parameters (live_parameters.h).
  void change_population(std::size_t p, PopulationSpec replacement, const std::string& what,
                         std::optional<bool> per_synapse_traces = std::nullopt) {
    visit([&](auto& net) {
      install_parameters(net, p, replacement, spec_.kernel, what, per_synapse_traces);
    });
    built_.try_emplace(p, spec_.populations[p]);
    spec_.populations[p] = std::move(replacement);
  }

  /// After loading a state: the parameters it was saved with, the built ones elsewhere.
  void restore_parameters(const std::vector<SavedParameters>& saved) {
    // The synapses' per-synapse traces as the saved state has them: none where it has no
    // changed parameters, as in a network built from the spec.
    std::map<std::size_t, std::pair<PopulationSpec, bool>> wanted;
    for (const auto& [p, spec] : built_) wanted[p] = {spec, false};
    for (const SavedParameters& s : saved) {
      if (s.population >= spec_.populations.size()) {
        throw DataError("the saved state's changed parameters name population #" +
                        std::to_string(s.population) + ", which this network lacks");
      }
      const auto p = static_cast<std::size_t>(s.population);
      const auto it = built_.find(p);
      wanted[p] = {with_parameters(it == built_.end() ? spec_.populations[p] : it->second, s),
                   s.per_synapse_traces != 0};
    }
    for (auto& [p, change] : wanted) {
      change_population(p, std::move(change.first), "the saved parameters", change.second);
    }
  }

  NetworkSpec spec_;
  /// The populations whose parameters changed after the build, as they were built.
  std::map<std::size_t, PopulationSpec> built_;
  const std::atomic<bool>* interrupt_ = nullptr;
  Step piece_steps_ = 64;
  std::shared_ptr<Communicator> comm_;
  std::variant<std::unique_ptr<Network<float>>, std::unique_ptr<Network<double>>> net_;
};

namespace {

/// Every rank's rows, in rank order (each rank holds the synapses onto its own neurons).
template <class Row>
std::vector<Row> gather_rows(Communicator& comm, std::vector<Row> mine) {
  static_assert(std::is_trivially_copyable_v<Row>);
  if (comm.size() == 1) return mine;
  std::vector<std::byte> bytes, all;
  std::vector<std::size_t> offsets;
  ByteWriter(bytes).put_span(std::span<const Row>(mine));
  comm.allgather(bytes, all, offsets);
  std::vector<Row> rows, part;
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    ByteReader in(std::span<const std::byte>(all).subspan(offsets[r], offsets[r + 1] - offsets[r]));
    in.get_into(part);
    rows.insert(rows.end(), part.begin(), part.end());
  }
  return rows;
}

// Both e-prop families' plastic projections, for code that needs only their common interface.
template <class Net, class F>
void for_each_plastic(Net& net, F&& f) {
  for (auto& proj : net.plastic_projections) f(proj);
  for (auto& proj : net.bsshslm_projections) f(proj);
}

// Where each synapse of a plastic connection lives, in the order of Simulation::weights.
struct SynapseSlot {
  std::int64_t source, target;
  std::size_t projection;  ///< ordinal among the connection's projections
  std::size_t shard;
  std::uint64_t s;
};

template <class Net>
std::vector<SynapseSlot> plastic_slots(const Net& net, std::size_t connection) {
  std::vector<SynapseSlot> out;
  std::size_t ordinal = 0;
  for_each_plastic(net, [&](const auto& proj) {
    if (proj.connection != connection) return;
    for (std::size_t h = 0; h < proj.shards.size(); ++h) {
      const auto& rows = proj.shards[h].row_begin();
      for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
        for (std::uint64_t s = rows[i]; s < rows[i + 1]; ++s) {
          out.push_back({static_cast<std::int64_t>(i), proj.shards[h].targets()[s], ordinal, h, s});
        }
      }
    }
    ++ordinal;
  });
  std::stable_sort(out.begin(), out.end(), [](const SynapseSlot& a, const SynapseSlot& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return out;
}

/// Which rank holds each synapse of a connection, and where in its slots, in weights() order.
struct SynapseOwner {
  std::int64_t source, target;
  std::uint64_t rank, slot;
};

std::vector<SynapseOwner> synapse_owners(Communicator& comm,
                                         const std::vector<SynapseSlot>& slots) {
  std::vector<SynapseOwner> owners;
  owners.reserve(slots.size());
  for (std::size_t k = 0; k < slots.size(); ++k) {
    owners.push_back({slots[k].source, slots[k].target, static_cast<std::uint64_t>(comm.rank()), k});
  }
  owners = gather_rows(comm, std::move(owners));
  std::stable_sort(owners.begin(), owners.end(), [](const SynapseOwner& a, const SynapseOwner& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return owners;
}

bool is_plastic(const NetworkSpec& spec, std::size_t connection) {
  return connection < spec.connections.size() &&
         (spec.connections[connection].synapse == "eprop_synapse" ||
          spec.connections[connection].synapse == "eprop_synapse_bsshslm_2020");
}

void require_plastic(const NetworkSpec& spec, std::size_t connection, const char* what) {
  if (connection >= spec.connections.size()) {
    throw std::out_of_range(std::string(what) + ": connection #" + std::to_string(connection) +
                            " out of range (" + std::to_string(spec.connections.size()) +
                            " connections)");
  }
  if (!is_plastic(spec, connection)) {
    throw ConfigError(std::string(what) + ": connection #" + std::to_string(connection) + " (" +
                      spec.connections[connection].synapse +
                      ") is not an eprop_synapse or eprop_synapse_bsshslm_2020 connection");
  }
}

bool outside_bounds(const OptimizerSpec& opt, const std::optional<double>& weight) {
  return weight && (*weight < opt.Wmin || *weight > opt.Wmax);
}

// Checks everything but the weight bounds before anything changes (NEST checks those after
// storing the weight).
void check_synapse_changes(const ConnectionSpec& c, const std::string& where,
                           std::size_t n_synapses, const std::vector<SynapseChange>& changes) {
  const bool adam = c.optimizer.type == "adam";
  for (const SynapseChange& change : changes) {
    if (change.index >= n_synapses) {
      throw std::out_of_range(where + ": synapse " + std::to_string(change.index) +
                              " out of range (" + std::to_string(n_synapses) + " synapses)");
    }
    if ((change.m || change.v) && !adam) {
      throw ConfigError(where + ": optimizer '" + c.optimizer.type +
                        "' has no per-synapse m, v (only adam has)");
    }
    if (change.weight && !std::isfinite(*change.weight)) {
      throw ConfigError(where + ": weight = " + format_number(*change.weight) + " must be finite");
    }
    if (change.m && !std::isfinite(*change.m)) {
      throw ConfigError(where + ": m = " + format_number(*change.m) + " must be finite");
    }
    if (change.v && !(std::isfinite(*change.v) && *change.v >= 0)) {
      throw ConfigError(where + ": v = " + format_number(*change.v) + " must be finite and >= 0");
    }
  }
}

}  // namespace

Simulation::Simulation(const NetworkSpec& spec, std::shared_ptr<Communicator> comm)
    : impl_(std::make_unique<Impl>(spec, std::move(comm))) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

void Simulation::simulate(double ms) {
  const Step steps = impl_->steps_for(ms, "simulate");
  if (impl_->interrupt_ != nullptr) return impl_->run_interruptible(steps);
  impl_->visit([steps](auto& net) { net.run(steps); });
}

void Simulation::set_interrupt(const std::atomic<bool>* flag) { impl_->interrupt_ = flag; }

void Simulation::run_schedule() {
  for (const double ms : impl_->spec_.simulate) simulate(ms);
}

double Simulation::time_ms() const {
  return static_cast<double>(steps_done()) * impl_->spec_.kernel.resolution;
}

std::int64_t Simulation::steps_done() const {
  return impl_->visit([](const auto& net) { return net.now(); });
}

const NetworkSpec& Simulation::spec() const { return impl_->spec_; }

namespace {

/// The recordings of multimeters and spike recorders, copied (net const) or moved out (net
/// mutable, its arrays left empty): one shape for Simulation::multimeters and take_recordings.
template <class Net>
std::vector<MultimeterRecording> multimeter_recordings(Net& net, const NetworkSpec& spec) {
  constexpr bool move = !std::is_const_v<Net>;
  std::vector<MultimeterRecording> out;
  for (auto& m : net.multimeters) {
    MultimeterRecording r;
    r.population = spec.populations[m.population].name;
    if constexpr (move) {
      r.index = std::exchange(m.index, {});
      r.time = std::exchange(m.time, {});
      r.values.resize(m.values.size());
      for (std::size_t v = 0; v < m.values.size(); ++v) r.values[v] = std::exchange(m.values[v], {});
    } else {
      r.index = m.index;
      r.time = m.time;
      r.values = m.values;
    }
    out.push_back(std::move(r));
  }
  // Variable names in spec order: multimeters keep the order of spec.recorders.
  std::size_t k = 0;
  for (const auto& rec : spec.recorders) {
    if (rec.type == RecorderType::multimeter) out[k++].variables = rec.record_from;
  }
  return out;
}

template <class Net>
std::vector<SpikeRecording> spike_recordings_of(Net& net, const NetworkSpec& spec) {
  constexpr bool move = !std::is_const_v<Net>;
  std::vector<SpikeRecording> out;
  for (auto& s : net.spike_recorders) {
    const std::string& name = spec.populations[s.population].name;
    if constexpr (move) {
      out.push_back({name, std::exchange(s.index, {}), std::exchange(s.time, {})});
    } else {
      out.push_back({name, s.index, s.time});
    }
  }
  return out;
}

}  // namespace

std::vector<MultimeterRecording> Simulation::multimeters() const {
  return impl_->visit([this](const auto& net) { return multimeter_recordings(net, impl_->spec_); });
}

std::vector<SpikeRecording> Simulation::spike_recordings() const {
  return impl_->visit([this](const auto& net) { return spike_recordings_of(net, impl_->spec_); });
}

std::pair<std::vector<MultimeterRecording>, std::vector<SpikeRecording>>
Simulation::take_recordings() {
  auto taken = impl_->visit([this](auto& net) {
    return std::pair(multimeter_recordings(net, impl_->spec_), spike_recordings_of(net, impl_->spec_));
  });
  clear_recordings();  // the weight logs too, as clear_recordings does
  return taken;
}

std::vector<WeightRecording> Simulation::weight_recordings() const {
  return impl_->visit([this](const auto& net) {
    std::vector<WeightRecording> out(net.weight_logs.size());
    for_each_plastic(net, [&](const auto& proj) {
      if (!proj.weight_log) return;
      auto& r = out[*proj.weight_log];
      r.source_population = impl_->spec_.populations[proj.source].name;
      r.target_population = impl_->spec_.populations[proj.target].name;
      // One log per thread: merge into a thread-count independent order.
      struct Row {
        double time;
        std::int64_t source, target;
        double weight;
      };
      std::vector<Row> rows;
      for (const auto& log : net.weight_logs[*proj.weight_log]) {
        for (std::size_t k = 0; k < log.time.size(); ++k) {
          rows.push_back({log.time[k], log.source[k], log.target[k], log.weight[k]});
        }
      }
      rows = gather_rows(*impl_->comm_, std::move(rows));
      std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (a.time != b.time) return a.time < b.time;
        return a.source != b.source ? a.source < b.source : a.target < b.target;
      });
      for (const Row& row : rows) {
        r.time.push_back(row.time);
        r.source.push_back(row.source);
        r.target.push_back(row.target);
        r.weight.push_back(row.weight);
      }
    });
    return out;
  });
}

std::vector<SynapseWeight> Simulation::weights(std::size_t connection) const {
  std::vector<SynapseWeight> out;
  if (is_plastic(impl_->spec_, connection)) {
    for (const SynapseState& s : synapse_states(connection)) {
      out.push_back({s.source, s.target, s.weight});
    }
    return out;
  }
  return impl_->visit([this, connection, &out](const auto& net) {
    for (const auto& proj : net.stdp_projections) {
      if (proj.connection != connection) continue;
      for (const auto& shard : proj.shards) {
        for (std::size_t i = 0; i + 1 < shard.row_begin.size(); ++i) {
          for (std::uint64_t s = shard.row_begin[i]; s < shard.row_begin[i + 1]; ++s) {
            out.push_back({static_cast<std::int64_t>(i), shard.target[s],
                           static_cast<double>(shard.weight[s])});
          }
        }
      }
    }
    out = gather_rows(*impl_->comm_, std::move(out));
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.source != b.source ? a.source < b.source : a.target < b.target;
    });
    return out;
  });
}

void Simulation::set_eta(std::size_t connection, double eta) {
  if (!(eta >= 0)) {
    throw ConfigError("set_eta: eta = " + format_number(eta) + " must be >= 0");
  }
  bool found = false;
  impl_->visit([&](auto& net) {
    for_each_plastic(net, [&](auto& proj) {
      if (proj.connection != connection) return;
      for (auto& shard : proj.shards) shard.config().set_eta(eta);
      found = true;
    });
  });
  if (!found) {
    throw ConfigError("set_eta: connection #" + std::to_string(connection) +
                      " is not an eprop_synapse or eprop_synapse_bsshslm_2020 connection");
  }
}

void Simulation::expect_eta_changes() {
  impl_->visit([](auto& net) { net.keep_per_step_histories(); });
}

std::vector<SynapseState> Simulation::synapse_states(std::size_t connection) const {
  require_plastic(impl_->spec_, connection, "synapse_states");
  std::vector<SynapseState> mine = impl_->visit([connection](const auto& net) {
    const std::vector<SynapseSlot> slots = plastic_slots(net, connection);
    std::vector<SynapseState> out(slots.size());
    std::size_t ordinal = 0;
    for_each_plastic(net, [&](const auto& proj) {
      if (proj.connection != connection) return;
      for (std::size_t k = 0; k < slots.size(); ++k) {
        if (slots[k].projection != ordinal) continue;
        const auto state = proj.shards[slots[k].shard].user_state();
        const std::uint64_t s = slots[k].s;
        out[k] = {slots[k].source, slots[k].target, static_cast<double>(state.weight[s]),
                  state.m.empty() ? 0.0 : static_cast<double>(state.m[s]),
                  state.v.empty() ? 0.0 : static_cast<double>(state.v[s])};
      }
      ++ordinal;
    });
    return out;
  });
  if (impl_->comm_->size() == 1) return mine;
  std::vector<SynapseState> all = gather_rows(*impl_->comm_, std::move(mine));
  std::stable_sort(all.begin(), all.end(), [](const SynapseState& a, const SynapseState& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return all;
}

void Simulation::set_synapses(std::size_t connection, const std::vector<SynapseChange>& changes) {
  require_plastic(impl_->spec_, connection, "set_synapses");
  const ConnectionSpec& c = impl_->spec_.connections[connection];
  const std::string where = "set_synapses: connection #" + std::to_string(connection);
  // NEST applies the changes one synapse after the other and raises at the first weight out of
  // bounds, after storing it: apply up to and including that one.
  const auto bad = std::find_if(changes.begin(), changes.end(), [&](const SynapseChange& change) {
    return outside_bounds(c.optimizer, change.weight);
  });
  const std::size_t n_apply =
      static_cast<std::size_t>(bad - changes.begin()) + (bad == changes.end() ? 0 : 1);
  impl_->visit([&](auto& net) {
    using Real = typename std::decay_t<decltype(net)>::value_type;
    const std::vector<SynapseSlot> slots = plastic_slots(net, connection);
    const std::vector<SynapseOwner> owners = synapse_owners(*impl_->comm_, slots);
    check_synapse_changes(c, where, owners.size(), changes);
    const auto rank = static_cast<std::uint64_t>(impl_->comm_->rank());
    std::size_t ordinal = 0;
    for_each_plastic(net, [&](auto& proj) {
      if (proj.connection != connection) return;
      for (std::size_t k = 0; k < n_apply; ++k) {
        const SynapseOwner& owner = owners[changes[k].index];
        if (owner.rank != rank) continue;  // another rank holds it
        const SynapseSlot& slot = slots[owner.slot];
        if (slot.projection != ordinal) continue;
        auto state = proj.shards[slot.shard].user_state();
        if (changes[k].weight) state.weight[slot.s] = static_cast<Real>(*changes[k].weight);
        if (changes[k].m) state.m[slot.s] = static_cast<Real>(*changes[k].m);
        if (changes[k].v) state.v[slot.s] = static_cast<Real>(*changes[k].v);
      }
      ++ordinal;
    });
  });
  if (bad != changes.end()) {
    throw ConfigError(where + ": weight = " + format_number(*bad->weight) + " of synapse " +
                      std::to_string(bad->index) + " must be in [Wmin, Wmax] = [" +
                      format_number(c.optimizer.Wmin) + ", " + format_number(c.optimizer.Wmax) +
                      "] (stored nevertheless, as NEST does)");
  }
}

MemoryStats Simulation::memory_stats() const {
  return impl_->visit([](const auto& net) {
    MemoryStats m;
    for_each_plastic(net, [&](const auto& proj) {
      for (const auto& shard : proj.shards) {
        m.eprop_synapses += shard.size();
        m.eprop_synapse_bytes += shard.size() * shard.bytes_per_synapse();
      }
    });
    m.history_entries = net.history_entries();
    for (const auto& proj : net.plastic_projections) {
      for (const auto& shard : proj.shards) {
        if (shard.uses_closed_form()) m.closed_form_synapses += shard.size();
      }
    }
    using Real = typename std::decay_t<decltype(net)>::value_type;
    for (const auto& proj : net.static_projections) {
      for (const auto& shard : proj.shards) {
        const std::uint64_t n = shard.target_index.size();
        m.static_synapses += n;
        m.static_synapse_bytes += n * (sizeof(LocalIndex) + sizeof(Real) + sizeof(Step)) +
                                  shard.row_begin.size() * sizeof(std::uint64_t);
      }
    }
    for (const auto& proj : net.poisson_projections) {
      for (const auto& shard : proj.shards) {
        const std::uint64_t n = shard.weight.size();
        m.static_synapses += n;
        m.static_synapse_bytes += n * (sizeof(Real) + sizeof(Step)) +
                                  shard.trains() * (2 * sizeof(std::uint64_t) + sizeof(Step) +
                                                    sizeof(LocalIndex));
      }
    }
    for (const auto& proj : net.stdp_projections) {
      for (const auto& shard : proj.shards) {
        const std::uint64_t n = shard.target.size();
        m.stdp_synapses += n;
        m.stdp_synapse_bytes += n * (sizeof(LocalIndex) + sizeof(Real) + sizeof(std::uint32_t)) +
                                shard.row_begin.size() *
                                    (sizeof(std::uint64_t) + sizeof(double) + sizeof(Step));
      }
    }
    return m;
  });
}

Communicator& Simulation::communicator() const { return *impl_->comm_; }

void Simulation::set_phase_timing(bool enabled) {
  impl_->visit([enabled](auto& net) { net.set_phase_timing(enabled); });
}

PhaseTimings Simulation::phase_timings() const {
  return impl_->visit([](const auto& net) {
    const PhaseTimes& t = net.phase_times();
    return PhaseTimings{t.update, t.input, t.delivery, t.plasticity, t.communication, t.recording};
  });
}

}  // namespace eprop

namespace eprop {
namespace {

// 2: sections with their lengths (1 had none); 3: one part per rank, loadable by any split;
// 4: each part starts with an index of its sections (a rank passes over shards it does not own),
// e-prop projections carry pending weights and Adam moments of early integrated intervals in
// arrays of their own, and the parameters of the populations changed after the build follow
// the fingerprint.
constexpr char kStateMagic[] = "EPROP-STATE-4";

/// Identifies the network a state belongs to: precision, threads and every population.
/// What a state must match: the network, not how it is split over ranks and threads.
std::string fingerprint(const NetworkSpec& spec) {
  std::ostringstream f;
  f << (spec.kernel.precision == Precision::double_precision ? "double" : "float") << ' '
    << spec.kernel.resolution << ' ' << to_string(spec.kernel.eligibility_integration);
  for (const auto& p : spec.populations) f << ' ' << p.name << ':' << p.model << ':' << p.n;
  f << ' ' << spec.connections.size();
  return f.str();
}

std::size_t population_index(const NetworkSpec& spec, const std::string& name, const char* what) {
  for (std::size_t p = 0; p < spec.populations.size(); ++p) {
    if (spec.populations[p].name == name) return p;
  }
  throw ConfigError(std::string(what) + ": '" + name + "' is not a population");
}

}  // namespace

void Simulation::set_spike_times(const std::string& population,
                                 const std::vector<std::vector<double>>& spike_times) {
  const std::size_t p = population_index(impl_->spec_, population, "set_spike_times");
  PopulationSpec replacement = impl_->spec_.populations[p];
  replacement.spike_times = spike_times;
  impl_->visit([&](auto& net) {
    using Real = typename std::decay_t<decltype(net)>::value_type;
    auto* gen = std::get_if<SpikeGeneratorPopulation>(&net.populations[p]);
    if (gen == nullptr) {
      throw ConfigError("set_spike_times: population '" + population +
                        "' is not a spike_generator");
    }
    // Validate exactly as at construction, then take the lowered schedule.
    auto lowered = lower_population<Real>(replacement, impl_->spec_.kernel);
    gen->set_spike_steps(std::get<SpikeGeneratorPopulation>(lowered).spike_steps(), net.now());
  });
}

void Simulation::set_amplitudes(const std::string& population,
                                const std::vector<std::vector<double>>& amplitude_times,
                                const std::vector<std::vector<double>>& amplitude_values) {
  const std::size_t p = population_index(impl_->spec_, population, "set_amplitudes");
  PopulationSpec replacement = impl_->spec_.populations[p];
  replacement.amplitude_times = amplitude_times;
  replacement.amplitude_values = amplitude_values;
  impl_->visit([&](auto& net) {
    using Real = typename std::decay_t<decltype(net)>::value_type;
    auto* gen = std::get_if<StepRateGeneratorPopulation<Real>>(&net.populations[p]);
    if (gen == nullptr) {
      throw ConfigError("set_amplitudes: population '" + population +
                        "' is not a step_rate_generator");
    }
    auto lowered = lower_population<Real>(replacement, impl_->spec_.kernel);
    auto& schedule = std::get<StepRateGeneratorPopulation<Real>>(lowered);
    gen->set_schedule(schedule.schedule_times(), schedule.schedule_values(), net.now());
  });
}

std::string Simulation::non_finite_state() const {
  const NetworkSpec& spec = impl_->spec_;
  return impl_->visit([&spec](const auto& net) -> std::string {
    std::string found;
    for_each_plastic(net, [&](const auto& proj) {
      for (const auto& shard : proj.shards) {
        const auto& w = shard.weights();
        const auto bad = std::find_if(w.begin(), w.end(), [](auto x) { return !std::isfinite(x); });
        if (!found.empty() || bad == w.end()) continue;
        const auto s = static_cast<std::uint64_t>(bad - w.begin());
        const auto& rows = shard.row_begin();
        const auto row = std::upper_bound(rows.begin(), rows.end(), s) - rows.begin() - 1;
        const ConnectionSpec& c = spec.connections[proj.connection];
        found = "the weight of connection #" + std::to_string(proj.connection) + " (" + c.source +
                " -> " + c.target + ") from neuron " + std::to_string(row) + " to neuron " +
                std::to_string(shard.targets()[s]) + " is " + format_number(double(*bad));
      }
    });
    for (std::size_t p = 0; p < net.populations.size() && found.empty(); ++p) {
      std::visit(
          [&](const auto& pop) {
            if constexpr (requires { pop.V_m(std::size_t{}); }) {
              for (std::size_t j = 0; j < pop.size() && found.empty(); ++j) {
                if (std::isfinite(pop.V_m(j))) continue;
                found = "V_m of neuron " + std::to_string(j) + " of population '" + pop.name() +
                        "' is " + format_number(double(pop.V_m(j)));
              }
            }
          },
          net.populations[p]);
    }
    return found;
  });
}

void Simulation::set_neuron_parameters(const std::string& population, std::size_t first,
                                       std::size_t count, const std::string& name,
                                       const std::vector<ParamValue>& values) {
  const std::size_t p = population_index(impl_->spec_, population, "set_neuron_parameters");
  const PopulationSpec& spec = impl_->spec_.populations[p];
  if (is_neuron_state(name)) {
    impl_->visit([&](auto& net) { set_neuron_state(net, p, spec, first, count, name, values); });
    return;
  }
  impl_->change_population(p, changed_population(spec, first, count, name, values),
                           "'" + name + "'");
}

void Simulation::clear_recordings() {
  impl_->visit([](auto& net) { net.clear_recordings(); });
}

void Simulation::save_state(std::ostream& out) const {
  StateWriter writer(out);
  std::vector<SavedParameters> changed;
  for (const auto& entry : impl_->built_) {
    changed.push_back(saved_parameters(entry.first, impl_->spec_.populations[entry.first]));
    changed.back().per_synapse_traces =
        impl_->visit([&](const auto& net) { return per_synapse_traces(net, entry.first); });
  }
  writer(std::string(kStateMagic), fingerprint(impl_->spec_), changed);
  impl_->visit([&writer](const auto& net) {
    const_cast<std::decay_t<decltype(net)>&>(net).save_part(writer);
  });
  if (!out) throw DataError("could not write the simulation state");
}

namespace {

constexpr char kBundleMagic[] = "EPROP-STATE-PARTS";

/// The parts of a bundle written by save_state_all (is_bundle says whether a stream is one).
std::vector<std::string> bundle_parts(std::istream& in) {
  StateReader reader(in);
  std::string magic;
  reader(magic);
  std::vector<std::string> parts;
  reader(parts);
  if (magic != kBundleMagic || parts.empty() || reader.remaining() != 0) {
    throw DataError("the saved state's parts are corrupt");
  }
  return parts;
}

bool is_bundle(std::istream& in) {
  const std::streampos start = in.tellg();
  std::uint64_t length = 0;
  in.read(reinterpret_cast<char*>(&length), sizeof length);
  std::string magic(sizeof kBundleMagic - 1, '\0');
  if (in && length == magic.size()) in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  const bool bundle = in && length == magic.size() && magic == kBundleMagic;
  in.clear();
  in.seekg(start);
  return bundle;
}

}  // namespace

void Simulation::save_state_all(std::ostream& out) const {
  std::ostringstream mine(std::ios::binary);
  save_state(mine);
  const std::string bytes = mine.str();
  std::vector<std::byte> all;
  std::vector<std::size_t> offsets;
  impl_->comm_->allgather(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())), all,
                          offsets);
  std::vector<std::string> parts;
  for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
    parts.emplace_back(reinterpret_cast<const char*>(all.data()) + offsets[r],
                       offsets[r + 1] - offsets[r]);
  }
  StateWriter writer(out);
  writer(std::string(kBundleMagic), parts);
  if (!out) throw DataError("could not write the simulation state");
}

void Simulation::load_state(std::istream& in) {
  if (!is_bundle(in)) {
    load_state(std::vector<std::istream*>{&in});
    return;
  }
  std::vector<std::istringstream> streams;
  for (std::string& part : bundle_parts(in)) streams.emplace_back(std::move(part), std::ios::binary);
  std::vector<std::istream*> parts;
  for (auto& s : streams) parts.push_back(&s);
  load_state(parts);
}

void Simulation::load_state(const std::vector<std::istream*>& parts) {
  if (parts.empty()) throw DataError("no saved state given");
  std::vector<std::unique_ptr<StateReader>> readers;
  std::vector<StateReader*> pointers;
  const std::string expected = fingerprint(impl_->spec_);
  std::vector<SavedParameters> changed;
  for (std::istream* part : parts) {
    readers.push_back(std::make_unique<StateReader>(*part));
    std::string magic, print;
    (*readers.back())(magic, print);
    if (magic != kStateMagic) {
      throw DataError("not an eprop simulation state of format " + std::string(kStateMagic) +
                      (magic.starts_with("EPROP-STATE-") ? " (it has " + magic + ")" : ""));
    }
    if (print != expected) {
      throw DataError("the saved state belongs to a different network (saved: " + print +
                      "; this: " + expected + ")");
    }
    if (pointers.empty()) {
      (*readers.back())(changed);
    } else {
      std::vector<SavedParameters> same;  // every rank saves the same parameters
      (*readers.back())(same);
    }
    pointers.push_back(readers.back().get());
  }
  impl_->restore_parameters(changed);
  impl_->visit([&pointers](auto& net) { net.load_parts(pointers); });
  for (const auto& reader : readers) {
    if (reader->at_end()) continue;
    const std::string extra =
        reader->seekable() ? std::to_string(reader->remaining()) + " bytes" : "bytes";
    throw DataError("the saved state has " + extra + " more than this network reads");
  }
}

}  // namespace eprop
