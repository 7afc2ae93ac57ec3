#include "base/literals.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace skippy::base {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Largest first: a duration's components must follow this order.
constexpr std::array<Unit, 7> kDurationUnits = {{
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

struct QuantitySuffix {
  std::string_view suffix;
  double multiplier;
};

constexpr std::array<QuantitySuffix, 13> kQuantitySuffixes = {{
    {"Ki", 1024.0},
    {"Mi", 1024.0 * 1024},
    {"Gi", 1024.0 * 1024 * 1024},
    {"Ti", 1024.0 * 1024 * 1024 * 1024},
    {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024},
    {"Ei", 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024},
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
    {"m", 1e-3},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads "123" or "123.45" from the front of text; returns the length read, 0 if none.
std::size_t read_decimal(std::string_view text, double& value) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return 0;
  if (i < text.size() && text[i] == '.') {
    std::size_t j = i + 1;
    while (j < text.size() && is_digit(text[j])) ++j;
    if (j == i + 1) return 0;  // "1." is not a number
    i = j;
  }
  auto result = std::from_chars(text.data(), text.data() + i, value);
  if (result.ec != std::errc() || !std::isfinite(value)) return 0;
  return i;
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into kDurationUnits: units must not repeat or go up
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start || i - start > 12) return std::nullopt;
    std::int64_t amount = 0;
    std::from_chars(text.data() + start, text.data() + i, amount);
    std::size_t unit_start = i;
    while (i < text.size() && !is_digit(text[i])) ++i;
    std::string_view suffix = text.substr(unit_start, i - unit_start);
    std::size_t u = next_unit;
    while (u < kDurationUnits.size() && kDurationUnits[u].suffix != suffix) ++u;
    if (u == kDurationUnits.size()) return std::nullopt;
    if (amount > std::numeric_limits<std::int64_t>::max() / kDurationUnits[u].millis) {
      return std::nullopt;
    }
    std::int64_t part = amount * kDurationUnits[u].millis;
    if (total > std::numeric_limits<std::int64_t>::max() - part) return std::nullopt;
    total += part;
    next_unit = u + 1;
  }
  return total;
}

std::string format_duration(std::int64_t millis) {
  if (millis == 0) return "0s";
  std::string out;
  for (const auto& unit : kDurationUnits) {
    if (millis >= unit.millis) {
      out += std::to_string(millis / unit.millis);
      out += unit.suffix;
      millis %= unit.millis;
    }
  }
  return out;
}

ClassifiedLiteral classify_literal(std::string_view text) {
  ClassifiedLiteral out;
  double value = 0;
  std::size_t n = read_decimal(text, value);
  if (n == text.size() && n > 0) {
    out.kind = LiteralKind::Number;
    out.value = value;
    return out;
  }
  if (n > 0 && n + 1 == text.size() && text.back() == '%') {
    out.kind = LiteralKind::Percent;
    out.value = value;
    return out;
  }
  if (auto millis = parse_duration(text)) {
    out.kind = LiteralKind::Duration;
    out.millis = *millis;
    out.value = static_cast<double>(*millis) / 1000.0;
    out.minutes_or_milli = n + 1 == text.size() && text.back() == 'm';
    return out;
  }
  if (n > 0) {
    std::string_view suffix = text.substr(n);
    for (const auto& q : kQuantitySuffixes) {
      if (q.suffix == suffix) {
        out.kind = LiteralKind::Quantity;
        out.value = value * q.multiplier;
        return out;
      }
    }
  }
  out.kind = LiteralKind::Invalid;
  bool has_unit_letters = false;
  for (char c : text) has_unit_letters |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (n > 0 && has_unit_letters && text.find('.') == std::string_view::npos &&
      text.find('%') == std::string_view::npos) {
    out.error = "`" + std::string(text) +
                "` is not a duration or quantity: durations use y w d h m s ms, largest first, "
                "each once (`1h30m`); quantities use Ki Mi Gi Ti Pi Ei k M G T P E m (`512Mi`)";
  } else {
    out.error = "`" + std::string(text) +
                "` is not a number (`85`, `0.8`), duration (`90s`), quantity (`512Mi`) or "
                "percentage (`25%`)";
  }
  return out;
}

}  // namespace skippy::base
