// The rules this file implements, with their numbers, are written out in docs/ai-trend.md;
// the constants below are the ones named there.
#include "runtime/analysis/trend.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace skippy::analysis {

const char* shape_name(Shape shape) {
  switch (shape) {
    case Shape::Insufficient:
      return "insufficient";
    case Shape::Flat:
      return "flat";
    case Shape::Rising:
      return "rising";
    case Shape::Falling:
      return "falling";
    case Shape::Step:
      return "step";
    case Shape::Reset:
      return "reset";
    case Shape::Sawtooth:
      return "sawtooth";
    case Shape::Noisy:
      return "noisy";
  }
  return "insufficient";
}

namespace {

constexpr std::size_t kMinSamplesFloor = 3;       // whatever options.min_samples says
constexpr double kMinSpanIntervals = 4;           // a span shorter than 4 median intervals
constexpr std::size_t kMaxPairwiseSamples = 256;  // Theil–Sen's pairs over at most these
constexpr double kMadToSigma = 1.4826;            // MAD of a Gaussian times this is its sigma
constexpr double kResetNoise = 6;                 // a reset drops more than 6 noise sigmas
constexpr double kResetRange = 0.10;              // ... and more than 10% of the range
constexpr double kStepNoise = 6;                  // a step jumps more than 6 noise sigmas
constexpr double kStepRange = 0.65;               // ... and makes more than 65% of the range
constexpr std::size_t kStepIntervals = 3;         // ... within at most 3 sample intervals
constexpr double kTrendNoise = 3;                 // a trend rises more than 3 residual sigmas
constexpr std::size_t kMinTroughs = 3;            // a sawtooth's troughs fitted from 3

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMaxMs = std::numeric_limits<std::int64_t>::max();

// One usable sample. x: seconds since the oldest usable sample (exact below 2^53 ms of
// span, whatever the timestamps' magnitude). y: the value times 2^-exponent, so that every
// |y| <= 1: differences and sums of squares cannot overflow, and since the scale is a power of
// two the arithmetic is the same as on the values themselves.
struct Point {
  double x;
  double y;
  std::int64_t t;
};

// Seconds from `from` to `to` (negative when `to` is earlier); no signed overflow.
double seconds_between(std::int64_t from, std::int64_t to) {
  auto uf = static_cast<std::uint64_t>(from), ut = static_cast<std::uint64_t>(to);
  if (to >= from) return static_cast<double>(ut - uf) / 1000.0;
  return -static_cast<double>(uf - ut) / 1000.0;
}

// Milliseconds from `from` to `to` >= `from`, saturating at the int64 maximum.
std::int64_t span_between(std::int64_t from, std::int64_t to) {
  auto d = static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from);
  return d > static_cast<std::uint64_t>(kMaxMs) ? kMaxMs : static_cast<std::int64_t>(d);
}

// The median of `v` (reordered); NaN when empty. Even sizes: the mean of the middle two.
double median_of(std::vector<double>& v) {
  if (v.empty()) return kNaN;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double hi = *mid;
  if (v.size() % 2 == 1) return hi;
  double lo = *std::max_element(v.begin(), mid);
  return lo + (hi - lo) / 2;
}

// 1.4826 * the median absolute deviation from the median of `v` (reordered).
double robust_sigma(std::vector<double>& v) {
  if (v.empty()) return 0;
  double m = median_of(v);
  for (double& d : v) d = std::abs(d - m);
  return kMadToSigma * median_of(v);
}

// The finite samples, in time order, one per timestamp (the last given), scaled.
struct Series {
  std::vector<Point> points;
  int exponent = 0;  // value = y * 2^exponent
  double last = kNaN;
};

Series prepare(std::span<const Sample> samples) {
  std::vector<Sample> kept;
  kept.reserve(samples.size());
  for (const auto& s : samples)
    if (std::isfinite(s.value)) kept.push_back(s);
  auto by_time = [](const Sample& a, const Sample& b) { return a.time_ms < b.time_ms; };
  if (!std::is_sorted(kept.begin(), kept.end(), by_time))
    std::stable_sort(kept.begin(), kept.end(), by_time);
  // Of equal timestamps (adjacent now, in the order given) keep the last.
  std::size_t out = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (out > 0 && kept[out - 1].time_ms == kept[i].time_ms)
      kept[out - 1] = kept[i];
    else
      kept[out++] = kept[i];
  }
  kept.resize(out);

  Series series;
  if (kept.empty()) return series;
  double max_abs = 0;
  for (const auto& s : kept) max_abs = std::max(max_abs, std::abs(s.value));
  if (max_abs > 0) std::frexp(max_abs, &series.exponent);
  series.points.reserve(kept.size());
  std::int64_t t0 = kept.front().time_ms;
  for (const auto& s : kept)
    series.points.push_back(
        {seconds_between(t0, s.time_ms), std::ldexp(s.value, -series.exponent), s.time_ms});
  series.last = kept.back().value;
  return series;
}

