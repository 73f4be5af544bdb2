// CompactOptional and OptionalDouble behave as the std::optional they
// replace in the records kept for every site (TrendNode, SeriesStats), and
// make those records smaller.
#include "base/compact_optional.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/trend.h"

namespace pprof_trend {
namespace {

TEST(CompactOptionalTest, HoldsAnIndexOrNone) {
  OptionalIndex none;
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(none);
  EXPECT_EQ(none.value_or(7), 7u);
  EXPECT_THROW((void)none.value(), std::bad_optional_access);
  OptionalIndex zero = 0;
  EXPECT_TRUE(zero.has_value());
  EXPECT_EQ(*zero, 0u);
  OptionalIndex largest = UINT32_MAX - 1;
  EXPECT_EQ(largest.value(), UINT32_MAX - 1);
  largest.reset();
  EXPECT_FALSE(largest);
  EXPECT_EQ(std::optional<uint32_t>(zero), std::optional<uint32_t>(0));
  EXPECT_EQ(std::optional<uint32_t>(none), std::nullopt);
  EXPECT_EQ(OptionalIndex(3), OptionalIndex(3));
  EXPECT_NE(OptionalIndex(3), none);
  static_assert(sizeof(OptionalIndex) == sizeof(uint32_t));
}

TEST(CompactOptionalTest, HoldsEveryDoubleArithmeticGives) {
  OptionalDouble none;
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(none.value_or(2.5), 2.5);
  EXPECT_THROW((void)none.value(), std::bad_optional_access);
  EXPECT_EQ(OptionalDouble(std::nullopt), none);
  EXPECT_EQ(OptionalDouble(std::optional<double>()), none);
  const double zero = 0;
  for (double v : {0.0, -0.0, 1e308, -1e-308, std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()}) {
    OptionalDouble held = v;
    ASSERT_TRUE(held.has_value()) << v;
    EXPECT_EQ(*held, v);
    EXPECT_EQ(std::signbit(*held), std::signbit(v));
    EXPECT_EQ(std::optional<double>(held), std::optional<double>(v));
  }
  // NaN from arithmetic (0/0, sqrt(-1), inf - inf) is a value, not "none".
  for (double nan : {zero / zero, std::sqrt(zero - 1), std::numeric_limits<double>::infinity() - 1e308 * 1e308,
                     std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN()}) {
    OptionalDouble held = nan;
    ASSERT_TRUE(held.has_value());
    EXPECT_TRUE(std::isnan(*held));
    EXPECT_NE(held, held);  // as std::optional<double>: NaN equals nothing
  }
  OptionalDouble v = 1.5;
  v.reset();
  EXPECT_EQ(v, none);
  static_assert(sizeof(OptionalDouble) == sizeof(double));
}

// The records kept for every site and function: a field added to them
// costs memory on every site of a large profile (the README's limits
// section gives the per-site figure). Growing them should be a decision.
TEST(CompactOptionalTest, PerSiteRecordsStaySmall) {
  EXPECT_LE(sizeof(SeriesStats), 104u);
  EXPECT_LE(sizeof(ObjectSizeEvidence), 64u);
  EXPECT_LE(sizeof(TrendNode), 232u);
}

}  // namespace
}  // namespace pprof_trend
