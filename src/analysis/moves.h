// Moves: memory that left one call path of a function for another. When a
// buffer is allocated at another line, or another caller, of the same
// function, one site grows by what a sibling lost; pprof's -diff_base shows
// the function unchanged. Among the sites named by one function and holding
// objects of one size, when the growth of those that grew and the shrinkage
// of those that shrank cancel within the noise (and the shrinkage is itself
// beyond it), the growth is a move: class kMoved, no growth, and each side
// names the other (moved_with).
#pragma once

#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

// Marks the moves among `sites` (before ranking: a move does not count as growth).
void FindMoves(std::vector<TrendNode>& sites);

// Continuations: one leak shown as two sites. When a JIT inlines a function
// into its caller after warm-up (V8's sampling heap profiler walks frames,
// not the functions inlined into them), its allocations move to the
// caller's stack: the callee's site grows, then stops (a step or a
// plateau), while the caller's site, whose stack is the callee's without
// its leaf frames (up to 8 of them), starts growing with objects of about the same size. Such
// a pair is linked (continued_by on the one that stopped, continues on the
// other); their classes and figures stay their own.
void FindContinuations(std::vector<TrendNode>& sites, const AlignedProfiles& aligned);

}  // namespace pprof_trend
