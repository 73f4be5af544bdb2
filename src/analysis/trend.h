// Trend statistics over aligned captures: how each node's memory moves, how
// steadily, how fast, and the size of the objects its growth is made of.
//
// Method (also in the README):
// - Noise: Go heap profiles are sampled (one sample per MemProfileRate bytes
//   allocated, on average) and scaled up. A change between two captures
//   smaller than 2*sqrt(rate*max(a,b)) (about two standard deviations of a
//   sampled estimate) counts as no change. Objects of at least 7*rate are
//   sampled with probability > 0.999 and are treated as exact (no noise).
//   Unsampled profiles: no noise.
// - Rate: the Theil-Sen slope (median of the pairwise slopes) of the series
//   over capture time, per day; over capture number when a time is missing.
//   One outlier capture cannot drag it.
// - Steadiness: Kendall's tau-b of the series against capture order, with
//   changes within the noise counted as ties; and the share of steps that grew.
// - Class: see TrendClass.
// - Score (ranking): robust growth (slope * span) * max(0, tau). A steady
//   grower outranks a node that jumped once and fell back (tau and slope ~0).
// - Bytes per object of the growth: exact when every sample of the node
//   carries the same `bytes` label (Go's object size); otherwise the slope of
//   an ordinary least-squares fit of bytes on objects (Δbytes/Δobjects for two
//   captures), an estimate.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/align.h"
#include "analysis/program_identity.h"
#include "analysis/series_stats.h"
#include "analysis/statistics.h"

namespace pprof_trend {

// A site's growth in objects of one size (Go records every sample with its
// object size): "+15,000 x 4KiB, +2 x 1.13MiB".
struct SizeGrowth {
  int64_t size = 0;  // bytes per object; 0: unknown (no label); -1: several sizes past the 16 kept
  double delta_objects = 0, delta_bytes = 0;
};

// (Fields ordered so that one is kept for every site and function with
// no padding between them: sizeof is bounded in compact_optional_test.)
struct ObjectSizeEvidence {
  OptionalDouble bytes_per_object;  // the figure to print
  OptionalDouble regression;        // Δbytes/Δobjects fit, shown as cross-check
  SizeList label_sizes;             // distinct `bytes` label values seen (most sites: one, held inline)
  bool exact = false;               // from a single `bytes` label shared by every sample
  bool objects_estimated = false;   // object counts come from scaled samples
  // The probability that one object is sampled (1: exact counts), for the
  // per-capture intervals (ObjectsError95).
  double sample_probability = 1;
  // Sites of several object sizes: the growth split by size, largest |bytes|
  // first; the first one is the dominant size shown as bytes_per_object
  // (exact). Sites of one size keep it in single_size (no vector per site).
  RareVector<SizeGrowth> by_size;
  OptionalSize single_size;
};

// One for every site and every function of a profile: the largest record
// of the trend stage (fields ordered for no padding; sizeof is bounded in
// compact_optional_test).
struct TrendNode {
  enum class Kind : uint8_t { kSite, kFunction };
  Kind kind = Kind::kSite;
  uint32_t site_index = 0;  // sites: index into AlignedProfiles::sites (its frames: NodeStack)
  uint32_t name_frame = 0;  // the frame that names the node (a function node: its one frame)
  // 1-based within its kind: the nodes that grew (Grew) first, then the
  // rest, each by score. Every output lists nodes in this order, so rank N
  // is the same node in the text table, JSON, HTML and check.
  int rank = 0;
  // Captures that do not list the node although it may be there: partial
  // ones (tables cut short). Its statistics are those of the other captures.
  uint32_t unknown = 0;
  // A site whose growth or shrinkage a sibling's (same function, same object
  // size) offsets: the largest such sibling (analysis/moves; its site index).
  OptionalIndex moved_with;
  // One leak shown as two sites (analysis/moves: a JIT inlined the site's
  // function into its caller): the site that took over its growth, or the
  // one whose growth it took over. (Their ranks are the Report's rows'.)
  OptionalIndex continued_by, continues;
  // No series: a long series of every node would be the largest thing in
  // memory; SeriesOf makes them for the nodes an output shows.
  SeriesStats stats;
  double delta_objects = 0;
  double delta_objects_within = 0;  // summed within each process (= delta_objects without a restart)
  // Half-width of the 95% interval of delta_objects and stats.delta when
  // they are estimates from sampled counts (none when exact).
  OptionalDouble delta_objects_error95, delta_error95;
  ObjectSizeEvidence size;
};

// A node's frames, root first: a site's stack, or a function node's one
// frame. A view into `aligned`, or for a function node into the node itself
// (take it again after the node moves, as Rank moves nodes).
inline IdSpan NodeStack(const AlignedProfiles& aligned, const TrendNode& node) {
  if (node.kind == TrendNode::Kind::kFunction) return {&node.name_frame, 1};
  return aligned.sites[node.site_index].frames;
}

// Whether a node counts as having grown (the table's rows): growing,
// plateaued, step, new, or fluctuating with a net gain beyond the noise.
bool Grew(const TrendNode& node);

// The 95% half-width of an estimate of `objects` objects of the node (none
// when its counts are exact): 1.96 sqrt((N + 1/p)(1-p)/p) for a count N
// scaled from samples with p.
std::optional<double> ObjectsError95(const TrendNode& node, double objects);

// A node's series, one entry per capture: a site's, or a function's flat
// (where it is the leaf) and cum (anywhere in the stack) sums.
struct NodeSeries {
  std::vector<double> values, objects;
  std::vector<double> cum_values, cum_objects;  // functions only
  std::vector<double> alloc_objects;            // sites with alloc_* types only
};
struct TrendResult;
// A site's series, or one function's (a pass over every site: for many
// functions, use ForEachFunctionSeries).
NodeSeries SeriesOf(const TrendResult& trend, const TrendNode& node);
// The series of distinct function nodes, given to `consume` in the order given:
// summed in batches of bounded memory, one pass over the sites per batch.
// A batch's sums stay within about `batch_bytes`.
void ForEachFunctionSeries(const TrendResult& trend, std::span<const TrendNode* const> functions,
                           const std::function<void(const TrendNode&, NodeSeries&&)>& consume,
                           size_t batch_bytes = size_t{64} << 20);

// A node's growth as a reader should see it: after a restart, the growth
// within each process (a restart's drop is no shrinkage); else last - first.
double Growth(const TrendResult& trend, const TrendNode& node);
// A site's growth by object size: by_size, or its single size's growth.
std::vector<SizeGrowth> GrowthBySize(const TrendResult& trend, const TrendNode& node);
double GrowthObjects(const TrendResult& trend, const TrendNode& node);

// Move-only: nodes view into its own buffers (see TrendNode::stack).
struct TrendResult {
  TrendResult() = default;
  TrendResult(TrendResult&&) = default;
  TrendResult& operator=(TrendResult&&) = default;
  TrendResult(const TrendResult&) = delete;
  TrendResult& operator=(const TrendResult&) = delete;

