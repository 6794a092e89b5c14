#pragma once

// Limits on input files, checked before anything is parsed or allocated: a hostile or mistaken
// input must end in a clear error, never in a crash, a hang or an allocation the size of a disk.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eprop {

/// Largest network file read (its TOML tree takes several times this much memory).
inline constexpr std::uintmax_t kMaxNetworkFileBytes = std::uintmax_t{256} << 20;
/// Largest training config file (a few dozen keys) and --set value.
inline constexpr std::uintmax_t kMaxConfigFileBytes = std::uintmax_t{1} << 20;
/// Largest checkpoint progress.json (metrics of every iteration).
inline constexpr std::uintmax_t kMaxProgressFileBytes = std::uintmax_t{256} << 20;
/// Most parts of one dotted TOML key ("a.b.c" has 3). toml++ 3.3 recurses once per part and
/// overflows the stack near 30,000 parts.
inline constexpr int kMaxTomlKeyParts = 64;
/// Deepest nesting of TOML arrays and inline tables (and of JSON arrays and objects).
inline constexpr int kMaxTomlNesting = 32;

/// Reads a regular file of at most `max_bytes` bytes. Throws ConfigError naming the file and
/// `what` ("network file") for a directory, a device or pipe, a missing or unreadable file, or
/// one over the limit.
[[nodiscard]] std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                                          std::uintmax_t max_bytes);

/// Rejects TOML text whose keys have more than kMaxTomlKeyParts dotted parts or whose arrays and
/// inline tables nest deeper than kMaxTomlNesting, before a parser recurses into it. Throws
/// ConfigError "<origin>: line L: ...". Text that is not valid TOML otherwise passes (the parser
/// reports it).
void check_toml_shape(std::string_view text, std::string_view origin);

/// Rejects JSON text whose arrays and objects nest deeper than kMaxTomlNesting (JSON writers and
/// comparisons recurse once per level). Throws ConfigError "<origin>: ...".
void check_json_nesting(std::string_view text, std::string_view origin);

}  // namespace eprop
