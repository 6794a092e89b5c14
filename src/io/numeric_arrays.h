#pragma once

// Fast reading of the large numeric arrays of a network file (spike times, weight matrices,
// index lists). toml++ makes a node per value and parses each number through an istringstream
// (about 15,000 instructions per number; 1/3 of `eprop run` on NEST's sine example with its
// 10^6 input spike times). Before toml++ sees the text, such arrays are parsed here with
// std::from_chars and replaced by an empty array `[` ... `]` at the same line and column, with the
// same line breaks, so that every position toml++ reports stays true. TableReader looks the
// values up by that position. Anything this strict scanner does not fully understand (comments
// inside the array, strings, underscores, inf/nan, '+' signs, hex, mixed nesting) is left to
// toml++ unchanged, so the accepted syntax and its error messages do not change.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace eprop::io {

/// A list of numbers (rank 1) or a list of lists of numbers (rank 2), as written in the file.
struct ParsedArray {
  int rank = 1;
  bool all_integers = true;               ///< every token was written as an integer
  std::vector<std::vector<double>> rows;  ///< rank 1: one row
};

/// Arrays taken out of the text, keyed by (line, column) of their opening bracket, 1-based as in
/// toml::source_position.
using ParsedArrays = std::map<std::pair<std::uint32_t, std::uint32_t>, ParsedArray>;

/// Arrays of at least `min_values` numbers that are the value of a key in `keys`.
[[nodiscard]] ParsedArrays take_numeric_arrays(std::string& text, std::size_t min_values = 16);

}  // namespace eprop::io
