#include "tasks/training_output.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include <fmt/format.h>

#include "comm/agree.h"
#include "core/checksum.h"
#include "core/decimal_text.h"
#include "eprop/error.h"

namespace eprop::tasks {
namespace {

namespace fs = std::filesystem;

std::string number(double x) {
  return std::isnan(x) ? "nan" : fmt::format("{:.17g}", x);
}

void sync_file(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f != nullptr) {
    ::fsync(::fileno(f));
    std::fclose(f);
  }
}

std::string multimeter_csv(const MultimeterRecording& rec, double begin, double end) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "index,time");
  for (const std::string& v : rec.variables) fmt::format_to(std::back_inserter(out), ",{}", v);
  out.push_back('\n');
  for (std::size_t r = 0; r < rec.time.size(); ++r) {
    if (!(rec.time[r] > begin && rec.time[r] <= end)) continue;
    append_int(out, rec.index[r]);
    out.push_back(',');
    append_g17(out, rec.time[r]);
    for (const auto& column : rec.values) {
      out.push_back(',');
      append_g17(out, column[r]);
    }
    out.push_back('\n');
  }
  return fmt::to_string(out);
}

std::string spikes_csv(const SpikeRecording& rec, double begin, double end) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "index,time\n");
  for (std::size_t r = 0; r < rec.time.size(); ++r) {
    if (rec.time[r] > begin && rec.time[r] <= end) {
      append_int(out, rec.index[r]);
      out.push_back(',');
      append_g17(out, rec.time[r]);
      out.push_back('\n');
    }
  }
  return fmt::to_string(out);
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  const fs::path tmp = path.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw Error("cannot write " + path.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot write " + path.string() + ": " + ec.message());
  }
}

std::string metrics_csv(const std::vector<MetricRow>& rows) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "iteration,phase,loss,error,wall_time_s\n");
  for (const MetricRow& r : rows) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{:.6f}\n", r.iteration, r.phase,
                   number(r.loss), number(r.error), r.wall_time_s);
  }
  return fmt::to_string(out);
}

nlohmann::json metrics_json(const std::vector<MetricRow>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const MetricRow& r : rows) {
    nlohmann::json error = std::isnan(r.error) ? nlohmann::json(nullptr) : nlohmann::json(r.error);
    j.push_back({r.iteration, r.phase, r.loss, error, r.wall_time_s});
  }
  return j;
}

std::vector<MetricRow> metrics_from_json(const nlohmann::json& j) {
  std::vector<MetricRow> rows;
  for (const auto& e : j) {
    MetricRow r;
    r.iteration = e.at(0).get<std::int64_t>();
    r.phase = e.at(1).get<std::string>();
    r.loss = e.at(2).get<double>();
    r.error = e.at(3).is_null() ? std::nan("") : e.at(3).get<double>();
    r.wall_time_s = e.at(4).get<double>();
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string weights_csv(const Simulation& sim, const std::vector<ProjectionInfo>& projections) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "projection,source_population,source,target_population,target,weight\n");
  const NetworkSpec& spec = sim.spec();
  for (const ProjectionInfo& p : projections) {
    const ConnectionSpec& c = spec.connections.at(p.connection);
    for (const SynapseWeight& w : sim.weights(p.connection)) {
      fmt::format_to(std::back_inserter(out), "{},{},{},{},{},", p.name, c.source,
                     w.source + p.source_offset, c.target, w.target + p.target_offset);
      append_g17(out, w.weight);
      out.push_back('\n');
    }
  }
  return fmt::to_string(out);
}

void write_iteration_recordings(const fs::path& dir, const std::string& prefix,
                                const IterationResult& result, std::int64_t max_steps) {
  fs::create_directories(dir);
  const double begin = result.begin_ms;
  const double end = std::min(result.end_ms, begin + static_cast<double>(max_steps));
  const IterationRecordings& rec = result.recordings;
  for (std::size_t m = 0; m < rec.multimeters.size(); ++m) {
    const MultimeterRecording& mm = rec.multimeters[m];
    const std::string name =
        m == 0 ? prefix + "_readout.csv" : prefix + "_traces_" + mm.population + ".csv";
    write_file_atomic(dir / name, multimeter_csv(mm, begin, end));
  }
  for (const SpikeRecording& s : rec.spikes) {
    write_file_atomic(dir / (prefix + "_spikes_" + s.population + ".csv"),
                      spikes_csv(s, begin, end));
  }
}

