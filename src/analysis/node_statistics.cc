#include "analysis/node_statistics.h"

#include <algorithm>
#include <cmath>

namespace pprof_trend {

void MergeSizes(FunctionSizes& into, const AlignedSite& site) {
  into.incomplete = into.incomplete || site.sizes_incomplete;
  for (int64_t s : site.object_sizes) {
    auto it = std::lower_bound(into.sizes.begin(), into.sizes.end(), s);
    if (it != into.sizes.end() && *it == s) continue;
    if (into.sizes.size() >= AlignedSite::kMaxSizes) {
      into.incomplete = true;
    } else {
      into.sizes.insert(it, s);
    }
  }
}

void NodeStatistics::Fill(TrendNode& node, const NodeBuild& build) const {
  if (!partial_.empty()) {
    std::vector<size_t> known;
    for (size_t i = 0; i < build.values.size(); ++i)
      if (!partial_[i] || build.values[i] != 0) known.push_back(i);
    if (known.size() < build.values.size()) {
      node.unknown = static_cast<uint32_t>(build.values.size() - known.size());
      FillKnown(node, build, known);
      return;
    }
  }
  FillAll(node, build);
}

void NodeStatistics::FillKnown(TrendNode& node, const NodeBuild& build, const std::vector<size_t>& known) const {
  if (known.empty()) return;  // never listed: nothing to say
  auto pick = [&](std::span<const int64_t> all) {
    std::vector<int64_t> out;
    if (all.empty()) return out;
    for (size_t i : known) out.push_back(all[i]);
    return out;
  };
  const std::vector<int64_t> values = pick(build.values), objects = pick(build.objects),
                             alloc_values = pick(build.alloc_values), alloc_objects = pick(build.alloc_objects);
  std::vector<double> x;
  Segments segments;
  for (size_t i : known) {
    x.push_back(x_[i]);
    if (!segments_.empty()) segments.push_back(segments_[i]);
  }
  NodeStatistics known_only(*this, x, segments);
  known_only.FillAll(node,
                     NodeBuild{values, objects, build.sizes, build.sizes_incomplete, alloc_values, alloc_objects});
}

void NodeStatistics::FillAll(TrendNode& node, const NodeBuild& build) const {
  // The series as doubles, in buffers each thread reuses: a node keeps
  // none of them (SeriesOf makes them again for the nodes shown).
  thread_local std::vector<double> values, objects;
  values.assign(build.values.begin(), build.values.end());
  objects.assign(build.objects.begin(), build.objects.end());
  ObjectSizeEvidence& size = node.size;
  size.label_sizes.assign(build.sizes.begin(), build.sizes.end());
  const bool single_label = !build.sizes_incomplete && build.sizes.size() == 1;
  if (has_objects_) {
    node.delta_objects = objects.back() - objects.front();
    const Segments& segments = StatSegments();
    ForEachSegment(objects.size(), segments,
                   [&](size_t first, size_t last) { node.delta_objects_within += objects[last] - objects[first]; });
    if (objects.size() >= 3) {
      size.regression = OlsSlope(values, objects);
    } else if (node.delta_objects != 0) {
      size.regression = (values.back() - values.front()) / node.delta_objects;
    }
    if (single_label) {
      size.bytes_per_object = static_cast<double>(build.sizes[0]);
      size.exact = true;
    } else {
      size.bytes_per_object = size.regression;
    }
  }
  // Objects this large are sampled with probability > 0.999: counts are exact.
  double typical = 0;
  if (!build.sizes.empty()) {
    typical = static_cast<double>(build.sizes.front());
  } else if (has_objects_) {
    double objects_sum = 0, values_sum = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      objects_sum += objects[i];
      values_sum += values[i];
    }
    typical = objects_sum > 0 ? values_sum / objects_sum : 0;
  }
  size.objects_estimated = rate_ > 0 && typical < 7 * rate_;
  if (!size.objects_estimated || typical <= 0) {
    // Exact counts: no sampling noise, but still judged within each
    // process (a restart's drop is no shrink, and no step).
    const NoiseModel exact;
    node.stats = ComputeSeriesStats(
        values, x_, x_in_days_, [&](size_t i, size_t j) { return exact.Tolerance(values[i], values[j]); },
        StatSegments());
    return;
  }
  // The sampling noise of a change (README "How the trend is computed"):
  // each object of size s is in the profile with probability
  // p = 1 - exp(-s/rate), independently, and a count c of them is scaled
  // to c/p, whose variance is N(1-p)/p for N objects. Within one process
  // an object sampled at allocation stays until it is freed, so two
  // captures differ by the objects allocated or freed between them: the
  // variance of the change is (allocated + freed)(1-p)/p, with allocated
  // from alloc_objects and freed = allocated - the change in objects.
  // Across processes (or without alloc_*) the captures are independent:
  // (N_i + N_j)(1-p)/p.
  const double s = typical;
  const double p = -std::expm1(-s / rate_);
  const bool one_process = !build.alloc_objects.empty() && has_objects_;
  auto objects_at = [&](size_t k) { return has_objects_ ? objects[k] : values[k] / s; };
  auto variance_objects = [&](size_t i, size_t j) {
    const double change = objects_at(j) - objects_at(i);
    double churn;
    if (one_process && SameSegment(segments_, i, j)) {
      const double allocated = std::max(0.0, static_cast<double>(build.alloc_objects[j] - build.alloc_objects[i]));
      churn = std::max(std::fabs(change), 2 * allocated - change);
    } else {
      churn = std::fabs(objects_at(i)) + std::fabs(objects_at(j));
    }
    return SampledCountVariance(churn, p);
  };
  auto tolerance = [&](size_t i, size_t j) {
    const double rounding = 1e-9 * std::max(std::fabs(values[i]), std::fabs(values[j]));
    return kNoiseZ * s * std::sqrt(variance_objects(i, j)) + rounding;
  };
  node.stats = ComputeSeriesStats(values, x_, x_in_days_, tolerance, StatSegments());
  // The interval of the growth a reader sees (within each process).
  const Segments& segments = StatSegments();
  double variance = 0;
  ForEachSegment(values.size(), segments,
                 [&](size_t first, size_t last) { variance += variance_objects(first, last); });
  const double sd = std::sqrt(variance);
  node.delta_objects_error95 = kInterval95 * sd;
  if (has_objects_) size.sample_probability = p;
  node.delta_error95 = kInterval95 * s * sd;
}

