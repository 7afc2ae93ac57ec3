// The deterministic trend analysis behind `ai.analyze`: a robust (Theil–Sen) line through a
// metric's recent history, what shape that history has (flat, rising, a step, resets, a GC
// sawtooth, ...), and when it crosses a threshold. Pure: no clock, no randomness, no state;
// the same samples give the same answer. The rules and their numbers are in docs/ai-trend.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>

namespace skippy::analysis {

// One point of a metric's history: when (milliseconds since the epoch) and its value.
struct Sample {
  std::int64_t time_ms;
  double value;
};

// What the history looks like, judged on the samples used by the fit.
enum class Shape : std::uint8_t {
  Insufficient,  // too few samples, or too short a span, to judge
  Flat,          // the fitted rise over the span is within the noise
  Rising,        // a trend upwards that the line explains: its crossing is forecast
  Falling,       // the same, downwards
  Step,          // one jump makes most of the range, or two levels fit better than a line
  Reset,         // one reset, and too little history after it to judge
  Sawtooth,      // two or more resets (a GC, restarts); forecasts from the troughs only
  Noisy,         // not flat, but the line explains too little of it
};
// "insufficient", "flat", "rising", "falling", "step", "reset", "sawtooth", "noisy".
const char* shape_name(Shape shape);

struct TrendOptions {
  double threshold = std::numeric_limits<double>::quiet_NaN();  // NaN: no threshold, no forecast
  std::int64_t horizon_ms = 30 * 60'000;  // a crossing later than now + horizon is not reported
  std::size_t min_samples = 8;            // at least 3 are required whatever this says
  double min_r2 = 0.6;                    // fit quality needed to call a trend
};

struct Trend {
  Shape shape = Shape::Insufficient;
  // Used by the fit: for Sawtooth the troughs fitted; for Insufficient and Reset the usable
  // samples (after the reset) that were too few.
  std::size_t samples = 0;
  std::int64_t span_ms = 0;  // of the samples counted above (saturates at the int64 maximum)
  double slope_per_s = 0;    // robust (Theil–Sen) slope, units per second
  double level = std::numeric_limits<double>::quiet_NaN();  // the fitted value at now
  double last = std::numeric_limits<double>::quiet_NaN();   // the newest sample
  double r2 = 0;           // coefficient of determination of the robust line, in [0, 1]
  double spread = 0;       // robust residual sigma: 1.4826 * MAD of residuals
  std::size_t resets = 0;  // drops recognised as resets (restart, counter reset, GC)
  std::optional<std::int64_t> time_to_threshold_ms;  // from now; 0 when already at or above
  bool forecast() const { return time_to_threshold_ms.has_value(); }
};

// The trend of `samples` (oldest first; see docs/ai-trend.md for unsorted input, duplicate
// timestamps, NaN and infinities) as seen at `now_ms`. Any input is valid: nothing but running
// out of memory makes it fail. O(n log n) in the samples; the pairwise slopes are taken over
// at most 256 of them.
Trend fit_trend(std::span<const Sample> samples, std::int64_t now_ms, const TrendOptions& options);

}  // namespace skippy::analysis
