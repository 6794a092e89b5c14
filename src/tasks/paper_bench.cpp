#include "comm/communicator.h"
#include "tasks/paper_bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include "eprop/error.h"
#include "eprop/simulation.h"
#include "tasks/spec_builders.h"
#include "tasks/training_output.h"

namespace eprop::tasks {
namespace {

constexpr double kOffsetMs = 2.0;  // the paper's script simulates steps + 2 ms
constexpr double kUpdateIntervalMs = 100.0;  // eprop_original: one learning interval
constexpr double kEta = 1e-6;  // gradient descent, one optimizer call per presynaptic spike

bool is_eprop(const std::string& v) { return v == "eprop_plus" || v == "eprop_original"; }

/// The recurrent spike schedule every variant shares: loop times (interval - 1) + k interval,
/// i.e. NEST's ignore_and_spike with offset = interval, and ignore_and_fire with the phase that
/// puts its first spike there.
double interval_ms(const PaperBenchConfig& c) { return std::round(1000.0 / c.rate_rec); }

PopulationSpec recurrent(const PaperBenchConfig& c) {
  const double interval = interval_ms(c);
  if (!is_eprop(c.variant)) {
    PopulationSpec rec = population("recurrent", "ignore_and_fire", c.n_rec);
    rec.params = {{"rate", 1000.0 / interval}, {"phase", (interval - 1.0) / interval}};
    return rec;
  }
  const bool plus = c.variant == "eprop_plus";
  PopulationSpec rec = population("recurrent", plus ? "eprop_iaf" : "eprop_iaf_bsshslm_2020", c.n_rec);
  rec.params = {{"C_m", 250.0}, {"E_L", 0.0},   {"V_m", 0.0},        {"V_th", 20.0},
                {"tau_m", 20.0}, {"t_ref", 2.0}, {"ignore_and_spike", true},
                {"ignore_and_spike_offset", interval}, {"ignore_and_spike_interval", interval}};
  if (plus) rec.params["eprop_isi_trace_cutoff"] = 100.0;
  return rec;
}

void add_readouts(const PaperBenchConfig& c, NetworkSpec& net) {
  const bool plus = c.variant == "eprop_plus";
  if (!is_eprop(c.variant)) {
    PopulationSpec out = population("readout", "iaf_psc_delta", c.n_out);
    out.params = {{"V_th", 1e100}};  // never spikes, as in the paper's static and STDP variants
    net.populations.push_back(std::move(out));
    net.connections.push_back(
        fixed_indegree("recurrent", "readout", "static_synapse", c.indegree_out, 0.01));
    return;
  }
  PopulationSpec out = population("readout", plus ? "eprop_readout" : "eprop_readout_bsshslm_2020",
                                  c.n_out);
  out.params = {{"C_m", 1.0}, {"E_L", 0.0}, {"tau_m", 20.0}, {"V_m", 0.0}};
  net.populations.push_back(std::move(out));
  net.populations.push_back(constant_rate_generators("target", std::vector<double>(c.n_out, 0.5)));
  ConnectionSpec rec_out = fixed_indegree("recurrent", "readout",
                                          plus ? "eprop_synapse" : "eprop_synapse_bsshslm_2020",
                                          c.indegree_out, 0.01);
  rec_out.optimizer = per_spike_optimizer(kEta);
  net.connections.push_back(std::move(rec_out));
  // Feedback: one readout per recurrent neuron (the paper's fixed_outdegree, spread evenly).
  net.connections.push_back(fixed_indegree("readout", "recurrent",
                                           plus ? "eprop_learning_signal_connection"
                                                : "eprop_learning_signal_connection_bsshslm_2020",
                                           1, 1.0));
  ConnectionSpec to_target = connection("target", "readout", "rate_connection_delayed",
                                        ConnectionRule::one_to_one, {1.0});
  to_target.receptor_type = 2;
  net.connections.push_back(std::move(to_target));
  if (plus) {
    net.populations.push_back(constant_rate_generators("window", {1.0}));
    ConnectionSpec to_window = connection("window", "readout", "rate_connection_delayed",
                                          ConnectionRule::all_to_all, {1.0});
    to_window.receptor_type = 1;
    net.connections.push_back(std::move(to_window));
  }
}

template <class T>
void require_positive(T value, const char* field, const std::string& why = "must be > 0") {
  if (!(value > 0) || !std::isfinite(static_cast<double>(value))) {
    throw ConfigError(std::string("bench: '") + field + "' = " + std::to_string(value) + " " + why);
  }
}

void require_indegree(std::int64_t k, const char* field, std::size_t n_source, const char* source) {
  if (k < 1 || static_cast<std::uint64_t>(k) > n_source) {
    throw ConfigError(std::string("bench: '") + field + "' = " + std::to_string(k) +
                      " must be between 1 and " + std::to_string(n_source) + " (the " + source +
                      ")");
  }
}

}  // namespace

const std::vector<std::string>& paper_bench_variants() {
  static const std::vector<std::string> v = {"eprop_plus", "eprop_original", "static", "stdp"};
  return v;
}

PaperBenchConfig resolve(PaperBenchConfig c) {
  const auto& variants = paper_bench_variants();
  if (std::find(variants.begin(), variants.end(), c.variant) == variants.end()) {
    throw ConfigError("bench: variant '" + c.variant +
                      "' is not one of eprop_plus, eprop_original, static, stdp");
  }
  require_positive(c.n_rec, "n_rec");
  if (c.n_rec > (std::size_t{1} << 31)) {
    throw ConfigError("bench: 'n_rec' = " + std::to_string(c.n_rec) + " must be < 2^31");
  }
  if (c.n_in == 0) c.n_in = std::max<std::size_t>(1, c.n_rec / 10);
  if (c.n_out == 0) c.n_out = std::max<std::size_t>(1, c.n_rec / 1000);
  require_indegree(c.indegree_rec, "indegree_rec", c.n_rec - 1, "recurrent neurons other than the target: no autapses");
  require_indegree(c.indegree_in, "indegree_in", c.n_in, "input generators");
  require_indegree(c.indegree_out, "indegree_out", c.n_rec, "recurrent neurons");
  require_positive(c.rate_rec, "rate_rec");
  if (c.rate_rec > 500.0) {
    throw ConfigError("bench: 'rate_rec' = " + std::to_string(c.rate_rec) +
                      " Hz must be at most 500 Hz (a period of at least 2 steps)");
  }
  require_positive(c.rate_in, "rate_in");
  require_positive(c.time_ms, "time_ms");
  if (std::abs(c.time_ms - std::round(c.time_ms)) > 1e-9) {
    throw ConfigError("bench: 'time_ms' = " + std::to_string(c.time_ms) +
                      " must be a whole number of ms (1 ms steps)");
  }
  require_positive(c.threads, "threads");
  return c;
}

MemoryEstimate estimate_memory(const PaperBenchConfig& c) {
  const std::uint64_t real = c.precision == Precision::double_precision ? 8 : 4;
  const std::uint64_t rec = c.n_rec * static_cast<std::uint64_t>(c.indegree_rec);
  const std::uint64_t in = c.n_rec * static_cast<std::uint64_t>(c.indegree_in);
  const std::uint64_t out = c.n_out * static_cast<std::uint64_t>(c.indegree_out);
  MemoryEstimate m;
  m.synapses = rec + in + out;
  // Per synapse: target index (4), weight, and the variant's state (engine/*_projection.h).
  std::uint64_t rec_bytes = 4 + real + 8;  // static: delay as a step count
  std::uint64_t out_bytes = 4 + real + 8;
  std::uint64_t per_neuron = 64;           // state and input ring
  if (c.variant == "stdp") rec_bytes = 4 + real + 4;
  if (c.variant == "eprop_plus") {
    rec_bytes = 4 + 3 * real;  // weight, e_bar, cumulative gradient
    out_bytes = 4 + 2 * real;
    // History: about one inter-spike interval plus the trace cutoff, three values per step.
    per_neuron = 160 + 3 * real * static_cast<std::uint64_t>(interval_ms(c) + 100.0);
  } else if (c.variant == "eprop_original") {
    rec_bytes = 4 + 2 * real;  // weight, gradient
    out_bytes = 4 + 2 * real;
    // History of one update interval, and the connection list this family's builder expands
    // (about 40 B per connection at the peak, measured at 10^6 neurons).
    per_neuron = 160 + 4 * real * static_cast<std::uint64_t>(kUpdateIntervalMs) +
                 40 * static_cast<std::uint64_t>(c.indegree_rec);
  }
  // CSR row offsets and the construction cursors: 16 B per source, projection and thread.
  const std::uint64_t offsets = 16 * c.threads * (c.n_rec * 2) + 16 * c.n_rec;
  // Input synapses: weight and delay, stored by target with one train each (poisson_input.h).
  m.bytes = rec * rec_bytes + in * (real + 8) + c.n_rec * 28 + out * out_bytes +
            (c.n_rec + c.n_out) * per_neuron + c.n_in * 16 + offsets + (std::uint64_t{16} << 20);
  return m;
}

NetworkSpec paper_bench_network(const PaperBenchConfig& c) {
  NetworkSpec net;
  net.kernel.resolution = 1.0;
  net.kernel.precision = c.precision;
  net.kernel.seed = c.seed;
  net.kernel.threads = c.threads;
  if (c.variant == "eprop_original") {
    net.kernel.eprop_update_interval = kUpdateIntervalMs;
    net.kernel.eprop_learning_window = kUpdateIntervalMs;
  }
  PopulationSpec input = population("input", "poisson_generator", c.n_in);
  input.params = {{"rate", c.rate_in}};
  net.populations.push_back(std::move(input));
  net.populations.push_back(recurrent(c));
  net.connections.push_back(
      fixed_indegree("input", "recurrent", "static_synapse", c.indegree_in, 0.5));
  const std::string synapse = c.variant == "eprop_plus"       ? "eprop_synapse"
                              : c.variant == "eprop_original" ? "eprop_synapse_bsshslm_2020"
                              : c.variant == "stdp"           ? "stdp_synapse"
                                                              : "static_synapse";
  ConnectionSpec rec = fixed_indegree("recurrent", "recurrent", synapse, c.indegree_rec,
                                      c.variant == "stdp" ? 1.0 : 0.01);
  rec.allow_autapses = false;
  rec.optimizer = per_spike_optimizer(kEta);
  net.connections.push_back(std::move(rec));
  add_readouts(c, net);
  RecorderSpec spikes;
  spikes.type = RecorderType::spike_recorder;
  spikes.population = "recurrent";
  net.recorders.push_back(std::move(spikes));
  return net;
}

namespace {

/// User + system CPU seconds of this process so far (all its threads): on a shared machine the
/// fair measure, as wall time also counts the waits for a core.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return load;
}

/// What each rank measured, for the scaling study (issue 11).
struct RankRecord {
  std::uint64_t peak_memory_bytes = 0;
  std::uint64_t synapses = 0;
  std::uint64_t synapse_bytes = 0;
  std::uint64_t exchange_bytes_sent = 0;
  std::uint64_t exchange_bytes_received = 0;
  double update = 0, input = 0, delivery = 0, plasticity = 0, communication = 0, wall = 0;
  double cpu = 0;
};

std::vector<RankRecord> gather_rank_records(Communicator& comm, const RankRecord& mine) {
  std::vector<std::byte> bytes, all;
  std::vector<std::size_t> offsets;
  ByteWriter(bytes).put(mine);
  comm.allgather(bytes, all, offsets);
  ByteReader in(all);
  std::vector<RankRecord> records;
  for (int r = 0; r < comm.size(); ++r) records.push_back(in.get<RankRecord>());
  return records;
}

/// Per-rank columns of the record: memory and synapse store per rank, time by phase per rank.
void add_rank_records(nlohmann::json& r, const std::vector<RankRecord>& ranks, double sim_s,
                      double steps) {
  r["ranks"] = ranks.size();
  for (const RankRecord& k : ranks) {
    r["rank_peak_memory_bytes"].push_back(k.peak_memory_bytes);
    r["rank_synapses"].push_back(k.synapses);
    r["rank_synapse_bytes"].push_back(k.synapse_bytes);
    r["rank_wall_s_per_sim_s"].push_back(k.wall / sim_s);
    r["rank_cpu_s_per_sim_s"].push_back(k.cpu / sim_s);
    r["rank_phases_s_per_sim_s"].push_back({{"update", k.update / sim_s},
                                            {"input", k.input / sim_s},
                                            {"delivery", k.delivery / sim_s},
                                            {"gradient_optimizer", k.plasticity / sim_s},
                                            {"communication", k.communication / sim_s}});
    r["rank_exchange_bytes_per_step"].push_back(
        {{"sent", static_cast<double>(k.exchange_bytes_sent) / steps},
         {"received", static_cast<double>(k.exchange_bytes_received) / steps}});
  }
}

}  // namespace

