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

namespace {

// One object size of a node, for the noise model: its size, the probability
// that one object of it is sampled, and its objects series (empty: the
// node's own).
struct Part {
  double size, p;
  std::span<const int64_t> objects;
};

// A site of several sizes: one part each (an unknown or mixed size counts at
// its mean); otherwise one part of the node's typical size.
std::vector<Part> NoiseParts(const NodeBuild& build, double typical, double rate) {
  std::vector<Part> parts;
  for (const SizeSeries& c : build.by_size) {
    double each = static_cast<double>(c.size);
    if (each <= 0) {
      double v = 0, o = 0;
      for (size_t k = 0; k < c.values.size(); ++k) {
        v += static_cast<double>(c.values[k]);
        o += static_cast<double>(c.objects[k]);
      }
      each = o > 0 ? v / o : typical;
    }
    if (each > 0) parts.push_back(Part{each, -std::expm1(-each / rate), c.objects});
  }
  if (parts.empty()) parts.push_back(Part{typical, -std::expm1(-typical / rate), {}});
  return parts;
}

// The part that holds the most bytes over the series.
const Part& DominantPart(const NodeBuild& build, const std::vector<Part>& parts) {
  const Part* dominant = &parts.front();
  double most = -1;
  for (size_t c = 0; c < build.by_size.size() && c < parts.size(); ++c) {
    double bytes = 0;
    for (int64_t v : build.by_size[c].values) bytes += std::fabs(static_cast<double>(v));
    if (bytes > most) {
      most = bytes;
      dominant = &parts[c];
    }
  }
  return *dominant;
}

// The p-value the false-discovery control ranks by, with a continuity
// correction of half a sampled object: counts of a few samples are
// discrete, and their tails heavier than the normal curve's.
void CorrectForContinuity(SeriesStats& stats, const Part& dominant) {
  if (stats.within_sd <= 0) return;
  const double half_event = 0.5 * dominant.size / dominant.p;
  stats.growth_p = NormalUpperTail((stats.within - half_event) / stats.within_sd);
}

}  // namespace

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
  std::vector<SizeSeries> by_size;
  for (const SizeSeries& c : build.by_size) by_size.push_back(SizeSeries{c.size, pick(c.values), pick(c.objects)});
  known_only.FillAll(
      node, NodeBuild{values, objects, build.sizes, build.sizes_incomplete, alloc_values, alloc_objects, by_size});
}