nlohmann::json config_json(const TrainConfig& config) {
  nlohmann::json j = nlohmann::json::object();
  const auto put = [&](const std::string& key, const nlohmann::json& value) {
    const auto dot = key.find('.');
    j[key.substr(0, dot)][key.substr(dot + 1)] = value;
  };
  // Named copies: clang 14 cannot capture structured bindings (scripts/sanitize.sh builds with it).
  for (const auto& entry : config.values) {
    const std::string& key = entry.first;
    std::visit([&](const auto& v) { put(key, v); }, entry.second);
  }
  for (const auto& entry : config.recurrent_params) {
    const std::string key = "recurrent." + entry.first;
    std::visit([&](const auto& v) { put(key, v); }, entry.second);
  }
  return j;
}

std::uint32_t progress_checksum(nlohmann::json progress) {
  progress.erase("progress_crc32");
  return crc32(progress.dump());
}

std::string state_file_name(int rank) {
  return rank == 0 ? "state.bin" : fmt::format("state.rank{}.bin", rank);
}

namespace {

/// This rank's state file in `dir`, its size and CRC-32.
struct StateFile {
  std::uint64_t bytes = 0;
  std::uint32_t crc32 = 0;
};

StateFile write_state_file(const fs::path& dir, const Simulation& sim,
                           const std::string* saved_state) {
  const fs::path path = dir / state_file_name(sim.communicator().rank());
  {
    std::ofstream state(path, std::ios::binary | std::ios::trunc);
    if (saved_state != nullptr) {
      state.write(saved_state->data(), static_cast<std::streamsize>(saved_state->size()));
    } else {
      sim.save_state(state);
    }
    state.close();
    if (!state) throw Error("cannot write " + path.string());
  }
  sync_file(path);
  std::ifstream written(path, std::ios::binary);
  return {fs::file_size(path), crc32(written)};
}

/// Every rank's StateFile, in rank order.
std::vector<StateFile> gather_state_files(Communicator& comm, StateFile mine) {
  std::vector<std::byte> bytes, all;
  std::vector<std::size_t> offsets;
  ByteWriter(bytes).put(mine);
  comm.allgather(bytes, all, offsets);
  std::vector<StateFile> files;
  ByteReader in(all);
  for (int r = 0; r < comm.size(); ++r) files.push_back(in.get<StateFile>());
  return files;
}

void replace_checkpoint(const fs::path& out, const fs::path& tmp, const fs::path& final_dir) {
  if (fs::exists(final_dir)) {
    // Swap the two directories in one step, then drop the old checkpoint.
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, final_dir.c_str(), RENAME_EXCHANGE) != 0) {
      const fs::path old = out / "checkpoint.old";
      fs::remove_all(old);
      fs::rename(final_dir, old);
      fs::rename(tmp, final_dir);
      fs::remove_all(old);
      return;
    }
    fs::remove_all(tmp);
  } else {
    fs::rename(tmp, final_dir);
  }
}

}  // namespace

// Under several ranks each rank saves its own share of the state (state.rank<r>.bin); rank 0
// records every file's size and checksum and swaps the directory in once all are written.
void write_checkpoint(const fs::path& out, const Simulation& sim, nlohmann::json progress,
                      const std::string* saved_state) {
  Communicator& comm = sim.communicator();
  const fs::path final_dir = out / "checkpoint";
  const fs::path tmp = out / "checkpoint.tmp";
  agree(comm, [&] {
    if (!comm.writes()) return;
    fs::remove_all(tmp);
    fs::create_directories(tmp);
  });
  StateFile mine;
  agree(comm, [&] { mine = write_state_file(tmp, sim, saved_state); });
  const std::vector<StateFile> files = gather_state_files(comm, mine);
  agree(comm, [&] {
    if (!comm.writes()) return;
    progress["state_bytes"] = files[0].bytes;
    progress["state_crc32"] = files[0].crc32;
    if (comm.size() > 1) {
      progress["ranks"] = comm.size();
      for (std::size_t r = 1; r < files.size(); ++r) {
        progress["rank_states"].push_back({{"bytes", files[r].bytes}, {"crc32", files[r].crc32}});
      }
    }
    progress["progress_crc32"] = progress_checksum(progress);
    {
      std::ofstream p(tmp / "progress.json", std::ios::trunc);
      p << progress.dump(1) << '\n';
      p.close();
      if (!p) throw Error("cannot write " + (tmp / "progress.json").string());
    }
    sync_file(tmp / "progress.json");
    replace_checkpoint(out, tmp, final_dir);
  });
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024U;  // Linux: KiB
}

}  // namespace eprop::tasks
