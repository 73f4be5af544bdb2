// How long what a site allocates stays: Little's law. Over the interval
// between two captures of one process, a site's mean number of objects in
// use L, its allocation rate lambda (alloc_objects allocated over the
// interval) and the mean time an object stays W are tied by L = lambda W,
// so W = L / lambda. A cache with steady churn keeps W constant however big
// it grows (its growth follows its allocation rate: load); a leak keeps what
// it allocates, so its W grows with the clock. Sizes and counts cannot tell
// the two apart; W can.
//
// Where it does not hold: without allocation counters (alloc_*: jemalloc
// without prof_accum, gperftools' in-use dumps, Node, tables), at the first
// capture of a process (a restart: the counters start again), without
// capture times (or with files' modification times), and in an interval in
// which the site allocated nothing (W is then unbounded: none is given).
// The estimate assumes the interval is long against W's changes; L is the
// mean of its two captures.
#pragma once

#include <optional>
#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

struct Residence {
  // Per capture: the mean residence in seconds over the interval that ends
  // there, and the 95% half-width of that estimate (sampled counts; 0 when
  // exact). None for the first capture of each process and for intervals
  // without allocations.
  std::vector<std::optional<double>> seconds, error95;
  // From the first residence of the last process to its last: rose beyond
  // the error (what it allocates stays longer and longer: a leak's
  // signature), stayed level within it (its growth follows its allocation
  // rate; said only when the error is under a quarter of the residence), or
  // fell. None with fewer than two residences in one process, or too noisy.
  enum class Trend { kRising, kLevel, kFalling };
  std::optional<Trend> trend;
};

// The residence of a site's objects (none for functions, and where Little's
// law cannot be applied, see above).
std::optional<Residence> ResidenceOf(const TrendResult& trend, const TrendNode& node, const NodeSeries& series);

const char* ResidenceTrendName(Residence::Trend t);

}  // namespace pprof_trend
