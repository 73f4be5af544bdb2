#include "analysis/trend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "analysis/residence.h"
#include "input/gzip.h"
#include "input/load.h"
#include "input/profile_reader.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "output/report.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

std::vector<double> Index(size_t n) {
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i);
  return x;
}

SeriesStats Stats(const std::vector<double>& y, double noise_rate = 0) {
  return ComputeSeriesStats(y, Index(y.size()), /*x_in_days=*/true, NoiseModel{noise_rate});
}

TEST(SeriesStatsTest, IdenticalValuesShowNoGrowth) {
  auto s = Stats({500, 500, 500, 500});
  EXPECT_EQ(s.trend_class, TrendClass::kStable);
  EXPECT_EQ(s.delta, 0);
  EXPECT_EQ(s.score, 0);
  EXPECT_EQ(*s.per_day, 0);
}

TEST(SeriesStatsTest, SteadyGrowthIsGrowingAndReversedIsShrinking) {
  auto up = Stats({100, 200, 300, 400});
  EXPECT_EQ(up.trend_class, TrendClass::kGrowing);
  EXPECT_DOUBLE_EQ(up.kendall_tau, 1.0);
  EXPECT_DOUBLE_EQ(*up.per_day, 100);
  EXPECT_DOUBLE_EQ(up.score, 300);
  auto down = Stats({400, 300, 200, 100});
  EXPECT_EQ(down.trend_class, TrendClass::kShrinking);
  EXPECT_DOUBLE_EQ(down.delta, -up.delta);
  EXPECT_DOUBLE_EQ(*down.per_day, -100);
  EXPECT_EQ(down.score, 0);
}

TEST(SeriesStatsTest, OneOutlierCaptureDoesNotMakeAStableNodeGrow) {
  for (const auto& y : std::vector<std::vector<double>>{
           {100, 100, 900, 100, 100}, {100, 900, 100}, {100, 100, 100, 100, 900}, {100, 100, 100, 5, 100}}) {
    auto s = Stats(y);
    EXPECT_NE(s.trend_class, TrendClass::kGrowing) << ::testing::PrintToString(y);
    EXPECT_EQ(s.score, 0) << ::testing::PrintToString(y);
    EXPECT_EQ(*s.per_day, 0) << ::testing::PrintToString(y);
  }
}

TEST(SeriesStatsTest, TheilSenIgnoresAnOutlierInAGrowingSeries) {
  auto s = Stats({0, 10, 20, 1000, 40, 50});
  EXPECT_DOUBLE_EQ(*s.per_day, 10);
  EXPECT_EQ(s.trend_class, TrendClass::kGrowing);
}

TEST(SeriesStatsTest, SteadyGrowerOutranksAJumpThatFellBack) {
  auto steady = Stats({100, 150, 200, 250, 300});
  auto jump = Stats({100, 5000, 100, 100, 300});
  EXPECT_GT(steady.score, jump.score);
}

TEST(SeriesStatsTest, Classes) {
  EXPECT_EQ(Stats({100, 200, 300, 300, 300}).trend_class, TrendClass::kPlateaued);
  EXPECT_EQ(Stats({100, 300, 300}).trend_class, TrendClass::kPlateaued);
  EXPECT_EQ(Stats({100, 400, 150, 500, 120, 300}).trend_class, TrendClass::kFluctuating);
  EXPECT_EQ(Stats({0, 0, 300}).trend_class, TrendClass::kNew);
  EXPECT_EQ(Stats({0, 100, 200}).trend_class, TrendClass::kGrowing);
  EXPECT_EQ(Stats({300, 100, 0}).trend_class, TrendClass::kGone);
}

TEST(SeriesStatsTest, ChangesWithinSamplingNoiseAreStable) {
  // One sample of a 512 KiB-rate profile moves a small site by ~512 KiB.
  auto s = Stats({1000000, 1524288, 1000000, 1524288}, 524288);
  EXPECT_EQ(s.trend_class, TrendClass::kStable);
  auto exact = Stats({1000000, 1524288, 1000000, 1524288}, 0);
  EXPECT_EQ(exact.trend_class, TrendClass::kFluctuating);
}

// Sampled counts of a leak without churn: the change from i to j is a
// Poisson count of sampled objects, its tolerance two standard deviations.
SeriesStats SampledStats(const std::vector<double>& y) {
  const PairTolerance tolerance = [&](size_t i, size_t j) {
    return kNoiseZ * std::sqrt(std::max(std::fabs(y[j] - y[i]), 1.0));
  };
  return ComputeSeriesStats(y, Index(y.size()), /*x_in_days=*/true, tolerance, Segments{});
}

// Issue 29: 10 -> 14 -> 18 sampled objects never fell and grew beyond the
// noise over all, though each step is within it (tau 0.577): steady.
TEST(SeriesStatsTest, ASeriesThatNeverFellAndGrewBeyondTheNoiseIsGrowing) {
  const SeriesStats s = SampledStats({10, 14, 18});
  EXPECT_EQ(s.steps_up, 0);
  EXPECT_LT(s.kendall_tau, 0.6);
  EXPECT_TRUE(s.beyond_noise);
  EXPECT_EQ(s.trend_class, TrendClass::kGrowing);
  // One fall, and the same growth is not steady.
  EXPECT_NE(SampledStats({10, 20, 17, 18}).trend_class, TrendClass::kGrowing);
}

