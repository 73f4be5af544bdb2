// The statistics the trend engine is built from, against hand-computed values.
#include "analysis/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

namespace pprof_trend {
namespace {

TEST(StatisticsTest, MedianOfOddAndEvenCounts) {
  std::vector<double> odd = {5, 1, 3};
  EXPECT_EQ(Median(odd), 3);
  std::vector<double> even = {4, 1, 3, 2};
  EXPECT_EQ(Median(even), 2.5);
}

TEST(StatisticsTest, TheilSenIsTheMedianPairwiseSlope) {
  // Pairwise slopes of (0,0) (1,10) (2,40): 10, 20, 30 -> 20.
  EXPECT_DOUBLE_EQ(TheilSenSlope({0, 10, 40}, {0, 1, 2}), 20);
  // An outlier at one point leaves the slope of the others.
  EXPECT_DOUBLE_EQ(TheilSenSlope({0, 1, 2, 1000, 4, 5}, {0, 1, 2, 3, 4, 5}), 1);
  // No two x apart: no slope.
  EXPECT_EQ(TheilSenSlope({1, 2}, {3, 3}), 0);
}

TEST(StatisticsTest, KendallTauCountsNoiseAsTies) {
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 3, 4}, NoiseModel{}), 1);
  EXPECT_DOUBLE_EQ(KendallTau({4, 3, 2, 1}, NoiseModel{}), -1);
  EXPECT_EQ(KendallTau({7, 7, 7}, NoiseModel{}), 0);
  // Pairs: (1,2) concordant, (1,2) concordant, (2,2) tie -> tau-b = 2 / sqrt(3 * 2).
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 2}, NoiseModel{}), 2 / std::sqrt(6.0));
  // With a sampling rate, steps far below the noise bound are ties too.
  EXPECT_EQ(KendallTau({1000000, 1000001, 1000002}, NoiseModel{524288}), 0);
}

TEST(StatisticsTest, NoiseToleranceGrowsWithTheSquareRootOfTheLevel) {
  EXPECT_NEAR(NoiseModel{}.Tolerance(100, 200), 200e-9, 1e-12);  // exact values: float rounding only
  const NoiseModel sampled{512 * 1024};
  EXPECT_NEAR(sampled.Tolerance(0, 4 << 20), 2 * std::sqrt(512.0 * 1024 * (4 << 20)), 1);
  EXPECT_NEAR(sampled.Tolerance(16 << 20, 0), 2 * sampled.Tolerance(4 << 20, 0), 1);
}

TEST(StatisticsTest, OlsSlope) {
  EXPECT_DOUBLE_EQ(*OlsSlope({8, 16, 24}, {1, 2, 3}), 8);
  EXPECT_FALSE(OlsSlope({1, 2}, {5, 5}).has_value());
}

// Long series: the O(n log n) methods against the all-pairs ones, on
// random series of the shapes trends meet (noise, steady growth, steps,
// long flat runs, equal capture times, outliers, restarts, a site present in
// some captures only).
struct RandomSeries {
  std::vector<double> y, x;
  Segments segments;
};

RandomSeries MakeSeries(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  RandomSeries s;
  const int shape = static_cast<int>(seed % 6);
  const double present = 0.1 + 0.2 * static_cast<double>((seed / 6) % 4);  // shape 5: share of captures holding it
  double level = std::floor(unit(rng) * 1e6), t = 0;
  uint32_t segment = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!(shape == 3 && i > 0 && unit(rng) < 0.3)) t += std::floor(1 + unit(rng) * 3) / 24;  // some equal times
    if (shape == 4 && i > 0 && unit(rng) < 0.02) ++segment;
    double v = level;
    switch (shape) {
      case 0: v = level + std::floor(unit(rng) * 1000); break;                                   // noise
      case 1: v = level + 500.0 * static_cast<double>(i) + std::floor(unit(rng) * 5000); break;  // growth
      case 2: v = level + (unit(rng) < 0.1 ? 1e7 : 0) + (i > n / 2 ? 4096 : 0); break;  // flat, steps, outliers
      case 5:  // a site in some captures only (0 in the others): a clump of 0 slopes
        v = unit(rng) < present ? level + 4096.0 * static_cast<double>(i) : 0;
        break;
      default: v = std::floor(unit(rng) * 50) * 4096; break;  // few distinct values
    }
    s.y.push_back(v);
    s.x.push_back(t);
    s.segments.push_back(segment);
  }
  if (shape != 4) s.segments.clear();
  return s;
}

