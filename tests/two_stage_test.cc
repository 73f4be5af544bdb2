#include "base/two_stage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pprof_trend {
namespace {

struct Chunk {
  size_t index = 0;
  std::vector<int> values;
};

// Every chunk is consumed once, in order, with what was produced for it,
// whether the work runs on one thread or two.
TEST(TwoStageTest, ChunksAreConsumedInOrderWithTheirOwnData) {
  for (size_t num_chunks : {0u, 1u, 3u, 4u, 5u, 100u}) {
    std::vector<size_t> order;
    std::atomic<int> producer_thread_differs{0};
    const auto self = std::this_thread::get_id();
    RunTwoStage<Chunk>(
        num_chunks,
        [&](size_t c, Chunk& out) {
          if (std::this_thread::get_id() != self) producer_thread_differs = 1;
          out.index = c;
          out.values.assign(c % 7 + 1, static_cast<int>(c));
        },
        [&](const Chunk& in) {
          ASSERT_EQ(in.values.size(), in.index % 7 + 1);
          for (int v : in.values) ASSERT_EQ(v, static_cast<int>(in.index));
          order.push_back(in.index);
        });
    ASSERT_EQ(order.size(), num_chunks);
    for (size_t c = 0; c < num_chunks; ++c) EXPECT_EQ(order[c], c);
    // Below min_chunks the caller's thread does both stages.
    EXPECT_EQ(producer_thread_differs.load() != 0, num_chunks >= 4) << num_chunks << " chunks";
  }
}

// The producer never runs more than two chunks ahead: a buffer is not
// overwritten while it is being consumed.
TEST(TwoStageTest, AProducerStaysAtMostTwoChunksAhead) {
  std::atomic<size_t> consumed{0};
  std::atomic<bool> too_far{false};
  RunTwoStage<Chunk>(
      50,
      [&](size_t c, Chunk& out) {
        if (c >= consumed.load() + 2) too_far = true;
        out.index = c;
      },
      [&](const Chunk& in) {
        std::this_thread::yield();
        consumed = in.index + 1;
      });
  EXPECT_FALSE(too_far.load());
}

}  // namespace
}  // namespace pprof_trend
