#include "policytest/series.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace skippy::policytest {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// A number as promtool reads one in a series: decimal or scientific, Inf or NaN (any case),
// with an optional sign. Not hexadecimal: `0x3` is 0 four times, as in promtool.
std::optional<double> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double sign = 1;
  std::string_view body = text;
  if (body[0] == '+' || body[0] == '-') {
    sign = body[0] == '-' ? -1 : 1;
    body.remove_prefix(1);
  }
  if (equals_ignoring_case(body, "inf")) return sign * std::numeric_limits<double>::infinity();
  if (equals_ignoring_case(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (body.empty() || !(std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.'))
    return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec != std::errc() || end != body.data() + body.size()) return std::nullopt;
  return sign * v;
}

std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t n = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// The expansion of one token; false (with error) when it is not promtool's notation.
bool expand_token(std::string_view token, std::size_t offset, std::vector<Sample>& out,
                  NotationError& error) {
  auto fail = [&](std::string message) {
    error = NotationError{offset, std::move(message)};
    return false;
  };
  if (token == "stale") {
    out.push_back({Sample::Stale, 0});
    return true;
  }
  // The last `x` repeats what comes before it.
  std::size_t times = token.rfind('x');
  if (times == 0) times = std::string_view::npos;
  std::string_view head = token, count_text;
  if (times != std::string_view::npos) {
    head = token.substr(0, times);
    count_text = token.substr(times + 1);
  }
  std::optional<std::size_t> count;
  if (times != std::string_view::npos) {
    count = parse_count(count_text);
    if (!count) return fail("`" + std::string(token) + "`: expected a whole number after `x`");
    if (*count > 1'000'000)
      return fail("`" + std::string(token) + "`: at most 1000000 repetitions");
  }
  if (head == "_") {
    // `_xn`: n steps without a sample (not n+1, as promtool reads it).
    for (std::size_t i = 0; i < (count ? *count : 1); ++i) out.push_back({Sample::Omitted, 0});
    return true;
  }
  if (!count) {
    auto v = parse_number(head);
    if (!v)
      return fail("`" + std::string(token) +
                  "` is not a value: expected a number, `_`, `stale`, `axn` or `a+bxn`");
    out.push_back({Sample::Value, *v});
    return true;
  }
  // `axn`, `a+bxn` or `a-bxn`: the sign that splits them follows the first character and is
  // not an exponent's.
  std::size_t split = std::string_view::npos;
  for (std::size_t i = 1; i < head.size(); ++i) {
    if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') {
      split = i;
      break;
    }
  }
  auto start = parse_number(head.substr(0, split));
  std::optional<double> step = 0.0;
  if (split != std::string_view::npos) step = parse_number(head.substr(split));
  if (!start || !step)
    return fail("`" + std::string(token) + "`: expected `axn`, `a+bxn` or `a-bxn` with numbers");
  double v = *start;
  for (std::size_t i = 0; i <= *count; ++i) {
    out.push_back({Sample::Value, v});
    v += *step;
  }
  return true;
}

bool name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool name_char(char c) {
  return name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

}  // namespace

std::optional<std::vector<Sample>> expand_values(std::string_view values, NotationError& error) {
  std::vector<Sample> out;
  std::size_t i = 0;
  while (i < values.size()) {
    if (std::isspace(static_cast<unsigned char>(values[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < values.size() && !std::isspace(static_cast<unsigned char>(values[end]))) ++end;
    if (!expand_token(values.substr(i, end - i), i, out, error)) return std::nullopt;
    i = end;
  }
  return out;
}

std::optional<SeriesLabels> parse_selector(std::string_view s, NotationError& error) {
  SeriesLabels labels;
  std::size_t i = 0;
  auto fail = [&](std::string message) {
    error = NotationError{i, std::move(message)};
    return std::nullopt;
  };
  auto skip_space = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  skip_space();
  if (i < s.size() && name_start(s[i])) {
    std::size_t begin = i;
    while (i < s.size() && name_char(s[i])) ++i;
    labels.emplace_back("__name__", std::string(s.substr(begin, i - begin)));
  }
  skip_space();
  if (i < s.size() && s[i] == '{') {
    ++i;
    for (;;) {
      skip_space();
      if (i < s.size() && s[i] == '}') {
        ++i;
        break;
      }
      if (i >= s.size() || !name_start(s[i]) || s[i] == ':') return fail("expected a label name");
      std::size_t begin = i;
      while (i < s.size() && name_char(s[i]) && s[i] != ':') ++i;
      std::string name(s.substr(begin, i - begin));
      skip_space();
      if (i >= s.size() || s[i] != '=') return fail("expected `=` after the label name");
      ++i;
      skip_space();
      if (i >= s.size() || (s[i] != '"' && s[i] != '\'')) return fail("expected a quoted value");
      char quote = s[i++];
      std::string value;
      while (i < s.size() && s[i] != quote) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;
          value += s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
        } else {
          value += s[i];
        }
        ++i;
      }
      if (i >= s.size()) return fail("the value is not closed");
      ++i;
      if (name == "__name__") {
        if (!labels.empty() && labels.front().first == "__name__")
          return fail("the metric is named twice");
        labels.insert(labels.begin(), {name, value});
      } else {
        for (const auto& [n, v] : labels) {
          if (n == name) return fail("label `" + name + "` is given twice");
        }
        labels.emplace_back(std::move(name), std::move(value));
      }
      skip_space();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      skip_space();
      if (i < s.size() && s[i] == '}') {
        ++i;
        break;
      }
      return fail("expected `,` or `}`");
    }
  }
  skip_space();
  if (i != s.size()) return fail("unexpected text after the series");
  if (labels.empty() || labels.front().first != "__name__")
    return fail("a series needs a metric name");
  return labels;
}

}  // namespace skippy::policytest
