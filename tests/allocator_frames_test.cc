// MarkProfilerFrames: the profiler's frames found by their place in the
// stacks (shared at every leaf; the entry points just above them), in one
// pass that stops at the first two leaves that differ.
#include "analysis/allocator_frames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pprof_trend {
namespace {

// Frames named "f0", "f1", ... (no allocator's names), and one site per
// stack (frame indices, root first).
struct Table {
  std::vector<std::vector<uint32_t>> stacks;
  AlignedProfiles aligned;
  Table(size_t num_frames, std::vector<std::vector<uint32_t>> s) : stacks(std::move(s)) {
    for (size_t f = 0; f < num_frames; ++f) aligned.frames.push_back(AlignedFrame{"f" + std::to_string(f), "a.c", 0});
    aligned.frames.push_back(AlignedFrame{std::string(kNoStackName), "", 0});
    for (auto& stack : stacks) {
      aligned.sites.emplace_back();
      aligned.sites.back().frames = stack;
    }
  }
  uint32_t no_stack() const { return static_cast<uint32_t>(aligned.frames.size() - 1); }
  std::vector<uint32_t> Marked() const {
    std::vector<char> is_allocator(aligned.frames.size());
    MarkProfilerFrames(aligned, is_allocator);
    std::vector<uint32_t> marked;
    for (uint32_t f = 0; f < is_allocator.size(); ++f)
      if (is_allocator[f]) marked.push_back(f);
    return marked;
  }
};

TEST(ProfilerFramesTest, TheLeafFramesEveryStackSharesAndTheEntryPointsAboveThem) {
  // 8, 9: the profiler's (at every leaf); 5 and 6 sit just above them in
  // two stacks each and nowhere else (malloc, calloc); 7 is above them in
  // one stack only; 1 is above them once but also elsewhere.
  Table t(10, {{0, 1, 5, 9, 8}, {0, 2, 5, 9, 8}, {0, 3, 6, 9, 8}, {0, 4, 6, 9, 8}, {0, 2, 7, 9, 8}, {0, 1, 9, 8}});
  EXPECT_EQ(t.Marked(), (std::vector<uint32_t>{5, 6, 8, 9}));
}

TEST(ProfilerFramesTest, StacksWithoutFramesDoNotCount) {
  Table t(10, {{0, 1, 9}, {}, {0, 2, 9}});
  t.aligned.sites.emplace_back();
  const uint32_t none[] = {t.no_stack()};
  t.aligned.sites.back().frames = std::span<uint32_t>(const_cast<uint32_t*>(none), 1);
  EXPECT_EQ(t.Marked(), (std::vector<uint32_t>{9}));
}

TEST(ProfilerFramesTest, NothingWhenLeavesDifferOrOneStackOrAStackIsOneFrame) {
  // Leaves that differ only in the last of many stacks.
  std::vector<std::vector<uint32_t>> stacks(1000, std::vector<uint32_t>{0, 1, 9});
  stacks.push_back({0, 1, 8});
  EXPECT_TRUE(Table(10, stacks).Marked().empty());
  EXPECT_TRUE(Table(10, {{0, 1, 9}}).Marked().empty());
  // A stack's root is never the profiler's (it is, with two stacks, the
  // entry point above the profiler's frames).
  EXPECT_EQ(Table(10, {{1, 9}, {0, 1, 9}}).Marked(), (std::vector<uint32_t>{1, 9}));
  EXPECT_TRUE(Table(10, {{9}, {0, 9}}).Marked().empty());
}

}  // namespace
}  // namespace pprof_trend
