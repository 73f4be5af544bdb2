#include "base/for_each_slice.h"

#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <vector>

namespace pprof_trend {
namespace {

// The slices cover [0, count) once, in order of their numbers, each on its
// own thread when there are several.
TEST(ForEachSliceTest, SlicesCoverTheRangeOnceInOrder) {
  for (size_t threads : {1u, 2u, 3u, 8u})
    for (size_t count : {0u, 1u, 7u, 1000u}) {
      std::mutex mu;
      std::vector<std::pair<size_t, size_t>> bounds(threads, {SIZE_MAX, SIZE_MAX});
      std::vector<int> seen(count, 0);
      ForEachSlice(count, threads, [&](size_t slice, size_t begin, size_t end) {
        std::lock_guard lock(mu);
        bounds[slice] = {begin, end};
        for (size_t i = begin; i < end; ++i) ++seen[i];
      });
      for (size_t i = 0; i < count; ++i) EXPECT_EQ(seen[i], 1) << i;
      EXPECT_EQ(bounds.front().first, 0u);
      EXPECT_EQ(bounds.back().second, count);
      for (size_t t = 1; t < threads; ++t) EXPECT_EQ(bounds[t].first, bounds[t - 1].second);
    }
}

TEST(ForEachSliceTest, ASlicesExceptionIsRethrownAfterTheJoins) {
  EXPECT_THROW(ForEachSlice(100, 2,
                            [](size_t slice, size_t, size_t) {
                              if (slice == 1) throw std::runtime_error("slice 1");
                            }),
               std::runtime_error);
}

}  // namespace
}  // namespace pprof_trend
