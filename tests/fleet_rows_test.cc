// push's rows (analysis/fleet_rows): stable site keys, and rows that hold
// exactly what the capture holds.
#include "analysis/fleet_rows.h"

#include <gtest/gtest.h>

#include "analysis/fleet.h"
#include "analysis/series_builder.h"
#include "input/load.h"
#include "model/profile_kind.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

// A capture folded as push folds it: a series of one, samples counted.
AlignedProfiles OneCapture(const std::string& file) {
  AlignOptions align;
  align.count_samples = true;
  SeriesBuilder series(align, SymbolizeOptions{}, 1);
  auto profile = LoadProfile(testing::SourcePath(file), {});
  EXPECT_TRUE(profile.ok());
  EXPECT_TRUE(series.Add(0, std::move(*profile)).ok());
  return std::move(series).Finish(true);
}

TEST(FleetRowsTest, ASitesKeyIsAFixedHashOfItsNamesAndFiles) {
  AlignedProfiles a;
  a.frames = {AlignedFrame{"main.main", "main.go", 0}, AlignedFrame{"main.leak", "leak.go", 0}};
  std::vector<uint32_t> frames = {0, 1};
  AlignedSite site;
  site.frames = frames;
  // FNV-1a 64 over the two frames' FNV-1a 64 hashes of "function\0file\0",
  // 8 little-endian bytes each: stored keys must match on every machine and
  // in every later version.
  auto fnv = [](uint64_t h, std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h * 0x100000001b3ULL;
  };
  uint64_t h = 0xcbf29ce484222325ULL;
  for (auto [function, file] : {std::pair{"main.main", "main.go"}, std::pair{"main.leak", "leak.go"}}) {
    const uint64_t frame = fnv(fnv(0xcbf29ce484222325ULL, function), file);
    EXPECT_EQ(FrameKey(function, file), frame);
    for (int byte = 0; byte < 8; ++byte) h = (h ^ ((frame >> (8 * byte)) & 0xff)) * 0x100000001b3ULL;
  }
  EXPECT_EQ(SiteKey(a, site), h);
  EXPECT_EQ(SiteKey(a, site), 0xbf7fe9884d2dfdf5ULL);
  // Another order is another site.
  std::vector<uint32_t> reversed = {1, 0};
  AlignedSite other;
  other.frames = reversed;
  EXPECT_NE(SiteKey(a, other), SiteKey(a, site));
}

TEST(FleetRowsTest, TheRowsHoldTheCapture) {
  const AlignedProfiles a = OneCapture("testdata/sarama/day3.pb.gz");
  const FleetCapture rows = FleetRowsOfLast(a);
  int64_t bytes = 0, objects = 0;
  for (const FleetRow& r : rows.rows) bytes += r.inuse_bytes, objects += r.inuse_objects;
  EXPECT_EQ(bytes, a.captures[0].total_value);
  EXPECT_EQ(objects, a.captures[0].total_objects);
  // Each of the capture's samples that holds in-use memory is behind one row.
  LoadOptions decoded;
  decoded.samples_on_wire = false;  // its sample arrays are read below
  auto profile = LoadProfile(testing::SourcePath("testdata/sarama/day3.pb.gz"), decoded);
  ASSERT_TRUE(profile.ok());
  const HeapTypes heap = FindHeapTypes(*profile);
  int64_t holding = 0, counted = 0;
  for (size_t i = 0; i < profile->samples.size(); ++i) {
    const auto v = profile->Values(i);
    holding += v[static_cast<size_t>(heap.space)] != 0 || v[static_cast<size_t>(heap.objects)] != 0;
  }
  for (const FleetRow& r : rows.rows) counted += r.samples;
  EXPECT_GE(holding, 5);  // 9 buckets hold memory in day3
  EXPECT_EQ(counted, holding);
  // newPartitionProducer's 8 MiB channels: one row of that size.
  bool found = false;
  for (const FleetSite& s : rows.sites)
    if ((*rows.frames)[s.frames.back()].function == "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer") {
      found = true;
      for (const FleetRow& r : rows.rows)
        if (r.site == s.key) {
          EXPECT_EQ(r.object_size, 8388608);
          EXPECT_EQ(r.samples, 1);  // one sampled bucket of 8 MiB channels
        }
    }
  EXPECT_TRUE(found);
}

// watch --clickhouse: the rows of a growing series' newest capture, its
// counts those of that capture alone.
TEST(FleetRowsTest, AGrowingSeriesGivesItsNewestCapture) {
  AlignOptions align;
  align.count_samples = true;
  SeriesBuilder series(align, SymbolizeOptions{});
  for (int day : {1, 2, 3}) {
    auto p = LoadProfile(testing::SourcePath("testdata/sarama/day" + std::to_string(day) + ".pb.gz"), {});
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(series.Append(std::move(*p)).ok());
  }
  const FleetCapture rows = FleetRowsOfLast(series.table());
  const FleetCapture alone = FleetRowsOfLast(OneCapture("testdata/sarama/day3.pb.gz"));
  auto sums = [](const FleetCapture& c) {
    int64_t bytes = 0, samples = 0;
    for (const FleetRow& r : c.rows) bytes += r.inuse_bytes, samples += r.samples;
    return std::pair{bytes, samples};
  };
  EXPECT_EQ(sums(rows), sums(alone));
  EXPECT_EQ(sums(rows).first, series.capture(2).total_value);
}

