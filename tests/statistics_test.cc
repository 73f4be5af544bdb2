// The statistics the trend engine is built from, against hand-computed values.
#include "analysis/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace
}  // namespace pprof_trend