// +8, +8, +4 samples: the slowdown is within the noise, so no plateau.
TEST(SeriesStatsTest, APlateauNeedsASlowdownBeyondTheNoise) {
  EXPECT_EQ(SampledStats({0, 8, 16, 20}).trend_class, TrendClass::kGrowing);
  EXPECT_EQ(SampledStats({0, 80, 160, 162}).trend_class, TrendClass::kPlateaued);
}

// Ten captures, one jump of +83 MiB that stays: a step, with when, and a
// score; not "fluctuating" at a rate of 0.
TEST(SeriesStatsTest, OneStepUpThatStaysIsAStep) {
  const double mib = 1 << 20;
  std::vector<double> y(10, 100 * mib);
  for (size_t k = 7; k < 10; ++k) y[k] += 83 * mib;
  const SeriesStats s = Stats(y, 524288);
  EXPECT_EQ(s.trend_class, TrendClass::kStep);
  ASSERT_TRUE(s.step_capture.has_value());
  EXPECT_EQ(*s.step_capture, 7u);
  EXPECT_GT(s.score, 0);
  // At the last capture it may not stay: no step.
  std::vector<double> last(10, 100 * mib);
  last[9] += 83 * mib;
  EXPECT_NE(Stats(last, 524288).trend_class, TrendClass::kStep);
  // Two steps up are growth, not a step.
  std::vector<double> two(10, 100 * mib);
  for (size_t k = 3; k < 10; ++k) two[k] += 40 * mib;
  for (size_t k = 7; k < 10; ++k) two[k] += 40 * mib;
  EXPECT_NE(Stats(two, 524288).trend_class, TrendClass::kStep);
}

// One sample where there was none is within the noise: not "new".
TEST(SeriesStatsTest, ANewSiteWithinTheNoiseIsNotNew) {
  EXPECT_EQ(SampledStats({0, 0, 1}).trend_class, TrendClass::kStable);
  EXPECT_FALSE(SampledStats({0, 0, 1}).beyond_noise);
  EXPECT_EQ(SampledStats({0, 0, 40}).trend_class, TrendClass::kNew);
}

TEST(SeriesStatsTest, WithoutTimesThereIsNoRatePerDay) {
  auto s = ComputeSeriesStats({1, 2, 3}, Index(3), /*x_in_days=*/false, NoiseModel{});
  EXPECT_FALSE(s.per_day.has_value());
  EXPECT_DOUBLE_EQ(s.robust_growth, 2);
}

