// AccountMemory: a Go process's memory growth split into the sampled heap
// and the rest, from the MemStats of real ?debug=1 captures.
#include "analysis/process_memory.h"

#include <gtest/gtest.h>

#include "analysis/pipeline.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

TrendResult Trend(const std::vector<std::string>& files) {
  PipelineOptions options;
  for (const std::string& f : files) options.profiles.push_back(testing::SourcePath(f));
  auto analysis = Analyze(options);
  EXPECT_TRUE(analysis.ok()) << analysis.status().message();
  return std::move(analysis->trend);
}

TEST(ProcessMemoryTest, TheHeldMemorysGrowthIsTheSumOfItsParts) {
  const TrendResult t =
      Trend({"testdata/sarama/day1.heap.txt", "testdata/sarama/day2.heap.txt", "testdata/sarama/day3.heap.txt"});
  const std::optional<MemoryAccount> m = AccountMemory(t);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->first, 0u);
  EXPECT_EQ(m->last, 2u);
  EXPECT_EQ(m->with_stats, 3u);
  // Day 1 -> day 3 of the real captures: Sys - HeapReleased 390,943,064 -> 673,890,712.
  EXPECT_DOUBLE_EQ(m->held, 673890712.0 - 390943064.0);
  EXPECT_DOUBLE_EQ(m->sampled, 358182046.0 - 205467028.0);
  EXPECT_DOUBLE_EQ(m->sampled + m->heap_beyond_sampled + m->idle_not_released + m->stacks + m->metadata, m->held);
  EXPECT_GT(m->idle_not_released, 100e6);  // the heap's goal doubled: free spans kept
}

TEST(ProcessMemoryTest, NoneWithoutMemStatsInTwoCaptures) {
  EXPECT_FALSE(AccountMemory(Trend({"testdata/sarama/day1.pb.gz", "testdata/sarama/day2.pb.gz"})));
  EXPECT_FALSE(AccountMemory(Trend({"testdata/sarama/day1.heap.txt", "testdata/sarama/day2.pb.gz"})));
}

}  // namespace
}  // namespace pprof_trend
