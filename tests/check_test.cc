#include "analysis/check.h"

#include <gtest/gtest.h>

#include "input/load.h"
#include "input/profile_reader.h"
#include "output/render_check.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

TEST(RulesTest, EveryKey) {
  Budgets b;
  Status s = ParseRules(
      "# comment\n\nmax-growth 64MiB  # trailing comment\nmax-rate 10MiB/day\nmax-node-growth 500KB\n"
      "forbid newPartitionProducer\nforbid a b\nallow main\\.loadCache\n",
      "r.rules", &b);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(b.max_growth->bytes, 64.0 * 1048576);
  EXPECT_EQ(b.max_growth->text, "64MiB");
  EXPECT_EQ(b.max_rate->bytes, 10.0 * 1048576);
  EXPECT_EQ(b.max_rate->seconds, 86400);
  EXPECT_EQ(b.max_node_growth->bytes, 500000);
  EXPECT_EQ(b.forbid, (std::vector<std::string>{"newPartitionProducer", "a b"}));
  EXPECT_EQ(b.allow, (std::vector<std::string>{"main\\.loadCache"}));
}

TEST(RulesTest, EachKindOfMistakeNamesTheLine) {
  struct Case {
    std::string text, message;
  };
  for (const auto& c : std::vector<Case>{
           {"max-growth 1MiB\nmax-groth 1MiB\n",
            "r.rules:2: unknown key \"max-groth\" (keys: max-growth, max-rate, max-node-growth, forbid, allow, limit, "
            "min-time-to-limit)"},
           {"\nmax-growth lots\n", "r.rules:2: \"lots\" is not a size (examples: 64MiB, 500KB, 1.5GiB)"},
           {"max-node-growth -5MiB", "r.rules:1: \"-5MiB\" is not a size (examples: 64MiB, 500KB, 1.5GiB)"},
           {"max-rate 10MiB", "r.rules:1: \"10MiB\" is not a rate (examples: 10MiB/day, 200KiB/h)"},
           {"max-rate 10MiB/fortnight", "r.rules:1: \"10MiB/fortnight\" is not a rate (examples: 10MiB/day, 200KiB/h)"},
           {"# ok\nforbid\n", "r.rules:2: \"forbid\" needs a value"},
       }) {
    Budgets b;
    Status s = ParseRules(c.text, "r.rules", &b);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.message(), c.message);
  }
}

class CheckSaramaTest : public ::testing::Test {
 protected:
  static TrendResult Trend(bool keep_order = false, std::vector<int> days = {1, 2, 3}) {
    std::vector<std::string> paths;
    for (int d : days) paths.push_back(testing::SaramaDay(d));
    Aligner aligner(AlignOptions{}, paths.size());
    EXPECT_TRUE(LoadEach(paths, LoadOptions{}, [&](size_t i, Profile&& p) { return aligner.Add(i, p); }).ok());
    return ComputeTrends(std::move(aligner).Finish(keep_order));
  }
};

TEST_F(CheckSaramaTest, FailsMaxGrowthAndForbid) {
  TrendResult t = Trend();
  Budgets b;
  b.max_growth = SizeLimit{100.0 * 1048576, "100MiB"};
  b.forbid = {"newPartitionProducer"};
  auto r = RunCheck(t, b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->verdicts.size(), 2u);
  EXPECT_FALSE(r->verdicts[0].passed);
  EXPECT_EQ(r->verdicts[0].measured, 358182046.0 - 205467028.0);  // the captures' inuse_space totals
  ASSERT_FALSE(r->verdicts[0].offenders.empty());
  EXPECT_EQ(t.aligned.frames[r->verdicts[0].offenders[0]->name_frame].function,
            "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  EXPECT_FALSE(r->verdicts[1].passed);
  EXPECT_EQ(r->verdicts[1].measured, 1);
}

TEST_F(CheckSaramaTest, PassesWithTheLeaksAllowed) {
  Budgets b;
  b.max_growth = SizeLimit{10.0 * 1048576, "10MiB"};
  b.allow = {"newPartitionProducer", "recordSession"};
  auto r = RunCheck(Trend(), b);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed);
  EXPECT_EQ(r->allowed_sites, 2u);
}

TEST_F(CheckSaramaTest, ForbidIgnoresSitesThatAreNotGrowing) {
  Budgets b;
  b.forbid = {"loadCache", "buildCompactIndex", "newTopicProducer"};
  auto r = RunCheck(Trend(), b);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->passed);
}

