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
  }
  return "stable";
}

namespace {

constexpr double kSteadyTau = 0.6;
constexpr double kSteadyZ = 1.645;

}  // namespace

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
  if (n <= kAllPairsUpTo) {
    slope = TheilSenSlope(y, x, segments);
    s.kendall_tau = KendallTau(y, tolerance, segments);
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
    s.kendall_tau = KendallTauSorted(y, capture_tolerance, segments);
  }
  s.robust_growth = slope * (x.back() - x.front());
  if (x_in_days) s.per_day = slope;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!SameSegment(segments, i, i + 1)) continue;  // a restart: no step
    ++s.steps;
    double d = y[i + 1] - y[i];
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
    const double tol = tolerance(first, last);
    variance += tol * tol;
  });
  const double tolerance_within = std::sqrt(variance);
  s.within = within;
  // Steady: Kendall's tau of at least 0.6, or, in a longer series, a
  // Mann-Kendall trend significant at 5% one-sided (tau's variance under no
  // trend: 2(2n+5)/(9n(n-1)); ties only make it smaller).
  const double pairs_n = static_cast<double>(n);
  const double tau_sd = std::sqrt(2 * (2 * pairs_n + 5) / (9 * pairs_n * (pairs_n - 1)));
  auto steady = [&](double tau) { return tau >= kSteadyTau || tau >= kSteadyZ * tau_sd; };
  // A plateau: it grew beyond the noise, then over the last third of the
  // steps it did not (that growth within the noise, and at most half the
  // earlier pace).
  auto plateaued = [&] {
    if (n < 3) return false;
    const size_t tail = std::max<size_t>(1, (n - 1) / 3);
    const size_t m = n - 1 - tail;
    if (!SameSegment(segments, 0, n - 1)) return false;
    const double early = y[m] - y[0], late = y[n - 1] - y[m];
    if (early <= tolerance(0, m)) return false;
    const double early_pace = early / static_cast<double>(m), late_pace = late / static_cast<double>(tail);
    return late <= tolerance(m, n - 1) && late_pace <= 0.5 * early_pace;
  };
  const bool absent_before_last = std::all_of(y.begin(), y.end() - 1, [](double v) { return v == 0; });
  // New and gone compare the first capture with the last: only within one
  // process (after a restart or a rebuild, a site's absence says nothing).
  const bool one_process = SameSegment(segments, 0, n - 1);
  if (one_process && s.first != 0 && s.last == 0) {
    s.trend_class = TrendClass::kGone;
  } else if (one_process && s.first == 0 && s.last != 0 && absent_before_last) {
    s.trend_class = TrendClass::kNew;
  } else if (within > tolerance_within) {
    if (steady(s.kendall_tau) && slope > 0) {
      s.trend_class = plateaued() ? TrendClass::kPlateaued : TrendClass::kGrowing;
    } else {
      s.trend_class = TrendClass::kFluctuating;
    }
  } else if (within < -tolerance_within) {
    s.trend_class = (steady(-s.kendall_tau) && slope < 0) ? TrendClass::kShrinking : TrendClass::kFluctuating;
  } else {
    s.trend_class = (s.steps_up == 0 && s.steps_down == 0) ? TrendClass::kStable : TrendClass::kFluctuating;
  }
  s.score = s.robust_growth * std::max(0.0, s.kendall_tau);
  return s;
}

}  // namespace pprof_trend
