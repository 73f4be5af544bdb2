// The Report: what every renderer shows, decided once.
//
// Selection (which nodes make the table, which JSON and HTML list, which
// count as shrinking), their order (the trend's rank), names (full and
// shortened), the cells of each row and the "+17 objects of 8MiB" phrasing
// are made here, so text, JSON, HTML, check and watch agree and renderers
// only format: they read the Report and what this header gives, never the
// analysis.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/process_memory.h"
#include "analysis/projection.h"
#include "analysis/residence.h"
#include "analysis/trend.h"
#include "base/units.h"

namespace pprof_trend {

#ifndef PPROF_TREND_VERSION
#error "PPROF_TREND_VERSION comes from CMakeLists.txt (project VERSION)"
#endif
inline constexpr std::string_view kVersion = PPROF_TREND_VERSION;
// The JSON schema version (README "JSON output"); bump on any breaking change.
inline constexpr int kJsonSchemaVersion = 1;

struct ReportOptions {
  size_t node_count = 10;  // rows of the ranked table
  size_t path_count = 3;   // rows whose full call path is shown
  size_t shrinking_count = 5;
  // Nodes of each kind that JSON and HTML list (their stable ones are left
  // out): a prefix of one ranked list, so rank N is the same node in every
  // output and the text table's rows are the first rows of each.
  size_t listed_per_kind = SIZE_MAX;  // JSON (--nodecount)
  size_t html_sites = 5000;           // the HTML report embeds at most this many sites
  std::string command_line;
  // --limit: the memory limit the in-use total is projected to (bytes), as written.
  std::optional<double> memory_limit;
  std::string memory_limit_text;
};

// The table cells every renderer prints for a node, "~" marking estimates:
// growth "+136MiB", rate per `unit` "+34MiB" or "-", bytes/object "8MiB"
// (or "~312B" from the fit), objects "+17".
struct RowCells {
  std::string growth, rate, bytes_per_object, objects;
};

struct ReportRow {
  const TrendNode* node = nullptr;
  int rank = 0;            // the node's rank: its position in every output's list
  std::string name;        // full function name of the naming frame (TerminalSafe)
  std::string short_name;  // Go package path dropped: "sarama.(*asyncProducer).newPartitionProducer"
  // Where another listed site has the same name: what short_name ends with
  // to tell them apart, " (from g)" (else empty), so that a narrow column
  // can shorten the name and the qualifier each (FitRowName).
  std::string short_qualifier;
  // The growth in objects of one size, when that is what it is:
  // "+17 objects of 8MiB" (exact) or "~+96.2k objects of 256B" (estimated count).
  std::string objects_phrase;
  RowCells cells;
  std::vector<SizeGrowth> by_size;        // sites: the growth by object size, largest |bytes| first
  double growth = 0, growth_objects = 0;  // Growth(), GrowthObjects(): what the table and check print
  // The ranks of the sites the node's moved_with, continued_by and continues
  // name (0: none).
  int moved_with_rank = 0, continued_by_rank = 0, continues_rank = 0;
  // Goroutine series: what the stack's goroutines wait on ("chan receive";
  // empty: running or unknown) and the stack memory they hold at least at
  // the last capture (GoroutineStackBytes each); -1 for heap series.
  std::string wait_reason;
  double stack_bytes_at_least = -1;
};

// A goroutine series: the stack bytes each goroutine holds at the last
// capture, and how that is known: the runtime's StackInuse over the
// goroutines where the capture carries Go's MemStats ("measured"), else Go's
// smallest stack, 2 KiB ("minimum").
struct GoroutineStack {
  double bytes_each = 0;
  std::string basis;  // "measured" or "minimum"
};
GoroutineStack GoroutineStackBytes(const TrendResult& trend);

// What tells a site apart from others of its name: its first caller that
// differs ("f (from g)"); else, when only the frames below its naming frame
// differ (the allocator's entry: malloc or calloc), the first of those
// ("f (via calloc)"); else its place among them ("f (path 2)").
struct ToldApart {
  uint32_t frame = UINT32_MAX;  // an aligned frame id; UINT32_MAX: by `ordinal`
  bool below = false;           // `frame` is below the naming frame
  uint32_t ordinal = 0;
};

struct Report {
  const TrendResult* trend = nullptr;
  ReportOptions options;
  RateUnit rate_unit;  // from the span: rates per s, min, h or day
  // The ranked table: nodes that grew, by rank; each with its series.
  std::vector<ReportRow> growing;
  std::vector<NodeSeries> growing_series;
  std::vector<ReportRow> shrinking;  // shrinking or gone, largest loss first; shrinking_count of them
  size_t shrinking_total = 0;        // before shrinking_count cut the list
  size_t growing_total = 0;          // before node_count cut the table
  // What JSON and HTML list, in rank order: the non-stable nodes, at most
  // listed_per_kind (or html_sites) of each kind. `growing` is their prefix.
  std::vector<const TrendNode*> listed_sites, listed_functions;
  // Sites with a rising trend (a positive score) that are not in the table
  // (their class is not one of growth: stable within the sampling noise,
  // gone, fell back), counted by class so that nothing is silent.
  std::vector<std::pair<TrendClass, size_t>> rising_not_shown;
  bool any_estimate = false;  // some shown count is scaled from samples
  // Each site's rank by its site index, when some site names another
  // (moves, continuations); else empty.
  std::vector<int> rank_of_site;
  // Sites whose names agree with another site's, by site index: what tells
  // each apart. Empty when every site's name is its own.
  std::unordered_map<uint32_t, ToldApart> told_apart_by;
  // With --limit: when the in-use total reaches it (analysis/projection).
  std::optional<Projection> projection;
  // Go captures with MemStats: the process's memory against its sampled heap.
  std::optional<MemoryAccount> memory;
};

// "process memory (runtime.MemStats, captures 1 -> 3): held from the OS 372MiB -> 493MiB (+121MiB); the
// sampled heap explains ~+100MiB (83%); the rest: ..." (no newline; empty without report.memory).
std::string MemoryLine(const Report& report);

// "limit 2GiB: reached in ~5.2 days (95%: 3.9 days - 7.8 days), on 2026-12-10 14:00:00 UTC, at +340MiB/day from
// 1.4GiB; 82% of the growth is newPartitionProducer" (no newline).
std::string ProjectionLine(const Report& report);
// The projection's outcome as JSON names it: "reaches", "over", "not_growing", "plateau", "no_times", "too_few".
std::string_view ProjectionOutcomeName(Projection::Outcome outcome);

Report BuildReport(const TrendResult& trend, ReportOptions options);

// Every cell of a node's row: what each output prints for it. The table's
// rows are made once by BuildReport; a listed node's row is made as it is
// written (JSON can list every non-stable node of a large profile).
ReportRow MakeRow(const Report& report, const TrendNode& node);

// The series of listed nodes (the first `count` of `nodes`, a prefix of
// listed_sites or listed_functions), each summed once, in order. Functions'
// series are summed many at a time in bounded memory.
void ForEachListedSeries(const Report& report, std::span<const TrendNode* const> nodes,
                         const std::function<void(const TrendNode&, NodeSeries&&)>& consume);

// Per capture, the 95% half-width of a node's estimated object counts; none
// when its counts are exact.
// "an object stays ~1.61 s -> ~4.29 s (±0.87 s at most): rising, it keeps what
// it allocates (a leak)": a site's residence (analysis/residence.h) said for
// a reader; empty where Little's law cannot be applied.
std::string ResidencePhrase(const TrendNode& n, const std::optional<Residence>& residence);

std::optional<std::vector<double>> ObjectsErrors95(const TrendNode& node, const NodeSeries& series);

// The call-path tree of the growth (the HTML report's flame graph), built
// without recursion (stacks can be deep): sites whose |change| is at least
// `min_share` of all sites' |change|. frame: an aligned frame id (-1 for
// the root); parent: an index into the tree.
struct FlameNode {
  int64_t frame = -1;
  int parent = -1;
  double grew = 0, shrank = 0;
};
std::vector<FlameNode> BuildFlame(const TrendResult& trend, double min_share);

RowCells FormatCells(const TrendResult& trend, const TrendNode& node, RateUnit unit);

// A rate per day, per `unit` instead.
inline double PerUnit(double per_day, RateUnit unit) { return per_day * SecondsToDays(unit.seconds); }

// A value of the ranked sample type, with its unit; signed adds "+".
std::string FormatNodeValue(const TrendResult& trend, double value, bool with_sign);

// Drops a Go package path: "github.com/Shopify/sarama.(*T).f" -> "sarama.(*T).f".
std::string ShortenFunctionName(std::string_view name);
// Shortens to at most `width` characters, keeping the end (the most specific part).
std::string FitWidth(std::string_view s, size_t width);

// A row's short name in `width` characters: the name and what tells it
// apart are shortened each (the qualifier to at most half), so that neither
// is cut away.
std::string FitRowName(const ReportRow& row, size_t width);

// A node's full display name (its naming frame; with :line at lines granularity).
std::string NodeName(const AlignedProfiles& aligned, const TrendNode& node);

// The name a row prints: NodeName, and where two sites' names agree, the
// frame that tells this one apart: "f (from g)". `shorten` drops Go package
// paths from both. Not yet TerminalSafe.
std::string RowName(const Report& report, const TrendNode& node, bool shorten);

// For each group of `sites` (the listed ones: what any output prints) whose
// names agree, what tells each apart (Report::told_apart_by).
std::unordered_map<uint32_t, ToldApart> TellApartSitesOfOneName(const AlignedProfiles& aligned,
                                                                std::span<const TrendNode* const> sites);

// The line a frame of a site is shown with ("github.com/x/main.go:42").
std::string FrameLocation(const AlignedProfiles& aligned, const AlignedSite& site, size_t frame_position);

}  // namespace pprof_trend
