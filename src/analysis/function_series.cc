// A node's series, made again for the nodes an output shows (a node keeps
// none: a long series of every node would be the largest thing in memory).
#include <algorithm>
#include <thread>

#include "analysis/trend.h"
#include "base/for_each_slice.h"

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

namespace {

// From this many sites on, a batch's pass over them runs on two threads,
// each summing half the sites (below, a thread costs more than it saves).
constexpr size_t kSitesSummedApart = 10000;

// Adds sites [first, last) into `sums`: per function slot, its flat values,
// flat objects, cum values and cum objects (n each); a function's cum once
// per site, however often its frame recurs there.
void SumSites(const AlignedProfiles& a, size_t n, const std::vector<int32_t>& slot, size_t first, size_t last,
              std::vector<int64_t>& sums, std::vector<uint32_t>& seen_in_site) {
  for (size_t s = first; s < last; ++s) {
    const AlignedSite& site = a.sites[s];
    const auto site_index = static_cast<uint32_t>(s);
    for (uint32_t f : site.frames) {
      if (slot[f] < 0 || seen_in_site[f] == site_index) continue;
      seen_in_site[f] = site_index;
      int64_t* at = &sums[static_cast<size_t>(slot[f]) * 4 * n];
      site.values.AddTo(at + 2 * n);
      site.objects.AddTo(at + 3 * n);
      if (site.frames.back() == f) {
        site.values.AddTo(at);
        site.objects.AddTo(at + n);
      }
    }
  }
}

}  // namespace

void ForEachFunctionSeries(const TrendResult& trend, std::span<const TrendNode* const> functions,
                           const std::function<void(const TrendNode&, NodeSeries&&)>& consume, size_t batch_bytes) {
  const AlignedProfiles& a = trend.aligned;
  const size_t n = a.captures.size();
  // Functions in batches whose sums (4 series of n each, per thread) stay
  // within batch_bytes, each batch summed in one pass over the sites: on two
  // threads for many sites, whose sums are then added (integers: the same
  // as one pass).
  const size_t threads = a.sites.size() >= kSitesSummedApart && std::thread::hardware_concurrency() > 1 ? 2 : 1;
  const size_t batch = std::max<size_t>(1, batch_bytes / threads / (4 * sizeof(int64_t) * std::max<size_t>(n, 1)));
  std::vector<int32_t> slot(a.frames.size(), -1);
  std::vector<std::vector<int64_t>> sums(threads);
  std::vector<std::vector<uint32_t>> seen_in_site(threads, std::vector<uint32_t>(a.frames.size()));
  for (size_t begin = 0; begin < functions.size(); begin += batch) {
    const size_t end = std::min(functions.size(), begin + batch);
    for (size_t k = begin; k < end; ++k) slot[functions[k]->name_frame] = static_cast<int32_t>(k - begin);
    ForEachSlice(a.sites.size(), threads, [&](size_t t, size_t first, size_t last) {
      sums[t].assign((end - begin) * 4 * n, 0);
      std::fill(seen_in_site[t].begin(), seen_in_site[t].end(), UINT32_MAX);
      SumSites(a, n, slot, first, last, sums[t], seen_in_site[t]);
    });
    for (size_t t = 1; t < threads; ++t)
      for (size_t i = 0; i < sums[0].size(); ++i)
        sums[0][i] = static_cast<int64_t>(static_cast<uint64_t>(sums[0][i]) + static_cast<uint64_t>(sums[t][i]));
    for (size_t k = begin; k < end; ++k) {
      const int64_t* at = &sums[0][(k - begin) * 4 * n];
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
