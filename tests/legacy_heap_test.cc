#include "input/legacy_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "analysis/trend.h"
#include "input/load.h"
#include "input/sniff.h"
#include "output/inspect.h"
#include "support/profile_builder.h"
#include "test_paths.h"

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
    EXPECT_EQ(Summarize(*p, 10)->totals, totals[static_cast<size_t>(day - 1)]) << "day " << day;
    EXPECT_EQ(p->period, 524288);  // heap/1048576: half of it
  }
}

// The runtime.MemStats block that ends a ?debug=1 heap profile (a real
// capture's), "# Stack = in use / from the OS" included; a file without it
// has none (-1).
TEST(LegacyHeapTest, ReadsTheRuntimesMemStats) {
  auto p = LoadProfile(testing::SourcePath("testdata/sarama/day1.heap.txt"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  const ProcessMemory& m = p->process_memory;
  EXPECT_EQ(m.sys, 396489048);
  EXPECT_EQ(m.heap_alloc, 207351416);
  EXPECT_EQ(m.heap_sys, 372834304);
  EXPECT_EQ(m.heap_idle, 164077568);
  EXPECT_EQ(m.heap_inuse, 208756736);
  EXPECT_EQ(m.heap_released, 5545984);
  EXPECT_EQ(m.stack_inuse, 425984);
  EXPECT_EQ(m.stack_sys, 425984);
  EXPECT_EQ(m.mspan_sys, 911232);
  EXPECT_EQ(m.mcache_sys, 15600);
  EXPECT_EQ(m.next_gc, 412379024);
  EXPECT_EQ(m.num_gc, 11);
  ASSERT_TRUE(m.complete());
  // Sys is the sum of its parts.
  EXPECT_EQ(m.sys, m.heap_sys + m.stack_sys + m.mspan_sys + m.mcache_sys + m.buckhash_sys + m.gc_sys + m.other_sys);
  auto pb = LoadProfile(testing::SaramaDay(1), LoadOptions{});
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(pb->process_memory.sys, -1);
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
// The header counts every record's in-use objects: a real Go heap profile
// whose last records were cut off (a paste, a truncated copy) is partial, as
// a cut table is, with the share its records hold; the whole file is not.
TEST(LegacyHeapTest, RecordsHoldingLessThanTheHeaderAreAPartialProfile) {
  const std::string whole = testing::ReadFileOrDie(testing::SourcePath("testdata/sarama/day3.heap.txt"));
  auto p = ParseLegacyHeap(whole, "day3.heap.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->coverage, 1);
  EXPECT_TRUE(p->warnings.empty());
  // Up to the second record: the newPartitionProducer record alone (35 of the header's 142 objects).
  const size_t second = whole.find("\n1: ", whole.find("\n") + 1);
  ASSERT_NE(second, std::string::npos);
  const std::string cut = whole.substr(0, second + 1);
  p = ParseLegacyHeap(cut, "cut.heap.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_LT(p->coverage, 0.5);
  ASSERT_EQ(p->warnings.size(), 1u);
  EXPECT_TRUE(p->warnings[0].starts_with("a partial heap profile: its records hold ")) << p->warnings[0];
}

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
  EXPECT_EQ(Summarize(*p, 10)->top[0].name, "<unknown>");
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

// pprof's own test data (profile/testdata/java.heap): what its parser makes
// of it, java.heap.string beside it: 7 samples, inuse_objects/inuse_space
// 74/527819, 8941/4720968, ... 54615/2621560, each with bytes:[size].
TEST(LegacyHeapTest, JavaHeapzIsReadAsPprofReadsIt) {
  auto p = LoadProfile(testing::SourcePath("testdata/java/pprof-java.heap"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->sample_types.size(), 2u);
  EXPECT_EQ(p->sample_types[0].type, "inuse_objects");
  EXPECT_EQ(p->sample_types[1].unit, "bytes");
  EXPECT_EQ(p->period, 524288);
  ASSERT_EQ(p->samples.size(), 7u);
  const std::vector<std::vector<int64_t>> want = {{74, 527819},  {8941, 4720968}, {596, 524728},   {936, 524568},
                                                  {993, 524552}, {1192, 524508},  {54615, 2621560}};
  const std::vector<int64_t> sizes = {7048, 528, 880, 560, 528, 440, 48};
  for (size_t i = 0; i < want.size(); ++i) {
    auto v = p->Values(i);
    EXPECT_EQ(std::vector<int64_t>(v.begin(), v.end()), want[i]) << i;
    auto labels = p->Labels(p->samples[i]);
    ASSERT_EQ(labels.size(), 1u);
    EXPECT_EQ(labels[0].num, sizes[i]) << i;
  }
  EXPECT_EQ(Summarize(*p, 10)->totals, (std::vector<int64_t>{67347, 9968703}));
  // The leaf of the first record, and its file and line.
  const Location& leaf = p->locations[p->Stack(p->samples[0])[0]];
  ASSERT_EQ(leaf.num_lines, 1u);
  const Line& line = p->lines[leaf.first_line];
  EXPECT_EQ(p->functions[line.function].name, "com.example.function003");
  EXPECT_EQ(p->functions[line.function].filename, "Source003.java");
  EXPECT_EQ(line.line, 103);
}

TEST(LegacyHeapTest, MalformedJavaHeapzNamesTheLine) {
  const std::string head = "--- heapz 1 ---\nformat = java\nresolution = bytes\n";
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {"--- heapz 1 ---\nformat = cpp\n", "t.txt:2: a \"--- heapz\" profile of format \"cpp\", not java"},
           {"--- heapz 1 ---\nformat = java\n 100 1 @ 0x1\n",
            "t.txt:3: no \"resolution = ...\" line: the unit of the sizes is not given"},
           {"--- heapz 1 ---\nformat = java\nsampling = 5\n",
            "t.txt:3: unknown attribute \"sampling\" of a Java heap profile"},
           {head + " 100 0 @ 0x1\n", "t.txt:4: a record with a count of 0"},
           {head + " 100 1 @ 0x1 zz\n", "t.txt:4: expected \"BYTES COUNT @ 0xADDRESS...\""},
           {head + "\n 0x1 main (Main.java:3)\n", "t.txt:5: no \"BYTES COUNT @ 0xADDRESS...\" record"},
       }) {
    auto p = ParseLegacyHeap(c.text, "t.txt");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
  // A record whose address has no symbol line stays an address; a library's
  // path becomes its file name.
  auto p = ParseLegacyHeap(
      head + " 1000 2 @ 0x1 0x2 0x3\n\n 0x1 Cache.put (Cache.java:7)\n 0x2 memcpy (/lib/x86_64/libc.so.6)\n", "t.txt");
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto stack = p->Stack(p->samples[0]);
  ASSERT_EQ(stack.size(), 3u);
  EXPECT_EQ(p->functions[p->lines[p->locations[stack[1]].first_line].function].filename, "libc.so.6");
  EXPECT_EQ(p->locations[stack[2]].num_lines, 0u);
  EXPECT_EQ(p->locations[stack[2]].address, 3u);
  // Another version of the header is named, not guessed at.
  EXPECT_EQ(DescribeNonProtobuf("--- heapz 2 ---\nformat = java\n").value_or(""),
            "a legacy heap profile of a version pprof-trend does not read (\"--- heapz 2 ---\"; it reads \"--- heapz 1 "
            "---\")");
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
    return ComputeTrends(std::move(aligner).Finish(false));
  };
  TrendResult proto = trend(".pb.gz"), text = trend(".heap.txt");
  // The text form lists a few records whose in-use values are all zero (the
  // proto form drops them); only sites that hold memory are compared, in rank order.
  auto holding = [](const TrendResult& t) {
    std::vector<const TrendNode*> out;
    for (const auto& n : t.sites) {
      const std::vector<double> values = SeriesOf(t, n).values;
      if (std::any_of(values.begin(), values.end(), [](double v) { return v != 0; })) out.push_back(&n);
    }
    return out;
  };
  auto a_sites = holding(proto), b_sites = holding(text);
  ASSERT_EQ(a_sites.size(), b_sites.size());
  ASSERT_GE(a_sites.size(), 5u);
  for (size_t i = 0; i < a_sites.size(); ++i) {
    const TrendNode &a = *a_sites[i], &b = *b_sites[i];
    std::string name = proto.aligned.frames[a.name_frame].function;
    ASSERT_EQ(name, text.aligned.frames[b.name_frame].function) << "rank " << i + 1;
    const NodeSeries as = SeriesOf(proto, a), bs = SeriesOf(text, b);
    EXPECT_EQ(as.values, bs.values) << name;
    EXPECT_EQ(a.size.bytes_per_object, b.size.bytes_per_object) << name;
    EXPECT_EQ(a.size.exact, b.size.exact) << name;
    EXPECT_EQ(a.stats.trend_class, b.stats.trend_class) << name;
    for (size_t k = 0; k < as.objects.size(); ++k)
      EXPECT_NEAR(as.objects[k], bs.objects[k], 0.15 * as.objects[k]) << name;
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
    auto native = ParseLegacyHeap(
        std::string("heap profile: 2: 160 [2: 160] @ ") + header + "\n2: 160 [2: 160] @ 0x401001\n", "native");
    ASSERT_TRUE(native.ok()) << native.status().message();
    EXPECT_TRUE(native->Labels(native->samples[0]).empty()) << header;
  }
}

// gperftools and jemalloc end with the process's maps: the executable
// mappings of files are kept, and each address gets the one holding it.
TEST(LegacyHeapTest, MappedLibrariesBecomeMappings) {
  auto p = LoadProfile(testing::SourcePath("testdata/native/gperftools-run1-0003.heap"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_FALSE(p->mappings.empty());
  for (const Mapping& m : p->mappings) {
    EXPECT_LT(m.memory_start, m.memory_limit);
    EXPECT_FALSE(m.filename.empty());
    EXPECT_NE(m.filename.front(), '[');  // [heap], [stack]: no file
  }
  size_t mapped = 0;
  for (const Location& loc : p->locations) {
    if (loc.mapping == Location::kNoMapping) continue;
    ++mapped;
    const Mapping& m = p->mappings[loc.mapping];
    EXPECT_GE(loc.address, m.memory_start);
    EXPECT_LT(loc.address, m.memory_limit);
  }
  EXPECT_EQ(mapped, p->locations.size());  // every frame of this program is in a mapped file
}

// jemalloc's heap_v2: per stack an "@" line and its "t*:" counts (per
// thread "tN:" lines skipped); exact with heap_v2/1.
TEST(LegacyHeapTest, JemallocHeapV2IsRead) {
  auto p = LoadProfile(testing::SourcePath("testdata/native/jemalloc-exact-phase3.heap"), LoadOptions{});
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->sample_types.size(), 4u);  // prof_accum:true: the accumulated counts too
  // The header's totals: t*: 15905: 3325632 [75907: 26021536]
  EXPECT_EQ(Summarize(*p, 10)->totals, (std::vector<int64_t>{75907, 26021536, 15905, 3325632}));
  EXPECT_EQ(p->period, 1);
  EXPECT_FALSE(p->mappings.empty());
  for (const Label& l : p->labels) EXPECT_NE(l.key, "bytes");  // one record per stack: no object size
  // Without prof_accum the accumulated counts read 0: only the in-use types.
  auto q = ParseLegacyHeap(
      "heap_v2/524288\n  t*: 2: 200 [0: 0]\n  t0: 2: 200 [0: 0]\n@ 0x1001 0x2002\n"
      "  t*: 2: 200 [0: 0]\n  t0: 2: 200 [0: 0]\n\nMAPPED_LIBRARIES:\n"
      "00001000-00003000 r-xp 00000000 fe:00 42  /usr/bin/prog\n",
      "je");
  ASSERT_TRUE(q.ok()) << q.status().message();
  ASSERT_EQ(q->sample_types.size(), 2u);
  EXPECT_EQ(q->sample_types[1].type, "inuse_space");
  EXPECT_GT(q->Values(0)[1], 200);  // unsampled: 100 B objects at a 512 KiB rate scale up
  ASSERT_EQ(q->mappings.size(), 1u);
  EXPECT_EQ(q->mappings[0].filename, "/usr/bin/prog");
  EXPECT_EQ(q->locations[q->Stack(q->samples[0])[0]].address, 0x1000u);  // a return address: the call is before
}

TEST(LegacyHeapTest, MalformedJemallocNamesTheLine) {
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {"heap_v2/x\n", "j:1: bad sampling rate \"heap_v2/x\" (expected heap_v2/RATE)"},
           {"heap_v2/1\n  t*: 1\n", "j:2: expected the totals \"t*: N: B [N: B]\""},
           {"heap_v2/1\n  t*: 1: 8 [1: 8]\n@ 0x10\n@ 0x20\n", "j:4: a stack without its \"t*:\" line"},
           {"heap_v2/1\n  t*: 1: 8 [1: 8]\n  t*: 1: 8 [1: 8]\n", "j:3: a \"t*:\" line without its stack"},
           {"heap_v2/1\n  t*: 1: 8 [1: 8]\n@ 0x10\n", "j:3: a stack without its \"t*:\" line (truncated?)"},
           {"heap_v2/1\n  t*: 1: 8 [1: 8]\n@ 0x10\n  t*: 0: 8 [1: 8]\n", "j:4: expected \"t*: N: B [N: B]\""},
           {"heap_v2/1\n  t*: 1: 8 [1: 8]\nbogus\n",
            "j:3: expected \"@ 0x...\", \"t*:\" or MAPPED_LIBRARIES, got \"bogus\""},
       }) {
    auto p = ParseLegacyHeap(c.text, "j");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().message(), c.message);
  }
}

// Unsymbolized frames are named by file and offset, which survive a
// restart (ASLR moves every address): the two runs' sites align.
TEST(LegacyHeapTest, UnsymbolizedFramesAlignAcrossARestartByFileAndOffset) {
  std::vector<std::string> files = {"gperftools-run1-0001", "gperftools-run1-0002", "gperftools-run2-0001",
                                    "gperftools-run2-0002"};
  Aligner aligner(AlignOptions{}, files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    auto p = LoadProfile(testing::SourcePath("testdata/native/" + files[i] + ".heap"), LoadOptions{});
    ASSERT_TRUE(p.ok()) << p.status().message();
    ASSERT_TRUE(aligner.Add(i, *p).ok());
  }
  AlignedProfiles a = std::move(aligner).Finish(false);
  // Each run has the same 6 stacks: aligned, they are 6 sites, not 12.
  EXPECT_EQ(a.sites.size(), 6u);
  bool leak_seen = false;
  for (const AlignedSite& site : a.sites) {
    const AlignedFrame& leaf = a.frames[site.frames.back()];
    EXPECT_TRUE(leaf.function.starts_with("leaker-tc+0x") || leaf.function.starts_with("libc.so.6+0x"))
        << leaf.function;
    // The leak: 5,000 objects a phase, in both runs.
    if (site.objects[0] == 5000 && site.objects[1] == 10000) {
      leak_seen = true;
      EXPECT_EQ(site.objects[2], 5000);
      EXPECT_EQ(site.objects[3], 10000);
      EXPECT_EQ(leaf.file, "/tmp/nat/leaker-tc");
    }
  }
  EXPECT_TRUE(leak_seen);
}

}  // namespace
}  // namespace pprof_trend
