// push's rows (analysis/fleet_rows): stable site keys, and rows that hold
// exactly what the capture holds.
#include "analysis/fleet_rows.h"

#include <gtest/gtest.h>

#include "analysis/pipeline.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

AlignedProfiles OneCapture(const std::string& file) {
  PipelineOptions options;
  options.profiles = {testing::SourcePath(file), testing::SourcePath(file)};
  auto analysis = Analyze(options);
  EXPECT_TRUE(analysis.ok()) << analysis.status().message();
  return std::move(analysis->trend.aligned);
}

TEST(FleetRowsTest, ASitesKeyIsAFixedHashOfItsNamesAndFiles) {
  AlignedProfiles a;
  a.frames = {AlignedFrame{"main.main", "main.go", 0}, AlignedFrame{"main.leak", "leak.go", 0}};
  std::vector<uint32_t> frames = {0, 1};
  AlignedSite site;
  site.frames = frames;
  // FNV-1a 64 of "main.main\0main.go\0main.leak\0leak.go\0": stored keys must
  // match on every machine and in every later version.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (std::string_view part : {"main.main", "main.go", "main.leak", "leak.go"}) {
    for (unsigned char c : part) h = (h ^ c) * 0x100000001b3ULL;
    h = h * 0x100000001b3ULL;
  }
  EXPECT_EQ(SiteKey(a, site), h);
  EXPECT_EQ(SiteKey(a, site), 0x9891f591d188c4bdULL);
  // Another order is another site.
  std::vector<uint32_t> reversed = {1, 0};
  AlignedSite other;
  other.frames = reversed;
  EXPECT_NE(SiteKey(a, other), SiteKey(a, site));
}

TEST(FleetRowsTest, TheRowsHoldTheCapture) {
  const AlignedProfiles a = OneCapture("testdata/sarama/day3.pb.gz");
  const FleetCapture rows = FleetRowsOf(a, 0);
  int64_t bytes = 0, objects = 0;
  for (const FleetRow& r : rows.rows) bytes += r.inuse_bytes, objects += r.inuse_objects;
  EXPECT_EQ(bytes, a.captures[0].total_value);
  EXPECT_EQ(objects, a.captures[0].total_objects);
  // newPartitionProducer's 8 MiB channels: one row of that size.
  bool found = false;
  for (const FleetSite& s : rows.sites)
    if (s.functions.back() == "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer") {
      found = true;
      for (const FleetRow& r : rows.rows)
        if (r.site == s.key) {
          EXPECT_EQ(r.object_size, 8388608);
        }
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace pprof_trend
