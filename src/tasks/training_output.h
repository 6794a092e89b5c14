#pragma once

// Files of a training run (docs/user/training.md, "Outputs"). Every file is written to a
// temporary name in the same directory and renamed, so a reader never sees half a file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/training_session.h"

namespace eprop::tasks {

/// One row of metrics.csv.
struct MetricRow {
  std::int64_t iteration = 0;
  std::string phase;
  double loss = 0.0;
  double error = 0.0;        ///< NaN: not defined (regression)
  double wall_time_s = 0.0;  ///< wall time of this iteration
};

void write_file_atomic(const std::filesystem::path& path, std::string_view content);

[[nodiscard]] std::string metrics_csv(const std::vector<MetricRow>& rows);
[[nodiscard]] nlohmann::json metrics_json(const std::vector<MetricRow>& rows);
[[nodiscard]] std::vector<MetricRow> metrics_from_json(const nlohmann::json& j);

/// projection,source_population,source,target_population,target,weight (group indices, see
/// ProjectionInfo), sorted by projection, source, target.
[[nodiscard]] std::string weights_csv(const Simulation& sim,
                                      const std::vector<ProjectionInfo>& projections);

/// Writes `<dir>/<prefix>_readout.csv`, `<prefix>_traces_<population>.csv` and
/// `<prefix>_spikes_<population>.csv` with the rows of the first `max_steps` ms of the iteration.
void write_iteration_recordings(const std::filesystem::path& dir, const std::string& prefix,
                                const IterationResult& result, std::int64_t max_steps);

/// The resolved configuration as nested JSON ({"training": {"n_iter": 200, ...}, ...}).
[[nodiscard]] nlohmann::json config_json(const TrainConfig& config);

/// CRC-32 of progress.json's content without its own "progress_crc32" field.
[[nodiscard]] std::uint32_t progress_checksum(nlohmann::json progress);

/// Writes `<out>/checkpoint/{state.bin, progress.json}`: both files go to a fresh
/// `checkpoint.tmp` directory that then replaces `checkpoint` in one atomic rename. Collective:
/// under several ranks every rank calls it and writes its own state file (state_file_name).
/// `saved_state`: this rank's Simulation::save_state bytes from earlier, written instead of the
/// simulation's current state.
void write_checkpoint(const std::filesystem::path& out, const Simulation& sim,
                      nlohmann::json progress, const std::string* saved_state = nullptr);

/// The checkpoint's state file of a rank: state.bin (rank 0), state.rank<r>.bin.
[[nodiscard]] std::string state_file_name(int rank);

/// Peak resident memory of this process (getrusage ru_maxrss), bytes.
[[nodiscard]] std::uint64_t peak_rss_bytes();

}  // namespace eprop::tasks
