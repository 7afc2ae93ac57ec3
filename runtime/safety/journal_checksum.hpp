// The journal's checksums: a CRC-32 (zlib's) carried over every byte of the file, written as
// 8 lower-case hex digits. Shared by the writer and the reader.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace skippy::safety::journal_checksum {

inline std::uint32_t extend(std::uint32_t crc, std::string_view bytes) {
  return static_cast<std::uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

inline std::string hex(std::uint32_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kHex[value & 0xf];
  return out;
}

// Lower case only: a checksum has one spelling, so any changed digit is caught.
inline bool parse_hex(std::string_view text, std::uint32_t& out) {
  if (text.size() != 8) return false;
  out = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    out = out << 4 | static_cast<std::uint32_t>(d);
  }
  return true;
}

}  // namespace skippy::safety::journal_checksum
