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
// Once the sites are ranked: each move's moved_with_rank.
void RankMoves(std::vector<TrendNode>& sites);

}  // namespace pprof_trend
