#include "analysis/moves.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace pprof_trend {

namespace {

struct Group {
  std::vector<size_t> grew, shrank;
  double growth = 0, shrinkage = 0, variance = 0;
};

// The one object size of a site's memory, when it is known exactly.
std::optional<int64_t> ExactSize(const TrendNode& n) {
  if (!n.size.exact || !n.size.bytes_per_object || !n.size.by_size.empty()) return std::nullopt;
  return static_cast<int64_t>(*n.size.bytes_per_object);
}

}  // namespace

void FindMoves(std::vector<TrendNode>& sites) {
  std::map<std::pair<uint32_t, int64_t>, Group> groups;
  for (size_t i = 0; i < sites.size(); ++i) {
    const TrendNode& n = sites[i];
    const std::optional<int64_t> size = ExactSize(n);
    if (!size) continue;
    const bool grew = Grew(n);
    const bool shrank = n.stats.trend_class == TrendClass::kShrinking || n.stats.trend_class == TrendClass::kGone;
    if (!grew && !shrank) continue;
    Group& g = groups[{n.name_frame, *size}];
    (grew ? g.grew : g.shrank).push_back(i);
    (grew ? g.growth : g.shrinkage) += n.stats.within;
    g.variance += n.stats.within_sd * n.stats.within_sd;
  }
  for (auto& [key, g] : groups) {
    if (g.grew.empty() || g.shrank.empty()) continue;
    const double net = g.growth + g.shrinkage, tolerance = kNoiseZ * std::sqrt(g.variance);
    if (std::fabs(net) > tolerance || -g.shrinkage <= tolerance) continue;
    auto largest = [&](const std::vector<size_t>& side) {
      return *std::max_element(side.begin(), side.end(), [&](size_t a, size_t b) {
        return std::fabs(sites[a].stats.within) < std::fabs(sites[b].stats.within);
      });
    };
    const size_t to = largest(g.grew), from = largest(g.shrank);
    for (size_t i : g.grew) {
      sites[i].stats.trend_class = TrendClass::kMoved;
      sites[i].stats.beyond_noise = false;
      sites[i].stats.step_capture.reset();
      sites[i].moved_with = sites[from].site_index;
    }
    for (size_t i : g.shrank) sites[i].moved_with = sites[to].site_index;
  }
}

void RankMoves(std::vector<TrendNode>& sites) {
  if (std::none_of(sites.begin(), sites.end(), [](const TrendNode& n) { return n.moved_with.has_value(); })) return;
  std::vector<int> rank_of(sites.size(), 0);
  for (const TrendNode& n : sites)
    if (n.site_index < rank_of.size()) rank_of[n.site_index] = n.rank;
  for (TrendNode& n : sites)
    if (n.moved_with && *n.moved_with < rank_of.size()) n.moved_with_rank = rank_of[*n.moved_with];
}

}  // namespace pprof_trend