TEST(StatisticsTest, TheilSenOfALongSeriesIsTheAllPairsMedian) {
  for (uint64_t seed = 1; seed <= 72; ++seed) {
    for (size_t n : {129, 300, 720, 2000}) {
      const RandomSeries s = MakeSeries(seed, n);
      const double all_pairs = TheilSenSlope(s.y, s.x, s.segments);
      const double fast = TheilSenSlopeSorted(s.y, s.x, s.segments);
      EXPECT_NEAR(fast, all_pairs, 1e-9 * std::max(1.0, std::fabs(all_pairs))) << "seed " << seed << " n " << n;
    }
  }
  // A straight line: every slope is the same.
  std::vector<double> y, x;
  for (int i = 0; i < 500; ++i) {
    x.push_back(i / 24.0);
    y.push_back(1000.0 + 96.0 * i);
  }
  EXPECT_NEAR(TheilSenSlopeSorted(y, x), 96.0 * 24, 1e-6);
  // Never varying x: no slope, as the all-pairs method says.
  EXPECT_EQ(TheilSenSlopeSorted(std::vector<double>(200, 1), std::vector<double>(200, 5)), 0);
}

// Kendall's tau-b with the higher capture's tolerance, pair by pair.
double TauWithHigherTolerance(const std::vector<double>& y, const std::vector<double>& tolerance,
                              const Segments& segments) {
  return KendallTau(
      y, [&](size_t i, size_t j) { return tolerance[y[j] > y[i] ? j : i]; }, segments);
}

TEST(StatisticsTest, KendallTauOfALongSeriesCountsEveryPair) {
  for (uint64_t seed = 1; seed <= 72; ++seed) {
    for (size_t n : {129, 300, 720, 2000}) {
      const RandomSeries s = MakeSeries(seed, n);
      std::vector<double> tolerance(n);
      std::mt19937_64 rng(seed);
      for (double& t : tolerance) t = static_cast<double>(rng() % 3000);
      EXPECT_DOUBLE_EQ(KendallTauSorted(s.y, tolerance, s.segments), TauWithHigherTolerance(s.y, tolerance, s.segments))
          << "seed " << seed << " n " << n;
    }
  }
}

TEST(StatisticsTest, EarlierCaptureToleranceStaysCloseToThePairsOwn) {
  // The trend's sampled noise model: a pair's tolerance from both captures'
  // levels. The long-series rule gives each capture the larger tolerance of
  // its two steps and judges a pair by its higher capture's; on these series
  // tau moves by at most 0.02 (0.011 measured).
  const NoiseModel noise{512 * 1024};
  double worst = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const RandomSeries s = MakeSeries(seed, 400);
    std::vector<double> y = s.y;
    for (double& v : y) v *= 64;  // levels of megabytes, noise of a few samples
    std::vector<double> step(y.size(), 0);
    for (size_t i = 0; i + 1 < y.size(); ++i) {
      const double t = noise.Tolerance(y[i], y[i + 1]);
      step[i] = std::max(step[i], t);
      step[i + 1] = std::max(step[i + 1], t);
    }
    const double pairs = KendallTau(
        y, [&](size_t i, size_t j) { return noise.Tolerance(y[i], y[j]); }, s.segments);
    const double fast = KendallTauSorted(y, step, s.segments);
    worst = std::max(worst, std::fabs(fast - pairs));
    EXPECT_NEAR(fast, pairs, 0.02) << "seed " << seed;
  }
  std::printf("largest |tau difference| over 60 series: %.4f\n", worst);
}

}  // namespace
}  // namespace pprof_trend
