#include "base/units.h"

#include <gtest/gtest.h>

namespace pprof_trend {
namespace {

TEST(UnitsTest, BytesPrintLikePprof) {
  EXPECT_EQ(FormatBytes(0), "0");
  EXPECT_EQ(FormatBytes(256), "256B");
  EXPECT_EQ(FormatBytes(8388608), "8MiB");
  EXPECT_EQ(FormatBytes(38282368), "36.51MiB");
  EXPECT_EQ(FormatBytes(1536), "1.50KiB");
  EXPECT_EQ(FormatBytes(1366777459), "1.27GiB");
  EXPECT_EQ(FormatBytesIn(524336, 2), "0.50MiB");
  EXPECT_EQ(FormatSignedBytes(-16 * 1048576.0), "-16MiB");
  EXPECT_EQ(FormatSignedBytes(8388608), "+8MiB");
}

TEST(UnitsTest, Counts) {
  EXPECT_EQ(FormatCount(17), "17");
  EXPECT_EQ(FormatCount(98328), "98,328");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
  EXPECT_EQ(FormatCount(162634), "162,634");
  EXPECT_EQ(FormatCount(999999), "999,999");
  EXPECT_EQ(FormatCount(1.2e6), "1.20M");
  EXPECT_EQ(FormatCount(2.5), "2.50");
  EXPECT_EQ(FormatSignedCount(17), "+17");
  // Exact whatever the size (messages about tables' totals).
  EXPECT_EQ(FormatGrouped(11400232), "11,400,232");
  EXPECT_EQ(FormatGrouped(-123), "-123");
  EXPECT_EQ(FormatGrouped(-1234567), "-1,234,567");
  EXPECT_EQ(FormatGrouped(0), "0");
}

TEST(UnitsTest, TimesAndSpans) {
  EXPECT_EQ(FormatTimeUtc(1644544800LL * 1000000000LL), "2022-02-11 02:00:00 UTC");
  EXPECT_EQ(FormatTimeRfc3339(1644544800LL * 1000000000LL), "2022-02-11T02:00:00Z");
  EXPECT_EQ(FormatTimeUtc(0), "unknown");
  EXPECT_EQ(FormatSpan(4 * 86400), "4.00 days");
  EXPECT_EQ(FormatSpan(5400), "1.50 h");
  EXPECT_EQ(FormatSpan(12), "12 s");
}

TEST(UnitsTest, ParsesSizes) {
  EXPECT_EQ(ParseSize("64MiB"), 64.0 * 1048576);
  EXPECT_EQ(ParseSize("500KB"), 500000.0);
  EXPECT_EQ(ParseSize("500kB"), 500000.0);
  EXPECT_EQ(ParseSize("1.5GiB"), 1.5 * 1073741824);
  EXPECT_EQ(ParseSize("4096"), 4096.0);
  EXPECT_EQ(ParseSize("10 mib"), 10.0 * 1048576);
  EXPECT_EQ(ParseSize("1MB"), 1e6);
  for (const char* bad : {"", "MiB", "-1MiB", "1.2.3MiB", "5 parsecs", "1e9", ".5MiB", "5.MiB"})
    EXPECT_FALSE(ParseSize(bad).has_value()) << bad;
}

TEST(UnitsTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("day"), 86400.0);
  EXPECT_EQ(ParseDuration("h"), 3600.0);
  EXPECT_EQ(ParseDuration("500ms"), 0.5);  // Go's and pprof's unit for short durations
  EXPECT_EQ(ParseDuration("12h"), 43200.0);
  EXPECT_EQ(ParseDuration("30min"), 1800.0);
  EXPECT_EQ(ParseDuration("2w"), 1209600.0);
  for (const char* bad : {"", "0d", "fortnight", "3"}) EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
}

}  // namespace
}  // namespace pprof_trend
