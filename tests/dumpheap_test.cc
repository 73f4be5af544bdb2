#include "input/dumpheap.h"

#include <gtest/gtest.h>

#include "analysis/align.h"
#include "input/load.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

TEST(DumpheapTest, ReadsEveryBundledVariant) {
  for (int i = 1; i <= 4; ++i) {
    auto p = LoadProfile(testing::SourcePath("testdata/dotnet/dump" + std::to_string(i) + ".txt"), LoadOptions{});
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->samples.size(), 10u) << i;  // 11 rows; "Free" is no type
    EXPECT_GT(p->free_bytes, 0) << i;
    EXPECT_EQ(p->sample_types.size(), 2u);
    EXPECT_NE(p->time_nanos, 0);  // the file's modification time
  }
}

TEST(DumpheapTest, ParsesRowsWithTheirVariations) {
  std::string text =
      "0:000> !dumpheap -stat\n"
      "Statistics:\n"
      "              MT    Count    TotalSize Class Name\n"
      "00007ffa`2c0f5f20  412,553    9,901,272 Kafka.Client.Common.NoOpTimer\n"
      "0x7ffa2b5f0c18        3          100 System.String\n"
      "7ffa2c0f7a88            2           96 System.Collections.Generic.Dictionary`2+Entry[[System.String, "
      "System.Private.CoreLib],[System.Object, System.Private.CoreLib]][]\n"
      "Total 412,558 objects\n"
      "Fragmented blocks larger than 0.5 MB:\n";
  auto p = ParseDumpheapStat(text, "d.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->samples.size(), 3u);
  auto name = [&](size_t s) {
    return p->functions[p->Lines(p->locations[p->Stack(p->samples[s])[0]])[0].function].name;
  };
  EXPECT_EQ(name(0), "Kafka.Client.Common.NoOpTimer");
  EXPECT_EQ(p->Values(0)[0], 412553);
  EXPECT_EQ(p->Values(0)[1], 9901272);
  EXPECT_EQ(p->Labels(p->samples[0])[0].num, 24);  // 9,901,272 / 412,553: one size
  EXPECT_EQ(p->Labels(p->samples[1]).size(), 0u);  // 100 / 3 is not whole: sizes differ
  EXPECT_EQ(name(2),
            "System.Collections.Generic.Dictionary`2+Entry[[System.String, System.Private.CoreLib],[System.Object, "
            "System.Private.CoreLib]][]");
}

TEST(DumpheapTest, MalformedTablesNameTheLine) {
  const std::string head = "Statistics:\n      MT    Count    TotalSize Class Name\n";
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {head + "00007ffa2c0f5f20  12,34 100 X\nTotal 1 objects\n",
            "d.txt:3: expected a row \"MT Count TotalSize Class Name\", got \"00007ffa2c0f5f20  12,34 100 X\""},
           {head + "zz 1 100 X\nTotal 1 objects\n",
            "d.txt:3: expected a row \"MT Count TotalSize Class Name\", got \"zz 1 100 X\""},
           {head + "00007ffa2c0f5f20 1 100\nTotal 1 objects\n",
            "d.txt:3: expected a row \"MT Count TotalSize Class Name\", got \"00007ffa2c0f5f20 1 100\""},
           {head + "00007ffa2c0f5f20 1 100 X\n",
            "d.txt: truncated heap statistics: no \"Total N objects\" line after the table at line 2"},
       }) {
    auto p = ParseDumpheapStat(c.text, "d.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
}

// A real paste (dotnet/docs#33836): the header, an author's "...", the
// last rows, and a footer counting every object. The rows are read, the
// "..." skipped, and the shortfall said: 413,807 of 428,516 objects.
TEST(DumpheapTest, APartialTableIsReadWithAWarningSayingHowMuchItHolds) {
  auto p = LoadProfile(testing::SourcePath("testdata/dumpheap-real/dotnet-docs-33836.txt"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->samples.size(), 8u);  // 9 rows: SOS's "Free" (gaps between objects) is no type
  EXPECT_EQ(p->free_bytes, 116080);  // its row, still counted in the coverage below as the footer counts it
  for (size_t i = 0; i < p->samples.size(); ++i)
    EXPECT_NE(p->functions[p->lines[p->locations[p->Stack(p->samples[i])[0]].first_line].function].name, "Free");
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_EQ(p->warnings[0],
            "a partial table: its rows hold 413,807 of the 428,516 objects its footer counts (96.6%) (rows elided "
            "at line 5); the types left out are missing from the series");
  EXPECT_NEAR(p->coverage, 413807.0 / 428516.0, 1e-9);
  EXPECT_EQ(p->view_filter, "");
}

TEST(DumpheapTest, FootersOfEveryLayoutAreChecked) {
  const std::string head = "Statistics:\n          MT Count TotalSize Class Name\n";
  const std::string rows = "7ffa40ddf0b8     1        24 System.Object\n7ffa4094dd88 4,175   301,276 System.String\n";
  for (std::string footer :
       {"Total 4,176 objects, 301,300 bytes", "Total 4,176 objects, Total size: 301,300", "Total 4176 objects"}) {
    auto p = ParseDumpheapStat(head + rows + footer + "\n", "d.txt");
    ASSERT_TRUE(p.ok()) << footer << ": " << p.status().message();
    EXPECT_TRUE(p->warnings.empty()) << footer;
    EXPECT_EQ(p->coverage, 1);
  }
  auto more = ParseDumpheapStat(head + rows + "Total 100 objects\n", "d.txt");
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().message(),
            "d.txt: the table's rows hold 4,176 objects, more than its footer's \"Total 100 objects\": not one table");
}

// Managed SOS formats numbers in the machine's culture.
TEST(DumpheapTest, NumbersInTheMachinesCultureAreRead) {
  const std::string head = "Statistics:\n          MT Count TotalSize Class Name\n";
  struct Case {
    std::string count, size;
  };
  for (const Case& c : std::vector<Case>{{"1,022,672", "24,544,128"},
                                         {"1.022.672", "24.544.128"},
                                         {"1\xE2\x80\xAF"
                                          "022\xE2\x80\xAF"
                                          "672",
                                          "24\xE2\x80\xAF"
                                          "544\xE2\x80\xAF"
                                          "128"},
                                         {"1\xC2\xA0"
                                          "022\xC2\xA0"
                                          "672",
                                          "24\xC2\xA0"
                                          "544\xC2\xA0"
                                          "128"},
                                         {"1'022'672", "24'544'128"}}) {
    auto p =
        ParseDumpheapStat(head + "7ffa40ddf0b8 " + c.count + " " + c.size + " Kafka.Client.Common.NoOpTimer\nTotal " +
                              c.count + " objects, " + c.size + " bytes\n",
                          "d.txt");
    ASSERT_TRUE(p.ok()) << c.count << ": " << p.status().message();
    EXPECT_EQ(p->Values(0)[0], 1022672) << c.count;
    EXPECT_EQ(p->Values(0)[1], 24544128) << c.count;
  }
  // Mixed separators or groups of other sizes are no number.
  for (std::string bad : {"1,022.672", "10,22,672", "1.0226"}) {
    auto p = ParseDumpheapStat(head + "7ffa40ddf0b8 " + bad + " 100 X\nTotal 1 objects\n", "d.txt");
    EXPECT_FALSE(p.ok()) << bad;
  }
}

// finalizequeue prints the same columns: with the whole heap's statistics
// below it, those are read, and the choice is said.
TEST(DumpheapTest, OfSeveralTablesTheWholeHeapsIsRead) {
  const std::string text =
      "0:000> !finalizequeue\nStatistics for all finalizable objects (including all objects ready for finalization):\n"
      "              MT    Count    TotalSize Class Name\n00007ffa2b5e1a38       26          624 System.WeakReference\n"
      "Total 26 objects\n0:000> !dumpheap -stat\nStatistics:\n              MT    Count    TotalSize Class Name\n"
      "00007ffa2b5e1a38     9000       216000 System.Object\n00007ffa2b5e1a40      486        11664 "
      "System.WeakReference\n"
      "Total 9486 objects\n";
  auto p = ParseDumpheapStat(text, "d.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->samples.size(), 2u);
  EXPECT_EQ(p->Values(0)[0], 9000);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_EQ(p->warnings[0],
            "2 tables of heap statistics; read the one at line 8 (\"!dumpheap -stat\"), the whole heap's");
  EXPECT_EQ(p->view_filter, "");
  // Only a filtered view: read, and marked as that view.
  auto filtered = ParseDumpheapStat(
      "> dumpheap -stat -type Kafka\nStatistics:\n      MT    Count    TotalSize Class Name\n"
      "00007ffa2b5e1a38 3 72 Kafka.Client.Common.NoOpTimer\nTotal 3 objects\n",
      "f.txt");
  ASSERT_TRUE(filtered.ok()) << filtered.status().message();
  EXPECT_EQ(filtered->view_filter, "dumpheap -stat -type Kafka");
}

// A series of whole-heap tables and a filtered one would make growth of
// what the filter left out: refused, naming the filter.
TEST(DumpheapTest, AFilteredViewInASeriesOfWholeHeapsIsRefused) {
  const std::string whole =
      "> dumpheap -stat\nStatistics:\n      MT    Count    TotalSize Class Name\n"
      "00007ffa2b5e1a38 3 72 Kafka.Client.Common.NoOpTimer\nTotal 3 objects\n";
  const std::string filtered =
      "> dumpheap -stat -min 100\nStatistics:\n      MT    Count    TotalSize Class Name\n"
      "00007ffa2b5e1a38 3 720 Big\nTotal 3 objects\n";
  Aligner aligner(AlignOptions{}, 2);
  auto a = ParseDumpheapStat(whole, "day1.txt");
  auto b = ParseDumpheapStat(filtered, "day2.txt");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(aligner.Add(0, *a).ok());
  Status s = aligner.Add(1, *b);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "day2.txt: its table is \"dumpheap -stat -min 100\", day1.txt's is the whole heap: a series compares one "
            "view of the heap (give whole-heap \"dumpheap -stat\" tables)");
}

TEST(DumpheapTest, ATableAfterALongSessionIsFound) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "0:000> some other command output line " + std::to_string(i) + "\n";
  text += "Statistics:\n      MT    Count    TotalSize Class Name\n00007ffa2b5e1a38 3 72 X\nTotal 3 objects\n";
  EXPECT_TRUE(IsDumpheapStat(text));
  EXPECT_TRUE(ParseDumpheapStat(text, "d.txt").ok());
}

}  // namespace
}  // namespace pprof_trend
