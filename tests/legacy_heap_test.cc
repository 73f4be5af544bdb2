#include "input/legacy_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "output/inspect.h"
#include "input/load.h"
#include "test_paths.h"
#include "analysis/trend.h"

namespace pprof_trend {
namespace {

// Totals `go tool pprof -top -sample_index=S -unit=B dayN.heap.txt` prints
// (Go 1.19.8): the same as for the proto form of the same moment.
TEST(LegacyHeapTest, TotalsEqualGoToolPprof) {
  const std::vector<std::vector<int64_t>> totals = {{72915, 520554752, 64548, 205467028},
                                                    {174621, 989379611, 113557, 318725868},
                                                    {243622, 1366777459, 162634, 358182046}};
  for (int day = 1; day <= 3; ++day) {
    auto p = LoadProfile(testing::SourcePath("testdata/sarama/day" + std::to_string(day) + ".heap.txt"), LoadOptions{});
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(Summarize(*p, 10).totals, totals[static_cast<size_t>(day - 1)]) << "day " << day;
    EXPECT_EQ(p->period, 524288);  // heap/1048576: half of it
  }
}

TEST(LegacyHeapTest, UnsamplesEachRecordAsPprofDoes) {
  // One record of 3 objects of 1000 bytes at rate 524288 (header heap/1048576).
  std::string text =
      "heap profile: 3: 3000 [5: 5000] @ heap/1048576\n"
      "3: 3000 [5: 5000] @ 0x401001 0x402002\n"
      "#\t0x401000\tmain.alloc+0x10\t/src/main.go:12\n"
      "#\t0x401000\tmain.inlined+0x10\t/src/main.go:30\n"
      "#\t0x402001\tmain.main+0x21\t\t/src/main.go:40\n"
      "\n"
      "# runtime.MemStats\n# Alloc = 123\n";
  auto p = ParseLegacyHeap(text, "t.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->samples.size(), 1u);
  double scale = 1 / (1 - std::exp(-1000.0 / 524288));
  auto v = p->Values(0);
  EXPECT_EQ(v[0], static_cast<int64_t>(5 * scale));     // alloc_objects
  EXPECT_EQ(v[1], static_cast<int64_t>(5000 * scale));  // alloc_space
  EXPECT_EQ(v[2], static_cast<int64_t>(3 * scale));
  EXPECT_EQ(v[3], static_cast<int64_t>(3000 * scale));
  auto labels = p->Labels(p->samples[0]);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].key, "bytes");
  EXPECT_EQ(labels[0].num, 1000);  // before scaling
  auto stack = p->Stack(p->samples[0]);
  ASSERT_EQ(stack.size(), 3u);  // the inlined frame expanded, leaf first
  auto name = [&](size_t i) { return p->functions[p->Lines(p->locations[stack[i]])[0].function].name; };
  EXPECT_EQ(name(0), "main.alloc");
  EXPECT_EQ(name(1), "main.inlined");
  EXPECT_EQ(name(2), "main.main");
  EXPECT_EQ(p->functions[p->Lines(p->locations[stack[0]])[0].function].filename, "/src/main.go");
  EXPECT_EQ(p->Lines(p->locations[stack[2]])[0].line, 40);
}

// Records without symbols are locations without lines, as pprof reads them
// (inspect then groups them as pprof -top does; alignment names them by
// address, the return address - 1).
TEST(LegacyHeapTest, UnsymbolizedRecordsAreAddressesWithoutLines) {
  auto p = ParseLegacyHeap("heap profile: 1: 64 [1: 64] @ heapprofile\n1: 64 [1: 64] @ 0x401001 0x402002\n", "t");
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto stack = p->Stack(p->samples[0]);
  ASSERT_EQ(stack.size(), 2u);
  EXPECT_EQ(p->locations[stack[0]].address, 0x401000u);
  EXPECT_EQ(p->locations[stack[0]].num_lines, 0u);
  EXPECT_EQ(p->Values(0)[3], 64);  // heapprofile: not sampled, not scaled
  Aligner aligner(AlignOptions{}, 1);
  ASSERT_TRUE(aligner.Add(0, *p).ok());
  AlignedProfiles aligned = std::move(aligner).Finish(false);
  ASSERT_EQ(aligned.sites.size(), 1u);
  EXPECT_EQ(aligned.frames[aligned.sites[0].frames.back()].function, "0x401000");
  EXPECT_EQ(Summarize(*p, 10).top[0].name, "<unknown>");
}

TEST(LegacyHeapTest, MalformedInputNamesTheLine) {
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {"heap profile: x\n", "t.txt:1: expected a header \"heap profile: N: B [N: B] @ heap/RATE\""},
           {"heap profile: 1: 2 [3: 4] @ weird/7\n",
            "t.txt:1: unknown sampling \"weird/7\" (expected heap/RATE, heap_v2/RATE or heapprofile)"},
           {"heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1\n\nbogus line\n",
            "t.txt:4: expected a record \"N: B [N: B] @ 0xADDRESS...\", got \"bogus line\""},
           {"heap profile: 1: 2 [3: 4] @ heap/1048576\n0: 2 [3: 4] @ 0x1\n",
            "t.txt:2: a count of 0 with a non-zero size"},
           {"heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 2 [3: 4] @ 0x1 zz\n",
            "t.txt:2: expected hexadecimal addresses after \"@\""},
       }) {
    auto p = ParseLegacyHeap(c.text, "t.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
}

// The two forms of the same captures give the same trend: bytes and bytes
// per object exactly, objects within the sampling error.
TEST(LegacyHeapTest, TrendAgreesWithTheProtoForm) {
  auto trend = [](const std::string& suffix) {
    Aligner aligner(AlignOptions{}, 3);
    const int64_t times[] = {1644544800, 1644804000, 1644890400};
    for (int day = 1; day <= 3; ++day) {
      auto p = LoadProfile(testing::SourcePath("testdata/sarama/day" + std::to_string(day) + suffix), LoadOptions{});
      EXPECT_TRUE(p.ok()) << p.status().message();
      p->time_nanos = times[day - 1] * 1000000000;
      EXPECT_TRUE(aligner.Add(static_cast<size_t>(day - 1), *p).ok());
    }
    return ComputeTrends(std::move(aligner).Finish(false), TrendOptions{});
  };
  TrendResult proto = trend(".pb.gz"), text = trend(".heap.txt");
  // The text form lists a few records whose in-use values are all zero (the
  // proto form drops them); only sites that hold memory are compared, in rank order.
  auto holding = [](const TrendResult& t) {
    std::vector<const TrendNode*> out;
    for (const auto& n : t.sites)
      if (std::any_of(n.values.begin(), n.values.end(), [](double v) { return v != 0; })) out.push_back(&n);
    return out;
  };
  auto a_sites = holding(proto), b_sites = holding(text);
  ASSERT_EQ(a_sites.size(), b_sites.size());
  ASSERT_GE(a_sites.size(), 5u);
  for (size_t i = 0; i < a_sites.size(); ++i) {
    const TrendNode &a = *a_sites[i], &b = *b_sites[i];
    std::string name = proto.aligned.frames[a.name_frame].function;
    ASSERT_EQ(name, text.aligned.frames[b.name_frame].function) << "rank " << i + 1;
    EXPECT_EQ(a.values, b.values) << name;
    EXPECT_EQ(a.size.bytes_per_object, b.size.bytes_per_object) << name;
    EXPECT_EQ(a.size.exact, b.size.exact) << name;
    EXPECT_EQ(a.stats.trend_class, b.stats.trend_class) << name;
    for (size_t k = 0; k < a.objects.size(); ++k) EXPECT_NEAR(a.objects[k], b.objects[k], 0.15 * a.objects[k]) << name;
  }
}

}  // namespace
}  // namespace pprof_trend

namespace pprof_trend {
namespace {

// Only Go's runtime keeps a record per stack and object size: its B/N is an
// object size (the `bytes` label); gperftools' and jemalloc's records mix
// sizes, so no label, and bytes per object is never called exact.
TEST(LegacyHeapTest, OnlyGoRecordsCarryAnObjectSize) {
  auto go = ParseLegacyHeap("heap profile: 1: 64 [1: 64] @ heap/1048576\n1: 64 [1: 64] @ 0x401001\n", "go");
  ASSERT_TRUE(go.ok()) << go.status().message();
  auto labels = go->Labels(go->samples[0]);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].key, "bytes");
  EXPECT_EQ(labels[0].num, 64);
  for (const char* header : {"heapprofile", "heapz_v2/524288", "heap_v2/524288"}) {
    auto native = ParseLegacyHeap(std::string("heap profile: 2: 160 [2: 160] @ ") + header +
                                      "\n2: 160 [2: 160] @ 0x401001\n",
                                  "native");
    ASSERT_TRUE(native.ok()) << native.status().message();
    EXPECT_TRUE(native->Labels(native->samples[0]).empty()) << header;
  }
}

}  // namespace
}  // namespace pprof_trend