FleetInstanceSeries Instance(std::string name, std::string version, std::vector<double> bytes,
                             std::vector<std::string> processes = {}) {
  FleetInstanceSeries s;
  s.instance = std::move(name);
  s.version = std::move(version);
  for (size_t i = 0; i < bytes.size(); ++i) s.times.push_back(1764979200 + 3600 * static_cast<int64_t>(i));
  s.processes = processes.empty() ? std::vector<std::string>(bytes.size(), "p") : std::move(processes);
  s.bytes = std::move(bytes);
  s.period = 524288;
  return s;
}

TEST(FleetTest, SitesAreRankedByTheInstancesTheyGrowIn) {
  const double mib = 1 << 20;
  FleetSiteInput leak{1, {"main.main", "main.leak"}, {"main.go", "leak.go"}, {}};
  leak.instances = {Instance("a", "v2", {8 * mib, 16 * mib, 24 * mib, 32 * mib, 40 * mib}),
                    Instance("b", "v2", {8 * mib, 16 * mib, 24 * mib, 32 * mib, 40 * mib}),
                    Instance("c", "v1", {8 * mib, 8 * mib, 8 * mib, 8 * mib, 8 * mib})};
  // A restart: the bytes fall with the new process and grow again within it.
  FleetSiteInput restarts{2, {"main.main", "runtime.mallocgc"}, {"main.go", "malloc.go"}, {}};
  restarts.instances = {Instance("a", "v2", {8 * mib, 16 * mib, 24 * mib, 8 * mib, 16 * mib, 24 * mib},
                                 {"p1", "p1", "p1", "p2", "p2", "p2"})};
  FleetSiteInput stable{3, {"main.cache"}, {"cache.go"}, {}};
  stable.instances = {Instance("a", "v2", {32 * mib, 32 * mib, 32 * mib, 32 * mib})};
  const FleetRanking ranking = RankFleet({restarts, stable, leak});
  const std::vector<FleetSiteResult>& ranked = ranking.sites;
  ASSERT_EQ(ranked.size(), 2u);  // the stable site grows nowhere
  EXPECT_EQ(ranked[0].site, 1u);
  EXPECT_EQ(ranked[0].name, "main.leak");
  EXPECT_EQ(ranked[0].instances_growing, 2u);
  EXPECT_EQ(ranked[0].instances_seen, 3u);
  EXPECT_EQ(ranked[0].versions, std::vector<std::string>{"v2"});
  EXPECT_NEAR(ranked[0].median_per_day, 8 * mib * 24, 1);
  EXPECT_EQ(ranked[1].site, 2u);
  EXPECT_EQ(ranked[1].name, "main.main");  // named past the allocator's frame
  EXPECT_EQ(ranked[1].instances_growing, 1u);
  EXPECT_NEAR(ranked[1].growth, 32 * mib, 1);  // 16 MiB within each process, not 16 first -> last
  // Every instance it grows in, fastest first; the worst keep their series.
  ASSERT_EQ(ranked[0].growing.size(), 2u);
  EXPECT_EQ(ranked[0].growing[0].bytes.size(), 5u);
  // By instance: a grows in both sites, b in one; c (v1) in none is left out.
  ASSERT_EQ(ranking.instances.size(), 2u);
  EXPECT_EQ(ranking.instances[0].instance, "a");
  EXPECT_EQ(ranking.instances[0].sites_growing, 2u);
  EXPECT_EQ(ranking.instances[0].sites, (std::vector<std::string>{"main.leak", "main.main"}));
  EXPECT_NEAR(ranking.instances[0].per_day, ranked[0].growing[0].per_day + ranked[1].growing[0].per_day, 1);
  EXPECT_EQ(ranking.instances[1].instance, "b");
  // By version: v1's one instance grows nowhere, both of v2's do.
  ASSERT_EQ(ranking.versions.size(), 2u);
  EXPECT_EQ(ranking.versions[0].version, "v1");
  EXPECT_EQ(ranking.versions[0].instances, 1u);
  EXPECT_EQ(ranking.versions[0].instances_growing, 0u);
  EXPECT_EQ(ranking.versions[0].median_per_day, 0);
  EXPECT_EQ(ranking.versions[1].instances, 2u);
  EXPECT_EQ(ranking.versions[1].instances_growing, 2u);
  EXPECT_EQ(ranking.versions[1].sites_growing, 2u);
  EXPECT_NEAR(ranking.versions[1].median_per_day, (ranking.instances[0].per_day + ranking.instances[1].per_day) / 2, 1);
}

}  // namespace
}  // namespace pprof_trend
