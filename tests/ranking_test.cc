// Rank (a radix sort of stacks and a parallel sort of small keys) orders
// nodes exactly as a plain comparator sort of the rule it implements.
#include "analysis/ranking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace pprof_trend {
namespace {

// `quiet_share` of the nodes never changed (not grown, score 0, growth 0:
// most sites of a real profile), tied but for their stacks.
void ExpectRankEqualsAPlainComparatorSort(double quiet_share) {
  std::mt19937 random(7);
  AlignedProfiles aligned;
  // Distinct names (as aligned frames are), out of id order, some equal but
  // for the file.
  std::vector<int> names(300);
  std::iota(names.begin(), names.end(), 0);
  std::shuffle(names.begin(), names.end(), random);
  for (int f = 0; f < 300; ++f)
    aligned.frames.push_back(
        AlignedFrame{"fn" + std::to_string(names[f] % 100), "f" + std::to_string(names[f] / 100) + ".go", 0});
  // Many nodes share stack prefixes (as real stacks share main, runtime),
  // scores and growth tie often, and the classes mix.
  constexpr size_t kNodes = 5000;
  std::vector<std::vector<uint32_t>> stacks(kNodes);
  std::vector<TrendNode> nodes(kNodes);
  const TrendClass classes[] = {TrendClass::kGrowing, TrendClass::kFluctuating, TrendClass::kGone,     TrendClass::kNew,
                                TrendClass::kStable,  TrendClass::kShrinking,   TrendClass::kPlateaued};
  for (size_t i = 0; i < kNodes; ++i) {
    const size_t depth = 1 + random() % 40;
    for (size_t d = 0; d < depth; ++d)
      stacks[i].push_back(d < 5 ? static_cast<uint32_t>(d) : static_cast<uint32_t>(random() % 300));
    if (i > 0 && random() % 10 == 0) stacks[i] = stacks[i - 1];  // equal stacks: the node order decides
    aligned.sites.emplace_back();
    aligned.sites.back().frames = stacks[i];
    nodes[i].stats.score = static_cast<double>(random() % 5);
    nodes[i].stats.delta = static_cast<double>(random() % 7) - 3;
    nodes[i].stats.trend_class = classes[random() % 7];
    nodes[i].site_index = static_cast<uint32_t>(i);  // identifies the node after sorting
    if (static_cast<double>(random() % 1000) < quiet_share * 1000) {
      nodes[i].stats.score = 0;
      nodes[i].stats.delta = i % 3 == 0 ? -0.0 : 0.0;  // -0 ties with 0
      nodes[i].stats.trend_class = TrendClass::kStable;
    }
  }
  const std::vector<uint32_t> frame_order = FrameOrder(aligned);
  auto stack_less = [&](const TrendNode& a, const TrendNode& b) {
    auto name = [&](uint32_t f) {
      const AlignedFrame& x = aligned.frames[f];
      return std::make_tuple(x.function, x.file, x.line);
    };
    const std::vector<uint32_t>&sa = stacks[a.site_index], &sb = stacks[b.site_index];
    return std::lexicographical_compare(sa.begin(), sa.end(), sb.begin(), sb.end(),
                                        [&](uint32_t x, uint32_t y) { return name(x) < name(y); });
  };
  std::vector<TrendNode> expected = nodes;
  std::stable_sort(expected.begin(), expected.end(), [&](const TrendNode& a, const TrendNode& b) {
    if (Grew(a) != Grew(b)) return Grew(a);
    if (a.stats.score != b.stats.score) return a.stats.score > b.stats.score;
    if (a.stats.delta != b.stats.delta) return a.stats.delta > b.stats.delta;
    return stack_less(a, b);
  });
  for (size_t threads : {1u, 2u, 4u}) {
    std::vector<TrendNode> ranked = nodes;
    Rank(ranked, aligned, frame_order, threads);
    ASSERT_EQ(ranked.size(), expected.size());
    for (size_t i = 0; i < ranked.size(); ++i) {
      ASSERT_EQ(ranked[i].site_index, expected[i].site_index) << "position " << i << ", " << threads << " threads";
      ASSERT_EQ(ranked[i].rank, static_cast<int>(i + 1));
    }
  }
}

TEST(RankingTest, EqualsAPlainComparatorSort) { ExpectRankEqualsAPlainComparatorSort(0); }

TEST(RankingTest, EqualsAPlainComparatorSortWhenMostNodesNeverChanged) { ExpectRankEqualsAPlainComparatorSort(0.9); }

// Stacks as real programs have them: a few long trunks (tens of frames
// shared), branches off them at any depth, stacks that end where another
// goes on, and equal stacks. StackPositions skips what a group shares; the
// positions must be those of a plain lexicographic sort (node order for
// equal stacks). `tail_frames`: how many frames the tails past the trunks
// are drawn from.
void ExpectStackPositionsOfTrunks(size_t num_nodes, size_t num_trunks, uint32_t tail_frames, size_t max_tail) {
  std::mt19937 random(11);
  AlignedProfiles aligned;
  for (int f = 0; f < 70000; ++f)  // over 16 bits of frame ranks: 3 frames a key
    aligned.frames.push_back(AlignedFrame{"fn" + std::to_string((f * 7919) % 70000), "a.go", 0});
  std::vector<std::vector<uint32_t>> trunks(num_trunks);
  for (auto& trunk : trunks)
    for (int d = 0; d < 60; ++d) trunk.push_back(static_cast<uint32_t>(random() % 70000));
  const size_t kNodes = num_nodes;
  std::vector<std::vector<uint32_t>> stacks(kNodes);
  std::vector<TrendNode> nodes(kNodes);
  for (size_t i = 0; i < kNodes; ++i) {
    const auto& trunk = trunks[random() % trunks.size()];
    stacks[i].assign(trunk.begin(), trunk.begin() + static_cast<std::ptrdiff_t>(random() % (trunk.size() + 1)));
    const size_t tail = random() % (max_tail + 1);  // none: a prefix of others
    for (size_t d = 0; d < tail; ++d) stacks[i].push_back(static_cast<uint32_t>(random() % tail_frames));
    if (i > 0 && random() % 8 == 0) stacks[i] = stacks[random() % i];
    aligned.sites.emplace_back();
    aligned.sites.back().frames = stacks[i];
    nodes[i].site_index = static_cast<uint32_t>(i);
  }
  const std::vector<uint32_t> frame_order = FrameOrder(aligned);
  std::vector<uint32_t> expected(kNodes);
  std::iota(expected.begin(), expected.end(), 0);
  std::stable_sort(expected.begin(), expected.end(), [&](uint32_t a, uint32_t b) {
    return std::lexicographical_compare(stacks[a].begin(), stacks[a].end(), stacks[b].begin(), stacks[b].end(),
                                        [&](uint32_t x, uint32_t y) { return frame_order[x] < frame_order[y]; });
  });
  const std::vector<uint32_t> position = StackPositions(nodes, aligned, frame_order);
  for (uint32_t i = 0; i < kNodes; ++i) ASSERT_EQ(position[expected[i]], i) << "node " << expected[i];
}

TEST(RankingTest, StackPositionsOfLongSharedPrefixes) { ExpectStackPositionsOfTrunks(4000, 4, 8, 3); }

// Groups of 1,024 nodes or more are sorted by numbering their keys (one
// table, emptied between groups): many such groups one after another, some
// with thousands of distinct keys (the table grows), some with few.
TEST(RankingTest, StackPositionsOfManyLargeGroups) {
  ExpectStackPositionsOfTrunks(40000, 12, 8, 3);
  ExpectStackPositionsOfTrunks(40000, 6, 70000, 8);
}

}  // namespace
}  // namespace pprof_trend
