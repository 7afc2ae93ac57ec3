// promtool's notation for input series, exactly as `promtool test rules` reads it: the
// selector (`metric{label="value", ...}`) and the values, one per interval:
//
//   1 2 3        numbers (decimal, scientific such as 1e3, Inf, -Inf, NaN)
//   a+bxn        n+1 values: a, a+b, ..., a+n*b (added step by step, as promtool does)
//   a-bxn        likewise, decreasing; `axn` is a repeated n+1 times
//   _            no sample at this step; `_xn` is n steps without a sample
//   stale        a staleness marker: the series ends here, until its next sample
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skippy::policytest {

struct Sample {
  enum Kind : unsigned char { Value, Omitted, Stale };
  Kind kind = Value;
  double value = 0;
};

// Where in the text a mistake is (0-based byte offset) and what it is.
struct NotationError {
  std::size_t offset = 0;
  std::string message;
};

// The samples of `values`, one per step; nullopt and `error` on a mistake.
std::optional<std::vector<Sample>> expand_values(std::string_view values, NotationError& error);

// A series selector's labels, `__name__` first when the metric has a name.
using SeriesLabels = std::vector<std::pair<std::string, std::string>>;
std::optional<SeriesLabels> parse_selector(std::string_view selector, NotationError& error);

}  // namespace skippy::policytest
