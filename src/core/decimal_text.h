#pragma once

// Numbers as CSV text, shared by the network-file results writer and the training output.
// 17 significant digits (printf's %.17g) round-trip every double exactly; std::to_chars writes
// them several times faster than fmt's {:.17g} (which took 6 % of `eprop run` on the sine
// example and 3 % of `eprop train sine`), with the same bytes.

#include <charconv>
#include <concepts>

namespace eprop {

/// Appends `value` as printf's "%.17g" would write it ("nan", "inf", "-inf" included). `out`
/// is any buffer with append(const char*, const char*) (fmt::memory_buffer).
template <class Buffer>
void append_g17(Buffer& out, double value) {
  char digits[32];
  const auto end =
      std::to_chars(digits, digits + sizeof digits, value, std::chars_format::general, 17);
  out.append(digits, end.ptr);
}

/// Appends an integer in decimal.
template <class Buffer, std::integral Integer>
void append_int(Buffer& out, Integer value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end.ptr);
}

}  // namespace eprop
