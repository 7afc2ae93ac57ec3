#include "simulator/names.hpp"

#include <cstdio>

namespace skippy::sim {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string safe_suffix(std::uint64_t seed, std::size_t length) {
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  std::uint64_t bits = splitmix64(seed);
  for (std::size_t i = 0; i < length; ++i) {
    out += kAlphabet[bits % kAlphabet.size()];
    bits /= kAlphabet.size();
    if (bits == 0) bits = splitmix64(seed + i + 1);
  }
  return out;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string uid_from(std::uint64_t counter) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "5c1a0000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(counter & 0xffffffffffffULL));
  return buf;
}

}  // namespace skippy::sim
