// Replays every input under testdata/fuzz/<target>/ (inputs that once made a
// fuzz target fail, and interesting seeds) through the fuzz target bodies, so
// the normal suite, and its sanitizer build, keep them fixed.
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/fuzz_targets.h"
#include "input/profile_reader.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

TEST(FuzzRegressionTest, ReplaysTheCorpus) {
  size_t replayed = 0;
  for (const auto& target : fuzz::Targets()) {
    fs::path dir = testing::SourcePath(std::string("testdata/fuzz/") + target.name);
    ASSERT_TRUE(fs::is_directory(dir)) << dir;
    for (const auto& entry : fs::directory_iterator(dir)) {
      std::string data = testing::ReadFileOrDie(entry.path().string());
      SCOPED_TRACE(entry.path().string());
      target.run(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0u);
}

// The committed series seeds are framed as FuzzSeries reads them.
TEST(FuzzRegressionTest, SeriesSeedsAreFramedAsTheTargetReadsThem) {
  std::vector<std::string> captures;
  for (int i = 1; i <= 3; ++i)
    captures.push_back(
        testing::ReadFileOrDie(testing::SourcePath("testdata/edge/no-stack-" + std::to_string(i) + ".heap.txt")));
  EXPECT_EQ(fuzz::SeriesInput(captures),
            testing::ReadFileOrDie(testing::SourcePath("testdata/fuzz/series/seed-no-stack")));
}

// Stacks far deeper than real ones go through every stage (alignment,
// trends, text, JSON, HTML, check, export) without recursion.
TEST(FuzzRegressionTest, HundredThousandFrameStack) {
  testing::ProfileSpec day1, day2;
  std::vector<testing::TestFrame> deep;
  for (int i = 0; i < 100000; ++i) deep.push_back({"main.f" + std::to_string(i % 7), "main.go", i + 1});
  day1.samples = {testing::HeapSample(deep, 1, 1 << 20, 1 << 20)};
  day2.samples = {testing::HeapSample(deep, 3, 3 << 20, 1 << 20)};
  auto first = DecodePprof(testing::BuildProfile(day1), "deep1");
  auto second = DecodePprof(testing::BuildProfile(day2), "deep2");
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->Stack(first->samples[0]).size(), 100000u);
  fuzz::RunDownstream(*first, *second);
}

}  // namespace
}  // namespace pprof_trend
