// A node's series, made again for the nodes an output shows (a node keeps
// none: a long series of every node would be the largest thing in memory).
#include <algorithm>

#include "analysis/trend.h"

namespace pprof_trend {

NodeSeries SeriesOf(const TrendResult& trend, const TrendNode& node) {
  NodeSeries out;
  if (node.kind == TrendNode::Kind::kSite) {
    const AlignedProfiles& a = trend.aligned;
    const size_t n = a.captures.size();
    const AlignedSite& site = a.sites[node.site_index];
    auto to_double = [&](const PackedSeries& from) {
      std::vector<double> to(n);
      for (size_t c = 0; c < n; ++c) to[c] = static_cast<double>(from[c]);
      return to;
    };
    out.values = to_double(site.values);
    out.objects = to_double(site.objects);
    if (a.has_alloc) out.alloc_objects = to_double(site.alloc_objects);
    return out;
  }
  const TrendNode* one = &node;
  ForEachFunctionSeries(trend, std::span(&one, 1),
                        [&](const TrendNode&, NodeSeries&& series) { out = std::move(series); });
  return out;
}

void ForEachFunctionSeries(const TrendResult& trend, std::span<const TrendNode* const> functions,
                           const std::function<void(const TrendNode&, NodeSeries&&)>& consume, size_t batch_bytes) {
  const AlignedProfiles& a = trend.aligned;
  const size_t n = a.captures.size();
  // Functions in batches whose sums (4 series of n each) stay within
  // batch_bytes, each batch summed in one pass over the sites.
  const size_t batch = std::max<size_t>(1, batch_bytes / (4 * sizeof(int64_t) * std::max<size_t>(n, 1)));
  std::vector<int32_t> slot(a.frames.size(), -1);
  std::vector<int64_t> sums;  // per slot: flat values, flat objects, cum values, cum objects
  std::vector<uint32_t> seen_in_site(a.frames.size(), UINT32_MAX);
  for (size_t begin = 0; begin < functions.size(); begin += batch) {
    const size_t end = std::min(functions.size(), begin + batch);
    for (size_t k = begin; k < end; ++k) slot[functions[k]->name_frame] = static_cast<int32_t>(k - begin);
    sums.assign((end - begin) * 4 * n, 0);
    std::fill(seen_in_site.begin(), seen_in_site.end(), UINT32_MAX);
    for (uint32_t s = 0; s < a.sites.size(); ++s) {
      const AlignedSite& site = a.sites[s];
      for (uint32_t f : site.frames) {
        if (slot[f] < 0 || seen_in_site[f] == s) continue;  // cum: once per site, however often the frame recurs
        seen_in_site[f] = s;
        int64_t* at = &sums[static_cast<size_t>(slot[f]) * 4 * n];
        site.values.AddTo(at + 2 * n);
        site.objects.AddTo(at + 3 * n);
        if (site.frames.back() == f) {
          site.values.AddTo(at);
          site.objects.AddTo(at + n);
        }
      }
    }
    for (size_t k = begin; k < end; ++k) {
      const int64_t* at = &sums[(k - begin) * 4 * n];
      NodeSeries series;
      series.values.assign(at, at + n);
      series.objects.assign(at + n, at + 2 * n);
      series.cum_values.assign(at + 2 * n, at + 3 * n);
      series.cum_objects.assign(at + 3 * n, at + 4 * n);
      slot[functions[k]->name_frame] = -1;
      consume(*functions[k], std::move(series));
    }
  }
}

}  // namespace pprof_trend
