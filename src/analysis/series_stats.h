// The statistics of one series: how it moved (growing, plateaued, ...),
// how steadily (Kendall's tau), how fast (the Theil-Sen slope) and its
// ranking score, with changes within the noise counted as none.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "analysis/statistics.h"

namespace pprof_trend {

enum class TrendClass {
  kGrowing,      // grew beyond noise, steadily (tau >= 0.6, positive robust slope)
  kPlateaued,    // grew steadily, then the last third of the steps stayed flat
  kFluctuating,  // moved beyond noise without a steady direction
  kShrinking,    // fell beyond noise, steadily
  kStable,       // every step within noise
  kNew,          // absent from every capture but the last
  kGone,         // present in the first capture, absent from the last
};
std::string_view TrendClassName(TrendClass c);

struct SeriesStats {
  double first = 0, last = 0, delta = 0;
  double within = 0;              // the growth within each process, summed (= delta without a restart)
  std::optional<double> per_day;  // Theil-Sen slope per day; none without capture times
  double robust_growth = 0;       // Theil-Sen slope * the span of the series
  double kendall_tau = 0;         // in [-1, 1]; noise-level changes are ties
  int steps_up = 0, steps_down = 0, steps = 0;
  TrendClass trend_class = TrendClass::kStable;
  double score = 0;
};

// Statistics of one series at capture offsets `x` (days, or capture numbers):
// a change between captures i and j counts only beyond tolerance(i, j);
// pairs across a restart (segments) count for neither the slope, nor tau,
// nor the steps, and the growth judged is the sum of the growth within each
// process.
SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const PairTolerance& tolerance, const Segments& segments);
// The same with the independent-captures noise model (the level's noise).
SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const NoiseModel& noise);

}  // namespace pprof_trend
