#include "input/dumpheap.h"

#include <gtest/gtest.h>

#include "input/load.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

TEST(DumpheapTest, ReadsEveryBundledVariant) {
  for (int i = 1; i <= 4; ++i) {
    auto p = LoadProfile(testing::SourcePath("testdata/dotnet/dump" + std::to_string(i) + ".txt"), LoadOptions{});
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->samples.size(), 11u) << i;
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
           {head + "00007ffa2c0f5f20 1 100 X\n", "d.txt: truncated heap statistics: no \"Total N objects\" line"},
       }) {
    auto p = ParseDumpheapStat(c.text, "d.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
}

}  // namespace
}  // namespace pprof_trend