nlohmann::json run_paper_bench(const PaperBenchConfig& c) {
  using Clock = std::chrono::steady_clock;
  const MemoryEstimate estimate = estimate_memory(c);
  const double load_start = load_average();
  const auto t0 = Clock::now();
  Simulation sim(paper_bench_network(c));
  const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  sim.simulate(kOffsetMs);
  sim.clear_recordings();
  sim.set_phase_timing(true);
  const auto t1 = Clock::now();
  const double cpu_start = cpu_seconds();
  sim.simulate(c.time_ms);
  double cpu_s = cpu_seconds() - cpu_start;
  const double wall_s = std::chrono::duration<double>(Clock::now() - t1).count();
  const PhaseTimings p = sim.phase_timings();
  const std::uint64_t spikes = sim.spike_recordings().front().index.size();
  MemoryStats m = sim.memory_stats();
  Communicator& comm = sim.communicator();
  const CommStats exchanged = comm.stats();  // before the gathers below
  std::vector<RankRecord> ranks;
  if (comm.size() > 1) {
    const bool stdp = c.variant == "stdp";
    const bool eprop = is_eprop(c.variant);
    RankRecord mine{peak_rss_bytes(),
                    stdp ? m.stdp_synapses : eprop ? m.eprop_synapses : m.static_synapses,
                    stdp ? m.stdp_synapse_bytes : eprop ? m.eprop_synapse_bytes
                                                        : m.static_synapse_bytes,
                    exchanged.bytes_sent, exchanged.bytes_received, p.update, p.input, p.delivery,
                    p.plasticity, p.communication, wall_s, cpu_s};
    ranks = gather_rank_records(comm, mine);
    cpu_s = 0;
    for (const RankRecord& k : ranks) cpu_s += k.cpu;  // every process's CPU time
    for (auto* field : {&m.stdp_synapses, &m.stdp_synapse_bytes, &m.eprop_synapses,
                        &m.eprop_synapse_bytes, &m.static_synapses, &m.static_synapse_bytes}) {
      *field = comm.sum(*field);
    }
  }

  const double sim_s = c.time_ms / 1000.0;
  const double n_rec = static_cast<double>(c.n_rec);
  // Every recurrent spike reaches indegree_rec recurrent targets on average and
  // indegree_out n_out / n_rec readouts; every input synapse carries rate_in.
  const double events =
      static_cast<double>(spikes) *
          (static_cast<double>(c.indegree_rec) +
           static_cast<double>(c.indegree_out) * static_cast<double>(c.n_out) / n_rec) +
      n_rec * static_cast<double>(c.indegree_in) * c.rate_in * sim_s;
  const std::uint64_t plastic = c.variant == "stdp" ? m.stdp_synapses
                                : is_eprop(c.variant) ? m.eprop_synapses
                                                      : m.static_synapses;
  const std::uint64_t plastic_bytes = c.variant == "stdp" ? m.stdp_synapse_bytes
                                      : is_eprop(c.variant) ? m.eprop_synapse_bytes
                                                            : m.static_synapse_bytes;
  const double other =
      wall_s - (p.update + p.input + p.delivery + p.plasticity + p.communication + p.recording);
  nlohmann::json r = {
      {"variant", c.variant},
      {"n_rec", c.n_rec},
      {"n_in", c.n_in},
      {"n_out", c.n_out},
      {"indegree_rec", c.indegree_rec},
      {"indegree_in", c.indegree_in},
      {"indegree_out", c.indegree_out},
      {"rate_rec_hz", c.rate_rec},
      {"rate_in_hz", c.rate_in},
      {"sim_ms", c.time_ms},
      {"threads", c.threads},
      {"precision", c.precision == Precision::double_precision ? "double" : "float"},
      {"seed", c.seed},
      {"synapses", estimate.synapses},
      {"spikes", spikes},
      {"synaptic_events", events},
      {"build_s", build_s},
      {"wall_s", wall_s},
      {"wall_s_per_sim_s", wall_s / sim_s},
      {"phases_s_per_sim_s",
       {{"update", p.update / sim_s},
        {"input", p.input / sim_s},
        {"delivery", p.delivery / sim_s},
        {"gradient_optimizer", p.plasticity / sim_s},
        {"communication", p.communication / sim_s},
        {"io", p.recording / sim_s},
        {"other", std::max(0.0, other) / sim_s}}},
      {"events_per_wall_s", events / wall_s},
      {"ns_per_event", wall_s / events * 1e9},
      {"cpu_s", cpu_s},
      {"cpu_s_per_sim_s", cpu_s / sim_s},
      {"events_per_cpu_s", events / cpu_s},
      {"ns_per_event_cpu", cpu_s / events * 1e9},
      {"peak_memory_bytes", peak_rss_bytes()},
      {"estimated_bytes", estimate.bytes},
      {"bytes_per_synapse", plastic > 0 ? static_cast<double>(plastic_bytes) / static_cast<double>(plastic) : 0.0},
      {"load_1min_start", load_start},
      {"load_1min_end", load_average()},
  };
  if (!ranks.empty()) add_rank_records(r, ranks, sim_s, c.time_ms);  // 1 ms steps
  return r;
}

}  // namespace eprop::tasks
