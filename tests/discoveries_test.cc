#include "analysis/discoveries.h"

#include <gtest/gtest.h>

#include "analysis/moves.h"

namespace pprof_trend {
namespace {

TrendNode Candidate(double p, TrendClass c = TrendClass::kGrowing) {
  TrendNode n;
  n.stats.trend_class = c;
  n.stats.beyond_noise = true;
  n.stats.growth_p = p;
  n.stats.within = 1000;
  n.stats.steps_up = 1;
  return n;
}

// Of 20,000 sites, growth at p = 0.001 is what 20 of them would show by
// chance: withdrawn; p = 1e-8 stays. Among 8 sites, p = 0.001 stays.
TEST(DiscoveriesTest, GrowthIsKeptOnlyAmongTheDiscoveries) {
  std::vector<TrendNode> many(20000);
  many[0] = Candidate(1e-8);
  many[1] = Candidate(0.001);
  many[2] = Candidate(0.001, TrendClass::kNew);
  const TrendResult::Discoveries d = ControlFalseDiscoveries(many);
  EXPECT_EQ(d.tested, 20000u);
  EXPECT_EQ(d.candidates, 3u);
  EXPECT_EQ(d.withdrawn, 2u);
  EXPECT_EQ(many[0].stats.trend_class, TrendClass::kGrowing);
  EXPECT_TRUE(Grew(many[0]));
  for (size_t i : {1, 2}) {
    EXPECT_FALSE(many[i].stats.beyond_noise);
    EXPECT_EQ(many[i].stats.trend_class, TrendClass::kFluctuating);  // a step moved beyond its own noise
    EXPECT_FALSE(Grew(many[i]));
  }
  std::vector<TrendNode> few(8);
  few[0] = Candidate(0.001);
  EXPECT_EQ(ControlFalseDiscoveries(few).withdrawn, 0u);
  EXPECT_TRUE(Grew(few[0]));
}

TrendNode Site(uint32_t index, uint32_t function, int64_t size, double within, TrendClass c) {
  TrendNode n;
  n.site_index = index;
  n.name_frame = function;
  n.size.exact = true;
  n.size.bytes_per_object = static_cast<double>(size);
  n.stats.trend_class = c;
  n.stats.within = within;
  n.stats.within_sd = 4096;
  n.stats.beyond_noise = within > 0;
  return n;
}

// A 400 KiB buffer that moved to another call path of the same function:
// one site +400 KiB, its sibling -400 KiB. A move, not growth; another
// function's, or another size's, shrinkage is no offset.
TEST(MovesTest, GrowthOffsetByASiblingOfTheSameFunctionAndSizeIsAMove) {
  std::vector<TrendNode> sites{
      Site(0, 7, 409600, 409600, TrendClass::kNew), Site(1, 7, 409600, -409600, TrendClass::kGone),
      Site(2, 8, 4096, 409600, TrendClass::kGrowing), Site(3, 9, 4096, -409600, TrendClass::kShrinking),
      Site(4, 8, 8192, -409600, TrendClass::kShrinking)};
  FindMoves(sites);
  EXPECT_EQ(sites[0].stats.trend_class, TrendClass::kMoved);
  EXPECT_FALSE(Grew(sites[0]));
  ASSERT_TRUE(sites[0].moved_with.has_value());
  EXPECT_EQ(*sites[0].moved_with, 1u);
  EXPECT_EQ(sites[1].stats.trend_class, TrendClass::kGone);
  EXPECT_EQ(*sites[1].moved_with, 0u);
  EXPECT_EQ(sites[2].stats.trend_class, TrendClass::kGrowing);
  EXPECT_FALSE(sites[2].moved_with.has_value());
  EXPECT_FALSE(sites[3].moved_with.has_value());  // another function's
  EXPECT_FALSE(sites[4].moved_with.has_value());  // another size's
  // Half of it offset is growth still.
  std::vector<TrendNode> half{Site(0, 7, 409600, 8 * 409600, TrendClass::kGrowing),
                              Site(1, 7, 409600, -4 * 409600, TrendClass::kShrinking)};
  FindMoves(half);
  EXPECT_EQ(half[0].stats.trend_class, TrendClass::kGrowing);
}

}  // namespace
}  // namespace pprof_trend