double GrowthWithin(const PackedSeries& v, const Segments& segments) {
  double growth = 0;
  ForEachSegment(v.size(), segments,
                 [&](size_t first, size_t last) { growth += static_cast<double>(v[last] - v[first]); });
  return growth;
}

void SplitBySize(TrendNode& node, const AlignedSite& site, const Segments& segments) {
  auto& by_size = node.size.by_size;
  if (site.size_classes.empty()) {
    if (site.first_size != AlignedSite::kNoSizeYet) node.size.single_size = site.first_size;
    return;
  }
  for (const auto& c : site.size_classes)
    by_size.push_back(SizeGrowth{c.size, GrowthWithin(c.objects, segments), GrowthWithin(c.values, segments)});
  std::stable_sort(by_size.begin(), by_size.end(), [](const SizeGrowth& a, const SizeGrowth& b) {
    if (std::fabs(a.delta_bytes) != std::fabs(b.delta_bytes))
      return std::fabs(a.delta_bytes) > std::fabs(b.delta_bytes);
    return a.size < b.size;
  });
  if (by_size.front().size > 0 && by_size.front().delta_bytes != 0 && std::round(by_size.front().delta_objects) != 0) {
    node.size.bytes_per_object = static_cast<double>(by_size.front().size);
    node.size.exact = true;
  }
}

}  // namespace pprof_trend