// The correctness bar on the real captures (see testdata/sarama/truth.json).
class SaramaTrendTest : public ::testing::Test {
 protected:
  static TrendResult Run(const std::vector<std::string>& paths, bool keep_order = false,
                         const std::string& sample_index = "") {
    AlignOptions options;
    options.value_type = sample_index;
    Aligner aligner(options, paths.size());
    Status s = LoadEach(paths, LoadOptions{}, [&](size_t i, Profile&& p) { return aligner.Add(i, p); });
    EXPECT_TRUE(s.ok()) << s.message();
    return ComputeTrends(std::move(aligner).Finish(keep_order));
  }
  // PREFIX1.pb.gz ... PREFIXcount.pb.gz under the source tree.
  static std::vector<std::string> Numbered(const std::string& prefix, int count) {
    std::vector<std::string> paths;
    for (int k = 1; k <= count; ++k) paths.push_back(testing::SourcePath(prefix + std::to_string(k) + ".pb.gz"));
    return paths;
  }
  static const TrendNode* Site(const TrendResult& t, const std::string& name) {
    for (const auto& n : t.sites)
      if (t.aligned.frames[n.name_frame].function == name) return &n;
    return nullptr;
  }
  static int TruthNewPartitionProducers() {
    // truth.json: day 2 and day 3 "new_partition_producers" (13 + 4).
    std::ifstream in(testing::SourcePath("testdata/sarama/truth.json"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::regex re("\"new_partition_producers\": (\\d+)");
    std::vector<int> values;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
      values.push_back(std::stoi((*it)[1]));
    EXPECT_EQ(values.size(), 3u);
    return values.size() == 3 ? values[1] + values[2] : -1;
  }
};

TEST_F(SaramaTrendTest, RanksTheLeaksWithExactBytesPerObject) {
  auto t = Run({testing::SaramaDay(1), testing::SaramaDay(2), testing::SaramaDay(3)});
  ASSERT_GE(t.sites.size(), 2u);
  const TrendNode& first = t.sites[0];
  EXPECT_EQ(t.aligned.frames[first.name_frame].function,
            "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  EXPECT_EQ(first.stats.trend_class, TrendClass::kGrowing);
  ASSERT_TRUE(first.size.bytes_per_object.has_value());
  EXPECT_EQ(*first.size.bytes_per_object, 8388608);
  EXPECT_TRUE(first.size.exact);
  EXPECT_FALSE(first.size.objects_estimated);
  // The runtime's scaling makes the plain ratio 8388608.9: printed as evidence only.
  ASSERT_TRUE(first.size.regression.has_value());
  EXPECT_NEAR(*first.size.regression, 8388608.9, 0.5);
  EXPECT_EQ(first.delta_objects, TruthNewPartitionProducers());
  ASSERT_TRUE(first.stats.per_day.has_value());

  const TrendNode& second = t.sites[1];
  EXPECT_EQ(t.aligned.frames[second.name_frame].function, "main.recordSession");
  EXPECT_EQ(*second.size.bytes_per_object, 256);
  EXPECT_TRUE(second.size.exact);
  EXPECT_TRUE(second.size.objects_estimated);
  // truth.json: 45874 + 49823 sessions leaked after day 1; a sampled estimate.
  EXPECT_NEAR(second.delta_objects, 95697, 95697 * 0.15);

  EXPECT_EQ(Site(t, "main.buildCompactIndex")->stats.trend_class, TrendClass::kShrinking);
  for (const char* flat : {"main.loadCache", "github.com/Shopify/sarama.(*asyncProducer).newTopicProducer"}) {
    const TrendNode* n = Site(t, flat);
    ASSERT_NE(n, nullptr) << flat;
    EXPECT_EQ(n->stats.trend_class, TrendClass::kStable) << flat;
    EXPECT_EQ(n->stats.score, 0) << flat;
  }
}

TEST_F(SaramaTrendTest, FunctionNodesCarryFlatAndCum) {
  auto t = Run({testing::SaramaDay(1), testing::SaramaDay(2), testing::SaramaDay(3)});
  const TrendNode* dispatch = nullptr;
  for (const auto& n : t.functions)
    if (t.aligned.frames[n.name_frame].function == "github.com/Shopify/sarama.(*topicProducer).dispatch") dispatch = &n;
  ASSERT_NE(dispatch, nullptr);
  const NodeSeries series = SeriesOf(t, *dispatch);
  EXPECT_EQ(series.values, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(series.cum_values, (std::vector<double>{150994960, 260046877, 293601313}));
  EXPECT_EQ(t.aligned.frames[t.functions[0].name_frame].function,
            "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
}

TEST_F(SaramaTrendTest, ReversedOrderTurnsGrowthIntoShrinkage) {
  auto t = Run({testing::SaramaDay(3), testing::SaramaDay(2), testing::SaramaDay(1)}, /*keep_order=*/true);
  const TrendNode* n = Site(t, "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->stats.trend_class, TrendClass::kShrinking);
  EXPECT_EQ(n->delta_objects, -TruthNewPartitionProducers());
  EXPECT_EQ(Site(t, "main.buildCompactIndex")->stats.trend_class, TrendClass::kGrowing);
}

// Issue 28: the processes are told apart by the allocation counters
// whatever is ranked: ranking alloc_space (the counters themselves) gave
// "unknown" where the default gave "one".
TEST_F(SaramaTrendTest, ProcessesAreFoundWhenAnAllocationTypeIsRanked) {
  for (const char* type : {"alloc_space", "alloc_objects", "inuse_space", "inuse_objects"}) {
    auto t = Run({testing::SaramaDay(1), testing::SaramaDay(2), testing::SaramaDay(3)}, false, type);
    EXPECT_EQ(t.processes, TrendResult::Processes::kOne) << type;
    // Day 1 after day 3: the counters fell, a restart.
    auto restarted = Run({testing::SaramaDay(1), testing::SaramaDay(3), testing::SaramaDay(1)}, true, type);
    EXPECT_EQ(restarted.processes, TrendResult::Processes::kRestarted) << type;
    ASSERT_EQ(restarted.restarts.size(), 1u) << type;
    EXPECT_EQ(restarted.restarts[0].capture, 2u) << type;
  }
}

// Issue 28: ranking alloc_space, the values are allocation counters: within
// one process a change is the allocations between two captures, each
// sampled on its own (the later capture holds every sample of the
// earlier), not two independent samples. The sessions' interval holds the
// truth (truth.json: 48,178 -> 143,875 leaked, never freed) and is no
// wider than that model gives (it was ±49,000 as independent samples).
TEST_F(SaramaTrendTest, AllocationCountersAreJudgedByTheAllocationsBetweenCaptures) {
  auto t = Run({testing::SaramaDay(1), testing::SaramaDay(2), testing::SaramaDay(3)}, false, "alloc_space");
  ASSERT_EQ(t.processes, TrendResult::Processes::kOne);
  const TrendNode* sessions = Site(t, "main.recordSession");
  ASSERT_NE(sessions, nullptr);
  ASSERT_TRUE(sessions->delta_objects_error95.has_value());
  const double truth = 143875 - 48178, error = *sessions->delta_objects_error95;
  EXPECT_LE(std::fabs(sessions->delta_objects - truth), error) << sessions->delta_objects << " ±" << error;
  EXPECT_LT(error, 35000);
  EXPECT_EQ(sessions->stats.trend_class, TrendClass::kGrowing);
}

TEST_F(SaramaTrendTest, IdenticalInputsShowNoGrowth) {
  auto t = Run({testing::SaramaDay(2), testing::SaramaDay(2), testing::SaramaDay(2)});
  for (const auto& n : t.sites) {
    EXPECT_EQ(n.stats.trend_class, TrendClass::kStable);
    EXPECT_EQ(n.stats.delta, 0);
  }
  EXPECT_EQ(t.total.delta, 0);
}

// A rebuilt binary's captures (new ids, addresses, mappings, string order,
// moved start lines, shuffled samples) must give identical results.
TEST_F(SaramaTrendTest, RebuiltCapturesAlignToIdenticalResults) {
  auto run = [](bool rebuild) {
    Aligner aligner(AlignOptions{}, 3);
    for (int day = 1; day <= 3; ++day) {
      std::string gz = testing::ReadFileOrDie(testing::SaramaDay(day));
      auto raw = Gunzip(gz, "day", uint64_t{1} << 30);
      EXPECT_TRUE(raw.ok());
      std::string bytes = rebuild ? testing::RewriteAsRebuild(*raw, static_cast<uint32_t>(day * 7919)) : *raw;
      auto profile = DecodePprof(bytes, "day" + std::to_string(day) + ".pb.gz");
      EXPECT_TRUE(profile.ok()) << profile.status().message();
      EXPECT_TRUE(aligner.Add(static_cast<size_t>(day - 1), *profile).ok());
    }
    TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
    Report report = BuildReport(t, ReportOptions{});
    return RenderText(report) + RenderJson(report, JsonOptions{});
  };
  std::string original = run(false);
  std::string rebuilt = run(true);
  EXPECT_NE(original.find("newPartitionProducer"), std::string::npos);
  EXPECT_EQ(original, rebuilt);
}

// The trend of one serialized profile captured twice: every node stable,
// so the ranking comes down to its tie-breaks.
TrendResult TrendOfTwoCopies(const std::string& raw) {
  Aligner aligner(AlignOptions{}, 2);
  for (size_t i = 0; i < 2; ++i) {
    auto profile = DecodePprof(raw, "capture" + std::to_string(i));
    EXPECT_TRUE(profile.ok()) << profile.status().message();
    if (!profile.ok()) break;
    EXPECT_TRUE(aligner.Add(i, *profile).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

// Large profiles are ranked on several threads, and most of their sites tie
// at score 0 and growth 0: the order must still be the documented one, ties
// by the frames' names root first (a stack before its own extensions).
TEST(RankingTest, TiedSitesOfALargeProfileAreOrderedByTheirFramesNames) {
  // 120k distinct stacks of 1-4 frames over 40 functions, equal in both
  // captures (stable), enough for the ranking to be split across threads.
  testing::ProfileSpec spec;
  const int kFunctions = 40;
  auto name = [](int f) { return "pkg.f" + std::to_string(f * 7919 % 40); };  // names not in id order
  size_t made = 0;
  for (int a = 0; a < kFunctions && made < 120000; ++a)
    for (int b = -1; b < kFunctions && made < 120000; ++b)
      for (int c = -1; c < kFunctions && made < 120000; ++c) {
        if (b < 0 && c >= 0) continue;
        for (int d = -1; d < kFunctions && made < 120000; d += (c < 0 ? kFunctions + 1 : 1)) {
          std::vector<testing::TestFrame> leaf_first;
          for (int f : {d, c, b})
            if (f >= 0) leaf_first.push_back({name(f), "x.go", 1});
          leaf_first.push_back({name(a), "x.go", 1});
          spec.samples.push_back(testing::HeapSample(leaf_first, 1, 1000));
          ++made;
        }
      }
  ASSERT_EQ(made, 120000u);
  const std::string raw = testing::BuildProfile(spec);
  TrendResult t = TrendOfTwoCopies(raw);
  ASSERT_EQ(t.sites.size(), made);
  auto names = [&](const TrendNode& n) {
    std::vector<std::string> out;
    for (uint32_t f : NodeStack(t.aligned, n)) out.push_back(t.aligned.frames[f].function);
    return out;
  };
  size_t checked = 0;
  for (size_t i = 1; i < t.sites.size(); ++i) {
    ASSERT_EQ(t.sites[i].rank, static_cast<int>(i + 1));
    ASSERT_EQ(t.sites[i].stats.score, 0);
    ASSERT_EQ(t.sites[i].stats.delta, 0);
    ASSERT_LT(names(t.sites[i - 1]), names(t.sites[i])) << "at rank " << i + 1;
    ++checked;
  }
  EXPECT_EQ(checked, made - 1);
}

// Many sites of different growth, ranked on the helper thread while the
// function nodes are filled: every node is the whole record of its site
// (moved as one when ordered), and the order is the documented one: the
// nodes that grew first, then by score, growth, and the frames' names.
TEST(RankingTest, ManySitesOfDifferentGrowthRankInTheDocumentedOrder) {
  constexpr int kSites = 15000, kCaptures = 3;
  std::vector<std::string> raw;
  for (int c = 0; c < kCaptures; ++c) {
    testing::ProfileSpec spec;
    spec.time_nanos = (int64_t{1700000000} + int64_t{c} * 86400) * 1000000000;
    for (int k = 0; k < kSites; ++k) {
      // A third of the sites grow, by 0-49 objects of 1 MiB a capture (far
      // beyond the sampling noise); the rest hold still.
      const int64_t step = k % 3 == 0 ? k % 50 : 0;
      const int64_t objects = 10 + k % 7 + step * c;
      const std::vector<testing::TestFrame> leaf_first = {{"pkg.leaf" + std::to_string(k % 97), "x.go", 1},
                                                          {"pkg.mid" + std::to_string(k / 97), "x.go", 1},
                                                          {"main.main", "main.go", 1}};
      spec.samples.push_back(testing::HeapSample(leaf_first, objects, objects << 20));
    }
    raw.push_back(testing::BuildProfile(spec));
  }
  Aligner aligner(AlignOptions{}, kCaptures);
  for (size_t i = 0; i < raw.size(); ++i) {
    auto profile = DecodePprof(raw[i], "capture" + std::to_string(i));
    ASSERT_TRUE(profile.ok()) << profile.status().message();
    ASSERT_TRUE(aligner.Add(i, *profile).ok());
  }
  const TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
  ASSERT_EQ(t.sites.size(), static_cast<size_t>(kSites));
  auto names = [&](const TrendNode& n) {
    std::vector<std::string> out;
    for (uint32_t f : NodeStack(t.aligned, n)) out.push_back(t.aligned.frames[f].function);
    return out;
  };
  size_t grew = 0;
  std::vector<char> seen(t.sites.size(), 0);
  for (size_t i = 0; i < t.sites.size(); ++i) {
    const TrendNode& n = t.sites[i];
    ASSERT_EQ(n.rank, static_cast<int>(i + 1));
    ASSERT_LT(n.site_index, t.sites.size());
    ASSERT_FALSE(seen[n.site_index]) << "site " << n.site_index << " twice";
    seen[n.site_index] = 1;
    const AlignedSite& site = t.aligned.sites[n.site_index];
    ASSERT_EQ(n.stats.delta, static_cast<double>(site.values.back() - site.values.front())) << "at rank " << i + 1;
    ASSERT_EQ(NodeStack(t.aligned, n).data(), site.frames.data());
    grew += Grew(n) ? 1 : 0;
    if (i == 0) continue;
    const TrendNode& p = t.sites[i - 1];
    ASSERT_TRUE(Grew(p) || !Grew(n)) << "at rank " << i + 1;
    if (Grew(p) != Grew(n)) continue;
    ASSERT_GE(p.stats.score, n.stats.score) << "at rank " << i + 1;
    if (p.stats.score != n.stats.score) continue;
    ASSERT_GE(p.stats.delta, n.stats.delta) << "at rank " << i + 1;
    if (p.stats.delta == n.stats.delta) {
      ASSERT_LT(names(p), names(n)) << "at rank " << i + 1;
    }
  }
  // The growing third (but its sites of 0 objects a capture) counted as growth.
  EXPECT_GT(grew, static_cast<size_t>(kSites) / 4);
  EXPECT_LT(grew, static_cast<size_t>(kSites) / 3 + 1);
}

// The tie-break sorts stacks a few frames at a time, as many frame ranks
// as fit in 64 bits (3 here: more than 2^16 frames): stacks that share long
// prefixes, end inside a pass or exactly at its end, or are prefixes of
// others must still come in name order.
TEST(RankingTest, TiedDeepStacksAreOrderedByNamesAcrossSortPasses) {
  testing::ProfileSpec spec;
  std::vector<std::vector<std::string>> stacks;  // root first
  for (int64_t i = 0; i < 70000; ++i) stacks.push_back({"pkg.single" + std::to_string(i * 104729 % 70000)});
  const std::vector<std::string> chain = {"main.main", "main.run", "main.serve", "main.handle", "main.a", "main.b",
                                          "main.c",    "main.d",   "main.e",     "main.f",      "main.g", "main.h"};
  uint64_t random = 12345;
  auto next = [&](uint64_t bound) {
    random = random * 6364136223846793005ull + 1442695040888963407ull;
    return (random >> 33) % bound;
  };
  for (size_t shared = 0; shared <= chain.size(); ++shared) {
    std::vector<std::string> prefix(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(shared));
    if (!prefix.empty()) stacks.push_back(prefix);  // a stack that begins others
    for (int k = 0; k < 60; ++k) {
      std::vector<std::string> stack = prefix;
      const uint64_t tail = 1 + next(5);
      for (uint64_t d = 0; d < tail; ++d) stack.push_back("pkg.single" + std::to_string(next(40)));
      stacks.push_back(stack);
    }
  }
  std::sort(stacks.begin(), stacks.end());
  stacks.erase(std::unique(stacks.begin(), stacks.end()), stacks.end());
  for (const auto& root_first : stacks) {
    std::vector<testing::TestFrame> leaf_first;
    for (auto it = root_first.rbegin(); it != root_first.rend(); ++it) leaf_first.push_back({*it, "x.go", 1});
    spec.samples.push_back(testing::HeapSample(leaf_first, 1, 1000));
  }
  // Samples in an order unrelated to the names.
  for (size_t i = spec.samples.size() - 1; i > 0; --i) std::swap(spec.samples[i], spec.samples[next(i + 1)]);
  const std::string raw = testing::BuildProfile(spec);
  TrendResult t = TrendOfTwoCopies(raw);
  ASSERT_GT(t.aligned.frames.size(), 65536u);
  ASSERT_EQ(t.sites.size(), stacks.size());
  for (size_t i = 0; i < t.sites.size(); ++i) {
    std::vector<std::string> names;
    for (uint32_t f : NodeStack(t.aligned, t.sites[i])) names.push_back(std::string(t.aligned.frames[f].function));
    ASSERT_EQ(names, stacks[i]) << "at rank " << i + 1;
  }
}

// Many functions' series at once equal each one's alone, however they are
// batched; a frame that recurs in a stack counts once in its cum series.
TEST_F(SaramaTrendTest, FunctionSeriesInBatchesEqualOneByOne) {
  auto t = Run({testing::SaramaDay(1), testing::SaramaDay(2), testing::SaramaDay(3)});
  std::vector<const TrendNode*> functions;
  for (const TrendNode& n : t.functions) functions.push_back(&n);
  ASSERT_GT(functions.size(), 10u);
  for (size_t batch_bytes : {size_t{1}, size_t{3} * 4 * 8 * 7, size_t{64} << 20}) {
    size_t k = 0;
    ForEachFunctionSeries(
        t, functions,
        [&](const TrendNode& n, NodeSeries&& series) {
          ASSERT_EQ(&n, functions[k]);
          const NodeSeries alone = SeriesOf(t, n);
          EXPECT_EQ(series.values, alone.values);
          EXPECT_EQ(series.cum_values, alone.cum_values);
          EXPECT_EQ(series.cum_objects, alone.cum_objects);
          ++k;
        },
        batch_bytes);
    EXPECT_EQ(k, functions.size());
  }
}

// With many sites, a batch's pass over them is summed on two threads: each
// function's flat and cum series still equal a plain count over the sites,
// a frame that recurs in a stack (here often) counted once.
TEST(FunctionSeriesTest, ManySitesSummedOnTwoThreadsEqualAPlainCount) {
  std::mt19937 random(3);
  testing::ProfileSpec spec;
  std::set<std::vector<std::string>> stacks;
  while (stacks.size() < 12000) {
    std::vector<std::string> leaf_first;
    const size_t depth = 1 + random() % 8;
    for (size_t d = 0; d < depth; ++d) leaf_first.push_back("fn" + std::to_string(random() % 30));
    stacks.insert(leaf_first);
  }
  int64_t bytes = 1000;
  for (const auto& leaf_first : stacks) {
    std::vector<testing::TestFrame> frames;
    for (const std::string& name : leaf_first) frames.push_back({name, "x.go", 1});
    spec.samples.push_back(testing::HeapSample(frames, 1, bytes += 8));
  }
  TrendResult t = TrendOfTwoCopies(testing::BuildProfile(spec));
  const AlignedProfiles& a = t.aligned;
  ASSERT_GE(a.sites.size(), 12000u);
  std::vector<const TrendNode*> functions;
  for (const TrendNode& n : t.functions) functions.push_back(&n);
  size_t k = 0;
  ForEachFunctionSeries(t, functions, [&](const TrendNode& n, NodeSeries&& series) {
    std::vector<double> flat(2, 0), cum(2, 0);
    for (const AlignedSite& site : a.sites) {
      const bool in = std::find(site.frames.begin(), site.frames.end(), n.name_frame) != site.frames.end();
      for (size_t c = 0; c < 2; ++c) {
        if (site.frames.back() == n.name_frame) flat[c] += static_cast<double>(site.values[c]);
        if (in) cum[c] += static_cast<double>(site.values[c]);
      }
    }
    EXPECT_EQ(series.values, flat) << a.frames[n.name_frame].function;
    EXPECT_EQ(series.cum_values, cum) << a.frames[n.name_frame].function;
    ++k;
  });
  EXPECT_EQ(k, functions.size());
  EXPECT_EQ(k, 30u);
}

TEST(FunctionSeriesTest, ARecursiveFrameCountsOnceInItsCumSeries) {
  testing::ProfileSpec spec;
  spec.samples.push_back(testing::HeapSample({{"main.walk"}, {"main.walk"}, {"main.walk"}, {"main.main"}}, 2, 200));
  spec.samples.push_back(testing::HeapSample({{"main.alloc"}, {"main.walk"}, {"main.main"}}, 1, 50));
  const std::string raw = testing::BuildProfile(spec);
  TrendResult t = TrendOfTwoCopies(raw);
  for (const TrendNode& n : t.functions) {
    const std::string_view name = t.aligned.frames[n.name_frame].function;
    const NodeSeries series = SeriesOf(t, n);
    if (name == "main.walk") {
      EXPECT_EQ(series.values, (std::vector<double>{200, 200}));
      EXPECT_EQ(series.cum_values, (std::vector<double>{250, 250}));
    } else if (name == "main.main") {
      EXPECT_EQ(series.values, (std::vector<double>{0, 0}));
      EXPECT_EQ(series.cum_values, (std::vector<double>{250, 250}));
    }
  }
}

// The table numbers its rows 1, 2, 3 ... by rank; a site with a higher
// score but not classed as growth (here: one that rose, then went) ranks
// after the sites that grew (so rank N is the same site in every output)
// and is named by class under the table, never a silent gap or a table
// that starts at 2.
TEST(TextTableTest, RowsAreNumberedInOrderAndSitesLeftOutAreSaid) {
  constexpr int64_t kExactSize = 8 << 20;  // objects this large are exact: no sampling noise
  const std::vector<int> went = {1, 2, 3, 4, 0}, crept = {1, 1, 1, 1, 2};
  Aligner aligner(AlignOptions{}, 5);
  std::vector<Profile> profiles;
  for (int i = 0; i < 5; ++i) {
    testing::ProfileSpec spec;
    spec.time_nanos = (int64_t{1700000000} + i * 86400) * 1000000000;
    // One process: main.went's allocations since start stay counted after
    // it freed them (a fall would be a restart).
    if (went[i] > 0)
      spec.samples.push_back(testing::HeapSample({{"main.went"}}, went[i], went[i] * kExactSize, kExactSize));
    else
      spec.samples.push_back({{{"main.went"}}, {4, 4 * kExactSize, 0, 0}, kExactSize});
    spec.samples.push_back(testing::HeapSample({{"main.crept"}}, crept[i], crept[i] * kExactSize, kExactSize));
    auto p = DecodePprof(testing::BuildProfile(spec), "c" + std::to_string(i));
    ASSERT_TRUE(p.ok()) << p.status().message();
    ASSERT_TRUE(aligner.Add(static_cast<size_t>(i), *p).ok());
  }
  TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
  ASSERT_EQ(t.sites.size(), 2u);
  ASSERT_EQ(t.aligned.frames[t.sites[0].name_frame].function, "main.crept");  // grew: ranked first
  ASSERT_EQ(t.aligned.frames[t.sites[1].name_frame].function, "main.went");
  ASSERT_GT(t.sites[1].stats.score, t.sites[0].stats.score);  // though its score is higher
  ASSERT_EQ(t.sites[1].stats.trend_class, TrendClass::kGone);
  std::string text = RenderText(BuildReport(t, ReportOptions{}));
  const std::string table = text.substr(text.find("rank      growth"));
  EXPECT_NE(table.find("\n   1       +8MiB"), std::string::npos) << text;
  EXPECT_EQ(table.find("\n   2 "), std::string::npos) << text;
  EXPECT_NE(table.find("\n   1  main.crept"), std::string::npos) << text;  // its call path, numbered alike
  EXPECT_NE(text.find("(1 site with a rising trend is not in the table: 1 gone)"), std::string::npos) << text;
}

// A site whose samples have two object sizes grows by each: split, with
// the dominant size as its exact bytes per object.
TEST(SizeSplitTest, AGrowthOfTwoSizesIsSplitBySize) {
  constexpr int64_t kOneMiB = 1 << 20;
  Aligner aligner(AlignOptions{}, 3);
  const int big[] = {1, 2, 3}, small[] = {2, 2, 3};
  for (int i = 0; i < 3; ++i) {
    testing::ProfileSpec spec;
    spec.time_nanos = (int64_t{1700000000} + i * 86400) * 1000000000;
    spec.samples.push_back(testing::HeapSample({{"main.cache"}}, big[i], big[i] * 8 * kOneMiB, 8 * kOneMiB));
    spec.samples.push_back(testing::HeapSample({{"main.cache"}}, small[i], small[i] * 4 * kOneMiB, 4 * kOneMiB));
    auto p = DecodePprof(testing::BuildProfile(spec), "c" + std::to_string(i));
    ASSERT_TRUE(p.ok()) << p.status().message();
    ASSERT_TRUE(aligner.Add(static_cast<size_t>(i), *p).ok());
  }
  TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
  ASSERT_EQ(t.sites.size(), 1u);
  const TrendNode& node = t.sites[0];
  ASSERT_EQ(node.size.by_size.size(), 2u);
  EXPECT_EQ(node.size.by_size[0].size, 8 * kOneMiB);
  EXPECT_EQ(node.size.by_size[0].delta_objects, 2);
  EXPECT_EQ(node.size.by_size[1].size, 4 * kOneMiB);
  EXPECT_EQ(node.size.by_size[1].delta_objects, 1);
  EXPECT_EQ(*node.size.bytes_per_object, 8 * kOneMiB);
  EXPECT_TRUE(node.size.exact);
  const std::string text = RenderText(BuildReport(t, ReportOptions{}));
  EXPECT_NE(text.find("+3 objects: +2 x 8MiB, +1 x 4MiB"), std::string::npos) << text;
}

// In-use counts only (as Rust's jemalloc_pprof writes them: no cumulative
// counters to fall) with the main binary's build id: a new build id is a
// restart, and so is every mapping moved (a new process of the same build).
// Pairs across either count for no class or rate: the leak that grows within
// each process is growing, not fluctuating around the restart's drop.
TrendResult InUseSeries(const std::vector<std::pair<std::string, uint64_t>>& builds) {
  Aligner aligner(AlignOptions{}, builds.size());
  for (size_t i = 0; i < builds.size(); ++i) {
    testing::ProfileSpec spec;
    spec.sample_types = {{"inuse_objects", "count"}, {"inuse_space", "bytes"}};
    spec.period = 1;  // every allocation: exact counts
    spec.build_id = builds[i].first;
    spec.mapping_start = builds[i].second;
    spec.time_nanos = (int64_t{1700000000} + static_cast<int64_t>(i) * 3600) * 1000000000;
    const int64_t leaked = 1000 * static_cast<int64_t>(i % 2 + 1);  // 1000, 2000 in each process
    spec.samples.push_back({{{"main.leak"}, {"main.main"}}, {leaked, leaked * 4096}});
    spec.samples.push_back({{{"main.cache"}, {"main.main"}}, {10, 10 * 65536}});
    auto profile = DecodePprof(testing::BuildProfile(spec), "p" + std::to_string(i) + ".pb");
    EXPECT_TRUE(profile.ok()) << profile.status().message();
    EXPECT_TRUE(aligner.Add(i, *profile).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

TEST(ProcessesTest, ANewBuildIdOrMovedMappingsAreRestartsWithoutAllocCounters) {
  TrendResult rebuilt = InUseSeries({{"aaaa", 0x400000}, {"aaaa", 0x400000}, {"bbbb", 0x400000}, {"bbbb", 0x400000}});
  ASSERT_EQ(rebuilt.processes, TrendResult::Processes::kRestarted);
  ASSERT_EQ(rebuilt.restarts.size(), 1u);
  EXPECT_EQ(rebuilt.restarts[0].capture, 2u);
  EXPECT_EQ(rebuilt.restarts[0].cause, TrendResult::RestartCause::kRebuilt);
  EXPECT_EQ(rebuilt.sites[0].stats.trend_class, TrendClass::kGrowing);
  EXPECT_EQ(Growth(rebuilt, rebuilt.sites[0]), 2 * 1000 * 4096);  // within each process
  TrendResult moved = InUseSeries({{"aaaa", 0x400000}, {"aaaa", 0x400000}, {"aaaa", 0x7f0000}, {"aaaa", 0x7f0000}});
  ASSERT_EQ(moved.restarts.size(), 1u);
  EXPECT_EQ(moved.restarts[0].cause, TrendResult::RestartCause::kNewProcess);
  // Neither: one process as far as anything tells (unknown without counters).
  TrendResult same = InUseSeries({{"aaaa", 0x400000}, {"aaaa", 0x400000}, {"aaaa", 0x400000}, {"aaaa", 0x400000}});
  EXPECT_EQ(same.processes, TrendResult::Processes::kUnknown);
  EXPECT_TRUE(same.restarts.empty());
}

// Issue 29, Little's law on real captures (testdata/residence: Go 1.19,
// two sites of 4 KiB objects that grow alike): the leak's objects stay
// longer and longer (about one second more per second), the expiring
// cache's stay its 0.5 s ttl. Where the law does not hold, nothing is said.
TEST_F(SaramaTrendTest, ResidenceTellsALeakFromACacheThatGrowsWithItsLoad) {
  TrendResult t = Run(Numbered("testdata/residence/heap-", 5));
  const TrendNode* leak = Site(t, "main.leakRequest");
  const TrendNode* cache = Site(t, "main.cacheResponse");
  ASSERT_TRUE(leak && cache);
  // Sizes and counts alike: both growing, 4 KiB, about +3,200 objects.
  EXPECT_EQ(leak->stats.trend_class, TrendClass::kGrowing);
  EXPECT_EQ(cache->stats.trend_class, TrendClass::kGrowing);
  const std::optional<Residence> kept = ResidenceOf(t, *leak, SeriesOf(t, *leak));
  const std::optional<Residence> expiring = ResidenceOf(t, *cache, SeriesOf(t, *cache));
  ASSERT_TRUE(kept && expiring);
  EXPECT_FALSE(kept->seconds[0].has_value());  // no interval ends at the first capture
  ASSERT_TRUE(kept->trend && expiring->trend);
  EXPECT_EQ(*kept->trend, Residence::Trend::kRising);
  EXPECT_EQ(*expiring->trend, Residence::Trend::kLevel);
  const double span = t.seconds[4] - t.seconds[1];
  const double per_second = (*kept->seconds[4] - *kept->seconds[1]) / span;
  EXPECT_GT(per_second, 0.6);
  EXPECT_LT(per_second, 1.3);
  for (size_t k = 1; k < 5; ++k) {
    EXPECT_NEAR(*expiring->seconds[k], 0.5, 0.15) << k;
    EXPECT_LE(std::fabs(*expiring->seconds[k] - 0.5), *expiring->error95[k] + 0.05) << k;
  }
  // Functions, and profiles without allocation counters: none.
  EXPECT_FALSE(ResidenceOf(t, t.functions.front(), SeriesOf(t, t.functions.front())).has_value());
  NodeSeries no_counters = SeriesOf(t, *leak);
  no_counters.alloc_objects.clear();
  EXPECT_FALSE(ResidenceOf(t, *leak, no_counters).has_value());
}

// Issue 29, one leak shown as two sites (testdata/node-jit: Node 20, V8's
// sampling heap profiler): once TurboFan inlines openSession into
// serveRequests, its allocations are sampled under serveRequests alone.
// The two sites are linked; each keeps its own class.
TEST_F(SaramaTrendTest, ALeakTheJitMovesToItsCallerIsLinkedAcrossTheTwoSites) {
  TrendResult t = Run(Numbered("testdata/node-jit/jit-", 6));
  const TrendNode* callee = Site(t, "openSession");
  const TrendNode* caller = Site(t, "serveRequests");
  ASSERT_TRUE(callee && caller);
  EXPECT_EQ(callee->stats.trend_class, TrendClass::kStep);
  EXPECT_EQ(caller->stats.trend_class, TrendClass::kGrowing);
  ASSERT_TRUE(callee->continued_by && caller->continues);
  EXPECT_EQ(*callee->continued_by, caller->site_index);
  EXPECT_EQ(*caller->continues, callee->site_index);
  // The rows (every output's) name each other's rank.
  const Report report = BuildReport(t, ReportOptions{});
  EXPECT_EQ(MakeRow(report, *callee).continued_by_rank, caller->rank);
  EXPECT_EQ(MakeRow(report, *caller).continues_rank, callee->rank);
  // No other site is linked.
  for (const TrendNode& n : t.sites)
    if (&n != callee && &n != caller) {
      EXPECT_FALSE(n.continues || n.continued_by);
      EXPECT_EQ(MakeRow(report, n).continues_rank + MakeRow(report, n).continued_by_rank, 0);
    }
}

// Issue 29, a move on real captures (testdata/moved: Go 1.19): 40 buffers
// of 400 KiB held through serveLegacy, then through serveV2, allocated by the
// same function. The new path's growth is a move, not growth.
TEST_F(SaramaTrendTest, BuffersHeldThroughAnotherCallPathAreAMove) {
  TrendResult t = Run(Numbered("testdata/moved/heap-", 3));
  const TrendNode *gained = nullptr, *lost = nullptr;
  for (const TrendNode& n : t.sites) {
    if (t.aligned.frames[n.name_frame].function != "main.newBuffer") continue;
    (n.stats.within > 0 ? gained : lost) = &n;
  }
  ASSERT_TRUE(gained && lost);
  EXPECT_EQ(gained->stats.trend_class, TrendClass::kMoved);
  EXPECT_FALSE(Grew(*gained));
  EXPECT_EQ(lost->stats.trend_class, TrendClass::kGone);
  const Report report = BuildReport(t, ReportOptions{});
  EXPECT_EQ(MakeRow(report, *gained).moved_with_rank, lost->rank);
  EXPECT_EQ(MakeRow(report, *lost).moved_with_rank, gained->rank);
  for (const TrendNode& n : t.sites) EXPECT_FALSE(Grew(n)) << t.aligned.frames[n.name_frame].function;
}

}  // namespace
}  // namespace pprof_trend
