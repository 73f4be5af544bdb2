#include "base/parallel_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace pprof_trend {
namespace {

// Items with many ties on the first key, told apart by the second: the shape
// of the site ranking (most sites tied at score 0, ordered by their stacks).
using Item = std::pair<int, uint32_t>;

std::vector<Item> RandomItems(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Item> items(n);
  for (size_t i = 0; i < n; ++i) items[i] = {static_cast<int>(rng() % 4), static_cast<uint32_t>(i)};
  std::shuffle(items.begin(), items.end(), rng);
  return items;
}

TEST(ParallelSortTest, GivesWhatOneStdSortGivesForEverySplit) {
  const auto less = [](const Item& a, const Item& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  for (size_t n : {0u, 1u, 7u, 100u, 1001u, 65536u}) {
    std::vector<Item> expected = RandomItems(n, static_cast<uint32_t>(n));
    std::vector<Item> input = expected;
    std::sort(expected.begin(), expected.end(), less);
    for (size_t threads : {1u, 2u, 3u, 5u, 8u}) {
      std::vector<Item> items = input;
      ParallelSort(items, less, threads, /*min_slice=*/1);  // force the split even for small inputs
      EXPECT_EQ(items, expected) << "n=" << n << " threads=" << threads;
    }
  }
}

TEST(ParallelSortTest, KeepsSmallInputsOnOneThreadByDefault) {
  const auto less = [](const Item& a, const Item& b) { return a.second < b.second; };
  std::vector<Item> items = RandomItems(1000, 1);
  ParallelSort(items, less, 4);
  EXPECT_TRUE(std::is_sorted(items.begin(), items.end(), less));
}

}  // namespace
}  // namespace pprof_trend
