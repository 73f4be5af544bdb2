#include "analysis/related.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pprof_trend {
namespace {

constexpr double kMinCorrelation = 0.9;
constexpr size_t kMinShared = 3;

std::vector<const TrendNode*> FirstGrowing(const TrendResult& t, size_t max_each) {
  std::vector<const TrendNode*> nodes;
  for (const TrendNode& n : t.sites) {
    if (nodes.size() >= max_each) break;
    if (Grew(n)) nodes.push_back(&n);
  }
  return nodes;
}

// Pairs (heap capture, goroutine capture) taken at about one moment.
std::vector<std::pair<size_t, size_t>> SharedCaptures(const TrendResult& heap, const TrendResult& goroutines) {
  const auto& hc = heap.aligned.captures;
  const auto& gc = goroutines.aligned.captures;
  int64_t smallest_gap = std::numeric_limits<int64_t>::max();
  for (size_t i = 1; i < hc.size(); ++i)
    if (hc[i].time_nanos > hc[i - 1].time_nanos)
      smallest_gap = std::min(smallest_gap, hc[i].time_nanos - hc[i - 1].time_nanos);
  std::vector<std::pair<size_t, size_t>> pairs;
  if (smallest_gap == std::numeric_limits<int64_t>::max()) return pairs;
  for (size_t i = 0; i < hc.size(); ++i) {
    if (hc[i].time_nanos == 0) continue;
    size_t best = gc.size();
    int64_t best_gap = smallest_gap / 2;
    for (size_t j = 0; j < gc.size(); ++j) {
      if (gc[j].time_nanos == 0) continue;
      const int64_t gap = gc[j].time_nanos > hc[i].time_nanos ? gc[j].time_nanos - hc[i].time_nanos
                                                              : hc[i].time_nanos - gc[j].time_nanos;
      if (gap <= best_gap) best = j, best_gap = gap;
    }
    if (best < gc.size()) pairs.emplace_back(i, best);
  }
  return pairs;
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

}  // namespace

std::vector<Relation> RelateGoroutinesToHeap(const TrendResult& heap, const TrendResult& goroutines, size_t max_each) {
  std::vector<Relation> relations;
  if (!goroutines.aligned.goroutines || heap.aligned.goroutines) return relations;
  const auto pairs = SharedCaptures(heap, goroutines);
  if (pairs.size() < kMinShared) return relations;
  const std::vector<const TrendNode*> stacks = FirstGrowing(goroutines, max_each);
  const std::vector<const TrendNode*> sites = FirstGrowing(heap, max_each);
  const bool objects = !heap.aligned.objects_type_name.empty();
  for (const TrendNode* g : stacks) {
    const std::string& function = goroutines.aligned.frames[g->name_frame].function;
    const NodeSeries gs = SeriesOf(goroutines, *g);
    for (const TrendNode* h : sites) {
      const IdSpan stack = NodeStack(heap.aligned, *h);
      const bool through = std::any_of(stack.begin(), stack.end(),
                                       [&](uint32_t f) { return heap.aligned.frames[f].function == function; });
      if (!through) continue;
      const NodeSeries hs = SeriesOf(heap, *h);
      std::vector<double> a, b, bytes;
      for (const auto& [i, j] : pairs) {
        a.push_back(gs.values[j]);
        b.push_back(objects ? hs.objects[i] : hs.values[i]);
        bytes.push_back(hs.values[i]);
      }
      const double r = Pearson(a, b);
      const double grown = a.back() - a.front();
      if (r < kMinCorrelation || grown <= 0) continue;
      relations.push_back(Relation{g, h, function, r, objects ? (b.back() - b.front()) / grown : 0,
                                   (bytes.back() - bytes.front()) / grown, pairs.size()});
    }
  }
  return relations;
}

}  // namespace pprof_trend
