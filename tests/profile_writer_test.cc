#include "output/profile_writer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "input/gzip.h"
#include "input/load.h"
#include "input/profile_reader.h"
#include "output/inspect.h"
#include "proto/profile.pb.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

TrendResult SaramaTrend() {
  Aligner aligner(AlignOptions{}, 3);
  for (int day = 1; day <= 3; ++day) {
    auto p = LoadProfile(testing::SaramaDay(day), LoadOptions{});
    EXPECT_TRUE(p.ok());
    EXPECT_TRUE(aligner.Add(static_cast<size_t>(day - 1), *p).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

TEST(ProfileWriterTest, RoundTripsThroughTheLoader) {
  TrendResult t = SaramaTrend();
  auto p = DecodePprof(SerializeGrowthProfile(t), "growth.pb");
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->sample_types.size(), 2u);
  EXPECT_EQ(p->sample_types[1].type, "inuse_space");
  EXPECT_EQ(p->default_sample_type, 1);
  InspectSummary s = Summarize(*p, 10).value();
  EXPECT_EQ(s.totals[1], 358182046 - 205467028);  // total growth, day 1 -> day 3
  EXPECT_EQ(s.top[0].name, "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  EXPECT_EQ(s.top[0].flat, 293601313 - 150994960);
  // Shrinking shows as negative, like -diff_base.
  bool found = false;
  for (const auto& f : s.top)
    if (f.name == "main.buildCompactIndex") {
      found = true;
      EXPECT_LT(f.flat, 0);
    }
  EXPECT_TRUE(found);
}

TrendResult TrendOf(const std::vector<std::string>& paths) {
  Aligner aligner(AlignOptions{}, paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    auto p = LoadProfile(testing::SourcePath(paths[i]), LoadOptions{});
    EXPECT_TRUE(p.ok()) << p.status().message();
    EXPECT_TRUE(aligner.Add(i, *p).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

// The profile is written by hand, byte for byte as libprotobuf writes the
// same message: parsed and written again by libprotobuf, it comes back the
// same (fields in order, zeros left out, packed and negative integers, the
// mappings of unsymbolized frames).
TEST(ProfileWriterTest, WritesTheBytesLibprotobufWrites) {
  const std::vector<std::vector<std::string>> series = {
      {"testdata/sarama/day1.pb.gz", "testdata/sarama/day2.pb.gz", "testdata/sarama/day3.pb.gz"},
      {"testdata/native/gperftools-run2-0001.heap", "testdata/native/gperftools-run2-0002.heap"}};
  for (const auto& paths : series) {
    SCOPED_TRACE(paths.front());
    const std::string bytes = SerializeGrowthProfile(TrendOf(paths));
    perftools::profiles::Profile parsed;
    ASSERT_TRUE(parsed.ParseFromString(bytes));
    EXPECT_GT(parsed.sample_size(), 0);
    EXPECT_EQ(parsed.SerializeAsString(), bytes);
    if (paths.size() == 2) {  // unsymbolized: addresses in mappings of the binary
      EXPECT_GT(parsed.mapping_size(), 0);
      EXPECT_EQ(parsed.mapping(0).memory_limit(), UINT64_MAX);
    }
  }
}

// Where Go is installed: `go tool pprof -top` of the export lists the same
// rows as `go tool pprof -top -diff_base first last`.
TEST(ProfileWriterTest, AgreesWithGoToolPprofDiffBase) {
  if (std::system("command -v go >/dev/null 2>&1") != 0) GTEST_SKIP() << "go is not installed";
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("pprof-trend-export-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string growth = (dir / "growth.pb.gz").string();
  testing::WriteFileOrDie(growth, Gzip(SerializeGrowthProfile(SaramaTrend())));
  auto rows = [&](const std::string& args) {
    std::string out = (dir / "out.txt").string();
    std::string cmd = "go tool pprof -top -nodefraction=0 -unit=B " + args +
                      " 2>/dev/null | sed -n '/flat%/,$p' | tail -n +2 > " + out;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return testing::ReadFileOrDie(out);
  };
  // Percentages differ (pprof relates a diff to the base's total): compare flat, cum and name.
  auto strip = [](const std::string& table) {
    std::string out;
    std::istringstream in(table);
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string flat, flat_pct, sum_pct, cum, cum_pct, name;
      fields >> flat >> flat_pct >> sum_pct >> cum >> cum_pct;
      std::getline(fields, name);
      out += flat + " " + cum + name + "\n";
    }
    return out;
  };
  std::string ours = strip(rows(growth));
  std::string theirs = strip(rows("-diff_base " + testing::SaramaDay(1) + " " + testing::SaramaDay(3)));
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, theirs);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pprof_trend
