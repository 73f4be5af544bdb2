// How well the trend engine classifies simulated series with known truth
// (support/heap_simulator.h): the numbers the README's accuracy table and
// tests/accuracy_test.cc's floors are about.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "analysis/trend.h"
#include "support/heap_simulator.h"

namespace pprof_trend::sim {

struct Accuracy {
  size_t series = 0;
  std::map<std::string, size_t> sites;                           // by pattern
  std::map<std::string, std::map<std::string, size_t>> classes;  // pattern -> class -> sites
  size_t growing = 0, growing_true = 0;  // classed growing; of those, leaks or plateaus (memory that grew)
  size_t ranked_as_growth_false = 0;     // flat/spike/churn/shrink sites ranked as growth (Grew: the table's rows)
  size_t rank1 = 0, rank1_leak = 0;      // series with a leak; those whose rank 1 site is a leak or plateau
  // Leaks by how many of their new objects the sampler is expected to see
  // over the series (E = leaked objects x p): below ~10 no method can tell
  // them from noise. Index: E < 3, 3-10, 10-30, 30-100, >= 100.
  size_t leaks_by_signal[5] = {}, found_by_signal[5] = {};
  size_t intervals = 0, covered = 0;  // estimated changes in objects; those whose 95% interval holds the truth
  // Leaks by the z their growth is expected to reach against its own noise,
  // churn included (E / sqrt(sampled allocations and frees + 1)): a leak
  // churning 300% of its level per step may hold E >= 10 and still be
  // noise. Index: z < 2, 2-4, >= 4.
  size_t leaks_by_z[3] = {}, found_by_z[3] = {};
  // Leaks that churn at most 30% of their level per step and have E >= 10.
  size_t calm_detectable = 0, calm_found = 0;
  // Plateaus of one process with E >= 10 (a restarted process starts its
  // growth again; too few new objects show no slowdown).
  size_t plateaus_visible = 0, plateaus_found = 0;
  size_t byte_intervals = 0, bytes_covered = 0;  // the same for the change in bytes

  double Rate(const std::string& pattern, const std::string& cls) const;
  double Recall() const { return Rate("leak", "growing"); }
  double RecallDetectable() const;  // leaks with E >= 10
  double RecallCalm() const {
    return calm_detectable == 0 ? 0 : static_cast<double>(calm_found) / static_cast<double>(calm_detectable);
  }
  double RecallVisible() const {  // leaks with an expected z >= 4
    return leaks_by_z[2] == 0 ? 0 : static_cast<double>(found_by_z[2]) / static_cast<double>(leaks_by_z[2]);
  }
  double PlateausRecognised() const {
    return plateaus_visible == 0 ? 0 : static_cast<double>(plateaus_found) / static_cast<double>(plateaus_visible);
  }
  double BytesCoverage() const {
    return byte_intervals == 0 ? 1 : static_cast<double>(bytes_covered) / static_cast<double>(byte_intervals);
  }
  double Precision() const {
    return growing == 0 ? 1 : static_cast<double>(growing_true) / static_cast<double>(growing);
  }
  double FalseGrowing() const;         // on flat, spike, churn and shrink sites
  double FalseRankedAsGrowth() const;  // the same, any class that ranks as growth (fluctuating with a gain too)
  double Coverage() const { return intervals == 0 ? 1 : static_cast<double>(covered) / static_cast<double>(intervals); }
  std::string Table() const;
};

// The trend of a simulated series (none if a capture would not align).
std::optional<TrendResult> TrendOf(const Series& series);

// Classifies `count` random series (seeds first_seed, first_seed + 1, ...).
Accuracy MeasureAccuracy(uint64_t first_seed, size_t count);

// Series in which nothing leaks (RandomNullSeries of `sites` sites): how
// many sites each calls growing (or plateaued, step, new: growth).
struct NullResult {
  size_t series = 0, sites = 0;
  size_t series_with_false_growth = 0, false_growth = 0;
  size_t candidates = 0, withdrawn = 0;  // growth beyond 2 sd alone; withdrawn by the false-discovery control
  std::string Table() const;
};
NullResult MeasureNull(uint64_t first_seed, size_t count, size_t sites);

}  // namespace pprof_trend::sim
