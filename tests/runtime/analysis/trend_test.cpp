// The trend analysis of `ai.analyze` on fixed series, one rule each (docs/ai-trend.md): the
// robust line and its crossing, noise, steps, resets, GC sawtooth, the horizon, input it
// must survive (NaN, infinities, empty, extreme timestamps and values, disorder), and a
// fuzz-ish loop of arbitrary input that must keep the result's invariants.
#define BOOST_TEST_MODULE trend
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <vector>

#include "bench/rng.hpp"
#include "runtime/analysis/trend.hpp"

namespace skippy::analysis {
std::ostream& operator<<(std::ostream& out, Shape shape) {
  return out << shape_name(shape);
}
}  // namespace skippy::analysis

using namespace skippy::analysis;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // an ordinary epoch timestamp, in ms
constexpr std::int64_t kStep = 15'000;           // one sample every 15 s
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::int64_t time_at(std::size_t i, std::int64_t t0 = kT0) {
  return t0 + static_cast<std::int64_t>(i) * kStep;
}

std::vector<Sample> series(std::size_t n, const std::function<double(std::size_t)>& value,
                           std::int64_t t0 = kT0) {
  std::vector<Sample> s;
  for (std::size_t i = 0; i < n; ++i) s.push_back({time_at(i, t0), value(i)});
  return s;
}

// Deterministic pseudo-noise: the benchmarks' SplitMix64, uniform in [-1, 1): sigma 1/sqrt(3).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t bits() { return rng_.next(); }
  double next() { return rng_.unit() * 2 - 1; }

 private:
  skippy::bench::Rng rng_;
};

TrendOptions threshold_at(double threshold, std::int64_t horizon_ms = 30 * 60'000) {
  TrendOptions o;
  o.threshold = threshold;
  o.horizon_ms = horizon_ms;
  return o;
}

// The clean line of several cases: 10 + 0.5 a sample (1/30 a second), 120 samples; now is
// the newest (i = 119, value 69.5), so 100 is crossed after 30.5 * 30 s = 915 s.
std::vector<Sample> clean_line() {
  return series(120, [](std::size_t i) { return 10 + 0.5 * static_cast<double>(i); });
}
const std::int64_t kCleanNow = time_at(119);

bool same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

bool same(const Trend& a, const Trend& b) {
  return a.shape == b.shape && a.samples == b.samples && a.span_ms == b.span_ms &&
         same(a.slope_per_s, b.slope_per_s) && same(a.level, b.level) && same(a.last, b.last) &&
         same(a.r2, b.r2) && same(a.spread, b.spread) && a.resets == b.resets &&
         a.time_to_threshold_ms == b.time_to_threshold_ms;
}