// Issue 28: a typo in --forbid used to pass CI ("0 growing sites"). A
// forbid that matches no function or file of any capture fails, naming the
// closest function; an --allow that matches nothing fails nothing (it
// leaves no site out) but is said.
TEST_F(CheckSaramaTest, APatternThatMatchesNothingIsSaidWithTheClosestName) {
  Budgets b;
  b.forbid = {"recordSesion", "loadCache", "zzqqxxyy"};
  b.allow = {"newPartitionProducr", "main\\.loadCache"};
  auto r = RunCheck(Trend(), b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  ASSERT_EQ(r->verdicts.size(), 3u);
  EXPECT_TRUE(r->verdicts[0].matched_nothing);
  EXPECT_FALSE(r->verdicts[0].passed);
  EXPECT_EQ(r->verdicts[0].closest_name, "main.recordSession");
  EXPECT_FALSE(r->verdicts[1].matched_nothing);
  EXPECT_TRUE(r->verdicts[1].passed);
  EXPECT_TRUE(r->verdicts[2].matched_nothing);
  EXPECT_EQ(r->verdicts[2].closest_name, "");
  ASSERT_EQ(r->unmatched_allow.size(), 1u);
  EXPECT_EQ(r->unmatched_allow[0].pattern, "newPartitionProducr");
  EXPECT_EQ(r->unmatched_allow[0].closest_name, "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  // The allow that matched nothing left the leak in the budgets.
  EXPECT_EQ(r->allowed_sites, 1u);
}

TEST_F(CheckSaramaTest, MaxRateIsPerTheGivenDuration) {
  Budgets b;
  b.max_rate = RateLimit{1.0 * 1048576, 3600, "1MiB/h"};
  auto r = RunCheck(Trend(), b);
  ASSERT_TRUE(r.ok());
  // Theil-Sen of the totals: 38178754.5 bytes/day = 1590781.4 bytes/hour.
  EXPECT_NEAR(r->verdicts[0].measured, 38178754.5 / 24, 0.01);
  EXPECT_FALSE(r->verdicts[0].passed);
}

TEST_F(CheckSaramaTest, MaxRateNeedsCaptureTimes) {
  Budgets b;
  b.max_rate = RateLimit{1, 86400, "1B/day"};
  auto r = RunCheck(Trend(/*keep_order=*/true, {2, 1}), b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUsageError);
}

TEST_F(CheckSaramaTest, MaxNodeGrowthNamesEverySiteOverIt) {
  Budgets b;
  b.max_node_growth = SizeLimit{16.0 * 1048576, "16MiB"};
  auto r = RunCheck(Trend(), b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->passed);
  EXPECT_EQ(r->verdicts[0].offenders.size(), 2u);  // newPartitionProducer +136MiB, recordSession +24MiB
}

}  // namespace
}  // namespace pprof_trend

// Names from a hostile profile must not break the XML or the workflow commands.
namespace pprof_trend {
namespace {

TEST(RenderCheckTest, EscapesHostileNames) {
  using testing::HeapSample;
  const std::string evil = "main.evil<&>\"'%\n,:\x01\xff";
  testing::ProfileSpec day1, day2;
  day1.time_nanos = 1;
  day2.time_nanos = 86400000000000;
  day1.samples = {HeapSample({{evil, "e.go", 1}}, 10, 10 << 20, 1 << 20)};
  day2.samples = {HeapSample({{evil, "e.go", 1}}, 20, 20 << 20, 1 << 20)};
  Aligner aligner(AlignOptions{}, 2);
  ASSERT_TRUE(aligner.Add(0, DecodePprof(testing::BuildProfile(day1), "a").value()).ok());
  ASSERT_TRUE(aligner.Add(1, DecodePprof(testing::BuildProfile(day2), "b").value()).ok());
  TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
  Budgets b;
  b.max_growth = SizeLimit{1, "1B"};
  auto r = RunCheck(t, b);
  ASSERT_TRUE(r.ok());
  std::string junit = RenderCheck(*r, BuildReport(t, ReportOptions{}), CheckFormat::kJunit);
  EXPECT_NE(junit.find("main.evil&lt;&amp;&gt;&quot;&#39;%?,:?\xef\xbf\xbd"), std::string::npos) << junit;
  std::string github = RenderCheck(*r, BuildReport(t, ReportOptions{}), CheckFormat::kGithub);
  EXPECT_NE(github.find("main.evil<&>\"'%25?,:?\xef\xbf\xbd"), std::string::npos) << github;
  EXPECT_EQ(std::count(github.begin(), github.end(), '\n'), 2) << github;  // one annotation, one summary
}

}  // namespace
}  // namespace pprof_trend
