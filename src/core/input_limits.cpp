#include "core/input_limits.h"

#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "eprop/error.h"

namespace eprop {

namespace fs = std::filesystem;

std::string read_input_file(const fs::path& path, std::string_view what, std::uintmax_t max_bytes) {
  const std::string name = path.string() + ": ";
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw ConfigError(name + "no such " + std::string(what));
  if (fs::is_directory(status)) {
    throw ConfigError(name + "is a directory, not a " + std::string(what));
  }
  // Devices and pipes (/dev/zero, /dev/stdin) have no size to check and may never end.
  if (!fs::is_regular_file(status)) {
    throw ConfigError(name + "is not a regular file (a " + std::string(what) + " is expected)");
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw ConfigError(name + "cannot read the " + std::string(what));
  if (size > max_bytes) {
    throw ConfigError(name + "the " + std::string(what) + " has " + std::to_string(size) +
                      " bytes, more than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(name + "cannot open the " + std::string(what));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size) {
    throw ConfigError(name + "cannot read the " + std::string(what) + " (it changed while read)");
  }
  return text;
}

namespace {

// A lexer that knows just enough TOML to tell keys from values: strings and comments are skipped,
// dots are counted only where a key is expected (line starts, table headers, inline tables).
class TomlShapeScanner {
 public:
  TomlShapeScanner(std::string_view text, std::string_view origin) : s_(text), origin_(origin) {}

  void run() {
    while (i_ < s_.size()) step(s_[i_]);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(std::string(origin_) + ": line " + std::to_string(line_) + ": " + what);
  }

  void start_key() {
    key_ = true;
    parts_ = 1;
  }

  void step(char c) {
    const bool at_line_start = line_start_;
    if (c != ' ' && c != '\t' && c != '\r') line_start_ = false;
    if (c == '"' || c == '\'') return skip_string(c);
    if (c == '#') {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      return;
    }
    ++i_;
    switch (c) {
      case '\n':
        ++line_;
        if (stack_.empty() && !header_) {
          start_key();
          line_start_ = true;
        }
        break;
      case '=':
        key_ = false;
        break;
      case '.':
        if ((key_ || header_) && ++parts_ > kMaxTomlKeyParts) {
          fail("a key has more than " + std::to_string(kMaxTomlKeyParts) + " dotted parts");
        }
        break;
      case '[':
        if (at_line_start && stack_.empty()) {  // [table] or [[array of tables]]
          header_ = true;
          parts_ = 1;
          if (i_ < s_.size() && s_[i_] == '[') ++i_;
        } else if (!key_) {
          push('[');
        }
        break;
      case ']':
        if (header_) {
          header_ = false;
          key_ = false;
        } else if (!stack_.empty() && stack_.back() == '[') {
          stack_.pop_back();
        }
        break;
      case '{':
        if (!key_) {
          push('{');
          start_key();
        }
        break;
      case '}':
        if (!stack_.empty() && stack_.back() == '{') stack_.pop_back();
        key_ = false;
        break;
      case ',':
        if (!stack_.empty() && stack_.back() == '{') start_key();
        break;
      default:
        break;
    }
  }

  void push(char c) {
    if (static_cast<int>(stack_.size()) >= kMaxTomlNesting) {
      fail("arrays and inline tables nest deeper than " + std::to_string(kMaxTomlNesting) +
           " levels");
    }
    stack_.push_back(c);
  }

  void skip_string(char quote) {
    const bool multi = s_.compare(i_, 3, std::string(3, quote)) == 0;
    i_ += multi ? 3 : 1;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        ++line_;
        if (!multi) return;  // unterminated: the parser reports it
      }
      if (c == '\\' && quote == '"') {
        i_ += 2;
        continue;
      }
      if (c == quote && (!multi || s_.compare(i_, 3, std::string(3, quote)) == 0)) {
        i_ += multi ? 3 : 1;
        return;
      }
      ++i_;
    }
  }

  std::string_view s_;
  std::string_view origin_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  std::vector<char> stack_;
  bool key_ = true;
  bool header_ = false;
  bool line_start_ = true;
  int parts_ = 1;
};

}  // namespace

void check_toml_shape(std::string_view text, std::string_view origin) {
  TomlShapeScanner(text, origin).run();
}

void check_json_nesting(std::string_view text, std::string_view origin) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxTomlNesting) {
        throw ConfigError(std::string(origin) + ": arrays and objects nest deeper than " +
                          std::to_string(kMaxTomlNesting) + " levels");
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace eprop
