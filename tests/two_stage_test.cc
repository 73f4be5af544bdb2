#include "base/two_stage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pprof_trend {
namespace {

struct Chunk {
  size_t index = 0;
  std::vector<int> values;
};

// Every chunk is produced once and consumed once, in order, with what was
// produced for it, whether the work runs on one thread or two.
TEST(TwoStageTest, ChunksAreConsumedInOrderWithTheirOwnData) {
  for (size_t num_chunks : {0u, 1u, 3u, 4u, 5u, 100u, 1000u}) {
    std::vector<size_t> order;
    std::vector<std::atomic<int>> produced(num_chunks);
    std::atomic<int> producer_thread_differs{0};
    const auto self = std::this_thread::get_id();
    RunTwoStage<Chunk>(
        num_chunks,
        [&](size_t c, Chunk& out) {
          if (std::this_thread::get_id() != self) producer_thread_differs = 1;
          ++produced[c];
          out.index = c;
          out.values.assign(c % 7 + 1, static_cast<int>(c));
        },
        [&](const Chunk& in) {
          ASSERT_EQ(in.values.size(), in.index % 7 + 1);
          for (int v : in.values) ASSERT_EQ(v, static_cast<int>(in.index));
          order.push_back(in.index);
        });
    ASSERT_EQ(order.size(), num_chunks);
    for (size_t c = 0; c < num_chunks; ++c) {
      EXPECT_EQ(order[c], c);
      EXPECT_EQ(produced[c].load(), 1) << "chunk " << c;
    }
    // Below min_chunks the caller's thread does both stages.
    if (num_chunks < 4) {
      EXPECT_EQ(producer_thread_differs.load(), 0) << num_chunks << " chunks";
    }
  }
}

// With slow chunks both threads produce: the helper, and the caller while
// the chunk it needs next is not ready.
TEST(TwoStageTest, BothThreadsProduceSlowChunks) {
  std::mutex mu;
  std::set<std::thread::id> producers;
  RunTwoStage<Chunk>(
      200,
      [&](size_t c, Chunk& out) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        out.index = c;
        std::lock_guard lock(mu);
        producers.insert(std::this_thread::get_id());
      },
      [&](const Chunk&) {});
  EXPECT_EQ(producers.size(), 2u);
  EXPECT_TRUE(producers.count(std::this_thread::get_id()));
}

// No chunk is produced more than kTwoStageSlots ahead of the one being
// consumed: a buffer is not overwritten while it is being consumed.
TEST(TwoStageTest, ProducersStayWithinTheSlots) {
  std::atomic<size_t> consumed{0};
  std::atomic<bool> too_far{false};
  RunTwoStage<Chunk>(
      500,
      [&](size_t c, Chunk& out) {
        if (c >= consumed.load() + kTwoStageSlots) too_far = true;
        out.index = c;
      },
      [&](const Chunk& in) {
        std::this_thread::yield();
        consumed = in.index + 1;
      });
  EXPECT_FALSE(too_far.load());
}

// What a producer throws, on either thread, comes out of RunTwoStage.
TEST(TwoStageTest, AProducersExceptionIsRethrown) {
  for (size_t bad : {0u, 1u, 37u, 99u}) {
    size_t consumed = 0;
    EXPECT_THROW(RunTwoStage<Chunk>(
                     100,
                     [&](size_t c, Chunk& out) {
                       if (c == bad) throw std::runtime_error("bad chunk");
                       out.index = c;
                     },
                     [&](const Chunk&) { ++consumed; }),
                 std::runtime_error);
    EXPECT_LE(consumed, bad);
  }
}

}  // namespace
}  // namespace pprof_trend
