#pragma once

// Binary archives for checkpoints. Engine classes list their dynamic state once, in a member
// template `template <class Archive> void state(Archive& ar) { ar(a_, b_, ...); }`, and the
// same list serves saving and loading. Vectors carry their length, so a checkpoint that does not
// fit the network is detected instead of silently misread.

#include <algorithm>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "eprop/error.h"

namespace eprop {

class StateWriter {
 public:
  explicit StateWriter(std::ostream& out) : out_(out) {}

  template <class... Ts>
  void operator()(const Ts&... values) {
    (write(values), ...);
  }

  /// Writes `value` preceded by its length in bytes, which the reader checks.
  template <class T>
  void section(const T& value) {
    const std::streampos start = out_.tellp();
    write(std::uint64_t{0});
    write(value);
    const std::streampos end = out_.tellp();
    out_.seekp(start);
    write(static_cast<std::uint64_t>(end - start) - sizeof(std::uint64_t));
    out_.seekp(end);
  }

  /// Where the next value goes, for overwrite().
  [[nodiscard]] std::streampos position() const { return out_.tellp(); }

  /// Writes `value` again at `at`, over a value of the same size written there before.
  template <class T>
  void overwrite(std::streampos at, const T& value) {
    const std::streampos end = out_.tellp();
    out_.seekp(at);
    write(value);
    out_.seekp(end);
  }

 private:
  template <class T>
  void write(const T& value) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      out_.write(reinterpret_cast<const char*>(&value), sizeof(T));
    } else if constexpr (requires { value.size(); value.begin(); }) {
      write(static_cast<std::uint64_t>(value.size()));
      if constexpr (std::is_trivially_copyable_v<typename T::value_type> &&
                    !std::is_same_v<T, std::vector<bool>>) {
        out_.write(reinterpret_cast<const char*>(value.data()),
                   static_cast<std::streamsize>(value.size() * sizeof(typename T::value_type)));
      } else {
        for (const auto& element : value) write(element);
      }
    } else {
      const_cast<T&>(value).state(*this);
    }
  }

  std::ostream& out_;
};

// Reads what StateWriter wrote. Nothing stored is trusted: no length may ask for more bytes than
// the stream has left, and every section must be exactly as long as its stored length, so a state
// that does not fit the rebuilt network is an error instead of a misread.
class StateReader {
 public:
  explicit StateReader(std::istream& in) : in_(in) {
    const std::streampos here = in_.tellg();
    in_.seekg(0, std::ios::end);
    const std::streampos end = in_.tellg();
    in_.seekg(here);
    if (here >= 0 && end >= here) {
      remaining_ = static_cast<std::uint64_t>(end - here);
      seekable_ = true;
    }
    in_.clear();
  }

  template <class... Ts>
  void operator()(Ts&... values) {
    (read(values), ...);
  }

  template <class T>
  void section(T& value) {
    std::uint64_t length = 0;
    read(length);
    ++sections_;
    if (length > remaining_) corrupt("section is longer than the rest of the file");
    const std::uint64_t before = remaining_;
    read(value);
    if (before - remaining_ != length) {
      corrupt("section holds " + std::to_string(length) + " bytes, but the rebuilt network reads " +
              std::to_string(before - remaining_));
    }
  }

  /// Calls read(), which must read exactly `length` bytes (a length from an index).
  template <class F>
  void exactly(std::uint64_t length, F read) {
    ++sections_;
    if (length > remaining_) corrupt("section is longer than the rest of the file");
    const std::uint64_t before = remaining_;
    read();
    if (before - remaining_ != length) {
      corrupt("section holds " + std::to_string(length) + " bytes, but the rebuilt network reads " +
              std::to_string(before - remaining_));
    }
  }

  /// Passes over `length` bytes: seeks, or reads and discards them in bounded chunks where the
  /// stream cannot seek.
  void skip(std::uint64_t length) {
    ++sections_;
    if (length > remaining_) corrupt("section is longer than the rest of the file");
    if (seekable_) {
      in_.seekg(static_cast<std::streamoff>(length), std::ios::cur);
      if (!in_) throw DataError("checkpoint state is truncated or unreadable");
      remaining_ -= length;
      return;
    }
    std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(length, 1U << 16U)));
    for (std::uint64_t left = length; left > 0;) {
      const std::uint64_t n = std::min<std::uint64_t>(left, chunk.size());
      take(chunk.data(), n);
      left -= n;
    }
  }

  /// Bytes not read yet (must be 0 at the end; unknown, ~0 less what was read, for a stream that
  /// cannot seek).
  [[nodiscard]] std::uint64_t remaining() const { return remaining_; }

  [[nodiscard]] bool seekable() const { return seekable_; }

  /// Whether every byte was read.
  [[nodiscard]] bool at_end() {
    return seekable_ ? remaining_ == 0 : in_.peek() == std::istream::traits_type::eof();
  }

 private:
  [[noreturn]] void corrupt(const std::string& what) const {
    throw DataError("checkpoint state is corrupt or belongs to another network (section " +
                    std::to_string(sections_) + ": " + what + ")");
  }

  void take(char* data, std::uint64_t bytes) {
    if (bytes > remaining_) corrupt("truncated");
    in_.read(data, static_cast<std::streamsize>(bytes));
    if (!in_) throw DataError("checkpoint state is truncated or unreadable");
    remaining_ -= bytes;
  }

  template <class T>
  void read(T& value) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      take(reinterpret_cast<char*>(&value), sizeof(T));
    } else if constexpr (requires { value.size(); value.begin(); }) {
      std::uint64_t n = 0;
      read(n);
      using V = typename T::value_type;
      // Each element takes at least one byte (a vector element at least its length field).
      const std::uint64_t least =
          std::is_trivially_copyable_v<V> ? sizeof(V) : sizeof(std::uint64_t);
      if (n > remaining_ / least) corrupt("a length of " + std::to_string(n) + " exceeds the file");
      value.resize(static_cast<std::size_t>(n));
      if constexpr (std::is_trivially_copyable_v<V> && !std::is_same_v<T, std::vector<bool>>) {
        take(reinterpret_cast<char*>(value.data()), n * sizeof(V));
      } else {
        for (auto& element : value) read(element);
      }
    } else {
      value.state(*this);
      if constexpr (requires { value.check_state(); }) {
        if (!value.check_state()) corrupt("inconsistent sizes");
      }
    }
  }

  std::istream& in_;
  std::uint64_t remaining_ = ~std::uint64_t{0};
  std::uint64_t sections_ = 0;
  bool seekable_ = false;
};

}  // namespace eprop
