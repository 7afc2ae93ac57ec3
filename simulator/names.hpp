// Names the simulator makes up, as Kubernetes makes them: random-looking suffixes from the
// alphabet without vowels ("web-7d4b9c8f5-x2kqz"), template hashes and uids. All are
// deterministic functions of their input, so a test sees the same names every run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skippy::sim {

// SplitMix64's finaliser: a well-mixed 64-bit number from `x`.
std::uint64_t splitmix64(std::uint64_t x);
// `length` characters of "bcdfghjklmnpqrstvwxz2456789" drawn from `seed`.
std::string safe_suffix(std::uint64_t seed, std::size_t length);
// FNV-1a, 64 bits.
std::uint64_t fnv1a(std::string_view text);
// A version-4-shaped uid from a counter: "00000000-0000-4000-8000-00000000002a".
std::string uid_from(std::uint64_t counter);

}  // namespace skippy::sim