using Points = std::span<const Point>;

// Enough to judge: at least `min_n` samples over at least 4 median sample intervals.
bool enough(Points p, std::size_t min_n) {
  if (p.size() < std::max(min_n, kMinSamplesFloor)) return false;
  std::vector<double> intervals;
  intervals.reserve(p.size() - 1);
  for (std::size_t i = 1; i < p.size(); ++i) intervals.push_back(p[i].x - p[i - 1].x);
  double span = p.back().x - p.front().x;
  return span > 0 && span >= kMinSpanIntervals * median_of(intervals);
}

// How the values change from sample to sample. `rate`: the median of the interval rates
// (change / seconds). excess[i]: the change over interval i (from sample i to i + 1) minus
// what that rate predicts for its length. `noise`: the robust sigma of the excesses (about
// sqrt(2) times the samples' own noise).
struct Changes {
  double rate = 0;
  double noise = 0;
  double range = 0;  // max - min of the values
  std::vector<double> excess;
};

Changes changes_of(Points p) {
  Changes c;
  if (p.empty()) return c;
  auto [lo, hi] = std::minmax_element(p.begin(), p.end(),
                                      [](const Point& a, const Point& b) { return a.y < b.y; });
  c.range = hi->y - lo->y;
  std::vector<double> rates;
  for (std::size_t i = 1; i < p.size(); ++i) {
    double dx = p[i].x - p[i - 1].x;
    if (dx > 0) rates.push_back((p[i].y - p[i - 1].y) / dx);
  }
  c.rate = rates.empty() ? 0 : median_of(rates);
  c.excess.reserve(p.size());
  for (std::size_t i = 1; i < p.size(); ++i)
    c.excess.push_back((p[i].y - p[i - 1].y) - c.rate * (p[i].x - p[i - 1].x));
  std::vector<double> scratch = c.excess;
  c.noise = robust_sigma(scratch);
  return c;
}

// The robust line: Theil–Sen slope (the median of the pairwise slopes, over at most 256
// evenly spaced samples), the intercept the median of y - slope * x over all samples, and
// the R² and robust residual sigma of that line over all samples. `at` is the x the
// intercept is taken at (the newest sample's).
struct Fit {
  double slope = 0;
  double at = 0;
  double intercept = 0;  // the line's value at x = at
  double r2 = 0;
  double spread = 0;
  double span = 0;    // seconds
  double ss_res = 0;  // the sum of the squared residuals

  double value_at(double x) const { return intercept + slope * (x - at); }
  double rise() const { return slope * span; }
};

Fit fit_line(Points p) {
  Fit f;
  std::size_t m = p.size();
  if (m == 0) return f;
  f.at = p.back().x;
  f.span = p.back().x - p.front().x;
  std::vector<std::size_t> picks;
  if (m <= kMaxPairwiseSamples) {
    picks.resize(m);
    for (std::size_t i = 0; i < m; ++i) picks[i] = i;
  } else {
    // i * (m - 1) / 255 without overflowing: m - 1 = q * 255 + r.
    std::size_t last = kMaxPairwiseSamples - 1, q = (m - 1) / last, r = (m - 1) % last;
    picks.resize(kMaxPairwiseSamples);
    for (std::size_t i = 0; i < kMaxPairwiseSamples; ++i) picks[i] = i * q + i * r / last;
  }
  std::vector<double> slopes;
  slopes.reserve(picks.size() * (picks.size() - 1) / 2);
  for (std::size_t a = 0; a < picks.size(); ++a) {
    for (std::size_t b = a + 1; b < picks.size(); ++b) {
      const Point &pa = p[picks[a]], &pb = p[picks[b]];
      double dx = pb.x - pa.x;
      if (dx > 0) slopes.push_back((pb.y - pa.y) / dx);
    }
  }
  f.slope = slopes.empty() ? 0 : median_of(slopes);

  std::vector<double> offsets(m);
  for (std::size_t i = 0; i < m; ++i) offsets[i] = p[i].y - f.slope * (p[i].x - f.at);
  f.intercept = median_of(offsets);

  double mean = 0;
  for (const auto& q : p) mean += q.y;
  mean /= static_cast<double>(m);
  double ss_tot = 0, ss_res = 0;
  std::vector<double> residuals(m);
  for (std::size_t i = 0; i < m; ++i) {
    residuals[i] = p[i].y - f.value_at(p[i].x);
    ss_res += residuals[i] * residuals[i];
    ss_tot += (p[i].y - mean) * (p[i].y - mean);
  }
  f.ss_res = ss_res;
  f.r2 = ss_tot > 0 ? std::clamp(1 - ss_res / ss_tot, 0.0, 1.0) : 0;
  f.spread = robust_sigma(residuals);
  return f;
}

