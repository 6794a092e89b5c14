#pragma once

// Binary archives for checkpoints. Engine classes list their dynamic state once, in a member
// template `template <class Archive> void state(Archive& ar) { ar(a_, b_, ...); }`, and the
// same list serves saving and loading. Vectors carry their length, so a checkpoint that does not
// fit the network is detected instead of silently misread.

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

class StateReader {
 public:
  explicit StateReader(std::istream& in) : in_(in) {}

  template <class... Ts>
  void operator()(Ts&... values) {
    (read(values), ...);
  }

 private:
  void check() {
    if (!in_) throw DataError("checkpoint state is truncated or unreadable");
  }

  template <class T>
  void read(T& value) {
    if constexpr (std::is_trivially_copyable_v<T>) {
      in_.read(reinterpret_cast<char*>(&value), sizeof(T));
      check();
    } else if constexpr (requires { value.size(); value.begin(); }) {
      std::uint64_t n = 0;
      read(n);
      if (n > (std::uint64_t{1} << 40)) throw DataError("checkpoint state is corrupt");
      value.resize(static_cast<std::size_t>(n));
      if constexpr (std::is_trivially_copyable_v<typename T::value_type> &&
                    !std::is_same_v<T, std::vector<bool>>) {
        in_.read(reinterpret_cast<char*>(value.data()),
                 static_cast<std::streamsize>(n * sizeof(typename T::value_type)));
        check();
      } else {
        for (auto& element : value) read(element);
      }
    } else {
      value.state(*this);
    }
  }

  std::istream& in_;
};

}  // namespace eprop
