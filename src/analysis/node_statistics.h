// Per-node statistics: a site's or a function's series -> its SeriesStats,
// judged against the sampling noise of its object sizes, and the evidence of
// its bytes per object.
//
// The noise model (src/analysis/README.md): each object of size s
// is in the profile with probability p = 1 - exp(-s/rate), independently,
// and a count c of them is scaled to c/p, whose variance is N(1-p)/p for N
// objects. Within one process two captures differ by the objects allocated
// or freed between them (from the alloc_* counters); across processes, or
// without them, the captures are independent samples.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "analysis/trend.h"

namespace pprof_trend {

// What a node's statistics are computed from: views of buffers its thread
// reuses (a site's packed series decoded, a function's sums).
// One object size's series of a site that holds several.
struct SizeSeries {
  int64_t size = 0;  // 0: unknown; -1: the sizes past the 16 kept
  std::vector<int64_t> values, objects;
};

struct NodeBuild {
  std::span<const int64_t> values, objects, sizes;
  bool sizes_incomplete = false;
  std::span<const int64_t> alloc_values, alloc_objects;  // empty without alloc_* types
  // A site of several object sizes: each size's series, so that its noise
  // is modelled per size and summed (empty: one size, or a function).
  std::span<const SizeSeries> by_size = {};
};

// The distinct object sizes of the sites a function is the leaf of.
struct FunctionSizes {
  std::vector<int64_t> sizes;
  bool incomplete = false;
};

// Adds the sizes of a site a function is the leaf of.
void MergeSizes(FunctionSizes& into, const AlignedSite& site);

class NodeStatistics {
 public:
  NodeStatistics(const AlignedProfiles& aligned, const std::vector<double>& x, bool x_in_days, const Segments& segments)
      : x_(x),
        x_in_days_(x_in_days),
        has_objects_(!aligned.objects_type_name.empty()),
        counts_allocations_(aligned.cumulative && !aligned.has_alloc),
        segments_(segments) {
    bool sampled = aligned.value_unit == "bytes";
    for (const auto& c : aligned.captures) {
      sampled = sampled && c.period > 0 && c.period_unit == "bytes";
      rate_ = std::max(rate_, static_cast<double>(c.period));
      partial_.push_back(c.coverage < 1 ? 1 : 0);
    }
    if (!sampled) rate_ = 0;
    if (std::none_of(partial_.begin(), partial_.end(), [](char p) { return p != 0; })) partial_.clear();
  }

  double rate() const { return rate_; }

  // The segments pairs are judged within: the processes, unless every
  // capture is a process of its own (captures of restarted instances, or a
  // series given backwards): then all pairs count, as independent samples.
  const Segments& StatSegments() const {
    static const Segments kNone;
    for (size_t i = 1; i < segments_.size(); ++i)
      if (segments_[i] == segments_[i - 1]) return segments_;
    return kNone;
  }

  // The node's statistics (stats, delta_objects, size evidence, intervals)
  // from its series. A partial capture (a table cut short) that does not
  // list the node says nothing of it: such points are unknown, and the
  // statistics are those of the captures that do (node.unknown counts the rest).
  void Fill(TrendNode& node, const NodeBuild& build) const;

 private:
  // The same model over other points (FillKnown's subset of the captures).
  NodeStatistics(const NodeStatistics& all, const std::vector<double>& x, const Segments& segments)
      : x_(x),
        x_in_days_(all.x_in_days_),
        has_objects_(all.has_objects_),
        counts_allocations_(all.counts_allocations_),
        segments_(segments),
        rate_(all.rate_) {}
  // The statistics of the points `known` (capture indices) only.
  void FillKnown(TrendNode& node, const NodeBuild& build, const std::vector<size_t>& known) const;
  void FillAll(TrendNode& node, const NodeBuild& build) const;
  void FillObjects(TrendNode& node, const NodeBuild& build, const std::vector<double>& values,
                   const std::vector<double>& objects) const;

  const std::vector<double>& x_;
  bool x_in_days_;
  bool has_objects_;
  // The ranked values are allocation counters themselves (alloc_space):
  // within one process a change is what was allocated between, each
  // allocation sampled on its own, nothing freed.
  bool counts_allocations_;
  const Segments& segments_;
  double rate_ = 0;
  std::vector<char> partial_;  // per capture: a table cut short (empty: none is)
};

// Whether capture i of a node's series is unknown: a partial capture (a table
// cut short) that does not list the node.
inline bool UnknownPoint(const AlignedProfiles& aligned, size_t i, double value) {
  return value == 0 && aligned.captures[i].coverage < 1;
}

// The growth within each process of one series (last - first without a restart).
double GrowthWithin(const PackedSeries& v, const Segments& segments);

// The site's growth by object size; with several sizes the dominant one
// (largest |growth in bytes|, when it has a size) is the site's bytes per
// object, exact: a Go bucket holds objects of one size.
void SplitBySize(TrendNode& node, const AlignedSite& site, const Segments& segments);

}  // namespace pprof_trend
