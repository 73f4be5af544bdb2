// The ranking of a trend's nodes: the nodes that grew (Grew) first, then
// the others, each by score, then growth, then their stacks' names, so that
// the order is total and never depends on hash-map order or threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

// `frame_order[f]` is frame f's position when frames are sorted by
// (function, file, line), so stacks compare as sequences of small integers.
std::vector<uint32_t> FrameOrder(const AlignedProfiles& aligned);

// Each node's position when the nodes are sorted by stack, root first,
// frame by frame in frame_order, a stack before the longer ones it begins.
// (A node's stack: NodeStack; nodes are sites of `aligned` or its functions.)
std::vector<uint32_t> StackPositions(const std::vector<TrendNode>& nodes, const AlignedProfiles& aligned,
                                     const std::vector<uint32_t>& frame_order);

// The same over the stacks themselves (root first): stacks[i]'s position.
std::vector<uint32_t> StackPositions(std::span<const IdSpan> stacks, const std::vector<uint32_t>& frame_order);
// The positions of `aligned`'s sites, in site order (the order FillSites
// makes their nodes in): computed before the nodes are, on a core the
// statistics leave free.
std::vector<uint32_t> SiteStackPositions(const AlignedProfiles& aligned, const std::vector<uint32_t>& frame_order);

// Sorts `nodes` into rank order (sorting on `threads` threads) and numbers
// them 1, 2, 3, ...
void Rank(std::vector<TrendNode>& nodes, const AlignedProfiles& aligned, const std::vector<uint32_t>& frame_order,
          size_t threads);
// The same, given each node's StackPositions (by its index in `nodes`).
void Rank(std::vector<TrendNode>& nodes, const std::vector<uint32_t>& stack_position, size_t threads);

}  // namespace pprof_trend
