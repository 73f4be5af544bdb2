// Many sites, many tests: a profile holds up to tens of thousands of sites,
// each tested for growth beyond the sampling noise at about two standard
// deviations; over a long series with many sites some would pass by chance
// alone. The growth of a node counts only when it is among the discoveries
// the Benjamini-Hochberg procedure keeps at a false-discovery rate of 5%
// over all the nodes of its kind: sort the p-values, keep the k smallest
// where the k-th is at most 0.05 k / m. With no true growth at all, the
// chance that any node is called growing is at most 5% (and most nodes
// that barely pass still fail the shape tests). Chosen over Bonferroni
// (0.05 / m for every node), which would hide a profile's tenth real leak
// because of its thousand quiet sites; BH's guarantee holds for independent
// or positively dependent tests, which sampled sites are.
#pragma once

#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

inline constexpr double kFalseDiscoveryRate = 0.05;

// Withdraws the growth of the nodes outside the discoveries: beyond_noise
// cleared, their class the within-noise one (stable or fluctuating).
TrendResult::Discoveries ControlFalseDiscoveries(std::vector<TrendNode>& nodes);

}  // namespace pprof_trend