double rise(const Trend& t) {
  return t.slope_per_s * static_cast<double>(t.span_ms) / 1000.0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(shapes_have_their_names) {
  BOOST_TEST(shape_name(Shape::Insufficient) == std::string("insufficient"));
  BOOST_TEST(shape_name(Shape::Flat) == std::string("flat"));
  BOOST_TEST(shape_name(Shape::Rising) == std::string("rising"));
  BOOST_TEST(shape_name(Shape::Falling) == std::string("falling"));
  BOOST_TEST(shape_name(Shape::Step) == std::string("step"));
  BOOST_TEST(shape_name(Shape::Reset) == std::string("reset"));
  BOOST_TEST(shape_name(Shape::Sawtooth) == std::string("sawtooth"));
  BOOST_TEST(shape_name(Shape::Noisy) == std::string("noisy"));
}

BOOST_AUTO_TEST_CASE(a_clean_line_forecasts_its_crossing_exactly) {
  auto t = fit_trend(clean_line(), kCleanNow, threshold_at(100));
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST(t.samples == 120u);
  BOOST_TEST(t.span_ms == 119 * kStep);
  BOOST_TEST(t.slope_per_s == 1.0 / 30, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.level == 69.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.last == 69.5);
  BOOST_TEST(t.r2 == 1.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(std::abs(t.spread) < 1e-12);
  BOOST_TEST(t.resets == 0u);
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 915'000) <= 1);

  // A minute later the line is at 71.5: 28.5 * 30 s = 855 s to go.
  auto later = fit_trend(clean_line(), kCleanNow + 60'000, threshold_at(100));
  BOOST_TEST(later.level == 71.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(later.forecast());
  BOOST_TEST(std::abs(*later.time_to_threshold_ms - 855'000) <= 1);
}

BOOST_AUTO_TEST_CASE(noise_on_a_line_keeps_the_crossing_close) {
  Noise noise(1);
  // The clean line plus noise of sigma 1.15: a rise of 59.5 over the window (SNR ~50).
  auto s = series(
      120, [&](std::size_t i) { return 10 + 0.5 * static_cast<double>(i) + 2 * noise.next(); });
  auto t = fit_trend(s, kCleanNow, threshold_at(100));
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST(t.r2 > 0.99);
  BOOST_TEST(t.spread > 0.8);
  BOOST_TEST(t.spread < 1.6);
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 915'000) < 0.03 * 915'000);
}

BOOST_AUTO_TEST_CASE(flat_noise_is_flat_and_forecasts_nothing) {
  Noise noise(2);
  auto s = series(120, [&](std::size_t) { return 100 + noise.next(); });
  // Any horizon: no crossing is forecast, however far.
  auto t = fit_trend(s, time_at(119), threshold_at(103, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("flat"));
  BOOST_TEST(std::abs(rise(t)) <= 3 * t.spread);
  BOOST_TEST(!t.forecast());
  BOOST_TEST(t.level == 100, boost::test_tools::tolerance(0.005));
}

BOOST_AUTO_TEST_CASE(a_falling_line_is_falling_and_forecasts_nothing) {
  auto s = series(120, [](std::size_t i) { return 100 - 0.5 * static_cast<double>(i); });
  auto t = fit_trend(s, time_at(119), threshold_at(200, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("falling"));
  BOOST_TEST(t.slope_per_s == -1.0 / 30, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!t.forecast());
}

BOOST_AUTO_TEST_CASE(a_weak_trend_in_noise_is_noisy) {
  // A rise of 4 over the window under noise of sigma 1: more than 3 sigmas, but the line
  // explains under 60% of the variance.
  Noise noise(3);
  auto s = series(120, [&](std::size_t i) {
    return 4.0 * static_cast<double>(i) / 119 + std::sqrt(3.0) * noise.next();
  });
  auto t = fit_trend(s, time_at(119), threshold_at(10, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("noisy"));
  BOOST_TEST(t.r2 < 0.6);
  BOOST_TEST(std::abs(rise(t)) > 3 * t.spread);
  BOOST_TEST(!t.forecast());
}

BOOST_AUTO_TEST_CASE(a_step_near_the_end_is_a_step_without_forecast) {
  Noise noise(4);
  // Flat at 50 (noise +-0.5), then 80 for the last 8 samples: a burst, a deploy.
  auto s = series(120, [&](std::size_t i) { return (i < 112 ? 50 : 80) + 0.5 * noise.next(); });
  auto t = fit_trend(s, time_at(119), threshold_at(100, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("step"));
  BOOST_TEST(t.resets == 0u);
  BOOST_TEST(!t.forecast());

  // One spike on the newest sample is a step too.
  s.back().value = 80;
  for (std::size_t i = 112; i + 1 < s.size(); ++i) s[i].value -= 30;
  auto spike = fit_trend(s, time_at(119), threshold_at(100, kI64Max));
  BOOST_TEST(shape_name(spike.shape) == std::string("step"));
  BOOST_TEST(!spike.forecast());
}

BOOST_AUTO_TEST_CASE(a_ramp_in_the_middle_is_a_step_not_a_trend) {
  // Flat at 50, a ramp of 6 intervals to 60 in the middle, flat at 60: no 3 intervals make
  // 65% of the range, but two flat levels fit better than any line.
  Noise noise(5);
  auto s = series(120, [&](std::size_t i) {
    double level = i < 58 ? 50 : i < 64 ? 50 + 10.0 * static_cast<double>(i - 58) / 6 : 60;
    return level + 0.5 * noise.next();
  });
  auto t = fit_trend(s, time_at(119), threshold_at(70, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("step"));
  BOOST_TEST(t.r2 >= 0.6);  // the line alone would have been called a trend
  BOOST_TEST(!t.forecast());
}

BOOST_AUTO_TEST_CASE(one_reset_then_a_rise_fits_only_after_the_reset) {
  // 500 for 60 samples, a restart to 100, then +1 a sample: the whole window falls, the
  // segment after the reset rises 1/15 a second from 100 to 159; 200 is 41 samples away.
  auto s = series(
      120, [](std::size_t i) { return i < 60 ? 500.0 : 100.0 + static_cast<double>(i - 60); });
  auto t = fit_trend(s, time_at(119), threshold_at(200));
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST(t.resets == 1u);
  BOOST_TEST(t.samples == 60u);
  BOOST_TEST(t.span_ms == 59 * kStep);
  BOOST_TEST(t.slope_per_s == 1.0 / 15, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.level == 159, boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 41 * kStep) <= 1);
}

BOOST_AUTO_TEST_CASE(an_isolated_glitch_is_ignored_not_a_reset) {
  // One scrape of 0 in the middle of the clean line, and one of 500: each jumps away from
  // both neighbours and straight back, so it is dropped; the rest is the clean line.
  auto clean = fit_trend(clean_line(), kCleanNow, threshold_at(100));
  for (double glitch : {0.0, 500.0}) {
    auto s = clean_line();
    s[60].value = glitch;
    auto t = fit_trend(s, kCleanNow, threshold_at(100));
    BOOST_TEST(shape_name(t.shape) == std::string("rising"));
    BOOST_TEST(t.resets == 0u);
    BOOST_TEST(t.samples == 119u);
    BOOST_TEST(t.slope_per_s == clean.slope_per_s, boost::test_tools::tolerance(1e-12));
    BOOST_TEST_REQUIRE(t.forecast());
    BOOST_TEST(std::abs(*t.time_to_threshold_ms - 915'000) <= 1);
  }
  // Two low scrapes in a row are not a glitch but a reset: the fit starts at them (60
  // samples), and the robust line passes them by.
  auto s = clean_line();
  s[60].value = s[61].value = 0;
  auto t = fit_trend(s, kCleanNow, threshold_at(100));
  BOOST_TEST(t.resets == 1u);
  BOOST_TEST(t.samples == 60u);
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST(t.slope_per_s == clean.slope_per_s, boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 915'000) <= 1);
}

BOOST_AUTO_TEST_CASE(a_reset_too_recent_to_fit_is_a_reset) {
  Noise noise(6);
  auto s = series(120, [&](std::size_t i) {
    return i < 117 ? 100 + 0.5 * noise.next() : 10.0 + static_cast<double>(i - 117);
  });
  auto t = fit_trend(s, time_at(119), threshold_at(50, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("reset"));
  BOOST_TEST(t.resets == 1u);
  BOOST_TEST(t.samples == 3u);  // after the reset: too few to fit
  BOOST_TEST(std::isnan(t.level));
  BOOST_TEST(t.last == 12);
  BOOST_TEST(!t.forecast());
  // The newest sample at or above the threshold still says so.
  auto above = fit_trend(s, time_at(119), threshold_at(12));
  BOOST_TEST_REQUIRE(above.forecast());
  BOOST_TEST(*above.time_to_threshold_ms == 0);
}

// A GC sawtooth of 15 cycles of 8 samples: the heap grows by 10 a sample from trough k,
// 100 + `leak` * k, and is collected back to the next trough.
std::vector<Sample> sawtooth(double leak, double noise_amplitude = 0) {
  Noise noise(7);
  return series(120, [&](std::size_t i) {
    double trough = 100 + leak * static_cast<double>(i / 8);
    return trough + 10.0 * static_cast<double>(i % 8) + noise_amplitude * noise.next();
  });
}

BOOST_AUTO_TEST_CASE(a_gc_sawtooth_with_rising_troughs_forecasts_from_the_troughs) {
  // Troughs 102, 104, ... 128 at samples 8, 16, ... 112: 2 every 120 s, the line 100 + x/60
  // (x seconds since the first sample); at now (x = 1785) 129.75; 300 is 170.25 * 60 s on.
  auto s = sawtooth(2);
  auto t = fit_trend(s, time_at(119), threshold_at(300, 4 * 3'600'000));
  BOOST_TEST(shape_name(t.shape) == std::string("sawtooth"));
  BOOST_TEST(t.resets == 14u);
  BOOST_TEST(t.samples == 14u);  // the troughs after each collection
  BOOST_TEST(t.span_ms == 13 * 8 * kStep);
  BOOST_TEST(t.slope_per_s == 1.0 / 60, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.level == 129.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.last == 198);
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 10'215'000) <= 1);
  // Beyond the default 30-minute horizon.
  BOOST_TEST(!fit_trend(s, time_at(119), threshold_at(300)).forecast());
}

BOOST_AUTO_TEST_CASE(a_flat_gc_sawtooth_forecasts_nothing) {
  for (double noise : {0.0, 0.5}) {
    auto t = fit_trend(sawtooth(0, noise), time_at(119), threshold_at(300, kI64Max));
    BOOST_TEST(shape_name(t.shape) == std::string("sawtooth"));
    BOOST_TEST(t.resets == 14u);
    BOOST_TEST(t.level == 100, boost::test_tools::tolerance(0.01));
    BOOST_TEST(!t.forecast(), "noise " << noise);
  }
}

BOOST_AUTO_TEST_CASE(two_resets_are_a_sawtooth_without_forecast) {
  // Two collections, each segment rising fast; two troughs are too few to fit.
  auto s = series(120, [](std::size_t i) { return 100 + 1.25 * static_cast<double>(i % 40); });
  auto t = fit_trend(s, time_at(119), threshold_at(160, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("sawtooth"));
  BOOST_TEST(t.resets == 2u);
  BOOST_TEST(t.samples == 2u);
  BOOST_TEST(std::isnan(t.level));
  BOOST_TEST(!t.forecast());
}

BOOST_AUTO_TEST_CASE(nan_and_infinities_are_ignored) {
  auto clean = fit_trend(clean_line(), kCleanNow, threshold_at(100));
  std::vector<Sample> s;
  for (const auto& sample : clean_line()) {
    s.push_back({sample.time_ms - 5'000, kNaN});
    s.push_back(sample);
    s.push_back({sample.time_ms, kNaN});  // a duplicate timestamp, but not a usable value
    s.push_back({sample.time_ms + 5'000, sample.time_ms % 2 ? kInf : -kInf});
  }
  BOOST_TEST(same(fit_trend(s, kCleanNow, threshold_at(100)), clean));
}

BOOST_AUTO_TEST_CASE(empty_and_single_samples_are_insufficient) {
  auto empty = fit_trend({}, kT0, threshold_at(100));
  BOOST_TEST(shape_name(empty.shape) == std::string("insufficient"));
  BOOST_TEST(empty.samples == 0u);
  BOOST_TEST(std::isnan(empty.last));
  BOOST_TEST(std::isnan(empty.level));
  BOOST_TEST(!empty.forecast());

  std::vector<Sample> nothing_usable{{kT0, kNaN}, {kT0 + 1, kInf}};
  BOOST_TEST(same(fit_trend(nothing_usable, kT0, threshold_at(100)), empty));

  // Insufficient never forecasts, even above the threshold.
  std::vector<Sample> one{{kT0, 500}};
  auto t = fit_trend(one, kT0, threshold_at(100));
  BOOST_TEST(shape_name(t.shape) == std::string("insufficient"));
  BOOST_TEST(t.samples == 1u);
  BOOST_TEST(t.last == 500);
  BOOST_TEST(!t.forecast());
}

BOOST_AUTO_TEST_CASE(too_few_samples_or_too_short_a_span_are_insufficient) {
  auto line = [](std::size_t i) { return static_cast<double>(i); };
  auto seven = fit_trend(series(7, line), time_at(6), threshold_at(7));
  BOOST_TEST(shape_name(seven.shape) == std::string("insufficient"));
  BOOST_TEST(seven.samples == 7u);
  BOOST_TEST(!seven.forecast());
  BOOST_TEST(shape_name(fit_trend(series(8, line), time_at(7), {}).shape) == std::string("rising"));

  // With min_samples lowered, a span of 4 median intervals is still needed: 5 regular
  // samples, not 4. min_samples below 3 counts as 3.
  TrendOptions few;
  few.min_samples = 3;
  BOOST_TEST(shape_name(fit_trend(series(4, line), time_at(3), few).shape) ==
             std::string("insufficient"));
  BOOST_TEST(shape_name(fit_trend(series(5, line), time_at(4), few).shape) ==
             std::string("rising"));
  few.min_samples = 0;
  BOOST_TEST(shape_name(fit_trend(series(2, line), time_at(1), few).shape) ==
             std::string("insufficient"));
}

BOOST_AUTO_TEST_CASE(already_at_or_above_the_threshold_is_zero) {
  for (double threshold : {69.5, 60.0, -kInf}) {
    auto t = fit_trend(clean_line(), kCleanNow, threshold_at(threshold));
    BOOST_TEST_REQUIRE(t.forecast());
    BOOST_TEST(*t.time_to_threshold_ms == 0);
  }
  // Whatever the shape: flat noise whose newest sample touches the threshold.
  Noise noise(8);
  auto s = series(120, [&](std::size_t) { return 100 + noise.next(); });
  auto flat = fit_trend(s, time_at(119), threshold_at(s.back().value));
  BOOST_TEST(shape_name(flat.shape) == std::string("flat"));
  BOOST_TEST_REQUIRE(flat.forecast());
  BOOST_TEST(*flat.time_to_threshold_ms == 0);
  // A rising line whose level at now (10 minutes on: 89.5) is past the threshold, though
  // its newest sample (69.5) is not.
  auto on = fit_trend(clean_line(), kCleanNow + 600'000, threshold_at(80));
  BOOST_TEST(on.level == 89.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST_REQUIRE(on.forecast());
  BOOST_TEST(*on.time_to_threshold_ms == 0);
  // No threshold, no forecast.
  BOOST_TEST(!fit_trend(clean_line(), kCleanNow, {}).forecast());
}

BOOST_AUTO_TEST_CASE(a_crossing_beyond_the_horizon_is_not_reported) {
  BOOST_TEST(!fit_trend(clean_line(), kCleanNow, threshold_at(100, 914'000)).forecast());
  auto at = fit_trend(clean_line(), kCleanNow, threshold_at(100, 915'000));
  BOOST_TEST_REQUIRE(at.forecast());
  BOOST_TEST(*at.time_to_threshold_ms == 915'000);
  // A negative horizon reports nothing, not even "already above".
  BOOST_TEST(!fit_trend(clean_line(), kCleanNow, threshold_at(0, -1)).forecast());
  // A threshold of +inf is never crossed.
  BOOST_TEST(!fit_trend(clean_line(), kCleanNow, threshold_at(kInf, kI64Max)).forecast());
}

BOOST_AUTO_TEST_CASE(extreme_timestamps_are_exact) {
  auto clean = fit_trend(clean_line(), kCleanNow, threshold_at(100));
  auto value = [](std::size_t i) { return 10 + 0.5 * static_cast<double>(i); };
  // The same line ending at the int64 maximum, and starting at the minimum.
  std::int64_t top_start = kI64Max - 119 * kStep;
  auto top = fit_trend(series(120, value, top_start), kI64Max, threshold_at(100));
  BOOST_TEST(same(top, clean));
  auto bottom = fit_trend(series(120, value, kI64Min), time_at(119, kI64Min), threshold_at(100));
  BOOST_TEST(same(bottom, clean));

  // Now at the other end of time: the line is extrapolated ~2.9e8 years back or forth.
  auto past = fit_trend(series(120, value, top_start), kI64Min, threshold_at(100, kI64Max));
  BOOST_TEST(shape_name(past.shape) == std::string("rising"));
  BOOST_TEST(!past.forecast());  // the crossing is more than int64 milliseconds away
  auto future = fit_trend(series(120, value, kI64Min), kI64Max, threshold_at(100, kI64Max));
  BOOST_TEST_REQUIRE(future.forecast());
  BOOST_TEST(*future.time_to_threshold_ms == 0);

  // Samples over the whole int64 range: the span saturates.
  std::vector<Sample> wide;
  for (std::int64_t k = 0; k < 8; ++k)
    wide.push_back({kI64Min + k * (std::int64_t{1} << 61), 1.0 * static_cast<double>(k)});
  wide.push_back({kI64Max, 8});
  auto w = fit_trend(wide, kI64Max, threshold_at(100, kI64Max));
  BOOST_TEST(w.samples == 9u);
  BOOST_TEST(w.span_ms == kI64Max);
  BOOST_TEST(shape_name(w.shape) == std::string("rising"));
}

BOOST_AUTO_TEST_CASE(extreme_values_are_scaled_not_overflowed) {
  // A line from -8.9e307 to 8.9e307: its differences would overflow unscaled.
  constexpr double kUnit = 1.5e306;
  auto huge = series(120, [&](std::size_t i) { return (static_cast<double>(i) - 59.5) * kUnit; });
  double top = std::numeric_limits<double>::max();
  auto h = fit_trend(huge, time_at(119), threshold_at(top, kI64Max));
  BOOST_TEST(shape_name(h.shape) == std::string("rising"));
  BOOST_TEST(h.slope_per_s == kUnit / 15, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(h.level == 59.5 * kUnit, boost::test_tools::tolerance(1e-9));
  BOOST_TEST_REQUIRE(h.forecast());
  double expected_ms = (top - 59.5 * kUnit) / (kUnit / 15) * 1000;  // 905,193.1
  BOOST_TEST(std::abs(static_cast<double>(*h.time_to_threshold_ms) - expected_ms) <= 1);

  // Subnormal values: the same line as the clean one, times 1e-310.
  auto tiny =
      series(120, [](std::size_t i) { return (10 + 0.5 * static_cast<double>(i)) * 1e-310; });
  auto t = fit_trend(tiny, kCleanNow, threshold_at(100e-310));
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 915'000) < 100);

  // The largest magnitudes both ways, alternating: no trend, and finite or infinite
  // numbers, never undefined behaviour.
  auto wild = series(120, [&](std::size_t i) { return i % 2 ? top : -top; });
  auto x = fit_trend(wild, time_at(119), threshold_at(0, kI64Max));
  BOOST_TEST(x.r2 >= 0);
  BOOST_TEST(x.r2 <= 1);
  BOOST_TEST(shape_name(x.shape) != std::string("rising"));
}

BOOST_AUTO_TEST_CASE(unsorted_input_is_sorted_and_the_last_duplicate_wins) {
  auto clean = fit_trend(clean_line(), kCleanNow, threshold_at(100));
  auto reversed = clean_line();
  std::reverse(reversed.begin(), reversed.end());
  BOOST_TEST(same(fit_trend(reversed, kCleanNow, threshold_at(100)), clean));
  auto shuffled = clean_line();
  for (std::size_t i = 0; i < shuffled.size(); ++i)
    std::swap(shuffled[i], shuffled[(i * 37 + 11) % shuffled.size()]);
  BOOST_TEST(same(fit_trend(shuffled, kCleanNow, threshold_at(100)), clean));

  // Two samples with one timestamp: the one given last is used.
  auto s = clean_line();
  s.insert(s.begin() + 50, Sample{time_at(50), 1000});  // given first: replaced
  BOOST_TEST(same(fit_trend(s, kCleanNow, threshold_at(100)), clean));
  s.push_back({time_at(119), 1000});  // given last: the newest value is 1000
  auto newest = fit_trend(s, kCleanNow, threshold_at(100));
  BOOST_TEST(newest.last == 1000);
  BOOST_TEST_REQUIRE(newest.forecast());
  BOOST_TEST(*newest.time_to_threshold_ms == 0);
}

BOOST_AUTO_TEST_CASE(long_histories_fit_a_subsample_exactly) {
  // 100,000 samples a second apart on a line of 0.001 a second: the pairwise slopes come from
  // 256 of them, the level from all.
  std::vector<Sample> s;
  for (std::int64_t i = 0; i < 100'000; ++i)
    s.push_back({kT0 + i * 1000, 0.001 * static_cast<double>(i)});
  auto t = fit_trend(s, s.back().time_ms, threshold_at(200, kI64Max));
  BOOST_TEST(shape_name(t.shape) == std::string("rising"));
  BOOST_TEST(t.samples == 100'000u);
  BOOST_TEST(t.slope_per_s == 0.001, boost::test_tools::tolerance(1e-9));
  BOOST_TEST_REQUIRE(t.forecast());
  BOOST_TEST(std::abs(*t.time_to_threshold_ms - 100'001'000) <= 1);  // (200 - 99.999) / 0.001 s
}

BOOST_AUTO_TEST_CASE(arbitrary_input_keeps_the_invariants) {
  Noise rng(9);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng.bits() % n); };
  const double top = std::numeric_limits<double>::max();
  const double values[] = {kNaN,
                           kInf,
                           -kInf,
                           top,
                           -top,
                           std::numeric_limits<double>::denorm_min(),
                           -std::numeric_limits<double>::denorm_min(),
                           0.0,
                           -0.0,
                           1.0,
                           1e-300};
  const std::int64_t horizons[] = {0, -1, kI64Max, kI64Min, 1, 30 * 60'000};
  const std::size_t min_samples[] = {0, 1, 2, 3, 8, 1000, std::numeric_limits<std::size_t>::max()};
  const double min_r2[] = {kNaN, -1.0, 0.0, 0.6, 1.0, 2.0, kInf};
  for (int round = 0; round < 3000; ++round) {
    std::size_t n = pick(4) == 0 ? pick(4) : pick(300);
    std::vector<Sample> s;
    std::int64_t t = pick(3) == 0 ? kI64Min : static_cast<std::int64_t>(rng.bits());
    double level = rng.next() * 100;
    for (std::size_t i = 0; i < n; ++i) {
      switch (pick(4)) {
        case 0:
          t = static_cast<std::int64_t>(rng.bits());
          break;  // anywhere
        case 1:
          break;  // a duplicate
        default:
          t = t > kI64Max - 60'000 ? t : t + static_cast<std::int64_t>(pick(60'000));
      }
      double v;
      switch (pick(5)) {
        case 0:
          v = values[pick(std::size(values))];
          break;
        case 1:
          v = std::ldexp(rng.next(), static_cast<int>(pick(2098)) - 1074);
          break;
        case 2:
          level -= 50 * rng.next() * rng.next();
          v = level;
          break;  // drops
        default:
          level += rng.next();
          v = level;
      }
      s.push_back({t, v});
    }
    TrendOptions o;
    o.threshold = pick(3) == 0 ? values[pick(std::size(values))] : level + 10 * rng.next();
    o.horizon_ms =
        pick(2) ? horizons[pick(std::size(horizons))] : static_cast<std::int64_t>(rng.bits());
    o.min_samples = pick(2) ? 8 : min_samples[pick(std::size(min_samples))];
    o.min_r2 = pick(2) ? 0.6 : min_r2[pick(std::size(min_r2))];
    std::int64_t now = pick(2) && n > 0 ? s.back().time_ms : static_cast<std::int64_t>(rng.bits());

    auto a = fit_trend(s, now, o);
    BOOST_TEST_CONTEXT("round " << round << ", " << n << " samples") {
      BOOST_TEST(same(a, fit_trend(s, now, o)));  // deterministic
      BOOST_TEST(a.r2 >= 0);
      BOOST_TEST(a.r2 <= 1);
      BOOST_TEST(!(a.spread < 0));
      BOOST_TEST(a.samples <= n);
      BOOST_TEST(a.span_ms >= 0);
      if (a.forecast()) {
        BOOST_TEST(*a.time_to_threshold_ms >= 0);
        BOOST_TEST(*a.time_to_threshold_ms <= o.horizon_ms);
        BOOST_TEST(!std::isnan(o.threshold));
        BOOST_TEST(a.shape != Shape::Insufficient);
      }
      if (a.shape == Shape::Sawtooth) BOOST_TEST(a.resets >= 2u);
      if (a.shape == Shape::Reset) BOOST_TEST(a.resets == 1u);
      if (a.resets >= 2) BOOST_TEST(a.shape == Shape::Sawtooth);
    }
  }
}
