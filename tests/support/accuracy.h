// How well the trend engine classifies simulated series with known truth
// (support/heap_simulator.h): the numbers the README's accuracy table and
// tests/accuracy_test.cc's floors are about.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pprof_trend::sim {

struct Accuracy {
  size_t series = 0;
  std::map<std::string, size_t> sites;                           // by pattern
  std::map<std::string, std::map<std::string, size_t>> classes;  // pattern -> class -> sites
  size_t growing = 0, growing_true = 0;  // classed growing; of those, leaks or plateaus (memory that grew)
  size_t rank1 = 0, rank1_leak = 0;      // series with a leak; those whose rank 1 site is a leak or plateau
  // Leaks by how many of their new objects the sampler is expected to see
  // over the series (E = leaked objects x p): below ~10 no method can tell
  // them from noise. Index: E < 3, 3-10, 10-30, 30-100, >= 100.
  size_t leaks_by_signal[5] = {}, found_by_signal[5] = {};
  size_t intervals = 0, covered = 0;  // estimated changes in objects; those whose 95% interval holds the truth

  double Rate(const std::string& pattern, const std::string& cls) const;
  double Recall() const { return Rate("leak", "growing"); }
  double RecallDetectable() const;  // leaks with E >= 10
  double Precision() const {
    return growing == 0 ? 1 : static_cast<double>(growing_true) / static_cast<double>(growing);
  }
  double FalseGrowing() const;  // on flat, spike, churn and shrink sites
  double Coverage() const { return intervals == 0 ? 1 : static_cast<double>(covered) / static_cast<double>(intervals); }
  std::string Table() const;
};

// Classifies `count` random series (seeds first_seed, first_seed + 1, ...).
Accuracy MeasureAccuracy(uint64_t first_seed, size_t count);

}  // namespace pprof_trend::sim
