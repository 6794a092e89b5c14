#pragma once

// CRC-32 (IEEE 802.3, the checksum of zlib, PNG and gzip) of checkpoint files: a flipped or zeroed
// byte is detected before the state is trusted.

#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string_view>

namespace eprop {

class Crc32 {
 public:
  void update(const char* data, std::size_t size) {
    static const std::array<std::uint32_t, 256> table = make_table();
    for (std::size_t i = 0; i < size; ++i) {
      crc_ = table[(crc_ ^ static_cast<unsigned char>(data[i])) & 0xffU] ^ (crc_ >> 8U);
    }
  }
  [[nodiscard]] std::uint32_t value() const { return crc_ ^ 0xffffffffU; }

 private:
  static std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xedb88320U ^ (c >> 1U) : c >> 1U;
      table[n] = c;
    }
    return table;
  }
  std::uint32_t crc_ = 0xffffffffU;
};

[[nodiscard]] inline std::uint32_t crc32(std::string_view text) {
  Crc32 crc;
  crc.update(text.data(), text.size());
  return crc.value();
}

/// CRC-32 of everything left in `in` (read in blocks; the stream is left at its end).
[[nodiscard]] inline std::uint32_t crc32(std::istream& in) {
  Crc32 crc;
  char block[1 << 16];
  while (in.read(block, sizeof block) || in.gcount() > 0) {
    crc.update(block, static_cast<std::size_t>(in.gcount()));
  }
  return crc.value();
}

}  // namespace eprop
