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
  s.push_back(100);  // the first value stored (the zeros before it are not): no bytes
  EXPECT_EQ(s.width(), 0);
  s.push_back(120);  // an offset of 20 from it: one byte
  EXPECT_EQ(s.width(), 1);
  s.push_back(-30000);
  EXPECT_EQ(s.width(), 2);
  s.push_back(int64_t{1} << 40);
  EXPECT_EQ(s.width(), 8);
  EXPECT_EQ(s.ToVector(), (std::vector<int64_t>{0, 0, 0, 100, 120, -30000, int64_t{1} << 40}));
  EXPECT_EQ(s.front(), 0);
  EXPECT_EQ(s.back(), int64_t{1} << 40);
}

// A short series' offsets are held in the object (three captures: no heap
// block for most sites); they move to a block once they outgrow 8 bytes, and
// copies and moves of either kind keep every value.
TEST(PackedSeriesTest, ShortSeriesHoldTheirOffsetsInline) {
  PackedSeries s = PackedSeries::Zeros(0, 3);
  for (int64_t v : {100, 120, 90}) s.push_back(v);
  EXPECT_EQ(s.width(), 1);
  EXPECT_EQ(s.packed_bytes(), 0u);  // in the object
  PackedSeries copy = s, moved = std::move(copy);
  EXPECT_EQ(moved.ToVector(), (std::vector<int64_t>{100, 120, 90}));
  s.push_back(-30000);  // room for 6 values of 2 bytes: a block
  EXPECT_GE(s.packed_bytes(), 12u);
  for (int i = 0; i < 4; ++i) s.push_back(1 << 20);
  const std::vector<int64_t> want = {100, 120, 90, -30000, 1 << 20, 1 << 20, 1 << 20, 1 << 20};
  EXPECT_EQ(s.ToVector(), want);
  PackedSeries heap_copy = s;
  PackedSeries heap_moved = std::move(s);
  EXPECT_EQ(heap_copy.ToVector(), want);
  EXPECT_EQ(heap_moved.ToVector(), want);
  PackedSeries other_heap = PackedSeries::Zeros(0, 16);
  for (int64_t v : want) other_heap.push_back(v + (int64_t{1} << 40));
  other_heap = heap_copy;  // a block's series given another block's values: its own block goes, once
  EXPECT_EQ(other_heap.ToVector(), want);
  heap_moved = moved;  // a block's series given an inline one's values
  EXPECT_EQ(heap_moved.ToVector(), (std::vector<int64_t>{100, 120, 90}));
  EXPECT_EQ(heap_moved.packed_bytes(), 0u);
  std::vector<int64_t> sums(3, 1);
  heap_moved.AddTo(sums.data());
  EXPECT_EQ(sums, (std::vector<int64_t>{101, 121, 91}));
}

// 32 bytes a series (a site has four), its flags beside its counts; the
// counts end at 2^28 - 1, said rather than wrapped into the flags.
TEST(PackedSeriesTest, ThirtyTwoBytesAndAStatedLimit) {
  EXPECT_LE(sizeof(PackedSeries), 32u);
  PackedSeries full = PackedSeries::Zeros(PackedSeries::kMaxSize, 0, true);
  EXPECT_EQ(full.size(), PackedSeries::kMaxSize);
  EXPECT_EQ(full.back(), 0);
  EXPECT_THROW(full.push_back(1), std::length_error);
  const std::vector<int64_t> one = {5};
  EXPECT_THROW(full.Append(one), std::length_error);
  EXPECT_THROW(PackedSeries::Zeros(PackedSeries::kMaxSize + 1), std::length_error);
  // A rising series keeps its flag and its values through re-encodings.
  PackedSeries rising = PackedSeries::Zeros(0, 0, true);
  std::vector<int64_t> want;
  for (int64_t i = 0; i < 300; ++i) want.push_back(i * i * 1000 + (i % 7) * (int64_t{1} << 33));
  for (int64_t v : want) rising.push_back(v);
  EXPECT_EQ(rising.ToVector(), want);
  PackedSeries copy = rising;
  EXPECT_EQ(copy.ToVector(), want);
  copy.push_back(want.back() + 1);
  EXPECT_EQ(copy.back(), want.back() + 1);
  EXPECT_EQ(copy.size(), want.size() + 1);
}

// A site that appears late in a long series (a month whose sites grow) holds
// nothing for the captures before it, and nothing at all when it then stays
// constant.
TEST(PackedSeriesTest, ZerosBeforeTheFirstValueAreNotStored) {
  PackedSeries s = PackedSeries::Zeros(0, 720);
  for (int i = 0; i < 700; ++i) s.push_back(0);
  for (int i = 0; i < 20; ++i) s.push_back(4096);
  EXPECT_EQ(s.leading_zeros(), 700u);
  EXPECT_EQ(s.packed_bytes(), 0u);
  EXPECT_EQ(s[699], 0);
  EXPECT_EQ(s[700], 4096);
  PackedSeries varying = PackedSeries::Zeros(0, 720);
  for (int i = 0; i < 720; ++i) varying.push_back(i < 700 ? 0 : 1000 + i);
  EXPECT_EQ(varying.width(), 1);
  EXPECT_LE(varying.packed_bytes(), 20u);
  std::vector<int64_t> sums(720, 1);
  varying.AddTo(sums.data());
  EXPECT_EQ(sums[699], 1);
  EXPECT_EQ(sums[719], 1720);
  // A value set among the zeros, and copies, keep every value.
  std::vector<int64_t> want = varying.ToVector();
  varying.Set(3, -7);
  want[3] = -7;
  EXPECT_EQ(varying.ToVector(), want);
  EXPECT_EQ(varying.leading_zeros(), 3u);
  varying.Set(5, 0);  // a zero among the zeros: nothing changes
  EXPECT_EQ(PackedSeries(varying).ToVector(), want);
  varying.Erase(3);
  want.erase(want.begin() + 3);
  EXPECT_EQ(varying.ToVector(), want);
  EXPECT_EQ(varying.leading_zeros(), 699u);
}

