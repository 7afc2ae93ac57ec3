// Number-like literals: plain numbers, durations, quantities and percentages.
// Shared by the parser (which classifies tokens) and by tools that read such values
// from other formats (the CRD translator's durations).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skippy::base {

enum class LiteralKind : std::uint8_t { Number, Duration, Quantity, Percent, Invalid };

struct ClassifiedLiteral {
  LiteralKind kind = LiteralKind::Invalid;
  double value = 0;               // Number; Duration in seconds; Quantity in base units; Percent
  std::int64_t millis = 0;        // Duration only
  bool minutes_or_milli = false;  // "250m": minutes, or millicores where a quantity fits
  std::string error;              // Invalid only: why, for the diagnostic
};

// Classifies a token that starts with a digit: "85", "0.8", "90s", "1h30m", "500ms",
// "512Mi", "2G", "250m", "25%".
ClassifiedLiteral classify_literal(std::string_view text);

// A Prometheus-style duration ("1h30m", "500ms"): units y w d h m s ms, largest first,
// each at most once, whole numbers. Returns milliseconds, or nothing when invalid.
std::optional<std::int64_t> parse_duration(std::string_view text);

// Formats milliseconds as the shortest Prometheus duration ("90s" -> "1m30s").
std::string format_duration(std::int64_t millis);

}  // namespace skippy::base
