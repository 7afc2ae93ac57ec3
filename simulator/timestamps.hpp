// Kubernetes timestamps (RFC 3339 in UTC, whole seconds: "2024-05-01T12:00:00Z") from and to
// milliseconds since the epoch, and the short ages kubectl prints ("5m", "2d3h").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skippy::sim {

std::string rfc3339(std::int64_t ms);
// The milliseconds of an RFC 3339 timestamp, fractions and offsets allowed; nullopt when it
// is not one.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// A duration as kubectl shows ages: "45s", "5m", "3h12m", "4d".
std::string short_age(std::int64_t ms);

}  // namespace skippy::sim
