#include "analysis/trend.h"

#include "analysis/allocator_frames.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <span>
#include <thread>
#include <unordered_set>

#include "base/huge_pages.h"
#include "base/parallel_sort.h"
#include "base/units.h"

namespace pprof_trend {

std::string_view TrendClassName(TrendClass c) {
  switch (c) {
    case TrendClass::kGrowing: return "growing";
    case TrendClass::kPlateaued: return "plateaued";
    case TrendClass::kFluctuating: return "fluctuating";
    case TrendClass::kShrinking: return "shrinking";
    case TrendClass::kStable: return "stable";
    case TrendClass::kNew: return "new";
    case TrendClass::kGone: return "gone";
  }
  return "stable";
}

namespace {

constexpr double kSteadyTau = 0.6;
constexpr double kSteadyZ = 1.645;

}  // namespace

SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const NoiseModel& noise) {
  return ComputeSeriesStats(
      y, x, x_in_days, [&](size_t i, size_t j) { return noise.Tolerance(y[i], y[j]); }, Segments{});
}

SeriesStats ComputeSeriesStats(const std::vector<double>& y, const std::vector<double>& x, bool x_in_days,
                               const PairTolerance& tolerance, const Segments& segments) {
  SeriesStats s;
  const size_t n = y.size();
  s.first = y.front();
  s.last = y.back();
  s.delta = s.last - s.first;
  if (std::all_of(y.begin(), y.end(), [&](double v) { return v == s.first; })) {
    // Never changed (most nodes of a long series): what the rest would find.
    for (size_t i = 0; i + 1 < n; ++i) s.steps += SameSegment(segments, i, i + 1) ? 1 : 0;
    s.robust_growth = 0.0 * (x.back() - x.front());
    if (x_in_days) s.per_day = 0.0;
    return s;  // stable, score 0
  }
  double slope;
  if (n <= kAllPairsUpTo) {
    slope = TheilSenSlope(y, x, segments);
    s.kendall_tau = KendallTau(y, tolerance, segments);
  } else {
    slope = TheilSenSlopeSorted(y, x, segments);
    // Each capture's tolerance: the larger of its steps' (within its process).
    std::vector<double> capture_tolerance(n, 0);
    for (size_t i = 0; i + 1 < n; ++i) {
      if (!SameSegment(segments, i, i + 1)) continue;
      const double t = tolerance(i, i + 1);
      capture_tolerance[i] = std::max(capture_tolerance[i], t);
      capture_tolerance[i + 1] = std::max(capture_tolerance[i + 1], t);
    }
    s.kendall_tau = KendallTauSorted(y, capture_tolerance, segments);
  }
  s.robust_growth = slope * (x.back() - x.front());
  if (x_in_days) s.per_day = slope;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!SameSegment(segments, i, i + 1)) continue;  // a restart: no step
    ++s.steps;
    double d = y[i + 1] - y[i];
    double tol = tolerance(i, i + 1);
    if (d > tol) {
      ++s.steps_up;
    } else if (d < -tol) {
      ++s.steps_down;
    }
  }
  // The growth within each process, and how much of it sampling could make.
  double within = 0, variance = 0;
  ForEachSegment(n, segments, [&](size_t first, size_t last) {
    within += y[last] - y[first];
    const double tol = tolerance(first, last);
    variance += tol * tol;
  });
  const double tolerance_within = std::sqrt(variance);
  s.within = within;
  // Steady: Kendall's tau of at least 0.6, or, in a longer series, a
  // Mann-Kendall trend significant at 5% one-sided (tau's variance under no
  // trend: 2(2n+5)/(9n(n-1)); ties only make it smaller).
  const double pairs_n = static_cast<double>(n);
  const double tau_sd = std::sqrt(2 * (2 * pairs_n + 5) / (9 * pairs_n * (pairs_n - 1)));
  auto steady = [&](double tau) { return tau >= kSteadyTau || tau >= kSteadyZ * tau_sd; };
  // A plateau: it grew beyond the noise, then over the last third of the
  // steps it did not (that growth within the noise, and at most half the
  // earlier pace).
  auto plateaued = [&] {
    if (n < 3) return false;
    const size_t tail = std::max<size_t>(1, (n - 1) / 3);
    const size_t m = n - 1 - tail;
    if (!SameSegment(segments, 0, n - 1)) return false;
    const double early = y[m] - y[0], late = y[n - 1] - y[m];
    if (early <= tolerance(0, m)) return false;
    const double early_pace = early / static_cast<double>(m), late_pace = late / static_cast<double>(tail);
    return late <= tolerance(m, n - 1) && late_pace <= 0.5 * early_pace;
  };
  const bool absent_before_last = std::all_of(y.begin(), y.end() - 1, [](double v) { return v == 0; });
  if (s.first != 0 && s.last == 0) {
    s.trend_class = TrendClass::kGone;
  } else if (s.first == 0 && s.last != 0 && absent_before_last) {
    s.trend_class = TrendClass::kNew;
  } else if (within > tolerance_within) {
    if (steady(s.kendall_tau) && slope > 0) {
      s.trend_class = plateaued() ? TrendClass::kPlateaued : TrendClass::kGrowing;
    } else {
      s.trend_class = TrendClass::kFluctuating;
    }
  } else if (within < -tolerance_within) {
    s.trend_class = (steady(-s.kendall_tau) && slope < 0) ? TrendClass::kShrinking : TrendClass::kFluctuating;
  } else {
    s.trend_class = (s.steps_up == 0 && s.steps_down == 0) ? TrendClass::kStable : TrendClass::kFluctuating;
  }
  s.score = s.robust_growth * std::max(0.0, s.kendall_tau);
  return s;
}

