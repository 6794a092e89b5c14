#include "io/numeric_arrays.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace eprop::io {

namespace {

// Keys whose values may be large numeric arrays (see the readers in network_file.cpp).
constexpr std::array<std::string_view, 9> array_keys = {
    "spike_times", "amplitude_times", "amplitude_values", "weight",  "delay",
    "sources",     "targets",         "neurons",          "simulate"};

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// A strict reader of `[n, ...]` and `[[n, ...], ...]`; any surprise returns false and the text
/// goes to toml++ untouched.
class ArrayScanner {
 public:
  ArrayScanner(std::string_view text, std::size_t pos) : s_(text), pos_(pos) {}

  bool scan(ParsedArray& out) {
    const std::size_t open = pos_;
    ++pos_;
    skip_space();
    if (peek() != '[') {
      out.rank = 1;
      pos_ = open;
      return row(out.rows.emplace_back(), out) && !out.rows[0].empty();
    }
    out.rank = 2;
    while (true) {
      if (peek() != '[' || !row(out.rows.emplace_back(), out) || !separator()) return false;
      if (closed_) return true;
    }
  }
  [[nodiscard]] std::size_t end() const { return pos_; }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void skip_space() {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n') {
        ++pos_;
      } else if (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') {
        pos_ += 2;
      } else {
        break;
      }
    }
  }

  /// After an element: ',' (an optional trailing one before ']') or ']'. Sets closed_ at ']';
  /// false if neither follows.
  bool separator() {
    skip_space();
    const bool comma = peek() == ',';
    if (comma) {
      ++pos_;
      skip_space();
    }
    closed_ = peek() == ']';
    if (closed_) ++pos_;
    return closed_ || comma;
  }

  bool row(std::vector<double>& values, ParsedArray& out) {
    ++pos_;  // '['
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      double value = 0.0;
      bool integer = false;
      if (!number(value, integer)) return false;
      values.push_back(value);
      out.all_integers = out.all_integers && integer;
      if (!separator()) return false;
      if (closed_) return true;
    }
  }

  /// TOML's decimal integers and floats without '+', '_', inf and nan:
  /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(double& value, bool& integer) {
    const std::size_t start = pos_;
    std::size_t p = pos_;
    if (p < s_.size() && s_[p] == '-') ++p;
    const std::size_t int_start = p;
    while (p < s_.size() && is_digit(s_[p])) ++p;
    const std::size_t int_digits = p - int_start;
    if (int_digits == 0 || (int_digits > 1 && s_[int_start] == '0')) return false;
    integer = true;
    if (p < s_.size() && s_[p] == '.') {
      integer = false;
      const std::size_t frac = ++p;
      while (p < s_.size() && is_digit(s_[p])) ++p;
      if (p == frac) return false;
    }
    if (p < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
      integer = false;
      ++p;
      if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) ++p;
      const std::size_t exp = p;
      while (p < s_.size() && is_digit(s_[p])) ++p;
      if (p == exp) return false;
    }
    const char next = p < s_.size() ? s_[p] : '\0';
    if (next != ',' && next != ']' && next != ' ' && next != '\t' && next != '\n' && next != '\r') {
      return false;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + p;
    if (integer) {
      // As toml++: a 64-bit integer, converted to double by the reader (keeps 0 for "-0").
      if (int_digits > 18) return false;
      std::int64_t i = 0;
      if (std::from_chars(first, last, i).ptr != last) return false;
      value = static_cast<double>(i);
    } else if (std::from_chars(first, last, value).ptr != last) {
      return false;
    }
    pos_ = p;
    return true;
  }

  std::string_view s_;
  std::size_t pos_;
  bool closed_ = false;
};

/// Position just past a string starting at `pos` (a quote), or npos if it does not end.
std::size_t skip_string(std::string_view s, std::size_t pos) {
  const char quote = s[pos];
  const bool multi = s.substr(pos, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''");
  std::size_t p = pos + (multi ? 3 : 1);
  while (p < s.size()) {
    const char c = s[p];
    if (c == '\\' && quote == '"') {
      p += 2;
      continue;
    }
    if (!multi && c == '\n') return p;
    if (c == quote &&
        (!multi || s.substr(p, 3) == std::string_view(quote == '"' ? "\"\"\"" : "'''"))) {
      p += multi ? 3 : 1;
      while (multi && p < s.size() && s[p] == quote) ++p;  // up to two quotes end the content
      return p;
    }
    ++p;
  }
  return std::string_view::npos;
}

/// The bare key just before the '=' at `eq`.
std::string_view key_before(std::string_view s, std::size_t eq) {
  std::size_t end = eq;
  while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
  std::size_t begin = end;
  while (begin > 0 && is_bare_key_char(s[begin - 1])) --begin;
  return s.substr(begin, end - begin);
}

std::size_t value_count(const ParsedArray& a) {
  std::size_t n = 0;
  for (const auto& row : a.rows) n += row.size();
  return n;
}

}  // namespace

ParsedArrays take_numeric_arrays(std::string& text, std::size_t min_values) {
  ParsedArrays arrays;
  const std::string_view s(text);
  std::string out;
  std::size_t copied = 0;  // text[0, copied) is in `out`
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::size_t counted = 0;  // line and column are those of text[counted]
  const auto count_to = [&](std::size_t to) {
    for (; counted < to; ++counted) {
      const char c = s[counted];
      if (c == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
        ++column;  // toml++ counts code points
      }
    }
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '#') {
      i = s.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (c == '"' || c == '\'') {
      i = skip_string(s, i);
      if (i == std::string_view::npos) break;
    } else if (c == '=') {
      std::size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      const std::string_view key = key_before(s, i);
      i = j;
      if (j >= s.size() || s[j] != '[' ||
          std::find(array_keys.begin(), array_keys.end(), key) == array_keys.end()) {
        continue;
      }
      ParsedArray parsed;
      ArrayScanner scanner(s, j);
      if (!scanner.scan(parsed) || value_count(parsed) < min_values) continue;
      const std::size_t end = scanner.end();
      count_to(j);
      out.append(s.substr(copied, j - copied));
      out += '[';
      out.append(static_cast<std::size_t>(std::count(s.begin() + j, s.begin() + end, '\n')), '\n');
      out += ']';
      copied = end;
      arrays.emplace(std::make_pair(line, column), std::move(parsed));
      i = end;
    } else {
      ++i;
    }
  }
  if (!arrays.empty()) {
    out.append(s.substr(copied));
    text = std::move(out);
  }
  return arrays;
}

}  // namespace eprop::io
