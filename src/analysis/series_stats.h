// The statistics of one series: how it moved (growing, plateaued, ...),
// how steadily (Kendall's tau), how fast (the Theil-Sen slope) and its
// ranking score, with changes within the noise counted as none.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "analysis/statistics.h"
#include "base/compact_optional.h"

namespace pprof_trend {

enum class TrendClass {
  kGrowing,      // grew beyond noise, steadily (tau >= 0.6, a Mann-Kendall trend, or never fell)
  kPlateaued,    // grew steadily, then the last third of the steps stayed flat, a slowdown beyond the noise
  kFluctuating,  // moved beyond noise without a steady direction
  kShrinking,    // fell beyond noise, steadily
  kStable,       // every step within noise
  kNew,          // absent from every capture but the last
  kGone,         // present in the first capture, absent from the last
  kStep,         // one step up beyond the noise, flat before and after it (step_capture)
  kMoved,        // grew by as much as a sibling site of its function and object size shrank
};
std::string_view TrendClassName(TrendClass c);

struct SeriesStats {
  double first = 0, last = 0, delta = 0;
  double within = 0;         // the growth within each process, summed (= delta without a restart)
  OptionalDouble per_day;    // Theil-Sen slope per day; none without capture times
  double robust_growth = 0;  // Theil-Sen slope * the span of the series
  double kendall_tau = 0;    // in [-1, 1]; noise-level changes are ties
  int steps_up = 0, steps_down = 0, steps = 0;
  TrendClass trend_class = TrendClass::kStable;
  double score = 0;
  // The sampling noise of `within`: its standard deviation (0: exact
  // counts) and the one-sided p-value of a growth this large from noise
  // alone (normal approximation).
  double within_sd = 0, growth_p = 1;
  // The growth is beyond the noise: z > kNoiseZ, and, across the many nodes
  // of a profile, among the discoveries the false-discovery control keeps
  // (analysis/discoveries). Every class that counts as growth needs it.
  bool beyond_noise = false;
  // kStep: the capture the step up arrived in (0-based).
  OptionalIndex step_capture;
};

// Whether a series of these statistics counts as having grown: growing,
// plateaued, step, new, or fluctuating with a net gain beyond the noise.
bool GrewClass(const SeriesStats& s);

// The class a node whose growth is not beyond the noise gets: stable when no
// step moved beyond the noise, else fluctuating (its rises and falls).
TrendClass WithinNoiseClass(const SeriesStats& s);

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