namespace {

// What a node's statistics are computed from: views of buffers its thread
// reuses (a site's packed series decoded, a function's sums).
struct NodeBuild {
  std::span<const int64_t> values, objects, sizes;
  bool sizes_incomplete = false;
  std::span<const int64_t> alloc_values, alloc_objects;  // empty without alloc_* types
};

// The distinct object sizes of the sites a function is the leaf of.
struct FunctionSizes {
  std::vector<int64_t> sizes;
  bool incomplete = false;
};

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

class NodeStatistics {
 public:
  NodeStatistics(const AlignedProfiles& aligned, const std::vector<double>& x, bool x_in_days, const Segments& segments)
      : x_(x), x_in_days_(x_in_days), has_objects_(!aligned.objects_type_name.empty()), segments_(segments) {
    bool sampled = aligned.value_unit == "bytes";
    for (const auto& c : aligned.captures) {
      sampled = sampled && c.period > 0 && c.period_unit == "bytes";
      rate_ = std::max(rate_, static_cast<double>(c.period));
    }
    if (!sampled) rate_ = 0;
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

  void Fill(TrendNode& node, const NodeBuild& build) const {
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
      ForEachSegment(objects.size(), segments, [&](size_t first, size_t last) {
        node.delta_objects_within += objects[last] - objects[first];
      });
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
          values, x_, x_in_days_,
          [&](size_t i, size_t j) { return exact.Tolerance(values[i], values[j]); }, StatSegments());
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
        const double allocated =
            std::max(0.0, static_cast<double>(build.alloc_objects[j] - build.alloc_objects[i]));
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

 private:
  const std::vector<double>& x_;
  bool x_in_days_;
  bool has_objects_;
  const Segments& segments_;
  double rate_ = 0;
};

// The growth within each process of one series (last - first without a restart).
double GrowthWithin(const PackedSeries& v, const Segments& segments) {
  double growth = 0;
  ForEachSegment(v.size(), segments,
                 [&](size_t first, size_t last) { growth += static_cast<double>(v[last] - v[first]); });
  return growth;
}

// The site's growth by object size; with several sizes the dominant one
// (largest |growth in bytes|, when it has a size) is the site's bytes per
// object, exact: a Go bucket holds objects of one size.
void SplitBySize(TrendNode& node, const AlignedSite& site, const Segments& segments) {
  auto& by_size = node.size.by_size;
  if (site.size_classes.empty()) {
    if (site.first_size != AlignedSite::kNoSizeYet) node.size.single_size = site.first_size;
    return;
  }
  for (const auto& c : site.size_classes)
    by_size.push_back(SizeGrowth{c.size, GrowthWithin(c.objects, segments), GrowthWithin(c.values, segments)});
  std::stable_sort(by_size.begin(), by_size.end(), [](const SizeGrowth& a, const SizeGrowth& b) {
    if (std::fabs(a.delta_bytes) != std::fabs(b.delta_bytes)) return std::fabs(a.delta_bytes) > std::fabs(b.delta_bytes);
    return a.size < b.size;
  });
  if (by_size.front().size > 0 && by_size.front().delta_bytes != 0 && std::round(by_size.front().delta_objects) != 0) {
    node.size.bytes_per_object = static_cast<double>(by_size.front().size);
    node.size.exact = true;
  }
}

// Total order on stacks by their frames' names (function, file, line), root
// first: the last tie-break of the ranking, so output never depends on
// hash-map order.
// `frame_order[f]` is frame f's position when frames are sorted by
// (function, file, line), so stacks compare as sequences of small integers.
std::vector<uint32_t> FrameOrder(const AlignedProfiles& aligned) {
  std::vector<uint32_t> by_name(aligned.frames.size());
  for (uint32_t f = 0; f < by_name.size(); ++f) by_name[f] = f;
  std::sort(by_name.begin(), by_name.end(), [&](uint32_t a, uint32_t b) {
    const AlignedFrame& x = aligned.frames[a];
    const AlignedFrame& y = aligned.frames[b];
    if (int c = x.function.compare(y.function); c != 0) return c < 0;
    if (int c = x.file.compare(y.file); c != 0) return c < 0;
    return x.line < y.line;
  });
  std::vector<uint32_t> order(by_name.size());
  for (uint32_t i = 0; i < by_name.size(); ++i) order[by_name[i]] = i;
  return order;
}

// Each node's position when the nodes are sorted by stack, root first,
// frame by frame in frame_order, a stack before the longer ones it begins:
// Rank's last tie-break. A radix sort from the root: the nodes are sorted by
// their first few frames packed into one integer (as many as fit in 64
// bits), each group that shares them by the next few, and so on until every
// group holds one node. Each pass reads the stacks still in groups in memory
// order into one key array, so every comparison is of integers in cache.
// (Comparing whole stacks read two stacks per comparison, and most stacks
// share their first frames: main, runtime.)
std::vector<uint32_t> StackPositions(const std::vector<TrendNode>& nodes, const std::vector<uint32_t>& frame_order) {
  const size_t n = nodes.size();
  std::vector<std::span<const uint32_t>> stacks(n);
  for (size_t i = 0; i < n; ++i) stacks[i] = nodes[i].stack;
  // A frame's digit is its rank + 1; 0: the stack has ended.
  const int bits = std::max(1, static_cast<int>(std::bit_width(frame_order.size())));
  const size_t per_pass = static_cast<size_t>(64 / bits);
  struct Keyed {
    uint64_t key;
    uint32_t node;
    bool operator<(const Keyed& o) const { return key != o.key ? key < o.key : node < o.node; }
  };
  std::vector<Keyed> keyed(n);
  for (uint32_t i = 0; i < n; ++i) keyed[i].node = i;
  struct Group {
    size_t begin, end;
  };
  std::vector<Group> groups, next_groups;
  if (n > 1) groups.push_back({0, n});
  std::vector<char> grouped(n, 1);  // in a group of two or more at this depth
  std::vector<uint64_t> key(n);
  for (size_t depth = 0; !groups.empty(); depth += per_pass) {
    for (size_t i = 0; i < n; ++i) {
      if (!grouped[i]) continue;
      uint64_t k = 0;
      for (size_t d = depth; d < depth + per_pass; ++d)
        k = k << bits | (d < stacks[i].size() ? frame_order[stacks[i][d]] + 1 : 0);
      key[i] = k;
    }
    next_groups.clear();
    for (const Group& g : groups) {
      for (size_t i = g.begin; i < g.end; ++i) keyed[i].key = key[keyed[i].node];
      std::sort(keyed.begin() + static_cast<std::ptrdiff_t>(g.begin), keyed.begin() + static_cast<std::ptrdiff_t>(g.end));
      for (size_t run = g.begin; run < g.end;) {
        size_t next = run + 1;
        while (next < g.end && keyed[next].key == keyed[run].key) ++next;
        // The same frames, and the stacks go on past them (a last digit of 0
        // means they ended: equal stacks, left in node order).
        if (next - run > 1 && (keyed[run].key & ((uint64_t{1} << bits) - 1)) != 0)
          next_groups.push_back({run, next});
        run = next;
      }
    }
    std::fill(grouped.begin(), grouped.end(), 0);
    for (const Group& g : next_groups)
      for (size_t i = g.begin; i < g.end; ++i) grouped[keyed[i].node] = 1;
    groups.swap(next_groups);
  }
  std::vector<uint32_t> position(n);
  for (uint32_t i = 0; i < n; ++i) position[keyed[i].node] = i;
  return position;
}

void Rank(std::vector<TrendNode>& nodes, const std::vector<uint32_t>& frame_order, size_t threads) {
  // Sort small keys rather than the nodes: the nodes that grew first (so the
  // text table's rows are a prefix of every output's list), then by score,
  // then growth, then the stack's frame names (its position among the
  // nodes' stacks).
  const std::vector<uint32_t> stack_position = StackPositions(nodes, frame_order);
  struct Key {
    double score, delta;
    uint32_t stack_position, index;
    bool grew;
  };
  std::vector<Key> keys(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    keys[i] = {nodes[i].stats.score, nodes[i].stats.delta, stack_position[i], static_cast<uint32_t>(i),
               Grew(nodes[i])};
  // Stack positions are distinct, so this is a total order: one result
  // however the sort is split.
  ParallelSort(
      keys,
      [](const Key& a, const Key& b) {
        if (a.grew != b.grew) return a.grew;
        if (a.score != b.score) return a.score > b.score;
        if (a.delta != b.delta) return a.delta > b.delta;
        return a.stack_position < b.stack_position;
      },
      threads);
  // Apply the order in place, cycle by cycle (a second copy of the nodes
  // would be the largest allocation of the run).
  std::vector<size_t> source(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) source[i] = keys[i].index;
  keys = {};
  for (size_t start = 0; start < source.size(); ++start) {
    if (source[start] == start || source[start] == SIZE_MAX) continue;
    TrendNode held = std::move(nodes[start]);
    size_t at = start;
    while (source[at] != start) {
      nodes[at] = std::move(nodes[source[at]]);
      size_t next = source[at];
      source[at] = SIZE_MAX;
      at = next;
    }
    nodes[at] = std::move(held);
    source[at] = SIZE_MAX;
  }
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].rank = static_cast<int>(i + 1);
}

// Per frame, the sites it is in (each once, in site order): the sites of
// frame f are sites[offsets[f]] .. sites[offsets[f + 1] - 1].
// fill(begin, end) over [0, count) in `threads` equal slices, a thread
// each; with one slice, on the calling thread.
template <typename Fill>
void ForEachSlice(size_t count, size_t threads, const Fill& fill) {
  if (threads <= 1) {
    fill(size_t{0}, count);
    return;
  }
  std::vector<std::jthread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(fill, count * t / threads, count * (t + 1) / threads);
}  // the pool joins here

uint32_t NamingFrame(std::span<const uint32_t> stack, const std::vector<char>& is_allocator) {
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    if (!is_allocator[*it]) return *it;
  return stack.empty() ? 0 : stack.back();
}

}  // namespace

std::optional<double> ObjectsError95(const TrendNode& node, double objects) {
  const double p = node.size.sample_probability;
  if (!node.size.objects_estimated || p >= 1 || p <= 0) return std::nullopt;
  return kInterval95 * std::sqrt(SampledCountVariance(std::fabs(objects), p));
}

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
    return out;
  }
  const TrendNode* one = &node;
  ForEachFunctionSeries(trend, std::span(&one, 1), [&](const TrendNode&, NodeSeries&& series) { out = std::move(series); });
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

