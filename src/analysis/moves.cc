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

namespace {

// The capture after which a site that grew and then stopped stopped: a
// step's, or a plateau's last third.
std::optional<size_t> StoppedAt(const TrendNode& n, size_t captures) {
  if (n.stats.trend_class == TrendClass::kStep && n.stats.step_capture) return *n.stats.step_capture;
  if (n.stats.trend_class == TrendClass::kPlateaued) return captures - 1 - std::max<size_t>(1, (captures - 1) / 3);
  return std::nullopt;
}

// Bytes per object of a site: exact, or its regression's estimate.
std::optional<double> BytesPerObject(const TrendNode& n) {
  if (n.size.bytes_per_object && *n.size.bytes_per_object > 0) return n.size.bytes_per_object;
  return std::nullopt;
}

}  // namespace

void FindContinuations(std::vector<TrendNode>& sites, const AlignedProfiles& aligned) {
  const size_t captures = aligned.captures.size();
  if (captures < 3) return;
  if (std::none_of(sites.begin(), sites.end(), [&](const TrendNode& n) { return StoppedAt(n, captures); })) return;
  // The sites that grew, by their stack's frames (a caller's stack is a
  // prefix of its callee's).
  std::map<std::vector<uint32_t>, size_t> grew_by_stack;
  for (size_t i = 0; i < sites.size(); ++i)
    if (Grew(sites[i])) {
      grew_by_stack.emplace(NodeStack(aligned, sites[i]).ToVector(), i);
    }
  if (grew_by_stack.empty()) return;
  for (size_t a = 0; a < sites.size(); ++a) {
    TrendNode& callee = sites[a];
    const std::optional<size_t> stopped = StoppedAt(callee, captures);
    const IdSpan stack = NodeStack(aligned, callee);
    if (!stopped || stack.size() < 2) continue;
    // The nearest caller's site that grew: the stack without one leaf frame,
    // then two, ... up to kMaxInlined (a JIT inlines a few levels; a deep
    // stack must not make this quadratic).
    constexpr size_t kMaxInlined = 8;
    const size_t shortest = stack.size() > kMaxInlined ? stack.size() - kMaxInlined : 1;
    for (size_t keep = stack.size() - 1; keep >= shortest; --keep) {
      auto it = grew_by_stack.find(std::vector<uint32_t>(stack.begin(), stack.begin() + keep));
      if (it == grew_by_stack.end()) continue;
      TrendNode& caller = sites[it->second];
      if (caller.continues) break;
      // Objects of about the same size (within a quarter), when both are known.
      const auto s1 = BytesPerObject(callee), s2 = BytesPerObject(caller);
      if (s1 && s2 && std::fabs(*s1 - *s2) > 0.25 * std::max(*s1, *s2)) break;
      // The caller's growth came after the callee stopped (most of it).
      const AlignedSite& site = aligned.sites[caller.site_index];
      const double before = static_cast<double>(site.values[*stopped] - site.values[0]);
      const double all = static_cast<double>(site.values[captures - 1] - site.values[0]);
      if (all <= 0 || before > 0.5 * all) break;
      callee.continued_by = caller.site_index;
      caller.continues = callee.site_index;
      break;
    }
  }
}

}  // namespace pprof_trend
