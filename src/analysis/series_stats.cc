#include "analysis/series_stats.h"

#include <algorithm>
#include <cmath>

namespace pprof_trend {

std::string_view TrendClassName(TrendClass c) {
  switch (c) {
    case TrendClass::kGrowing: return "growing";
    case TrendClass::kPlateaued: return "plateaued";
    case TrendClass::kFluctuating: return "fluctuating";
    case TrendClass::kShrinking: return "shrinking";
    case TrendClass::kStable: return "stable";
    case TrendClass::kNew: return "new";
    case TrendClass::kGone: return "gone";
    case TrendClass::kStep: return "step";
    case TrendClass::kMoved: return "moved";
  }
  return "stable";
}

namespace {

constexpr double kSteadyTau = 0.6;
constexpr double kSteadyZ = 1.645;

// A plateau: it grew beyond the noise, then over the last third of the
// steps it did not, and the slowdown itself is beyond the noise (the pace
// over the tail against the pace before it, each with its noise, beyond 2
// standard deviations: at 1.645 (one-sided 5%) 85% of the simulator's
// visible plateaus were recognised instead of 83%, but 1 leak in 43 was
// called plateaued instead of 1 in 77, and testdata/residence's linear
// cache too).
bool Plateaued(const std::vector<double>& y, const PairTolerance& tolerance, bool one_process) {
  const size_t n = y.size();
  if (n < 3 || !one_process) return false;
  const size_t tail = std::max<size_t>(1, (n - 1) / 3);
  const size_t m = n - 1 - tail;
  const double early = y[m] - y[0], late = y[n - 1] - y[m];
  const double early_tolerance = tolerance(0, m), late_tolerance = tolerance(m, n - 1);
  if (early <= early_tolerance || late > late_tolerance) return false;
  const double steps_before = static_cast<double>(m), steps_after = static_cast<double>(tail);
  const double slowdown = early / steps_before - late / steps_after;
  const double sd_before = early_tolerance / kNoiseZ / steps_before, sd_after = late_tolerance / kNoiseZ / steps_after;
  return slowdown > kNoiseZ * std::sqrt(sd_before * sd_before + sd_after * sd_after);
}

// A step: in one process of four or more captures, exactly one step rose
// beyond the noise, none fell beyond it, the captures before it and those
// after it (at least one: a rise at the last capture may not stay) are each
// flat within the noise, and it holds at least three quarters of the
// growth. Returns the capture the step starts from.
std::optional<size_t> StepUp(const std::vector<double>& y, const PairTolerance& tolerance, const SeriesStats& s,
                             bool one_process) {
  const size_t n = y.size();
  if (n < 4 || !one_process || s.steps_up != 1 || s.steps_down != 0) return std::nullopt;
  size_t k = 0;
  while (k + 1 < n && !(y[k + 1] - y[k] > tolerance(k, k + 1))) ++k;
  if (k + 2 >= n) return std::nullopt;
  if (k > 0 && std::fabs(y[k] - y[0]) > tolerance(0, k)) return std::nullopt;
  if (std::fabs(y[n - 1] - y[k + 1]) > tolerance(k + 1, n - 1)) return std::nullopt;
  if (y[k + 1] - y[k] < 0.75 * s.within) return std::nullopt;
  return k;
}

}  // namespace

TrendClass WithinNoiseClass(const SeriesStats& s) {
  return (s.steps_up == 0 && s.steps_down == 0) ? TrendClass::kStable : TrendClass::kFluctuating;
}

SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const NoiseModel& noise) {
  return ComputeSeriesStats(
      y, x, x_in_days, [&](size_t i, size_t j) { return noise.Tolerance(y[i], y[j]); }, Segments{});
}

SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const PairTolerance& tolerance, const Segments& segments) {
  SeriesStats s;
  const size_t n = y.size();
  s.first = y.front();
  s.last = y.back();
  s.delta = s.last - s.first;
  if (std::all_of(y.begin(), y.end(), [&](double v) { return v == s.first; })) {
    // Never changed (most nodes of a long series): what the rest would find.
    for (size_t i = 0; i + 1 < n; ++i) s.steps += SameSegment(segments, i, i + 1) ? 1 : 0;
    s.robust_growth = 0.0 * (x.back() - x.front());
    if (x_in_days) s.per_day = 0.0;
    return s;  // stable, score 0
  }
  double slope;
  KendallPairs kendall;
  if (n <= kAllPairsUpTo) {
    slope = TheilSenSlope(y, x, segments);
    kendall = CountKendallPairs(y, tolerance, segments);
  } else {
    slope = TheilSenSlopeSorted(y, x, segments);
    // Each capture's tolerance: the larger of its steps' (within its process).
    std::vector<double> capture_tolerance(n, 0);
    for (size_t i = 0; i + 1 < n; ++i) {
      if (!SameSegment(segments, i, i + 1)) continue;
      const double t = tolerance(i, i + 1);
      capture_tolerance[i] = std::max(capture_tolerance[i], t);
      capture_tolerance[i + 1] = std::max(capture_tolerance[i + 1], t);
    }
    kendall = CountKendallPairsSorted(y, capture_tolerance, segments);
  }
  s.kendall_tau = kendall.Tau();
  s.robust_growth = slope * (x.back() - x.front());
  if (x_in_days) s.per_day = slope;
  bool never_fell = true, never_rose = true;  // within each process, not by a byte
  int rose = 0, fell = 0;
  double largest_rise = 0, largest_fall = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!SameSegment(segments, i, i + 1)) continue;  // a restart: no step
    ++s.steps;
    double d = y[i + 1] - y[i];
    never_fell = never_fell && d >= 0;
    never_rose = never_rose && d <= 0;
    rose += d > 0 ? 1 : 0;
    fell += d < 0 ? 1 : 0;
    largest_rise = std::max(largest_rise, d);
    largest_fall = std::max(largest_fall, -d);
    double tol = tolerance(i, i + 1);
    if (d > tol) {
      ++s.steps_up;
    } else if (d < -tol) {
      ++s.steps_down;
    }
  }
  // The growth within each process, and how much of it sampling could make.
  double within = 0, variance = 0;
  ForEachSegment(n, segments, [&](size_t first, size_t last) {
    within += y[last] - y[first];
    const double sd = tolerance(first, last) / kNoiseZ;
    variance += sd * sd;
  });
  s.within = within;
  s.within_sd = std::sqrt(variance);
  const double tolerance_within = kNoiseZ * s.within_sd;
  const double z = s.within_sd > 0 ? within / s.within_sd : (within > 0 ? HUGE_VAL : within < 0 ? -HUGE_VAL : 0.0);
  s.growth_p = NormalUpperTail(z);
  s.beyond_noise = within > tolerance_within;
  // Steady: Kendall's tau of at least 0.6; or a Mann-Kendall trend
  // significant at 5% one-sided, its variance from the pairs that count
  // (within each process); or a series that never moved the other way and
  // moved over two steps or more, no one of them three quarters of the
  // change (one jump is a step, or an outlier at the end).
  const double mann_kendall_z = kendall.MannKendallZ(n, segments);
  const bool rose_steadily = never_fell && rose >= 2 && largest_rise <= 0.75 * within;
  const bool fell_steadily = never_rose && fell >= 2 && largest_fall <= -0.75 * within;
  const bool steady_up = s.kendall_tau >= kSteadyTau || mann_kendall_z >= kSteadyZ || rose_steadily;
  const bool steady_down = -s.kendall_tau >= kSteadyTau || -mann_kendall_z >= kSteadyZ || fell_steadily;
  const bool one_process = SameSegment(segments, 0, n - 1);
  const bool absent_before_last = std::all_of(y.begin(), y.end() - 1, [](double v) { return v == 0; });
  // New and gone compare the first capture with the last: only within one
  // process (after a restart or a rebuild, a site's absence says nothing).
  // A new node's growth must be beyond the noise (one sample is not a site).
  if (one_process && s.first != 0 && s.last == 0) {
    s.trend_class = TrendClass::kGone;
  } else if (one_process && s.first == 0 && s.last != 0 && absent_before_last && s.beyond_noise) {
    s.trend_class = TrendClass::kNew;
  } else if (s.beyond_noise) {
    if (auto jump = StepUp(y, tolerance, s, one_process)) {
      s.trend_class = TrendClass::kStep;
      s.step_capture = static_cast<uint32_t>(*jump + 1);
    } else if (steady_up && (slope > 0 || (slope == 0 && rose_steadily))) {
      s.trend_class = Plateaued(y, tolerance, one_process) ? TrendClass::kPlateaued : TrendClass::kGrowing;
    } else {
      s.trend_class = TrendClass::kFluctuating;
    }
  } else if (within < -tolerance_within) {
    s.trend_class = (steady_down && (slope < 0 || (slope == 0 && fell_steadily))) ? TrendClass::kShrinking
                                                                                  : TrendClass::kFluctuating;
  } else {
    s.trend_class = WithinNoiseClass(s);
  }
  if (s.trend_class == TrendClass::kStep) {
    // A step is certain growth once: its size, as steady as its tau says.
    const size_t k = *s.step_capture;
    s.score = (y[k] - y[k - 1]) * std::max(0.0, s.kendall_tau);
    return s;
  }
  s.score = s.robust_growth * std::max(0.0, s.kendall_tau);
  return s;
}

bool GrewClass(const SeriesStats& s) {
  switch (s.trend_class) {
    case TrendClass::kGrowing:
    case TrendClass::kPlateaued:
    case TrendClass::kStep:
    case TrendClass::kNew: return true;
    // Rose and fell, and gained beyond the noise over all.
    case TrendClass::kFluctuating: return s.beyond_noise;
    default: return false;
  }
}

}  // namespace pprof_trend
