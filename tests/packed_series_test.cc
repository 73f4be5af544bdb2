// PackedSeries: every int64 round-trips at the narrowest width, through
// appends, edits, erasure and sums.
#include "base/packed_series.h"

#include <gtest/gtest.h>

#include <random>

namespace pprof_trend {
namespace {

TEST(PackedSeriesTest, AConstantSeriesHoldsNoBytes) {
  PackedSeries s;
  for (int i = 0; i < 720; ++i) s.push_back(4096);
  EXPECT_EQ(s.size(), 720u);
  EXPECT_EQ(s.width(), 0);
  EXPECT_EQ(s.packed_bytes(), 0u);
  EXPECT_EQ(s[719], 4096);
  PackedSeries zeros = PackedSeries::Zeros(100, 720);
  EXPECT_EQ(zeros.width(), 0);
  EXPECT_EQ(zeros.ToVector(), std::vector<int64_t>(100, 0));
}

TEST(PackedSeriesTest, WidensOnlyAsFarAsTheValuesNeed) {
  PackedSeries s = PackedSeries::Zeros(3, 10);
  s.push_back(100);  // an offset of 100 from the first value (0): one byte
  EXPECT_EQ(s.width(), 1);
  s.push_back(-30000);
  EXPECT_EQ(s.width(), 2);
  s.push_back(int64_t{1} << 40);
  EXPECT_EQ(s.width(), 8);
  EXPECT_EQ(s.ToVector(), (std::vector<int64_t>{0, 0, 0, 100, -30000, int64_t{1} << 40}));
  EXPECT_EQ(s.front(), 0);
  EXPECT_EQ(s.back(), int64_t{1} << 40);
}

TEST(PackedSeriesTest, EveryInt64RoundTrips) {
  std::mt19937_64 rng(7);
  const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT32_MIN, INT32_MAX, INT16_MIN, INT8_MAX + 1};
  for (int round = 0; round < 200; ++round) {
    std::vector<int64_t> want;
    PackedSeries s;
    const int n = 1 + static_cast<int>(rng() % 50);
    for (int i = 0; i < n; ++i) {
      const uint64_t pick = rng() % 4;
      int64_t v = pick == 0   ? extremes[rng() % std::size(extremes)]
                  : pick == 1 ? static_cast<int64_t>(rng())
                  : pick == 2 ? static_cast<int64_t>(rng() % 200) - 100
                              : (want.empty() ? 5 : want.back());
      want.push_back(v);
      s.push_back(v);
    }
    ASSERT_EQ(s.ToVector(), want) << round;
    // A copy is the same series, and grows on its own.
    PackedSeries copy = s;
    ASSERT_EQ(copy.ToVector(), want) << round;
    copy.push_back(INT64_MIN);
    ASSERT_EQ(copy.back(), INT64_MIN);
    ASSERT_EQ(s.size(), want.size());
    // Edits, erasure and sums see the same values.
    const size_t at = rng() % want.size();
    want[at] = static_cast<int64_t>(rng());
    s.Set(at, want[at]);
    ASSERT_EQ(s.ToVector(), want) << round;
    std::vector<int64_t> sums(want.size(), 0);
    s.AddTo(sums.data());
    ASSERT_EQ(sums, want) << round;
    want.erase(want.begin() + static_cast<ptrdiff_t>(at));
    s.Erase(at);
    ASSERT_EQ(s.ToVector(), want) << round;
  }
}

}  // namespace
}  // namespace pprof_trend
