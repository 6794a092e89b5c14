#pragma once

// Reading network description files (TOML) and writing simulation results (CSV).

#include <filesystem>
#include <string>
#include <string_view>

#include "eprop/simulation.h"
#include "eprop/spec.h"

namespace eprop {

/// Parses a network description (TOML text). `origin` names the file in error messages.
/// Throws ConfigError naming the file, the table/field, the value and the constraint.
NetworkSpec parse_network(std::string_view toml_text, const std::string& origin);

/// Reads and parses a network file.
NetworkSpec read_network_file(const std::filesystem::path& path);

/// The network as a network file that parse_network reads back into the same spec.
std::string format_network(const NetworkSpec& spec);
/// Writes format_network(spec) to path (via a temporary file and a rename).
void write_network_file(const NetworkSpec& spec, const std::filesystem::path& path);

/// Writes one CSV per recorder (`<population>_<type>.csv`) and `weights.csv` with the final
/// weights of every plastic connection into `dir` (created if needed). Each file is written to a
/// temporary name first and renamed, so no half-written file is left behind.
/// Under several ranks every rank must call it (it gathers); only rank 0 writes.
void write_results(const Simulation& sim, const std::filesystem::path& dir);

}  // namespace eprop
