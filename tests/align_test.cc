#include "analysis/align.h"

#include <gtest/gtest.h>

#include <array>
#include <deque>
#include <map>
#include <numeric>

#include "input/load.h"
#include "input/profile_reader.h"
#include "model/profile_kind.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

using testing::BuildProfile;
using testing::HeapSample;
using testing::ProfileSpec;
using testing::TestFrame;
using testing::TestSample;

Profile Decode(const std::string& bytes, const std::string& name) {
  auto p = DecodePprof(bytes, name);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

// leaf -> root frames of a small Go-like program.
std::vector<TestFrame> Stack(const std::string& leaf, int64_t line = 10) {
  return {{leaf, "svc/main.go", line}, {"main.main", "svc/main.go", 5}, {"runtime.main", "runtime/proc.go", 250}};
}

AlignedProfiles AlignAll(const std::vector<std::string>& bytes, AlignOptions options = {}, bool keep_order = false) {
  Aligner aligner(std::move(options), bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    Profile p = Decode(bytes[i], "p" + std::to_string(i + 1));
    Status s = aligner.Add(i, p);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  return std::move(aligner).Finish(keep_order);
}

std::vector<int64_t> Vec(const PackedSeries& v) { return v.ToVector(); }
// A site's lines as outputs show them (its example lines at `functions`
// granularity), root first.
std::vector<int64_t> ExampleLines(const AlignedProfiles& a, const AlignedSite& site) {
  std::vector<int64_t> lines(site.frames.size());
  for (size_t i = 0; i < lines.size(); ++i) lines[i] = SiteFrameLine(a, site, i);
  return lines;
}

// Appends a sample of `stack` (location indices, leaf first) holding
// `objects` objects of `bytes` bytes in all to a decoded profile.
void AddSample(Profile& p, const std::vector<uint32_t>& stack, int64_t objects, int64_t bytes) {
  Sample sample;
  sample.first_location = p.stack_locations.size();
  p.stack_locations.insert(p.stack_locations.end(), stack.begin(), stack.end());
  sample.num_locations = static_cast<uint32_t>(stack.size());
  p.values.push_back(objects);
  p.values.push_back(bytes);
  p.samples.push_back(sample);
}

// The series of one decoded profile.
AlignedProfiles FoldOne(const Profile& p) {
  Aligner aligner(AlignOptions{}, 1);
  Status status = aligner.Add(0, p);
  EXPECT_TRUE(status.ok()) << status.message();
  return std::move(aligner).Finish(false);
}

const AlignedSite* FindSite(const AlignedProfiles& a, const std::string& leaf) {
  for (const auto& s : a.sites)
    if (!s.frames.empty() && a.frames[s.frames.back()].function == leaf) return &s;
  return nullptr;
}

TEST(AlignTest, SitesAlignByNameAcrossRebuilds) {
  ProfileSpec day1, day2;
  day1.samples = {HeapSample(Stack("main.leak"), 1, 100, 100), HeapSample(Stack("main.stable"), 5, 500, 100)};
  day2.samples = {HeapSample(Stack("main.leak"), 3, 300, 100), HeapSample(Stack("main.stable"), 5, 500, 100)};
  auto a = AlignAll({BuildProfile(day1), testing::RewriteAsRebuild(BuildProfile(day2), 7)});
  ASSERT_EQ(a.sites.size(), 2u);
  const AlignedSite* leak = FindSite(a, "main.leak");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(Vec(leak->values), (std::vector<int64_t>{100, 300}));
  EXPECT_EQ(Vec(leak->objects), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(leak->object_sizes.ToVector(), (std::vector<int64_t>{100}));
  EXPECT_FALSE(leak->sizes_incomplete);
  // Root first.
  EXPECT_EQ(a.frames[leak->frames.front()].function, "runtime.main");
  EXPECT_EQ(ExampleLines(a, *leak), (std::vector<int64_t>{250, 5, 10}));
}

// Samples of one site of the same size: the smaller lines name it, in
// whichever order the samples come (not the order the lines were first seen).
TEST(AlignTest, EqualSamplesNameTheSmallerLinesInAnyOrder) {
  for (const bool smaller_first : {false, true}) {
    ProfileSpec spec;
    spec.samples = {HeapSample(Stack("main.f", smaller_first ? 20 : 30), 1, 100, 100),
                    HeapSample(Stack("main.f", smaller_first ? 30 : 20), 1, 100, 100),
                    HeapSample(Stack("main.g", 40), 1, 50, 50), HeapSample(Stack("main.g", 41), 1, 60, 60)};
    auto a = AlignAll({BuildProfile(spec)});
    EXPECT_EQ(ExampleLines(a, *FindSite(a, "main.f")), (std::vector<int64_t>{250, 5, 20})) << smaller_first;
    EXPECT_EQ(ExampleLines(a, *FindSite(a, "main.g")), (std::vector<int64_t>{250, 5, 41})) << smaller_first;
  }
}

// Example lines are lines of any number (a generated file of 70,000 lines,
// a line past 2^30), held as each frame's index among its lines: 1 byte
// while a site's indexes fit, 4 once one does not (a function seen at 300
// lines). Either way they read back as the lines of the largest sample.
TEST(AlignTest, ExampleLinesOfAnyLength) {
  ProfileSpec day1, day2;
  day1.samples = {HeapSample(Stack("main.leak", 65535), 1, 100, 100),
                  HeapSample(Stack("main.big", 70000), 1, 100, 100)};
  day2.samples = {HeapSample(Stack("main.leak", 2000000000), 3, 300, 100),
                  HeapSample(Stack("main.big", 12), 3, 300, 100)};
  auto one = AlignAll({BuildProfile(day1)});
  EXPECT_EQ(ExampleLines(one, *FindSite(one, "main.leak")), (std::vector<int64_t>{250, 5, 65535}));
  EXPECT_EQ(ExampleLines(one, *FindSite(one, "main.big")), (std::vector<int64_t>{250, 5, 70000}));
  // The larger samples of day 2 name the lines.
  auto two = AlignAll({BuildProfile(day1), BuildProfile(day2)});
  EXPECT_EQ(ExampleLines(two, *FindSite(two, "main.leak")), (std::vector<int64_t>{250, 5, 2000000000}));
  EXPECT_EQ(ExampleLines(two, *FindSite(two, "main.big")), (std::vector<int64_t>{250, 5, 12}));
  // main.many is seen at 300 lines; its largest sample is at the last, index
  // 299, so the site's lines widen. A larger sample at its first line (index
  // 0) then names them, in the wide site.
  ProfileSpec many, first_line;
  for (int64_t k = 0; k < 300; ++k) many.samples.push_back(HeapSample(Stack("main.many", 1000 + k), 1, 100 + k, 100));
  first_line.samples = {HeapSample(Stack("main.many", 1000), 1, 1000, 100)};
  auto wide = AlignAll({BuildProfile(many)});
  EXPECT_EQ(ExampleLines(wide, *FindSite(wide, "main.many")), (std::vector<int64_t>{250, 5, 1299}));
  EXPECT_FALSE(FindSite(wide, "main.many")->narrow_lines);
  auto back = AlignAll({BuildProfile(many), BuildProfile(first_line)});
  EXPECT_EQ(ExampleLines(back, *FindSite(back, "main.many")), (std::vector<int64_t>{250, 5, 1000}));
  // Its first line seen again (past the lines found by a scan) is the same
  // line: the frame still has its 300.
  EXPECT_EQ(back.frame_lines.count(FindSite(back, "main.many")->frames.back()), 300u);
  EXPECT_TRUE(FindSite(two, "main.big")->narrow_lines);
  EXPECT_EQ(SiteFrameLine(two, *FindSite(two, "main.big"), 2), 12);
}

// A stack's frames take 2 bytes each while its frame ids fit, 4 once one
// does not (a profile of more than 65,536 distinct frames): both kinds are
// found again by the next capture's samples, read back the same, and are
// copied at their width by a snapshot.
TEST(AlignTest, FrameIdsPastTwoBytesAreHeldWide) {
  ProfileSpec spec;
  const int kLeaves = 66000;
  for (int i = 0; i < kLeaves; ++i)
    spec.samples.push_back(HeapSample(Stack("main.f" + std::to_string(i)), 1, 16 + i, 16 + i));
  const std::string raw = BuildProfile(spec);
  auto check = [&](const AlignedProfiles& a, size_t captures) {
    ASSERT_EQ(a.sites.size(), static_cast<size_t>(kLeaves));
    size_t narrow = 0, wide = 0;
    for (const AlignedSite& site : a.sites) {
      ASSERT_EQ(site.frames.size(), 3u);
      (site.frames.narrow() ? narrow : wide)++;
      EXPECT_EQ(site.frames.narrow(), site.frames.back() < IdSpan::kNarrowLimit);
      EXPECT_EQ(a.frames[site.frames[0]].function, "runtime.main");
      EXPECT_EQ(a.frames[site.frames[1]].function, "main.main");
      const int i = std::stoi(a.frames[site.frames.back()].function.substr(6));
      ASSERT_EQ(Vec(site.values), std::vector<int64_t>(captures, 16 + i));
    }
    EXPECT_GT(narrow, 60000u);
    EXPECT_GT(wide, 400u);
  };
  check(AlignAll({raw, raw}), 2);
  Aligner grown({});
  const Profile p = Decode(raw, "p");
  ASSERT_TRUE(grown.Append(p).ok());
  ASSERT_TRUE(grown.Append(p).ok());
  check(grown.Snapshot(false), 2);
}

TEST(IdSpanTest, ReadsNarrowAndWideIdsAlike) {
  const std::vector<uint32_t> wide = {7, 65535, 65536, 4000000000u};
  const std::vector<uint16_t> narrow = {7, 65535, 3};
  EXPECT_FALSE(IdSpan::FitsNarrow(wide));
  EXPECT_TRUE(IdSpan::FitsNarrow(std::vector<uint32_t>{0, 65535}));
  EXPECT_FALSE(IdSpan::FitsNarrow(std::vector<uint32_t>{65536}));
  const IdSpan w(wide), n(narrow.data(), narrow.size());
  EXPECT_FALSE(w.narrow());
  EXPECT_TRUE(n.narrow());
  EXPECT_EQ(w.ToVector(), wide);
  EXPECT_EQ(n.ToVector(), (std::vector<uint32_t>{7, 65535, 3}));
  EXPECT_EQ(std::vector<uint32_t>(n.rbegin(), n.rend()), (std::vector<uint32_t>{3, 65535, 7}));
  EXPECT_EQ(n.front(), 7u);
  EXPECT_EQ(w.back(), 4000000000u);
  EXPECT_EQ(n.end() - n.begin(), 3);
  EXPECT_EQ(n.begin()[1], 65535u);
  EXPECT_EQ(w.Visit([](auto ids) { return sizeof(ids[0]); }), 4u);
  EXPECT_EQ(n.Visit([](auto ids) { return sizeof(ids[0]); }), 2u);
  EXPECT_EQ(sizeof(IdSpan), sizeof(std::span<uint32_t>));
}

TEST(AlignTest, ASiteMissingFromACaptureIsZeroThere) {
  ProfileSpec day1, day2;
  day1.samples = {HeapSample(Stack("main.old"), 1, 64)};
  day2.samples = {HeapSample(Stack("main.new"), 2, 128)};
  auto a = AlignAll({BuildProfile(day1), BuildProfile(day2)});
  EXPECT_EQ(Vec(FindSite(a, "main.old")->values), (std::vector<int64_t>{64, 0}));
  EXPECT_EQ(Vec(FindSite(a, "main.new")->values), (std::vector<int64_t>{0, 128}));
  EXPECT_TRUE(FindSite(a, "main.new")->sizes_incomplete);  // no bytes label
}

TEST(AlignTest, SameNameInAnotherFileIsAnotherFunction) {
  ProfileSpec day;
  day.samples = {HeapSample({{"util.New", "a/util.go", 1}}, 1, 10), HeapSample({{"util.New", "b/util.go", 1}}, 1, 20)};
  auto a = AlignAll({BuildProfile(day), BuildProfile(day)});
  EXPECT_EQ(a.sites.size(), 2u);
}

TEST(AlignTest, GranularityDecidesWhatAFrameIs) {
  ProfileSpec day;
  day.samples = {HeapSample(Stack("main.f", 10), 1, 10), HeapSample(Stack("main.f", 20), 1, 20),
                 HeapSample(Stack("main.g", 30), 1, 40)};
  std::vector<std::string> inputs = {BuildProfile(day), BuildProfile(day)};
  EXPECT_EQ(AlignAll(inputs).sites.size(), 2u);  // functions: main.f's two lines merge
  AlignOptions lines;
  lines.granularity = Granularity::kLines;
  EXPECT_EQ(AlignAll(inputs, lines).sites.size(), 3u);
  AlignOptions files;
  files.granularity = Granularity::kFiles;
  auto by_file = AlignAll(inputs, files);
  ASSERT_EQ(by_file.sites.size(), 1u);  // every stack is svc/main.go -> svc/main.go -> runtime/proc.go
  EXPECT_EQ(Vec(by_file.sites[0].values), (std::vector<int64_t>{70, 70}));
}

TEST(AlignTest, FocusAndIgnoreFilterSamplesByFrame) {
  ProfileSpec day;
  day.samples = {HeapSample(Stack("main.f"), 1, 10), HeapSample(Stack("main.g"), 1, 20)};
  std::vector<std::string> inputs = {BuildProfile(day), BuildProfile(day)};
  AlignOptions focus;
  focus.focus = Regex::Compile("main\\.f", "--test").value();
  auto a = AlignAll(inputs, focus);
  ASSERT_EQ(a.sites.size(), 1u);
  EXPECT_EQ(a.captures[0].total_value, 30);  // totals stay whole-profile
  AlignOptions ignore;
  ignore.ignore = Regex::Compile("main\\.f", "--test").value();
  auto b = AlignAll(inputs, ignore);
  ASSERT_EQ(b.sites.size(), 1u);
  EXPECT_EQ(b.frames[b.sites[0].frames.back()].function, "main.g");
}

TEST(AlignTest, CapturesAreOrderedByTimeUnlessKept) {
  ProfileSpec early, late;
  early.time_nanos = 1000;
  late.time_nanos = 2000;
  early.samples = {HeapSample(Stack("main.f"), 1, 10)};
  late.samples = {HeapSample(Stack("main.f"), 2, 20)};
  auto a = AlignAll({BuildProfile(late), BuildProfile(early)});
  EXPECT_TRUE(a.ordered_by_time);
  EXPECT_TRUE(a.order_differs_from_arguments);
  EXPECT_EQ(a.captures[0].path, "p2");
  EXPECT_EQ(a.argument_index, (std::vector<size_t>{1, 0}));
  EXPECT_EQ(Vec(a.sites[0].values), (std::vector<int64_t>{10, 20}));
  auto kept = AlignAll({BuildProfile(late), BuildProfile(early)}, {}, /*keep_order=*/true);
  EXPECT_FALSE(kept.ordered_by_time);
  EXPECT_EQ(Vec(kept.sites[0].values), (std::vector<int64_t>{20, 10}));
}

TEST(AlignTest, MismatchedSampleTypesNameBothFiles) {
  ProfileSpec heap, cpu;
  cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  heap.samples = {HeapSample(Stack("main.f"), 1, 10)};
  Aligner aligner(AlignOptions{}, 2);
  ASSERT_TRUE(aligner.Add(0, Decode(BuildProfile(heap), "day1.pb.gz")).ok());
  Status s = aligner.Add(1, Decode(BuildProfile(cpu), "cpu.pb.gz"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "cpu.pb.gz: sample types (samples/count, cpu/nanoseconds) differ from those of day1.pb.gz "
            "(alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes)");
}

TEST(AlignTest, AProfileWithoutHeapTypesIsTheWrongKind) {
  ProfileSpec cpu;
  cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  Aligner aligner(AlignOptions{}, 2);
  Status s = aligner.Add(0, Decode(BuildProfile(cpu), "cpu.pb.gz"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "cpu.pb.gz: not a heap profile (sample types: samples/count, cpu/nanoseconds); pick one with "
            "--sample-index");
  AlignOptions pick;
  pick.value_type = "cpu";
  Aligner ok(pick, 1);
  EXPECT_TRUE(ok.Add(0, Decode(BuildProfile(cpu), "cpu.pb.gz")).ok());
}

TEST(AlignTest, SampleIndexPicksItsObjectsPair) {
  ProfileSpec day;
  day.samples = {testing::TestSample{Stack("main.f"), {7, 700, 1, 100}, 100}};
  AlignOptions alloc;
  alloc.value_type = "alloc_space";
  auto a = AlignAll({BuildProfile(day), BuildProfile(day)}, alloc);
  EXPECT_EQ(a.objects_type_name, "alloc_objects");
  EXPECT_EQ(a.sites[0].values[0], 700);
  EXPECT_EQ(a.sites[0].objects[0], 7);
}

}  // namespace
}  // namespace pprof_trend

namespace pprof_trend {
namespace {

// Samples with no call stack are real memory: one site "(no stack)", never
// named after (or folded into) another site's frames.
TEST(AlignTest, SamplesWithoutAStackAreOneSiteOfTheirOwn) {
  ProfileSpec day1, day2;
  day1.samples = {HeapSample(Stack("main.stable"), 5, 500, 100)};
  day2.samples = {HeapSample(Stack("main.stable"), 5, 500, 100), HeapSample({}, 2, 576, 288),
                  HeapSample({}, 1, 288, 288)};
  auto a = AlignAll({BuildProfile(day1), BuildProfile(day2)});
  ASSERT_EQ(a.sites.size(), 2u);
  const AlignedSite* none = FindSite(a, std::string(kNoStackName));
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->frames.size(), 1u);
  EXPECT_EQ(Vec(none->values), (std::vector<int64_t>{0, 864}));
  EXPECT_EQ(Vec(FindSite(a, "main.stable")->values), (std::vector<int64_t>{500, 500}));
  // Not a frame of the program: --focus/--ignore never match it.
  AlignOptions focus;
  focus.focus = Regex::Compile("stack", "--test").value();
  auto focused = AlignAll({BuildProfile(day1), BuildProfile(day2)}, std::move(focus));
  EXPECT_EQ(FindSite(focused, std::string(kNoStackName)), nullptr);
}

}  // namespace
}  // namespace pprof_trend

namespace pprof_trend {
namespace {

// tcmalloc in protobuf form and Node's `pprof` package write objects/count
// and space/bytes: a heap profile, ranked by space with objects as its count.
TEST(AlignTest, ObjectsAndSpaceSampleTypesAreAHeapProfile) {
  ProfileSpec day1, day2;
  day1.sample_types = day2.sample_types = {{"objects", "count"}, {"space", "bytes"}};
  day1.samples = {{Stack("main.leak"), {1, 100}}};
  day2.samples = {{Stack("main.leak"), {3, 300}}};
  auto a = AlignAll({BuildProfile(day1), BuildProfile(day2)});
  EXPECT_EQ(a.value_type_name, "space");
  EXPECT_EQ(a.objects_type_name, "objects");
  ASSERT_EQ(a.sites.size(), 1u);
  EXPECT_EQ(Vec(a.sites[0].values), (std::vector<int64_t>{100, 300}));
  EXPECT_EQ(Vec(a.sites[0].objects), (std::vector<int64_t>{1, 3}));
}

// Issue 28: a JFR live-object profile (async-profiler --live, as Pyroscope
// and jfr-parser export it: one sample type, live/count) is a heap profile
// of counts: read as one, its count ranked, with no objects type.
TEST(AlignTest, AJfrLiveObjectProfileIsAHeapProfileOfCounts) {
  ProfileSpec day1, day2;
  day1.sample_types = day2.sample_types = {{"live", "count"}};
  day1.samples = {{Stack("com.example.Cache.put"), {2}}, {Stack("com.example.Main.run"), {5}}};
  day2.samples = {{Stack("com.example.Cache.put"), {9}}, {Stack("com.example.Main.run"), {5}}};
  auto a = AlignAll({BuildProfile(day1), BuildProfile(day2)});
  EXPECT_EQ(a.value_type_name, "live");
  EXPECT_EQ(a.value_unit, "count");
  EXPECT_EQ(a.objects_type_name, "");
  ASSERT_EQ(a.sites.size(), 2u);
  // A count of some other unit is still no heap profile.
  ProfileSpec other;
  other.sample_types = {{"live", "nanoseconds"}};
  other.samples = {{Stack("f"), {1}}};
  auto p = DecodePprof(BuildProfile(other), "other.pb");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(FindHeapTypes(*p).space, -1);
}

// Every series of a table, by the site's frames, for comparing two tables.
std::map<std::vector<std::string>, std::vector<std::vector<int64_t>>> Series(const AlignedProfiles& a) {
  std::map<std::vector<std::string>, std::vector<std::vector<int64_t>>> out;
  for (const auto& site : a.sites) {
    std::vector<std::string> key;
    for (uint32_t f : site.frames) key.push_back(a.frames[f].function + "|" + a.frames[f].file);
    auto& series = out[key];
    series = {Vec(site.values),        Vec(site.objects),     Vec(site.alloc_values),
              Vec(site.alloc_objects), ExampleLines(a, site), site.object_sizes.ToVector()};
    for (const auto& c : site.size_classes) {
      series.push_back({c.size});
      series.push_back(Vec(c.values));
      series.push_back(Vec(c.objects));
    }
  }
  return out;
}

// "" when the tables hold the same series, else the first site that differs.
std::string SeriesDifference(const AlignedProfiles& a, const AlignedProfiles& b) {
  auto sa = Series(a), sb = Series(b);
  if (sa.size() != sb.size()) return "site counts " + std::to_string(sa.size()) + " vs " + std::to_string(sb.size());
  for (auto ia = sa.begin(), ib = sb.begin(); ia != sa.end(); ++ia, ++ib) {
    if (ia->first != ib->first) return "site " + ia->first.back() + " vs " + ib->first.back();
    for (size_t k = 0; k < std::max(ia->second.size(), ib->second.size()); ++k) {
      if (k >= ia->second.size() || k >= ib->second.size() || ia->second[k] != ib->second[k])
        return "site " + ia->first.back() + ": array " + std::to_string(k) + " differs";
    }
  }
  return "";
}

std::vector<std::string> Paths(const AlignedProfiles& a) {
  std::vector<std::string> out;
  for (const auto& c : a.captures) out.push_back(c.path);
  return out;
}

// A long series filled by Add ends its captures in batches (the sums of a
// few captures held as rows, then appended to every series at once): sites
// that appear mid-batch, vanish and come back, or gain a second size
// mid-batch hold the series of a table grown capture by capture.
TEST(AlignTest, LongSeriesEndCapturesInBatchesAsOneByOne) {
  constexpr int64_t kCaptures = 77;  // long enough to batch: several batches, and a part of one
  std::vector<Profile> profiles;
  for (int64_t c = 0; c < kCaptures; ++c) {
    ProfileSpec spec;
    spec.time_nanos = (c + 1) * 1000000000;
    spec.samples.push_back(HeapSample(Stack("main.always"), 1 + c, 64 * (1 + c), 64));
    if (c >= 5) spec.samples.push_back(HeapSample(Stack("main.late"), 2, 128 + c, 64));
    if (c < 12 || c > 20) spec.samples.push_back(HeapSample(Stack("main.gap"), 3, 300 * c, 100));
    spec.samples.push_back(HeapSample(Stack("main.sizes"), 1, 100, 100));
    if (c >= 11) spec.samples.push_back(HeapSample(Stack("main.sizes"), 1, 200 + c, 200));
    profiles.push_back(Decode(BuildProfile(spec), "p" + std::to_string(c)));
  }
  Aligner batched({}, kCaptures), grown({});
  for (size_t c = 0; c < profiles.size(); ++c) {
    ASSERT_TRUE(batched.Add(c, profiles[c]).ok());
    ASSERT_TRUE(grown.Append(profiles[c]).ok());
  }
  AlignedProfiles a = std::move(batched).Finish(false), b = std::move(grown).Finish(false);
  EXPECT_EQ(Paths(a), Paths(b));
  EXPECT_EQ(SeriesDifference(a, b), "");
  EXPECT_EQ(FindSite(a, "main.sizes")->size_classes.size(), 2u);
  EXPECT_EQ(Vec(FindSite(a, "main.late")->values)[4], 0);
  EXPECT_EQ(Vec(FindSite(a, "main.late")->values)[76], 128 + 76);
}

// watch folds each capture as it comes and drops old ones (--keep): the
// table must be the one aligning the same captures at once would give.
TEST(AlignTest, AppendedSeriesEqualsTheSeriesAlignedAtOnce) {
  std::vector<Profile> profiles;
  for (int i = 1; i <= 4; ++i) {
    auto p = LoadProfile(testing::SourcePath("testdata/leak4k/capture" + std::to_string(i) + ".pb.gz"), {});
    ASSERT_TRUE(p.ok()) << p.status().message();
    profiles.push_back(std::move(*p));
  }
  // A site of two sizes that appears late, so size classes start mid-series.
  ProfileSpec late;
  late.samples = {HeapSample(Stack("main.twosizes"), 1, 64, 64), HeapSample(Stack("main.twosizes"), 2, 256, 128)};
  late.time_nanos = profiles.back().time_nanos + 1000000000;
  late.sample_types.clear();
  for (const auto& t : profiles.front().sample_types)
    late.sample_types.emplace_back(std::string(t.type), std::string(t.unit));
  profiles.push_back(Decode(BuildProfile(late), "late"));
  const size_t n = profiles.size();

  auto at_once = [&](const std::vector<size_t>& which) {
    Aligner aligner({}, which.size());
    for (size_t i = 0; i < which.size(); ++i) EXPECT_TRUE(aligner.Add(i, profiles[which[i]]).ok());
    return std::move(aligner).Finish(false);
  };
  Aligner grown({});
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(grown.Append(profiles[i]).ok());
    std::vector<size_t> so_far(i + 1);
    std::iota(so_far.begin(), so_far.end(), 0);
    AlignedProfiles expected = at_once(so_far), snapshot = grown.Snapshot(false);
    ASSERT_EQ(Paths(snapshot), Paths(expected)) << "after " << i + 1;
    ASSERT_EQ(SeriesDifference(snapshot, expected), "") << "after " << i + 1;
  }
  EXPECT_GT(FindSite(grown.Snapshot(false), "main.twosizes")->size_classes.size(), 1u);
  // Dropping captures 2 and 4 (--keep 1 keeps the first and the last).
  grown.RemoveCapture(1);
  grown.RemoveCapture(2);
  EXPECT_EQ(grown.num_captures(), 3u);
  EXPECT_EQ(SeriesDifference(grown.Snapshot(false), at_once({0, 2, 4})), "");
  // Appending after a removal, then handing the whole table over.
  ASSERT_TRUE(grown.Append(profiles[1]).ok());  // an older capture: the table orders by time
  AlignedProfiles finished = std::move(grown).Finish(false);
  AlignedProfiles expected = at_once({0, 2, 4, 1});
  EXPECT_EQ(Paths(finished), Paths(expected));
  EXPECT_EQ(SeriesDifference(finished, expected), "");
  EXPECT_TRUE(finished.ordered_by_time);
  for (const auto& site : finished.sites) EXPECT_EQ(site.values.size(), 4u);
}

// A profile handed over (Add(Profile&&)) gives back the memory of its
// samples on the wire as they are folded: what it folds is what the same
// profile folds when it is only read, whether its samples were checked when
// decoded or are checked as they are folded.
TEST(AlignTest, AProfileHandedOverFoldsAsOneOnlyRead) {
  ProfileSpec spec;
  for (int i = 0; i < 150000; ++i) {
    std::vector<TestFrame> stack = Stack("main.site" + std::to_string(i % 3001), i % 50);
    for (int d = 0; d < 12; ++d)
      stack.push_back({"main.caller" + std::to_string((i % 3001 + d) % 97), "svc/deep.go", d});
    spec.samples.push_back(HeapSample(stack, 1 + i % 7, (1 + i % 7) * 48, 48));
  }
  const std::string raw = BuildProfile(spec);
  ASSERT_GT(raw.size(), size_t{8} << 20);  // several whole 2 MiB pages of samples
  for (bool checked : {true, false}) {
    auto fold = [&](bool hand_over) {
      auto p = DecodePprofOnWire(raw, "big.pb", Limits{}, 1, checked);
      EXPECT_TRUE(p.ok()) << p.status().message();
      Aligner aligner({}, 2);
      EXPECT_TRUE(aligner.Add(0, Decode(raw, "first")).ok());
      Status s = hand_over ? aligner.Add(1, std::move(*p)) : aligner.Add(1, *p);
      EXPECT_TRUE(s.ok()) << s.message();
      if (hand_over) {
        EXPECT_EQ(p->wire, nullptr);
      }
      return std::move(aligner).Finish(false);
    };
    const AlignedProfiles read = fold(false), handed = fold(true);
    EXPECT_EQ(read.sites.size(), 3001u);
    EXPECT_EQ(read.captures[1].total_value, handed.captures[1].total_value);
    EXPECT_EQ(SeriesDifference(read, handed), "") << "checked when decoded: " << checked;
  }
}

TEST(AlignTest, AFailedAppendLeavesTheSeriesAsItWas) {
  ProfileSpec heap, cpu;
  heap.samples = {HeapSample(Stack("main.leak"), 1, 100, 100)};
  cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  cpu.samples = {{Stack("main.spin"), {1, 10}}};
  Aligner aligner({});
  EXPECT_FALSE(aligner.Append(Decode(BuildProfile(cpu), "cpu")).ok());  // not even the first
  EXPECT_EQ(aligner.num_captures(), 0u);
  ASSERT_TRUE(aligner.Append(Decode(BuildProfile(heap), "heap1")).ok());
  EXPECT_FALSE(aligner.Append(Decode(BuildProfile(cpu), "cpu")).ok());
  ASSERT_TRUE(aligner.Append(Decode(BuildProfile(heap), "heap2")).ok());
  AlignedProfiles a = aligner.Snapshot(false);
  EXPECT_EQ(Paths(a), (std::vector<std::string>{"heap1", "heap2"}));
  EXPECT_EQ(Vec(FindSite(a, "main.leak")->values), (std::vector<int64_t>{100, 100}));
}

// V8 writes an anonymous function as "(anonymous:L#1:C#1)" in its file
// while it runs and as "(anonymous)" without one once its code is flushed:
// one frame. Sites still differ by their named frames.
TEST(AlignTest, V8AnonymousFramesAreOneFrameWhateverV8CalledThem) {
  auto stack = [](const std::string& leaf, const std::string& root, const std::string& root_file) {
    return std::vector<TestFrame>{{leaf, "/app/leak.js", 8}, {"main", "/app/leak.js", 17}, {root, root_file, 1}};
  };
  ProfileSpec first, later;
  first.samples = {
      HeapSample(stack("leakSessions", "(anonymous:L#1:C#1)", "node:internal/main/run_main_module"), 1, 100),
      HeapSample(stack("cache", "(anonymous:L#3:C#9)", "/app/leak.js"), 1, 100)};
  later.samples = {HeapSample(stack("leakSessions", "(anonymous)", ""), 2, 200),
                   HeapSample(stack("cache", "(anonymous)", ""), 1, 100)};
  auto a = AlignAll({BuildProfile(first), BuildProfile(later)});
  ASSERT_EQ(a.sites.size(), 2u);
  EXPECT_EQ(Vec(FindSite(a, "leakSessions")->values), (std::vector<int64_t>{100, 200}));
  EXPECT_EQ(Vec(FindSite(a, "cache")->values), (std::vector<int64_t>{100, 100}));
  EXPECT_EQ(a.frames[FindSite(a, "cache")->frames.front()].function, "(anonymous)");
  // Not V8's: kept as written.
  ProfileSpec go;
  go.samples = {HeapSample(stack("leak", "(anonymous:L#3)", "x.go"), 1, 100)};
  auto b = AlignAll({BuildProfile(go)});
  EXPECT_EQ(b.frames[b.sites[0].frames.front()].function, "(anonymous:L#3)");
}

// A large profile is resolved on a second thread, a chunk of samples at a
// time, while this one folds: the sums, sizes, totals and focus must be
// exactly those of sample-by-sample folding, across chunk boundaries, with
// samples of one site spread over every chunk and some without a stack.
TEST(AlignTest, ALargeProfileFoldsExactlyAcrossResolveChunks) {
  ProfileSpec spec;
  std::map<std::string, std::array<int64_t, 2>> expected;  // by leaf: bytes, objects
  int64_t total = 0, total_objects = 0;
  const int kSites = 997;
  for (int i = 0; i < 50000; ++i) {
    const int site = i * 7919 % kSites;
    const int64_t objects = 1 + i % 5, size = site % 3 == 0 ? 64 : 32 + 16 * (i % 2);
    total += objects * size;
    total_objects += objects;
    if (i % 4999 == 0) {  // a sample without a call stack
      spec.samples.push_back(HeapSample({}, objects, objects * size, size));
      expected[std::string(kNoStackName)][0] += objects * size;
      expected[std::string(kNoStackName)][1] += objects;
      continue;
    }
    const std::string leaf = (site % 2 == 0 ? "main.keep" : "main.drop") + std::to_string(site);
    spec.samples.push_back(HeapSample(Stack(leaf, site), objects, objects * size, size));
    if (site % 2 == 0) {
      expected[leaf][0] += objects * size;
      expected[leaf][1] += objects;
    }
  }
  AlignOptions options;
  auto ignore = Regex::Compile("main\\.drop", "--ignore");
  ASSERT_TRUE(ignore.ok());
  options.ignore = std::move(ignore).value();
  const std::string raw = BuildProfile(spec);
  AlignedProfiles a = AlignAll({raw, raw}, std::move(options));
  EXPECT_EQ(a.captures[0].total_value, total);  // totals count every sample, before focus/ignore
  EXPECT_EQ(a.captures[1].total_objects, total_objects);
  ASSERT_EQ(a.sites.size(), expected.size());
  for (const AlignedSite& site : a.sites) {
    const std::string leaf(a.frames[site.frames.back()].function);
    ASSERT_TRUE(expected.count(leaf)) << leaf;
    EXPECT_EQ(Vec(site.values), (std::vector<int64_t>{expected[leaf][0], expected[leaf][0]})) << leaf;
    EXPECT_EQ(Vec(site.objects), (std::vector<int64_t>{expected[leaf][1], expected[leaf][1]})) << leaf;
    const int number = leaf == kNoStackName ? 1 : std::stoi(leaf.substr(9));
    std::vector<int64_t> sizes(site.object_sizes.begin(), site.object_sizes.end());
    std::sort(sizes.begin(), sizes.end());
    if (leaf == kNoStackName) continue;
    const std::vector<int64_t> want = number % 3 == 0 ? std::vector<int64_t>{64} : std::vector<int64_t>{32, 48};
    EXPECT_EQ(sizes, want) << leaf;
    EXPECT_FALSE(site.sizes_incomplete) << leaf;
  }
}

// A location with thousands of inlined frames, in a profile large enough
// for the two-stage fold: its frames do not fit the resolve buffers, which
// grow in the middle of a sample. Every frame and line arrives, in order.
TEST(AlignTest, DeepInlinedLocationsGrowTheResolveBuffersMidSample) {
  constexpr uint32_t kInlined = 3000;
  std::vector<std::string> names;
  for (uint32_t i = 0; i < kInlined + 2; ++i) names.push_back("fn" + std::to_string(i));
  Profile p;
  p.source = "inlined";
  p.sample_types = {{"inuse_objects", "count"}, {"inuse_space", "bytes"}};
  p.default_sample_type = 1;
  for (const std::string& name : names) p.functions.push_back(Function{name, name, "x.go", 0});
  // Location 0: fn0 (the leaf, line 10); 1: fn1 .. fn3000 inlined, fn1
  // innermost, line i each; 2: fn3001 (the root, line 7).
  p.lines.push_back(Line{0, 10});
  for (uint32_t i = 1; i <= kInlined; ++i) p.lines.push_back(Line{i, i});
  p.lines.push_back(Line{kInlined + 1, 7});
  p.locations = {Location{0x10, Location::kNoMapping, 0, 1}, Location{0x20, Location::kNoMapping, 1, kInlined},
                 Location{0x30, Location::kNoMapping, kInlined + 1, 1}};
  for (uint32_t s = 0; s < 10000; ++s)  // 5 chunks: the two-stage fold
    AddSample(p, s % 2 == 0 ? std::vector<uint32_t>{0, 1, 2} : std::vector<uint32_t>{0, 2}, 1, 100);
  AlignedProfiles a = FoldOne(p);
  ASSERT_EQ(a.sites.size(), 2u);
  for (const AlignedSite& site : a.sites) {
    EXPECT_EQ(Vec(site.values), std::vector<int64_t>{500000});
    EXPECT_EQ(Vec(site.objects), std::vector<int64_t>{5000});
    std::vector<std::string> want_names = {"fn" + std::to_string(kInlined + 1)};
    std::vector<int64_t> want_lines = {7};
    if (site.frames.size() != 2) {
      for (uint32_t i = kInlined; i >= 1; --i) {
        want_names.push_back("fn" + std::to_string(i));
        want_lines.push_back(i);
      }
    }
    want_names.push_back("fn0");
    want_lines.push_back(10);
    std::vector<std::string> got_names;
    for (uint32_t f : site.frames) got_names.emplace_back(a.frames[f].function);
    EXPECT_EQ(got_names, want_names);
    EXPECT_EQ(ExampleLines(a, site), want_lines);
  }
}

// Locations of 1 to 6 frames (the resolver copies runs of up to 4 frames
// 4 wide, whatever their length, and longer ones apart), in stacks of every
// order and length, the last location's run at the end of its table, and
// samples without a stack between them: every site holds exactly its
// locations' frames and lines, in order.
TEST(AlignTest, StacksOfInlinedRunsOfEveryLengthResolveFrameByFrame) {
  Profile p;
  p.source = "runs";
  p.sample_types = {{"inuse_objects", "count"}, {"inuse_space", "bytes"}};
  p.default_sample_type = 1;
  // Location l (0..6) has l + 1 frames, except 6, which has one; frame k of
  // location l is function "l<l>f<k>", line 100 * l + k.
  std::deque<std::string> names;  // the profile's functions view them
  std::vector<std::vector<std::pair<std::string, int64_t>>> frames_of(7);
  for (uint32_t l = 0; l < 7; ++l) {
    const uint32_t n = l == 6 ? 1 : l + 1;
    const auto first = static_cast<uint32_t>(p.lines.size());
    for (uint32_t k = 0; k < n; ++k) {
      const std::string& name = names.emplace_back("l" + std::to_string(l) + "f" + std::to_string(k));
      p.lines.push_back(Line{static_cast<uint32_t>(p.functions.size()), 100 * l + k});
      p.functions.push_back(Function{name, name, "x.go", 0});
      frames_of[l].emplace_back(name, 100 * l + k);
    }
    p.locations.push_back(Location{0x10 * (l + 1), Location::kNoMapping, first, n});
  }
  std::map<std::vector<uint32_t>, int64_t> expected;  // stack of locations, leaf first -> samples
  uint64_t x = 12345;
  for (uint32_t s = 0; s < 9000; ++s) {  // several chunks: the two-stage fold
    std::vector<uint32_t> stack;
    if (s % 1000 != 999) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      const auto depth = static_cast<uint32_t>(1 + (x >> 56) % 9);
      for (uint32_t d = 0; d < depth; ++d) stack.push_back(static_cast<uint32_t>((x >> (20 + 4 * d)) % 7));
      ++expected[stack];
    }
    AddSample(p, stack, 1, 16);
  }
  AlignedProfiles a = FoldOne(p);
  // Sites by their frames root first, as the aligner keeps them.
  std::map<std::vector<std::pair<std::string, int64_t>>, int64_t> want;
  for (const auto& [stack, samples] : expected) {
    std::vector<std::pair<std::string, int64_t>> path;
    for (auto l = stack.rbegin(); l != stack.rend(); ++l)
      path.insert(path.end(), frames_of[*l].rbegin(), frames_of[*l].rend());
    want[path] += samples;
  }
  std::map<std::vector<std::pair<std::string, int64_t>>, int64_t> got;
  int64_t without_stack = 0;
  for (const AlignedSite& site : a.sites) {
    if (a.frames[site.frames.back()].function == kNoStackName) {
      without_stack = Vec(site.objects)[0];
      continue;
    }
    std::vector<std::pair<std::string, int64_t>> path;
    const std::vector<int64_t> lines = ExampleLines(a, site);
    ASSERT_EQ(lines.size(), site.frames.size());
    for (size_t i = 0; i < site.frames.size(); ++i) path.emplace_back(a.frames[site.frames[i]].function, lines[i]);
    got[path] += Vec(site.objects)[0];
  }
  EXPECT_EQ(without_stack, 9);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

// The memory formula of src/analysis/README.md ("Long series"): a site's
// series hold nothing for the captures before it appears, nothing for a
// value that stays the same, and nothing for a cumulative counter that rises
// at a steady rate; a counter whose rate wanders holds the width of its
// wandering from its first point on only.
TEST(AlignTest, ASeriesWhoseSitesGrowHoldsOnlyThePointsItHas) {
  const int captures = 200;
  std::vector<std::string> bytes;
  for (int c = 0; c < captures; ++c) {
    ProfileSpec spec;
    for (int k = 0; k <= c; ++k) {
      const int64_t steps = c - k + 1;
      // Site "k.steady" allocates 10 objects of 64 bytes a capture and keeps one; "k.wandering"
      // allocates 10 +- 3.
      TestSample steady = HeapSample(Stack("k.steady" + std::to_string(k)), 1, 64, 64);
      steady.values = {10 * steps, 640 * steps, 1, 64};
      int64_t wandered = 0;
      for (int64_t j = 0; j < steps; ++j) wandered += 10 + (j * 7 + k) % 7 - 3;
      TestSample wandering = HeapSample(Stack("k.wandering" + std::to_string(k)), 1, 64, 64);
      wandering.values = {wandered, 64 * wandered, 1, 64};
      spec.samples.push_back(steady);
      spec.samples.push_back(wandering);
    }
    bytes.push_back(BuildProfile(spec));
  }
  const AlignedProfiles a = AlignAll(bytes);
  ASSERT_EQ(a.sites.size(), 2u * captures);
  ASSERT_TRUE(a.has_alloc);
  for (int k = 0; k < captures; k += 37) {
    const AlignedSite* steady = FindSite(a, "k.steady" + std::to_string(k));
    const AlignedSite* wandering = FindSite(a, "k.wandering" + std::to_string(k));
    ASSERT_NE(steady, nullptr);
    ASSERT_NE(wandering, nullptr);
    EXPECT_EQ(steady->values.leading_zeros(), static_cast<size_t>(k));
    EXPECT_EQ(steady->values[static_cast<size_t>(k)], 64);
    EXPECT_EQ(steady->alloc_values.back(), 640 * (captures - k));
    for (const PackedSeries* series : {&steady->values, &steady->objects, &steady->alloc_values, &steady->alloc_objects,
                                       &wandering->values, &wandering->objects})
      EXPECT_EQ(series->packed_bytes(), 0u) << k;
    // +-3 objects a capture around the rate: within a byte of the line, from the site's first capture on.
    for (const PackedSeries* series : {&wandering->alloc_objects, &wandering->alloc_values}) {
      EXPECT_LE(series->width(), series == &wandering->alloc_values ? 2 : 1) << k;
      EXPECT_LE(series->packed_bytes(), static_cast<size_t>(captures - k) * static_cast<size_t>(series->width())) << k;
    }
  }
}

TEST(SizeListTest, KeepsDistinctSizesInOrderUpToTheLimit) {
  SizeList sizes;
  EXPECT_TRUE(sizes.empty());
  EXPECT_TRUE(sizes.Insert(96, 3));
  EXPECT_EQ(sizes.ToVector(), (std::vector<int64_t>{96}));
  EXPECT_TRUE(sizes.Insert(96, 3));  // already there
  EXPECT_TRUE(sizes.Insert(16, 3));
  EXPECT_TRUE(sizes.Insert(4096, 3));
  EXPECT_EQ(sizes.ToVector(), (std::vector<int64_t>{16, 96, 4096}));
  EXPECT_FALSE(sizes.Insert(32, 3));  // a fourth over the limit
  EXPECT_TRUE(sizes.Insert(4096, 3));
  const SizeList copy = sizes;
  EXPECT_EQ(copy.ToVector(), sizes.ToVector());
  EXPECT_EQ(copy.front(), 16);
  std::span<const int64_t> view = copy;
  EXPECT_EQ(view.size(), 3u);
}

// Every int64 is a size it can hold, the value that marks "empty" inline
// too (a hostile `bytes` label), alone or among others.
TEST(SizeListTest, HoldsAnySizeInSixteenBytes) {
  static_assert(sizeof(SizeList) == 16);
  for (int64_t extreme : {INT64_MIN, INT64_MAX, int64_t{0}, int64_t{-1}}) {
    SizeList sizes;
    EXPECT_TRUE(sizes.Insert(extreme, 4));
    EXPECT_FALSE(sizes.empty());
    EXPECT_EQ(sizes.ToVector(), (std::vector<int64_t>{extreme}));
    const SizeList copy = sizes;
    EXPECT_EQ(copy.size(), 1u);
    EXPECT_EQ(copy.front(), extreme);
    EXPECT_TRUE(sizes.Insert(7, 4));
    EXPECT_EQ(sizes.size(), 2u);
    EXPECT_TRUE(sizes.Insert(extreme, 4));  // already there
    EXPECT_EQ(sizes.size(), 2u);
  }
}

// One AlignedSite is kept for every distinct stack: a field added to it
// costs memory on every site of a large profile (the README's limits
// section gives the per-site figure). Growing it should be a decision.
TEST(AlignTest, ASiteStaysSmall) { EXPECT_LE(sizeof(AlignedSite), 200u); }

TEST(RareVectorTest, IsEmptyUntilPushedAndCopiesDeeply) {
  static_assert(sizeof(RareVector<int>) == sizeof(void*));
  RareVector<std::string> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.begin(), v.end());
  v.push_back("a");
  v.push_back("b");
  RareVector<std::string> copy = v;
  copy[0] = "c";
  EXPECT_EQ(v[0], "a");
  EXPECT_EQ(std::vector<std::string>(copy.begin(), copy.end()), (std::vector<std::string>{"c", "b"}));
  RareVector<std::string> moved = std::move(copy);
  EXPECT_EQ(moved.size(), 2u);
  copy = v;
  EXPECT_EQ(copy.size(), 2u);
}

// A frame's lines by index: the first three in its entry, the rest in its
// own list; a scan finds each, and nothing else.
TEST(FrameLinesTest, LinesInTheEntryAndPastIt) {
  FrameLines lines;
  lines.AddFrame();
  lines.AddFrame();
  EXPECT_EQ(lines.count(0), 0u);
  EXPECT_EQ(lines.Find(0, 0), FrameLines::kAbsent);  // a frame of no line yet holds no line 0
  for (int32_t k = 0; k < 6; ++k) EXPECT_EQ(lines.Add(0, 100 - k), static_cast<uint32_t>(k));
  EXPECT_EQ(lines.Add(1, 7), 0u);
  EXPECT_EQ(lines.count(0), 6u);
  EXPECT_EQ(lines.count(1), 1u);
  for (uint32_t k = 0; k < 6; ++k) {
    EXPECT_EQ(lines.Line(0, k), 100 - static_cast<int32_t>(k));
    EXPECT_EQ(lines.Find(0, 100 - static_cast<int32_t>(k)), k);
  }
  EXPECT_EQ(lines.Find(0, 7), FrameLines::kAbsent);
  EXPECT_EQ(lines.Find(1, 100), FrameLines::kAbsent);
  EXPECT_EQ(lines.Find(1, 7), 0u);
}

}  // namespace
}  // namespace pprof_trend
