// write_results (declared in eprop/network_file.h): one CSV per recorder plus weights.csv.

#include "eprop/network_file.h"

#include "comm/communicator.h"

#include "eprop/error.h"

#include <fmt/format.h>

#include <charconv>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <system_error>
#include <vector>

namespace eprop {

namespace {

namespace fs = std::filesystem;

/// One output file: its final name and its whole text.
struct CsvFile {
  std::string name;
  fmt::memory_buffer text;
};

std::string recorder_type_name(RecorderType type) {
  switch (type) {
    case RecorderType::multimeter:
      return "multimeter";
    case RecorderType::spike_recorder:
      return "spike_recorder";
    case RecorderType::weight_recorder:
      return "weight_recorder";
  }
  return "recorder";
}

// 17 significant digits (printf's %.17g) round-trip every double exactly. std::to_chars writes
// them several times faster than fmt's {:.17g}, which took 6 % of `eprop run` on the sine example.
void append_g17(fmt::memory_buffer& out, double value) {
  char digits[32];
  const auto end =
      std::to_chars(digits, digits + sizeof digits, value, std::chars_format::general, 17);
  out.append(digits, end.ptr);
}

template <class Integer>
void append_int(fmt::memory_buffer& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end.ptr);
}

void append_multimeter(fmt::memory_buffer& out, const MultimeterRecording& rec) {
  fmt::format_to(std::back_inserter(out), "index,time");
  for (const std::string& variable : rec.variables)
    fmt::format_to(std::back_inserter(out), ",{}", variable);
  out.push_back('\n');
  for (std::size_t row = 0; row < rec.time.size(); ++row) {
    append_int(out, rec.index[row]);
    out.push_back(',');
    append_g17(out, rec.time[row]);
    for (const std::vector<double>& column : rec.values) {
      out.push_back(',');
      append_g17(out, column[row]);
    }
    out.push_back('\n');
  }
}

void append_spikes(fmt::memory_buffer& out, const SpikeRecording& rec) {
  fmt::format_to(std::back_inserter(out), "index,time\n");
  for (std::size_t row = 0; row < rec.time.size(); ++row) {
    append_int(out, rec.index[row]);
    out.push_back(',');
    append_g17(out, rec.time[row]);
    out.push_back('\n');
  }
}

void append_weights(fmt::memory_buffer& out, const WeightRecording& rec) {
  fmt::format_to(std::back_inserter(out), "source,target,time,weight\n");
  for (std::size_t row = 0; row < rec.time.size(); ++row) {
    fmt::format_to(std::back_inserter(out), "{},{},{:.17g},{:.17g}\n", rec.source[row],
                   rec.target[row], rec.time[row], rec.weight[row]);
  }
}

/// One file per recorder, in the order of spec.recorders. Names that several recorders would share
/// get the recorder index appended, so no file is overwritten.
std::vector<CsvFile> recorder_files(const Simulation& sim) {
  const NetworkSpec& spec = sim.spec();
  const std::vector<MultimeterRecording> multimeters = sim.multimeters();
  const std::vector<SpikeRecording> spikes = sim.spike_recordings();
  const std::vector<WeightRecording> weights = sim.weight_recordings();
  std::size_t next_multimeter = 0;
  std::size_t next_spikes = 0;
  std::size_t next_weights = 0;
  std::vector<CsvFile> files;
  for (const RecorderSpec& recorder : spec.recorders) {
    CsvFile& file = files.emplace_back();
    const std::string type = recorder_type_name(recorder.type);
    if (recorder.type == RecorderType::multimeter && next_multimeter < multimeters.size()) {
      const MultimeterRecording& rec = multimeters[next_multimeter++];
      file.name = fmt::format("{}_{}", recorder.population, type);
      append_multimeter(file.text, rec);
    } else if (recorder.type == RecorderType::spike_recorder && next_spikes < spikes.size()) {
      const SpikeRecording& rec = spikes[next_spikes++];
      file.name = fmt::format("{}_{}", recorder.population, type);
      append_spikes(file.text, rec);
    } else if (recorder.type == RecorderType::weight_recorder && next_weights < weights.size()) {
      const WeightRecording& rec = weights[next_weights++];
      file.name = fmt::format("{}_{}_{}", rec.source_population, rec.target_population, type);
      append_weights(file.text, rec);
    } else {
      throw Error(fmt::format("internal error: no recording for recorder #{} ({})",
                              files.size() - 1, type));
    }
  }
  std::map<std::string, int> uses;
  for (const CsvFile& file : files) ++uses[file.name];
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (uses[files[i].name] > 1) files[i].name += fmt::format("_{}", i);
    files[i].name += ".csv";
  }
  return files;
}

CsvFile weights_file(const Simulation& sim) {
  CsvFile file;
  file.name = "weights.csv";
  fmt::format_to(std::back_inserter(file.text),
                 "source_population,source,target_population,target,weight\n");
  const NetworkSpec& spec = sim.spec();
  for (std::size_t c = 0; c < spec.connections.size(); ++c) {
    const ConnectionSpec& conn = spec.connections[c];
    if (!conn.synapse.starts_with("eprop_synapse")) continue;
    for (const SynapseWeight& w : sim.weights(c)) {
      fmt::format_to(std::back_inserter(file.text), "{},{},{},{},", conn.source, w.source,
                     conn.target, w.target);
      append_g17(file.text, w.weight);
      file.text.push_back('\n');
    }
  }
  return file;
}

fs::path temp_path(const fs::path& dir, const std::string& name) {
  return dir / fmt::format(".{}.tmp", name);
}

void write_file(const fs::path& path, const fmt::memory_buffer& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw Error(fmt::format("{}: cannot write the file", path.string()));
}

void remove_quietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

}  // namespace

void write_results(const Simulation& sim, const std::filesystem::path& dir) {
  // Collect everything before touching the disk, so an error leaves no output at all.
  std::vector<CsvFile> files = recorder_files(sim);
  files.push_back(weights_file(sim));
  if (!sim.communicator().writes()) return;  // the other ranks took part in the gathers
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw Error(
        fmt::format("{}: cannot create the output directory: {}", dir.string(), error.message()));
  }
  try {
    for (const CsvFile& file : files) write_file(temp_path(dir, file.name), file.text);
    for (const CsvFile& file : files) {
      fs::rename(temp_path(dir, file.name), dir / file.name);
    }
  } catch (const std::exception& e) {
    for (const CsvFile& file : files) remove_quietly(temp_path(dir, file.name));
    if (dynamic_cast<const Error*>(&e) != nullptr) throw;
    throw Error(fmt::format("{}: cannot write results: {}", dir.string(), e.what()));
  }
}

}  // namespace eprop