// Flat, Noisy, Rising or Falling, from a line's fit. The noise the rise is compared with is
// the larger of the residual sigma and `noise_floor` (the samples' own noise, from their changes).
Shape shape_of(const Fit& f, double noise_floor, double min_r2) {
  if (std::abs(f.rise()) <= kTrendNoise * std::max(f.spread, noise_floor)) return Shape::Flat;
  if (!(f.r2 >= min_r2)) return Shape::Noisy;
  return f.slope > 0 ? Shape::Rising : Shape::Falling;
}

// The least squared error of two flat levels, split anywhere (each side one sample or more).
double best_split_error(Points p) {
  std::size_t n = p.size();
  if (n < 2) return std::numeric_limits<double>::infinity();
  double mean = 0;
  for (const auto& q : p) mean += q.y;
  mean /= static_cast<double>(n);
  double total1 = 0, total2 = 0;
  for (const auto& q : p) {
    total1 += q.y - mean;
    total2 += (q.y - mean) * (q.y - mean);
  }
  double best = std::numeric_limits<double>::infinity(), left1 = 0, left2 = 0;
  for (std::size_t k = 1; k < n; ++k) {
    double c = p[k - 1].y - mean;
    left1 += c;
    left2 += c * c;
    auto nl = static_cast<double>(k), nr = static_cast<double>(n - k);
    double right1 = total1 - left1, right2 = total2 - left2;
    double error = (left2 - left1 * left1 / nl) + (right2 - right1 * right1 / nr);
    best = std::min(best, error);
  }
  return best;
}

// One jump, over at most 3 intervals, in excess of the median rate, that is more than 4
// noise sigmas and more than 65% of the range.
bool is_step(Points p, const Changes& c) {
  double best = 0;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    for (std::size_t k = 1; k <= kStepIntervals && i + k < p.size(); ++k) {
      const Point &a = p[i], &b = p[i + k];
      best = std::max(best, (b.y - a.y) - c.rate * (b.x - a.x));
    }
  }
  return best > kStepNoise * c.noise && best > kStepRange * c.range;
}

// The jump a reset or a glitch takes: more than 6 noise sigmas and more than 10% of the
// range, in excess of what the median rate predicts.
double jump_limit(const Changes& c) {
  return std::max(kResetNoise * c.noise, kResetRange * c.range);
}

// Without isolated glitches: a sample whose change in and change out both pass the jump
// limit, in opposite directions (a spike up and back, or a dip down and back), while
// neither neighbour is such a sample. The oldest and newest samples are kept.
std::vector<Point> without_glitches(Points p, const Changes& c) {
  double limit = jump_limit(c);
  std::vector<bool> glitch(p.size(), false);
  for (std::size_t i = 1; i + 1 < p.size(); ++i) {
    double in = c.excess[i - 1], out = c.excess[i];
    glitch[i] = (in > limit && out < -limit) || (in < -limit && out > limit);
  }
  std::vector<Point> kept;
  kept.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool isolated = glitch[i] && !glitch[i - 1] && !glitch[i + 1];  // glitch[i]: 0 < i < n - 1
    if (!isolated) kept.push_back(p[i]);
  }
  return kept;
}

// The first sample of each segment that starts with a reset: after a drop between
// consecutive samples that passes the jump limit. Adjacent such drops (one reset caught over
// two scrapes) are one.
std::vector<std::size_t> find_resets(Points p, const Changes& c) {
  std::vector<std::size_t> starts;
  double limit = jump_limit(c);
  bool previous = false;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    bool drop = p[i + 1].y < p[i].y && -c.excess[i] > limit;
    if (drop && previous)
      starts.back() = i + 1;
    else if (drop)
      starts.push_back(i + 1);
    previous = drop;
  }
  return starts;
}

