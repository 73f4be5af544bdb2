// The Report: what every renderer shows, decided once.
//
// Selection (which nodes make the table, which count as shrinking), names
// (full and shortened) and the "+17 objects of 8MiB" phrasing are made here,
// so text, JSON and HTML agree and renderers only format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trend.h"
#include "base/units.h"

namespace pprof_trend {

inline constexpr std::string_view kVersion = "0.1.0";
// The JSON schema version (README "JSON output"); bump on any breaking change.
inline constexpr int kJsonSchemaVersion = 1;

struct ReportOptions {
  size_t node_count = 10;  // rows of the ranked table
  size_t path_count = 3;   // rows whose full call path is shown
  size_t shrinking_count = 5;
  std::string command_line;
};

struct ReportRow {
  const TrendNode* node = nullptr;
  std::string name;        // full function name of the naming frame (TerminalSafe)
  std::string short_name;  // Go package path dropped: "sarama.(*asyncProducer).newPartitionProducer"
  // The growth in objects of one size, when that is what it is:
  // "+17 objects of 8MiB" (exact) or "~+96.2k objects of 256B" (estimated count).
  std::string objects_phrase;
};

struct Report {
  const TrendResult* trend = nullptr;
  ReportOptions options;
  RateUnit rate_unit;  // from the span: rates per s, min, h or day
  std::vector<ReportRow> growing;    // the ranked table: nodes that grew, by score
  std::vector<ReportRow> shrinking;  // shrinking or gone, largest loss first
  size_t growing_total = 0;          // before node_count cut the table
  // Sites with a rising trend (a positive score) that are not in the table
  // (their class is not one of growth: stable within the sampling noise,
  // gone, fell back), counted by class so that nothing is silent.
  std::vector<std::pair<TrendClass, size_t>> rising_not_shown;
  bool any_estimate = false;         // some shown count is scaled from samples
};

Report BuildReport(const TrendResult& trend, ReportOptions options);

// Whether a node counts as having grown (the table's rows): growing,
// plateaued, new, or fluctuating with a net gain.
bool Grew(const TrendNode& node);

// The table cells every renderer prints for a node, "~" marking estimates:
// growth "+136MiB", rate per `unit` "+34MiB" or "-", bytes/object "8MiB"
// (or "~312B" from the fit), objects "+17".
struct RowCells {
  std::string growth, rate, bytes_per_object, objects;
};
RowCells FormatCells(const TrendResult& trend, const TrendNode& node, RateUnit unit);

// A rate per day, per `unit` instead.
inline double PerUnit(double per_day, RateUnit unit) { return per_day * unit.seconds / 86400.0; }

// A value of the ranked sample type, with its unit; signed adds "+".
std::string FormatNodeValue(const TrendResult& trend, double value, bool with_sign);

// Drops a Go package path: "github.com/Shopify/sarama.(*T).f" -> "sarama.(*T).f".
std::string ShortenFunctionName(std::string_view name);
// Shortens to at most `width` characters, keeping the end (the most specific part).
std::string FitWidth(std::string_view s, size_t width);

// A node's full display name (its naming frame; with :line at lines granularity).
std::string NodeName(const AlignedProfiles& aligned, const TrendNode& node);

// The line a frame of a site is shown with ("github.com/x/main.go:42").
std::string FrameLocation(const AlignedProfiles& aligned, const AlignedSite& site, size_t frame_position);

}  // namespace pprof_trend