// The change in objects and the bytes per object: from a single size label
// (exact), else the least-squares fit of bytes over objects.
void NodeStatistics::FillObjects(TrendNode& node, const NodeBuild& build, const std::vector<double>& values,
                                 const std::vector<double>& objects) const {
  ObjectSizeEvidence& size = node.size;
  size.label_sizes.Assign(build.sizes);
  const bool single_label = !build.sizes_incomplete && build.sizes.size() == 1;
  if (has_objects_) {
    node.delta_objects = objects.back() - objects.front();
    ForEachSegment(objects.size(), StatSegments(),
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
  } else if (single_label) {
    // A count ranked with no bytes beside it: a size label is still exact.
    size.bytes_per_object = static_cast<double>(build.sizes[0]);
    size.exact = true;
  }
}

void NodeStatistics::FillAll(TrendNode& node, const NodeBuild& build) const {
  // The series as doubles, in buffers each thread reuses: a node keeps
  // none of them (SeriesOf makes them again for the nodes shown).
  thread_local std::vector<double> values, objects;
  values.assign(build.values.begin(), build.values.end());
  objects.assign(build.objects.begin(), build.objects.end());
  ObjectSizeEvidence& size = node.size;
  FillObjects(node, build, values, objects);
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
  // The sampling noise of a change (src/analysis/README.md):
  // each object of size s is in the profile with probability
  // p = 1 - exp(-s/rate), independently, and a count c of them is scaled
  // to c/p, whose variance is N(1-p)/p for N objects. Within one process
  // an object sampled at allocation stays until it is freed, so two
  // captures differ by the objects allocated or freed between them: the
  // variance of the change is (allocated + freed)(1-p)/p, with allocated
  // from alloc_objects and freed = allocated - the change in objects, less
  // twice the objects that must have been allocated and freed in between.
  // Across processes (or without alloc_*) the captures are independent:
  // (N_i + N_j)(1-p)/p. A site of several object sizes has a p per size:
  // the variances of its sizes are summed (in bytes, each times s^2), the
  // allocations split between the sizes by their shares of the objects.
  const bool one_process = !build.alloc_objects.empty() && has_objects_;
  const std::vector<Part> parts = NoiseParts(build, typical, rate_);
  auto objects_at = [&](const Part& part, size_t k) {
    if (!part.objects.empty()) return static_cast<double>(part.objects[k]);
    return has_objects_ ? objects[k] : values[k] / part.size;
  };
  // The variance of the change from capture i to j, in objects and in bytes.
  auto variance = [&](size_t i, size_t j) {
    double in_objects = 0, in_bytes = 0;
    for (const Part& part : parts) {
      const double at_i = objects_at(part, i), at_j = objects_at(part, j), change = at_j - at_i;
      double churn;
      if (counts_allocations_ && !segments_.empty() && SameSegment(segments_, i, j)) {
        // Counters of allocations in one process: the later capture holds
        // every sample of the earlier; only the allocations between are new.
        churn = std::fabs(change);
      } else if (one_process && SameSegment(segments_, i, j)) {
        double allocated = std::max(0.0, static_cast<double>(build.alloc_objects[j] - build.alloc_objects[i]));
        if (parts.size() > 1) {
          const double all = std::fabs(objects[i]) + std::fabs(objects[j]);
          allocated *= all > 0 ? (std::fabs(at_i) + std::fabs(at_j)) / all : 1.0 / static_cast<double>(parts.size());
        }
        // Allocated A and freed F = A - change, less the objects both
        // allocated and freed in between (they change nothing): at least
        // A - N_j of them (the new ones alive at j are at most N_j) and
        // F - N_i (the old ones freed are at most N_i).
        const double freed = allocated - change;
        const double transient = std::max({0.0, allocated - std::fabs(at_j), freed - std::fabs(at_i)});
        churn = std::max(std::fabs(change), allocated + freed - 2 * transient);
        // Every old object freed: the captures are independent samples (below).
        if (freed >= std::fabs(at_i)) churn = std::max(churn, 2 * std::max(std::fabs(at_i), std::fabs(at_j)));
      } else {
        // Independent samples, judged as if nothing changed: both of the
        // larger count (an unlucky capture that saw few of many large,
        // often-sampled objects would otherwise look exact).
        churn = 2 * std::max(std::fabs(at_i), std::fabs(at_j));
      }
      const double v = SampledCountVariance(churn, part.p);
      in_objects += v;
      in_bytes += part.size * part.size * v;
    }
    return std::pair{in_objects, in_bytes};
  };
  auto tolerance = [&](size_t i, size_t j) {
    const double rounding = 1e-9 * std::max(std::fabs(values[i]), std::fabs(values[j]));
    return kNoiseZ * std::sqrt(variance(i, j).second) + rounding;
  };
  node.stats = ComputeSeriesStats(values, x_, x_in_days_, tolerance, StatSegments());
  const Part& dominant = DominantPart(build, parts);
  CorrectForContinuity(node.stats, dominant);
  // The interval of the growth a reader sees (within each process).
  const Segments& segments = StatSegments();
  double variance_objects = 0, variance_bytes = 0;
  ForEachSegment(values.size(), segments, [&](size_t first, size_t last) {
    const auto [o, b] = variance(first, last);
    variance_objects += o;
    variance_bytes += b;
  });
  node.delta_objects_error95 = kInterval95 * std::sqrt(variance_objects);
  // Per-capture intervals: the probability of the size that holds the most bytes.
  if (has_objects_) size.sample_probability = dominant.p;
  node.delta_error95 = kInterval95 * std::sqrt(variance_bytes);
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
  if (by_size[0].size > 0 && by_size[0].delta_bytes != 0 && std::round(by_size[0].delta_objects) != 0) {
    node.size.bytes_per_object = static_cast<double>(by_size[0].size);
    node.size.exact = true;
  }
}

}  // namespace pprof_trend