void report_fit(Trend& t, const Fit& f, Points p, double x_now, int exponent) {
  t.samples = p.size();
  t.span_ms = p.empty() ? 0 : span_between(p.front().t, p.back().t);
  t.slope_per_s = std::ldexp(f.slope, exponent);
  t.level = std::ldexp(f.value_at(x_now), exponent);
  t.r2 = f.r2;
  t.spread = std::ldexp(f.spread, exponent);
}

void report_samples(Trend& t, Points p) {
  t.samples = p.size();
  t.span_ms = p.empty() ? 0 : span_between(p.front().t, p.back().t);
}

}  // namespace

Trend fit_trend(std::span<const Sample> samples, std::int64_t now_ms, const TrendOptions& options) {
  Trend t;
  Series series = prepare(samples);
  if (series.points.empty()) return t;
  t.last = series.last;
  if (!enough(series.points, options.min_samples)) {
    report_samples(t, series.points);
    return t;  // Insufficient: no forecast, whatever the values
  }
  Changes changes = changes_of(series.points);
  std::vector<Point> points = without_glitches(series.points, changes);
  Points all = points;
  if (points.size() < series.points.size()) {
    if (!enough(all, options.min_samples)) {
      report_samples(t, all);
      return t;
    }
    changes = changes_of(all);
  }
  double x_now = seconds_between(all.front().t, now_ms);
  std::vector<std::size_t> resets = find_resets(all, changes);
  t.resets = resets.size();
  // The samples' own noise: the changes' sigma / sqrt(2) (a change is the difference of two).
  double noise_floor = changes.noise / std::sqrt(2.0);

  // The line the forecast extrapolates, when the rules allow one.
  std::optional<Fit> trend;
  if (resets.size() <= 1) {
    Points segment = resets.empty() ? all : all.subspan(resets.back());
    if (!resets.empty() && !enough(segment, options.min_samples)) {
      t.shape = Shape::Reset;
      report_samples(t, segment);
    } else {
      Changes seg_changes = resets.empty() ? changes : changes_of(segment);
      Fit f = fit_line(segment);
      report_fit(t, f, segment, x_now, series.exponent);
      t.shape =
          is_step(segment, seg_changes) ? Shape::Step : shape_of(f, noise_floor, options.min_r2);
      // A trend only when the line fits better than two flat levels would.
      bool trend_shape = t.shape == Shape::Rising || t.shape == Shape::Falling;
      if (trend_shape && best_split_error(segment) < f.ss_res) t.shape = Shape::Step;
      if (t.shape == Shape::Rising) trend = f;
    }
  } else {
    // Sawtooth: the minimum of each segment that starts with a reset (the first segment's
    // minimum is not known to follow a collection, so it is left out).
    t.shape = Shape::Sawtooth;
    std::vector<Point> troughs;
    for (std::size_t k = 0; k < resets.size(); ++k) {
      std::size_t end = k + 1 < resets.size() ? resets[k + 1] : all.size();
      auto segment = all.subspan(resets[k], end - resets[k]);
      troughs.push_back(
          *std::min_element(segment.begin(), segment.end(),
                            [](const Point& a, const Point& b) { return a.y < b.y; }));
    }
    if (troughs.size() >= kMinTroughs) {
      Fit f = fit_line(troughs);
      report_fit(t, f, troughs, x_now, series.exponent);
      if (shape_of(f, noise_floor, options.min_r2) == Shape::Rising) trend = f;
    } else {
      report_samples(t, troughs);
    }
  }

  // The forecast: 0 when the newest sample is already at or above the threshold; else, for
  // a rising line, (threshold - level) / slope; reported within the horizon only.
  double threshold = options.threshold;
  if (std::isnan(threshold)) return t;
  std::optional<double> ms;
  if (series.last >= threshold) {
    ms = 0;
  } else if (trend) {
    double level = trend->value_at(x_now), scaled = std::ldexp(threshold, -series.exponent);
    ms = level >= scaled ? 0 : (scaled - level) / trend->slope * 1000.0;
  }
  // 9.2e18 ms is below the int64 maximum; a crossing later is later than any horizon.
  if (ms && *ms < 9.2e18) {
    auto whole = static_cast<std::int64_t>(std::llround(*ms));
    if (whole <= options.horizon_ms) t.time_to_threshold_ms = whole;
  }
  return t;
}

}  // namespace skippy::analysis
