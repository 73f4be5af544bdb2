// `--format json`: the versioned, documented schema scripts rely on (README
// "JSON output"). A pure function of the Report; numbers are the exact
// values the trend stage computed, not rounded for display.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "analysis/residence.h"
#include "output/report.h"

namespace pprof_trend {

struct JsonOptions {
  size_t max_nodes_per_kind = SIZE_MAX;  // --nodecount
};

// Writes the document to `out` as it is built.
void RenderJson(const Report& report, const JsonOptions& options, std::ostream& out);
// The same document as a string.
std::string RenderJson(const Report& report, const JsonOptions& options);

class JsonWriter;
// A node's growth, rate, bytes-per-object evidence, class and residence, as
// keys of the object being written (shared with the HTML report's data);
// `series` is SeriesOf(t, n), `residence` ResidenceOf(t, n, series).
void WriteNodeStats(JsonWriter& w, const TrendResult& trend, const ReportRow& row, const NodeSeries& series,
                    const std::optional<Residence>& residence);
// What was ranked: sample_index, objects_index, unit, granularity, as keys of
// the object being written (the JSON output and the HTML data share them).
void WriteSeriesKind(JsonWriter& w, const AlignedProfiles& a);
// A rate as keys of the object being written: bytes_per_day (Theil-Sen) and
// bytes_per_second, both null without capture times.
void WriteRateFields(JsonWriter& w, std::optional<double> per_day);
// Which processes the captures came from: processes, restarts.
void WriteProcesses(JsonWriter& w, const TrendResult& t);
// The key "process_memory" and its object: the fields known (>= 0).
void WriteProcessMemory(JsonWriter& w, const ProcessMemory& m);
// The captures, in series order, as the value being written (an array).
void WriteCaptures(JsonWriter& w, const AlignedProfiles& a);
// --limit: the key "projection" and its object (report.projection is set).
void WriteProjectionJson(JsonWriter& w, const Report& report);

}  // namespace pprof_trend
