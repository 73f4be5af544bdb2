#include "input/class_histogram.h"

#include <gtest/gtest.h>

#include "input/load.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

std::string Name(const Profile& p, size_t sample) {
  const Location& loc = p.locations[p.Stack(p.samples[sample])[0]];
  return std::string(p.functions[p.lines[loc.first_line].function].name);
}
std::string Module(const Profile& p, size_t sample) {
  const Location& loc = p.locations[p.Stack(p.samples[sample])[0]];
  return std::string(p.functions[p.lines[loc.first_line].function].filename);
}

// A real `jcmd PID GC.class_histogram` of OpenJDK 17 (testdata/java/README.md).
TEST(ClassHistogramTest, RealJdk17HistogramIsRead) {
  auto p = LoadProfile(testing::SourcePath("testdata/java/jdk17-jcmd-1.txt"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->samples.size(), 190u);
  EXPECT_TRUE(p->warnings.empty());  // the rows add up to "Total 83589 3586200"
  EXPECT_EQ(Name(*p, 0), "Leak$Session");
  EXPECT_EQ(p->Values(0)[0], 60000);
  EXPECT_EQ(p->Values(0)[1], 1920000);
  ASSERT_EQ(p->Labels(p->samples[0]).size(), 1u);  // no array: every instance has one shallow size
  EXPECT_EQ(p->Labels(p->samples[0])[0].num, 32);
  EXPECT_EQ(Name(*p, 1), "[B");
  EXPECT_EQ(Module(*p, 1), "java.base");          // "(java.base@17.0.15)": the module, not the JDK's version
  EXPECT_TRUE(p->Labels(p->samples[1]).empty());  // an array: an average
  EXPECT_TRUE(p->time_from_mtime);
}

// -XX:+PrintClassHistogram inside a JDK 8 GC log, cut with "..." (garbagecat #50).
TEST(ClassHistogramTest, AHistogramInAGcLogCutWithAnElisionIsPartial) {
  auto p = LoadProfile(testing::SourcePath("testdata/java/garbagecat-50-gclog.txt"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->samples.size(), 3u);
  EXPECT_EQ(Name(*p, 2), "<constMethodKlass>");
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_EQ(p->warnings[0],
            "a partial histogram: its rows hold 18,789,329 of the 21,233,102 instances its footer counts (88.5%); the "
            "classes left out are missing from the series");
  EXPECT_NEAR(p->coverage, 18789329.0 / 21233102.0, 1e-9);
}

// The elision lines people paste are those of the .NET tables too.
TEST(ClassHistogramTest, ElisionLinesOfEveryKindAreSkipped) {
  for (const char* elision : {"...", "\xE2\x80\xA6", "<snip>", "[...]", "// abbreviated"}) {
    auto p = ParseClassHistogram(std::string(" num     #instances         #bytes  class name (module)\n"
                                             "-------------------------------------------------------\n"
                                             "   1:         60000        1920000  Leak$Session\n") +
                                     elision + "\nTotal         60100        2020000\n",
                                 "cut.txt");
    ASSERT_TRUE(p.ok()) << elision << ": " << p.status().message();
    EXPECT_EQ(p->samples.size(), 1u) << elision;
    EXPECT_LT(p->coverage, 1) << elision;
  }
}

TEST(ClassHistogramTest, LayoutsAndCuts) {
  // OpenJ9's jmap -histo: no colon after the rank, no footer (and no warning for it).
  auto j9 = ParseClassHistogram(
      "  num   object count     total size    class name\n"
      "-------------------------------------------------\n"
      "    1           1200          28800    java/lang/String\n"
      "    2            300          48000    [B\n",
      "j9.txt");
  ASSERT_TRUE(j9.ok()) << j9.status().message();
  EXPECT_EQ(j9->samples.size(), 2u);
  EXPECT_TRUE(j9->warnings.empty());
  // HotSpot cut by head: read, with a warning.
  auto cut = ParseClassHistogram(" num     #instances         #bytes  class name\n----\n   1:  10  320  A\n", "h.txt");
  ASSERT_TRUE(cut.ok());
  ASSERT_EQ(cut->warnings.size(), 1u);
  EXPECT_TRUE(cut->warnings[0].starts_with("no \"Total\" line")) << cut->warnings[0];
  // A unified GC log's prefixes; two histograms: the last is read.
  const std::string log =
      "[1.0s][info][gc,classhisto] num     #instances         #bytes  class name (module)\n"
      "[1.0s][info][gc,classhisto]    1:             5            160  A\n"
      "[1.0s][info][gc,classhisto] Total             5            160\n"
      "[9.0s][info][gc,classhisto] num     #instances         #bytes  class name (module)\n"
      "[9.0s][info][gc,classhisto]    1:             9            288  A\n"
      "[9.0s][info][gc,classhisto] Total             9            288\n";
  auto two = ParseClassHistogram(log, "gc.log");
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->Values(0)[0], 9);
  ASSERT_EQ(two->warnings.size(), 1u);
  EXPECT_EQ(two->warnings[0], "2 class histograms (a GC log?); read the last, at line 4");
}

TEST(ClassHistogramTest, MalformedHistogramsNameTheProblem) {
  const std::string head = " num     #instances         #bytes  class name\n";
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {head + "   1:  x  320  A\n",
            "h.txt:2: expected a row \"num: #instances #bytes class name\", got \"1:  x  320  A\""},
           {head + "   1:  10  320  A\nTotal 5 160\n",
            "h.txt: the histogram's rows hold 10 instances, more than its footer's 5: not one histogram"},
           {head + "   1:  10  320  A\nTotal five\n", "h.txt:3: expected a footer \"Total N M\", got \"Total five\""},
       }) {
    auto p = ParseClassHistogram(c.text, "h.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
}

}  // namespace
// A JDK 8 GC log with -XX:+PrintClassHistogramBeforeFullGC and ...After:
// a series of the live heaps (the "after" histograms), each at the time its
// log line gives; the "before" ones (garbage included) are left out.
TEST(ClassHistogramTest, AGcLogOfSeveralHistogramsIsASeriesOfTheLiveHeaps) {
  auto histogram = [](int64_t sessions) {
    return std::string(
               " num     #instances         #bytes  class name\n"
               "----------------------------------------------\n"
               "   1:         ") +
           std::to_string(sessions) + "        " + std::to_string(sessions * 32) + "  Leak$Session\nTotal         " +
           std::to_string(sessions) + "        " + std::to_string(sessions * 32) + "\n";
  };
  const std::string log =
      "2016-01-01T06:54:06.773+0100: 11662.232: [Full GC 11662.233: [Class Histogram (before full gc):\n" +
      histogram(5000) + ", 0.1 secs]\n2016-01-01T06:54:06.900+0100: 11662.359: [Class Histogram (after full gc):\n" +
      histogram(1000) + ", 0.1 secs]\n" +
      "2016-01-01T07:54:06.773+0100: 15262.232: [Full GC 15262.233: [Class Histogram (before full gc):\n" +
      histogram(9000) + ", 0.1 secs]\n2016-01-01T07:54:06.900+0100: 15262.359: [Class Histogram (after full gc):\n" +
      histogram(3000) + ", 0.1 secs]\n";
  auto series = ParseClassHistogramSeries(log, "gc.log");
  ASSERT_TRUE(series.ok()) << series.status().message();
  ASSERT_EQ(series->size(), 2u);
  EXPECT_EQ((*series)[0].source, "gc.log#1");
  EXPECT_EQ((*series)[1].source, "gc.log#2");
  EXPECT_EQ((*series)[0].values, (std::vector<int64_t>{1000, 32000}));
  EXPECT_EQ((*series)[1].values, (std::vector<int64_t>{3000, 96000}));
  // 06:54:06.900+01:00 = 05:54:06.9 UTC.
  EXPECT_EQ((*series)[0].time_nanos, int64_t{1451627646} * 1000000000 + 900000000);
  EXPECT_EQ((*series)[1].time_nanos - (*series)[0].time_nanos, int64_t{3600} * 1000000000);
  // One histogram: the one profile, as ParseClassHistogram reads it.
  series = ParseClassHistogramSeries(histogram(10), "one.txt");
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ((*series)[0].source, "one.txt");
}

}  // namespace pprof_trend