std::vector<SizeGrowth> GrowthBySize(const TrendResult& trend, const TrendNode& node) {
  if (!node.size.by_size.empty() || !node.size.single_size) return node.size.by_size;
  return {SizeGrowth{*node.size.single_size, GrowthObjects(trend, node), Growth(trend, node)}};
}

bool Grew(const TrendNode& node) {
  switch (node.stats.trend_class) {
    case TrendClass::kGrowing:
    case TrendClass::kPlateaued:
    case TrendClass::kNew: return true;
    case TrendClass::kFluctuating: return node.stats.delta > 0;
    default: return false;
  }
}

double Growth(const TrendResult& trend, const TrendNode& node) {
  return trend.restarts.empty() ? node.stats.delta : node.stats.within;
}

double GrowthObjects(const TrendResult& trend, const TrendNode& node) {
  return trend.restarts.empty() ? node.delta_objects : node.delta_objects_within;
}

TrendResult ComputeTrends(AlignedProfiles aligned) {
  TrendResult result;
  const size_t n = aligned.captures.size();
  std::vector<double> x(n);
  bool timed = std::all_of(aligned.captures.begin(), aligned.captures.end(),
                           [](const Capture& c) { return c.time_nanos != 0; });
  if (timed) {
    for (size_t i = 0; i < n; ++i)
      result.seconds.push_back(NanosToSeconds(aligned.captures[i].time_nanos - aligned.captures[0].time_nanos));
    result.span_seconds = result.seconds.back() - result.seconds.front();
    // Out of order (--keep-order) or identical times give no usable time axis.
    timed = result.span_seconds > 0 && std::is_sorted(result.seconds.begin(), result.seconds.end());
  }
  for (size_t i = 0; i < n; ++i) x[i] = timed ? SecondsToDays(result.seconds[i]) : static_cast<double>(i);
  if (!timed) result.seconds.clear();

  // Processes: within one, the cumulative alloc counts never fall, not in
  // total and not at any site (sampled allocations only accumulate).
  if (aligned.has_alloc) {
    std::vector<char> fell(n, 0);
    std::vector<int64_t> alloc(n);
    for (const AlignedSite& site : aligned.sites) {
      if (site.alloc_values.width() == 0) continue;  // never changed: never fell
      site.alloc_values.DecodeTo(alloc.data());
      for (size_t i = 1; i < n; ++i)
        if (alloc[i] < alloc[i - 1]) fell[i] = 1;
    }
    result.segments.assign(n, 0);
    for (size_t i = 1; i < n; ++i) {
      const Capture &a = aligned.captures[i - 1], &b = aligned.captures[i];
      const bool restart = fell[i] || b.total_alloc_value < a.total_alloc_value ||
                           b.total_alloc_objects < a.total_alloc_objects ||
                           (!a.build_id.empty() && !b.build_id.empty() && a.build_id != b.build_id);
      result.segments[i] = result.segments[i - 1] + (restart ? 1 : 0);
      if (restart) result.restarts.push_back(i);
    }
    result.processes = result.restarts.empty() ? TrendResult::Processes::kOne : TrendResult::Processes::kRestarted;
  }
  NodeStatistics statistics(aligned, x, timed, result.segments);
  std::vector<char> is_allocator(aligned.frames.size());
  for (size_t f = 0; f < aligned.frames.size(); ++f)
    is_allocator[f] = IsAllocatorFrame(aligned.frames[f].function, aligned.frames[f].file);

  // Sites: independent of each other, so computed on every core.
  const size_t num_sites = aligned.sites.size();
  ReserveHuge(result.sites, num_sites);
  result.sites.resize(num_sites);
  auto fill_sites = [&](size_t begin, size_t end) {
    std::vector<int64_t> values(n), objects(n), alloc_values(aligned.has_alloc ? n : 0),
        alloc_objects(aligned.has_alloc ? n : 0);
    for (size_t s = begin; s < end; ++s) {
      const AlignedSite& site = aligned.sites[s];
      TrendNode& node = result.sites[s];
      node.kind = TrendNode::Kind::kSite;
      node.site_index = static_cast<uint32_t>(s);
      node.stack = site.frames;  // a view into the arenas, which move with `aligned` into the result
      node.name_frame = NamingFrame(site.frames, is_allocator);
      site.values.DecodeTo(values.data());
      site.objects.DecodeTo(objects.data());
      if (aligned.has_alloc) {
        site.alloc_values.DecodeTo(alloc_values.data());
        site.alloc_objects.DecodeTo(alloc_objects.data());
      }
      statistics.Fill(node, NodeBuild{values, objects, site.object_sizes, site.sizes_incomplete, alloc_values,
                                      alloc_objects});
      SplitBySize(node, site, statistics.StatSegments());
    }
  };
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  const bool parallel = threads > 1 && num_sites >= 10000;  // below that, threads cost more than they save
  ForEachSlice(num_sites, parallel ? threads : 1, fill_sites);
  // Ranking the sites is the longest step left; it runs beside the function
  // nodes, which only read the aligned table.
  const std::vector<uint32_t> frame_order = FrameOrder(aligned);
  std::jthread rank_sites;  // joins on every way out of this scope
  if (parallel) {
    rank_sites = std::jthread([&] { Rank(result.sites, frame_order, threads); });
  } else {
    Rank(result.sites, frame_order, 1);
  }

  // Functions: a node for every frame in some site's stack; its statistics
  // are those of its flat series (where it is the leaf), summed one function
  // at a time in buffers of one series each, so memory does not grow with
  // frames x captures. (The cum series, for JSON, are ForEachFunctionSeries'.)
  const size_t num_frames = aligned.frames.size();
  result.frame_ids.resize(num_frames);
  for (uint32_t f = 0; f < num_frames; ++f) result.frame_ids[f] = f;
  std::vector<uint32_t> function_frames;
  {
    std::vector<char> in_a_stack(num_frames, 0);
    for (const AlignedSite& site : aligned.sites)
      for (uint32_t f : site.frames) in_a_stack[f] = 1;
    for (uint32_t f = 0; f < num_frames; ++f)
      if (in_a_stack[f]) function_frames.push_back(f);
  }
  // The sites by leaf frame (a function's flat series, what its statistics
  // are computed from), in site order: each site read once, not once per
  // frame of its stack.
  std::vector<uint32_t> leaf_offsets(num_frames + 1, 0), leaf_sites(num_sites);
  for (const AlignedSite& site : aligned.sites)
    if (!site.frames.empty()) ++leaf_offsets[site.frames.back() + 1];
  for (size_t f = 0; f < num_frames; ++f) leaf_offsets[f + 1] += leaf_offsets[f];
  {
    std::vector<uint32_t> next(leaf_offsets.begin(), leaf_offsets.end() - 1);
    for (uint32_t s = 0; s < num_sites; ++s)
      if (!aligned.sites[s].frames.empty()) leaf_sites[next[aligned.sites[s].frames.back()]++] = s;
  }
  result.functions.resize(function_frames.size());
  constexpr size_t kSiteAhead = 8;
  auto fill_functions = [&](size_t begin, size_t end) {
    std::vector<int64_t> values(n), objects(n), alloc_values(aligned.has_alloc ? n : 0),
        alloc_objects(aligned.has_alloc ? n : 0);
    for (size_t k = begin; k < end; ++k) {
      const uint32_t f = function_frames[k];
      std::fill(values.begin(), values.end(), 0);
      std::fill(objects.begin(), objects.end(), 0);
      std::fill(alloc_values.begin(), alloc_values.end(), 0);
      std::fill(alloc_objects.begin(), alloc_objects.end(), 0);
      FunctionSizes sizes;
      for (uint32_t i = leaf_offsets[f]; i < leaf_offsets[f + 1]; ++i) {
        // The sites are read out of order: the site a few ahead (across
        // functions) is fetched while this one is summed.
        if (i + kSiteAhead < num_sites) {
          const char* ahead = reinterpret_cast<const char*>(&aligned.sites[leaf_sites[i + kSiteAhead]]);
          for (size_t line = 0; line < sizeof(AlignedSite); line += 64) __builtin_prefetch(ahead + line);
        }
        const AlignedSite& site = aligned.sites[leaf_sites[i]];
        site.values.AddTo(values.data());
        site.objects.AddTo(objects.data());
        if (aligned.has_alloc) {
          site.alloc_values.AddTo(alloc_values.data());
          site.alloc_objects.AddTo(alloc_objects.data());
        }
        MergeSizes(sizes, site);
      }
      TrendNode& node = result.functions[k];
      node.kind = TrendNode::Kind::kFunction;
      node.stack = std::span<const uint32_t>(&result.frame_ids[f], 1);
      node.name_frame = f;
      statistics.Fill(node, NodeBuild{values, objects, sizes.sizes, sizes.incomplete, alloc_values, alloc_objects});
    }
  };
  const size_t num_functions = function_frames.size();
  ForEachSlice(num_functions, num_functions >= 2000 ? threads : 1, fill_functions);
  Rank(result.functions, frame_order, threads);
  if (rank_sites.joinable()) rank_sites.join();

  std::vector<double> totals, total_objects;
  for (const auto& c : aligned.captures) {
    totals.push_back(static_cast<double>(c.total_value));
    total_objects.push_back(static_cast<double>(c.total_objects));
  }
  const NoiseModel total_noise{statistics.rate()};
  result.total = ComputeSeriesStats(
      totals, x, timed, [&](size_t i, size_t j) { return total_noise.Tolerance(totals[i], totals[j]); },
      statistics.StatSegments());
  result.total_delta_objects = total_objects.back() - total_objects.front();
  result.aligned = std::move(aligned);
  return result;
}

}  // namespace pprof_trend
