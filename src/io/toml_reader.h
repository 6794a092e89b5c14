#pragma once

// Strict, typed access to one table of a network file. Every read names the file, the table and the
// field in its error message; keys that the caller does not list are rejected when the reader is
// made, so a typo can never pass silently.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "io/numeric_arrays.h"

namespace eprop::io {

/// Where a table sits, for error messages: "net.toml", "[[population]] #2 'rec'", "optimizer.".
struct TableContext {
  std::string origin;
  std::string label;
  std::string prefix;  ///< prepended to field names of nested tables
  /// Large numeric arrays read before toml++ (numeric_arrays.h); toml++ holds `[]` in their place.
  const ParsedArrays* arrays = nullptr;
};

/// A number, a list of numbers or a rectangular matrix of numbers ([row][column]).
struct NumberArray {
  int rank = 0;                ///< 0 scalar, 1 list, 2 matrix
  std::size_t rows = 0;        ///< rank 1: length; rank 2: number of rows
  std::size_t cols = 0;        ///< rank 2 only
  std::vector<double> values;  ///< row-major
};

/// Short text of a TOML value for messages (one line, truncated).
std::string describe(const toml::node& node);
std::string describe(const ParsedArray& array);

/// Throws ConfigError "<origin>: <label>: <message> (line L)".
[[noreturn]] void throw_at(const TableContext& context, std::string_view message,
                           const toml::node* where);

class TableReader {
 public:
  /// Rejects every key of `table` that is not in `allowed`.
  TableReader(const toml::table& table, TableContext context,
              std::initializer_list<std::string_view> allowed);

  void set_label(std::string label) { context_.label = std::move(label); }
  [[nodiscard]] const TableContext& context() const { return context_; }
  [[nodiscard]] const toml::node* node(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const { return node(key) != nullptr; }

  // Each getter returns nullopt for an absent key and throws for a present key of the wrong type.
  // Integers are accepted where numbers are expected.
  [[nodiscard]] std::optional<double> number(std::string_view key) const;
  [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key) const;
  [[nodiscard]] std::optional<bool> boolean(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> string(std::string_view key) const;
  [[nodiscard]] std::optional<std::vector<double>> number_list(std::string_view key) const;
  [[nodiscard]] std::optional<std::vector<std::int64_t>> integer_list(std::string_view key) const;
  [[nodiscard]] std::optional<std::vector<std::string>> string_list(std::string_view key) const;
  /// A list of lists of numbers; the inner lists may differ in length.
  [[nodiscard]] std::optional<std::vector<std::vector<double>>> number_lists(
      std::string_view key) const;
  /// A number, a list of numbers, or a rectangular matrix (ragged rows are rejected).
  [[nodiscard]] std::optional<NumberArray> number_array(std::string_view key) const;
  [[nodiscard]] const toml::table* table(std::string_view key) const;
  /// An array whose elements are all tables (TOML `[[key]]`); empty if absent.
  [[nodiscard]] std::vector<const toml::table*> tables(std::string_view key) const;
  /// Context for a nested table `key` (fields named "key.field").
  [[nodiscard]] TableContext nested(std::string_view key) const;

  template <class T>
  T require(std::optional<T> value, std::string_view key, std::string_view what) const {
    if (!value) fail_missing(key, what);
    return *std::move(value);
  }

  /// Throws "field '<key>' = <value> <constraint>".
  [[noreturn]] void fail(std::string_view key, std::string_view constraint) const;
  /// Throws "missing required field '<key>' (<what>)".
  [[noreturn]] void fail_missing(std::string_view key, std::string_view what) const;

 private:
  /// The values of `key` if they were read before toml++, else nullptr.
  [[nodiscard]] const ParsedArray* parsed(std::string_view key) const;

  const toml::table& table_;
  TableContext context_;
};

}  // namespace eprop::io