// A cumulative counter (alloc_space of a month of hourly captures) grows
// without bound; stored along its rate it takes the width of the rate's
// changes, not of its total.
TEST(PackedSeriesTest, ARisingCounterIsStoredAlongItsRate) {
  std::mt19937_64 rng(3);
  PackedSeries plain = PackedSeries::Zeros(0, 720), rising = PackedSeries::Zeros(0, 720, /*rising=*/true);
  std::vector<int64_t> want;
  int64_t total = 0;
  for (int i = 0; i < 720; ++i) {
    total += 50'000'000 + static_cast<int64_t>(rng() % 1'000'000);  // ~50 MB an hour, +-1%
    want.push_back(total);
    plain.push_back(total);
    rising.push_back(total);
  }
  EXPECT_EQ(plain.ToVector(), want);
  EXPECT_EQ(rising.ToVector(), want);
  EXPECT_EQ(plain.width(), 8);  // 36 GB from the first value
  EXPECT_EQ(rising.width(), 4);
  EXPECT_FALSE(rising.constant());
  std::vector<int64_t> sums(720, 0);
  rising.AddTo(sums.data());
  EXPECT_EQ(sums, want);
  // A steady rate holds no bytes; a copy, an edit and an erasure keep every value.
  PackedSeries steady = PackedSeries::Zeros(3, 720, true);
  for (int i = 0; i < 700; ++i) steady.push_back(1000 + 25 * i);
  EXPECT_EQ(steady.packed_bytes(), 0u);
  EXPECT_EQ(steady[702], 1000 + 25 * 699);
  steady.Set(100, -5);
  PackedSeries copy = steady;
  EXPECT_EQ(copy[100], -5);
  EXPECT_EQ(copy[101], 1000 + 25 * 98);
  copy.Erase(100);
  EXPECT_EQ(copy[100], 1000 + 25 * 98);
  EXPECT_EQ(copy.size(), 702u);
}

TEST(PackedSeriesTest, EveryInt64RoundTrips) {
  std::mt19937_64 rng(7);
  const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT32_MIN, INT32_MAX, INT16_MIN, INT8_MAX + 1};
  for (int round = 0; round < 200; ++round) {
    std::vector<int64_t> want;
    PackedSeries s = PackedSeries::Zeros(0, 0, /*rising=*/round % 2 == 1);
    const int n = 1 + static_cast<int>(rng() % 50);
    const int zeros = rng() % 3 == 0 ? static_cast<int>(rng() % 10) : 0;  // leading zeros, sometimes
    for (int i = 0; i < zeros && i < n; ++i) {
      want.push_back(0);
      s.push_back(0);
    }
    for (int i = static_cast<int>(want.size()); i < n; ++i) {
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

// Append of a batch is push_back of each of its values: the same values,
// width, bytes held and leading zeros after every batch, for series of
// leading zeros, constants, rising lines with changes in their rate, and
// noise, plain and rising, with room reserved or not.
TEST(PackedSeriesTest, AppendIsPushBackOfEach) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 400; ++round) {
    const bool rising = round % 2 == 1;
    const size_t expected = round % 3 == 0 ? 0 : 64;
    PackedSeries one = PackedSeries::Zeros(0, expected, rising), batched = PackedSeries::Zeros(0, expected, rising);
    const int64_t start = static_cast<int64_t>(rng() % 1000), rate = static_cast<int64_t>(rng() % 3) * 40;
    std::vector<int64_t> want;
    size_t first = rng() % 12;  // leading zeros
    while (want.size() < 60) {
      std::vector<int64_t> batch(1 + rng() % 9);
      for (int64_t& v : batch) {
        const size_t i = want.size() + static_cast<size_t>(&v - batch.data());
        const uint64_t kind = rng() % 10;
        v = i < first  ? 0
            : kind < 7 ? start + rate * static_cast<int64_t>(i)
            : kind < 9 ? start
                       : static_cast<int64_t>(rng());
      }
      for (int64_t v : batch) one.push_back(v);
      batched.Append(batch);
      want.insert(want.end(), batch.begin(), batch.end());
      ASSERT_EQ(batched.ToVector(), want) << round;
      ASSERT_EQ(batched.ToVector(), one.ToVector()) << round;
      ASSERT_EQ(batched.width(), one.width()) << round;
      ASSERT_EQ(batched.packed_bytes(), one.packed_bytes()) << round;
      ASSERT_EQ(batched.leading_zeros(), one.leading_zeros()) << round;
      ASSERT_EQ(batched.constant(), one.constant()) << round;
    }
  }
}

}  // namespace
}  // namespace pprof_trend
