// Time to a memory limit (`--limit SIZE`): when the in-use total of the
// current process reaches the limit at its present trend, with a 95%
// interval, and which sites carry that growth.
//
// The basis is the captures of the last process (a restart starts a new
// one; at most the last kMaxCaptures of it): the Theil-Sen slope of their
// totals over time, with Sen's 95% interval for it (the ranks of the
// pairwise slopes Kendall's S bounds: distribution-free, from the series'
// own scatter), and the level at the last capture from the median
// intercept. The time to the limit is (limit - level) / rate; its interval
// is where the lines through the series' middle at the two ends of the
// rate's interval reach the limit (a steeper line is also a higher level at
// the last capture). A series
// whose growth stopped (its last third has no upward slope) or that does
// not grow is "not reached at the current trend", not given a date.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

struct Projection {
  enum class Outcome {
    kReaches,     // seconds, seconds_low, seconds_high (none: not bounded) are set
    kOver,        // the level is already at or over the limit
    kNotGrowing,  // the total's slope is not above 0
    kPlateau,     // it grew, but not over its last third (plateau_captures of them)
    kNoTimes,     // the captures have no times: no rate
    kTooFew,      // fewer than kMinCaptures captures in the last process
  };
  Outcome outcome = Outcome::kTooFew;
  double limit = 0;          // in the ranked type's unit (bytes)
  size_t first_capture = 0;  // the basis: captures [first_capture, first_capture + captures)
  size_t captures = 0;
  bool whole_process = true;                     // false: only the last kMaxCaptures of the process
  double level = 0;                              // the fitted total at the last capture
  double rate = 0, rate_low = 0, rate_high = 0;  // per second; Sen's 95% interval
  double seconds = 0, seconds_low = 0;           // from the last capture to the limit
  std::optional<double> seconds_high;            // none: the rate's interval reaches 0
  int64_t reaches_at_nanos = 0;                  // the last capture's time + seconds
  size_t plateau_captures = 0;
  bool times_guessed = false;  // some time is a file's modification time
  // What is projected: the process's memory as the kernel counts it where
  // every capture of the basis carries it (watch --pid: the cgroup's usage,
  // else the RSS), else the heap profile's in-use total.
  enum class Measure { kInUse, kCgroup, kRss };
  Measure measure = Measure::kInUse;
  // The sites whose growth makes up most of the total's (share of its rate,
  // largest first, at least kMinShare each, at most kMaxContributors).
  struct Contributor {
    const TrendNode* site = nullptr;
    double share = 0;
  };
  std::vector<Contributor> contributors;

  static constexpr size_t kMinCaptures = 3;
  static constexpr size_t kMaxCaptures = 2000;
  static constexpr double kMinShare = 0.05;
  static constexpr size_t kMaxContributors = 3;
};

// Why `aligned`'s ranked total cannot be projected to a limit in bytes (a
// cumulative type, a unit other than bytes): a message for --limit; empty
// when it can.
std::string NotProjectable(const AlignedProfiles& aligned);

// The projection of `trend`'s in-use total to `limit` (NotProjectable is
// empty: the caller checks).
Projection ProjectToLimit(const TrendResult& trend, double limit);

// Theil-Sen slope of (x, y) with Sen's 95% interval (x strictly increasing).
struct SenSlope {
  double slope = 0, low = 0, high = 0;
  double intercept = 0;  // the median of y - slope * x
};
SenSlope SenSlopeInterval(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace pprof_trend