  AlignedProfiles aligned;
  std::vector<double> seconds;  // capture time relative to the first; empty when a time is missing
  double span_seconds = 0;
  // Some capture's time is its file's modification time: the rates are
  // guesses (marked so). Such times under kMinGuessedGapSeconds apart give
  // no rates at all (seconds is empty).
  bool rates_guessed = false;
  static constexpr double kMinGuessedGapSeconds = 60;
  SeriesStats total;  // of the captures' totals
  double total_delta_objects = 0;
  std::vector<TrendNode> sites;      // ranked
  std::vector<TrendNode> functions;  // ranked
  // Which process each capture comes from. With the cumulative alloc_*
  // types a series is known to be one process until a total falls: a
  // restart. Without them: unknown, and captures are treated as independent
  // samples, unless their mappings show another build or another process.
  enum class Processes { kOne, kRestarted, kUnknown };
  Processes processes = Processes::kUnknown;
  Segments segments;  // per capture: its process, 0, 1, ... (empty when unknown)
  enum class RestartCause {
    kCountersFell,  // the cumulative allocation counters fell
    kRebuilt,       // the main binary's build id changed
    kNewProcess,    // every mapping moved (ASLR)
    kOtherProgram,  // the captures look like different programs, compared as one (--same-program)
  };
  struct Restart {
    size_t capture = 0;  // the capture that starts a new process
    RestartCause cause = RestartCause::kCountersFell;
  };
  using Restarts = std::vector<Restart>;
  Restarts restarts;
  // The false-discovery control over the nodes' growth (analysis/discoveries).
  struct Discoveries {
    size_t tested = 0;       // nodes: each a hypothesis "it did not grow"
    size_t candidates = 0;   // growth beyond kNoiseZ on its own
    size_t withdrawn = 0;    // of those, not among the discoveries
    double p_threshold = 0;  // the largest p-value kept (0: none kept)
  };
  Discoveries site_discoveries, function_discoveries;
  // Per capture: how it compares with the one before ([0]: nothing before).
  std::vector<NeighbourEvidence> neighbours;
  // Every capture is a process of its own: no pair lies within one process,
  // so the captures are compared as independent samples.
  bool EachCaptureOwnProcess() const { return !restarts.empty() && restarts.size() + 1 == aligned.captures.size(); }
  // Neighbours that look like different programs (by the capture after).
  std::vector<size_t> DifferentPrograms() const;
};

TrendResult ComputeTrends(AlignedProfiles aligned);

}  // namespace pprof_trend
