#include "output/render_json.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#include "analysis/discoveries.h"
#include "analysis/node_statistics.h"
#include "base/json_writer.h"
#include "base/two_stage.h"
#include "base/units.h"

namespace pprof_trend {

void WriteRateFields(JsonWriter& w, std::optional<double> per_day) {
  w.Key("bytes_per_day");
  w.OptionalDouble(per_day);
  w.Key("bytes_per_second");
  w.OptionalDouble(per_day ? std::optional<double>(*per_day / kSecondsPerDay) : std::nullopt);
}

void WriteNodeStats(JsonWriter& w, const TrendResult& trend, const ReportRow& row, const NodeSeries& series,
                    const std::optional<Residence>& residence) {
  if (row.stack_bytes_at_least >= 0) {
    // A goroutine stack: what its goroutines wait on (Go's words; null:
    // running or unknown) and the stack memory they hold at least at the
    // last capture.
    w.Key("goroutine_wait");
    row.wait_reason.empty() ? w.Null() : w.String(row.wait_reason);
    w.Key("stack_bytes_at_least");
    w.Double(row.stack_bytes_at_least);
  }
  const TrendNode& n = *row.node;
  // Profiles with no objects type (in-use bytes only): object counts are
  // unknown, null, never 0.
  const bool objects_known = !trend.aligned.objects_type_name.empty();
  w.Key("delta_bytes");
  w.Double(n.stats.delta);
  w.Key("delta_objects");
  objects_known ? w.Double(n.delta_objects) : w.Null();
  // The growth within each process (= delta_bytes without a restart); null
  // when every capture is a process of its own (no growth within any).
  w.Key("delta_within_processes");
  trend.EachCaptureOwnProcess() ? w.Null() : w.Double(n.stats.within);
  w.Key("delta_bytes_error95");  // half-width of the 95% interval of an estimated change; null when exact
  w.OptionalDouble(n.delta_error95);
  w.Key("delta_objects_error95");
  w.OptionalDouble(n.delta_objects_error95);
  w.Key("objects_error95");  // per capture: the 95% half-width of the estimated objects; null when exact
  if (const auto errors = ObjectsErrors95(n, series)) {
    w.DoubleArray(*errors);
  } else {
    w.Null();
  }
  WriteRateFields(w, n.stats.per_day);
  w.Key("bytes_per_object");
  w.OptionalDouble(n.size.bytes_per_object);
  w.Key("bytes_per_object_exact");
  w.Bool(n.size.exact);
  w.Key("bytes_per_object_regression");
  w.OptionalDouble(n.size.regression);
  w.Key("object_sizes");
  w.IntArray(n.size.label_sizes);
  w.Key("growth_by_size");  // sites: [{size, delta_objects, delta_bytes}], largest |delta_bytes| first
  w.BeginArray();
  for (const SizeGrowth& g : row.by_size) {
    w.BeginObject();
    w.Key("size");
    w.Int(g.size);
    w.Key("delta_objects");
    objects_known ? w.Double(g.delta_objects) : w.Null();
    w.Key("delta_bytes");
    w.Double(g.delta_bytes);
    w.EndObject();
  }
  w.EndArray();
  w.Key("objects_estimated");
  w.Bool(n.size.objects_estimated);
  w.Key("class");
  w.String(TrendClassName(n.stats.trend_class));
  w.Key("kendall_tau");
  w.Double(n.stats.kendall_tau);
  w.Key("steps_up");
  w.Int(n.stats.steps_up);
  w.Key("steps_down");
  w.Int(n.stats.steps_down);
  w.Key("score");
  w.Double(n.stats.score);
  // The growth against the sampling noise: its one-sided p-value, and
  // whether it counts (beyond the noise, among the kept discoveries).
  w.Key("growth_p_value");
  w.Double(n.stats.growth_p);
  w.Key("growth_beyond_noise");
  w.Bool(n.stats.beyond_noise);
  w.Key("step_capture");  // class "step": the capture (0-based) the step arrived in; else null
  n.stats.step_capture ? w.Int(static_cast<int64_t>(*n.stats.step_capture)) : w.Null();
  // A move (class "moved", or the site it moved from): the rank of the site
  // on the other side; else null.
  w.Key("moved_with_rank");
  row.moved_with_rank > 0 ? w.Int(row.moved_with_rank) : w.Null();
  // One leak shown as two sites (a JIT inlined this site's function into its
  // caller): the rank of the site that took over its growth, or of the one
  // whose growth it took over; else null.
  w.Key("continued_by_rank");
  row.continued_by_rank > 0 ? w.Int(row.continued_by_rank) : w.Null();
  w.Key("continues_rank");
  row.continues_rank > 0 ? w.Int(row.continues_rank) : w.Null();
  // Little's law (src/analysis/README.md "How long what is allocated stays"): per capture,
  // the mean seconds an object of the site stays, over the interval ending
  // there, and its 95% half-width; null where it cannot be applied (the
  // whole field null for functions and without alloc_* counters or times).
  auto write_per_capture = [&](const char* key, const std::vector<std::optional<double>>* values) {
    w.Key(key);
    if (!values) return w.Null();
    w.BeginArray();
    for (const auto& v : *values) w.OptionalDouble(v);
    w.EndArray();
  };
  write_per_capture("residence_seconds", residence ? &residence->seconds : nullptr);
  write_per_capture("residence_error95", residence ? &residence->error95 : nullptr);
  w.Key("residence_trend");  // "rising" (a leak's signature), "level" (growth follows allocations), "falling"
  residence && residence->trend ? w.String(ResidenceTrendName(*residence->trend)) : w.Null();
}

void WriteSeriesKind(JsonWriter& w, const AlignedProfiles& a) {
  w.Key("sample_index");
  w.String(a.value_type_name);
  w.Key("objects_index");
  a.objects_type_name.empty() ? w.Null() : w.String(a.objects_type_name);
  w.Key("unit");
  w.String(a.value_unit);
  w.Key("granularity");
  w.String(GranularityName(a.granularity));
  w.Key("cumulative");  // alloc_*: growth is the allocation rate since start, not memory held
  w.Bool(a.cumulative);
  w.Key("goroutines");  // a series of Go goroutine profiles: sites are stacks, values exact goroutine counts
  w.Bool(a.goroutines);
}

void WriteProcesses(JsonWriter& w, const TrendResult& t) {
  w.Key("processes");  // "one", "restarted" (see restarts) or "unknown" (no alloc_* types)
  w.String(t.processes == TrendResult::Processes::kOne         ? "one"
           : t.processes == TrendResult::Processes::kRestarted ? "restarted"
                                                               : "unknown");
  w.Key("restarts");  // captures (0-based, series order) that start a new process
  std::vector<int64_t> restarts;
  for (const TrendResult::Restart& r : t.restarts) restarts.push_back(static_cast<int64_t>(r.capture));
  w.IntArray(restarts);
  // Why each one is a new process: "counters_fell" (alloc_* fell), "rebuilt"
  // (the build id changed), "new_process" (every mapping moved), "other_program"
  // (different programs compared as one with --same-program).
  w.Key("restart_causes");
  w.BeginArray();
  for (const TrendResult::Restart& r : t.restarts) {
    using Cause = TrendResult::RestartCause;
    w.String(r.cause == Cause::kCountersFell ? "counters_fell"
             : r.cause == Cause::kRebuilt    ? "rebuilt"
             : r.cause == Cause::kNewProcess ? "new_process"
                                             : "other_program");
  }
  w.EndArray();
  w.Key("each_capture_own_process");  // then compared as independent samples; delta_within_processes is null
  w.Bool(t.EachCaptureOwnProcess());
  // Per capture: the larger of its and the previous capture's share of
  // in-use |bytes| at sites the other holds too (null: the first capture, or
  // either holds nothing). Neighbours of one program share most.
  w.Key("shared_with_previous");
  w.BeginArray();
  for (size_t i = 0; i < t.neighbours.size(); ++i)
    i > 0 && t.neighbours[i].measured ? w.Double(t.neighbours[i].shared) : w.Null();
  w.EndArray();
  w.Key("different_programs");  // neighbours that look like two programs (given with --same-program)
  w.BeginArray();
  for (size_t i : t.DifferentPrograms()) {
    w.BeginObject();
    w.Key("before");
    w.Int(static_cast<int64_t>(i - 1));
    w.Key("after");
    w.Int(static_cast<int64_t>(i));
    w.Key("shared");
    t.neighbours[i].measured ? w.Double(t.neighbours[i].shared) : w.Null();
    w.Key("other_runtime");
    w.Bool(t.neighbours[i].other_runtime);
    w.EndObject();
  }
  w.EndArray();
}

// A capture's Go MemStats (bytes): the key "process_memory", each field present where known.
void WriteProcessMemory(JsonWriter& w, const ProcessMemory& m) {
  w.Key("process_memory");
  w.BeginObject();
  const std::pair<const char*, int64_t> fields[] = {{"sys", m.sys},
                                                    {"heap_alloc", m.heap_alloc},
                                                    {"heap_sys", m.heap_sys},
                                                    {"heap_inuse", m.heap_inuse},
                                                    {"heap_idle", m.heap_idle},
                                                    {"heap_released", m.heap_released},
                                                    {"stack_inuse", m.stack_inuse},
                                                    {"stack_sys", m.stack_sys},
                                                    {"next_gc", m.next_gc},
                                                    {"num_gc", m.num_gc},
                                                    {"rss", m.rss},
                                                    {"cgroup_current", m.cgroup_current},
                                                    {"cgroup_max", m.cgroup_max}};
  for (const auto& [key, value] : fields) {
    if (value < 0) continue;
    w.Key(key);
    w.Int(value);
  }
  w.EndObject();
}

void WriteCaptures(JsonWriter& w, const AlignedProfiles& a) {
  w.BeginArray();
  for (size_t i = 0; i < a.captures.size(); ++i) {
    const Capture& c = a.captures[i];
    w.BeginObject();
    w.Key("path");
    w.String(c.path);
    w.Key("argument_index");
    w.Int(static_cast<int64_t>(a.argument_index[i]));
    w.Key("time");
    c.time_nanos != 0 ? w.String(FormatTimeRfc3339(c.time_nanos)) : w.Null();
    w.Key("time_nanos");
    w.Int(c.time_nanos);
    w.Key("total_bytes");
    w.Int(c.total_value);
    w.Key("total_objects");
    w.Int(c.total_objects);
    w.Key("period");
    w.Int(c.period);
    w.Key("partial");  // heap tables pasted with rows left out: coverage is the share of objects the rows hold
    w.Bool(c.coverage < 1);
    w.Key("coverage");
    w.Double(c.coverage);
    w.Key("stated_bytes");  // heap tables: the heap's bytes as the file states them (footer, GC Heap bytes); null: none
    c.stated_bytes >= 0 ? w.Int(c.stated_bytes) : w.Null();
    w.Key("free_bytes");  // .NET heap tables: SOS's "Free" row, left out of total_bytes
    c.free_bytes >= 0 ? w.Int(c.free_bytes) : w.Null();
    if (c.process_memory.any()) WriteProcessMemory(w, c.process_memory);
    w.EndObject();
  }
  w.EndArray();
}

namespace {

void WriteNode(JsonWriter& w, const Report& report, const TrendNode& n, const NodeSeries& series) {
  const AlignedProfiles& a = report.trend->aligned;
  const bool site = n.kind == TrendNode::Kind::kSite;
  w.BeginObject();
  w.Key("rank");
  w.Int(n.rank);
  w.Key("kind");
  w.String(site ? "site" : "function");
  w.Key("function");
  w.String(NodeName(a, n));
  if (auto it = report.told_apart_by.find(n.site_index); site && it != report.told_apart_by.end()) {
    // Another site has the same name: the name the rows print, "f (from g)",
    // and the frame that tells this one apart (its first caller that
    // differs, or with told_apart_below, its first frame below the name).
    w.Key("name");
    w.String(RowName(report, n, false));
    if (it->second.frame != UINT32_MAX) {
      w.Key("told_apart_by");
      w.String(a.frames[it->second.frame].function);
      w.Key("told_apart_below");
      w.Bool(it->second.below);
    }
  }
  w.Key("stack");
  w.BeginArray();
  const IdSpan stack = NodeStack(a, n);
  for (size_t i = 0; i < stack.size(); ++i) {
    const AlignedFrame& f = a.frames[stack[i]];
    w.BeginObject();
    w.Key("function");
    w.String(f.function);
    w.Key("file");
    w.String(f.file);
    w.Key("line");
    w.Int(site ? SiteFrameLine(a, a.sites[n.site_index], i) : f.line);
    w.EndObject();
  }
  w.EndArray();
  w.Key("bytes");
  w.DoubleArray(series.values);
  w.Key("objects");  // null when the profiles have no objects type
  a.objects_type_name.empty() ? w.Null() : w.DoubleArray(series.objects);
  // Captures (0-based) whose 0 above means "not listed in a partial capture":
  // unknown, not zero, and left out of the node's statistics.
  w.Key("unknown_captures");
  std::vector<int64_t> unknown;
  if (n.unknown > 0)
    for (size_t k = 0; k < series.values.size(); ++k)
      if (UnknownPoint(a, k, series.values[k])) unknown.push_back(static_cast<int64_t>(k));
  w.IntArray(unknown);
  if (!site) {
    w.Key("cum_bytes");
    w.DoubleArray(series.cum_values);
    w.Key("cum_objects");
    a.objects_type_name.empty() ? w.Null() : w.DoubleArray(series.cum_objects);
  }
  WriteNodeStats(w, *report.trend, MakeRow(report, n), series, ResidenceOf(*report.trend, n, series));
  w.EndObject();
}

// The sites' nodes, first in an empty array: rendered a block at a time, on
// two threads (RunTwoStage: each node's series and statistics are most of a
// large report's time), and appended in order, so the text is the one
// writing them in turn gives. A node's text grows with the captures (about
// 550 bytes each), so a block holds about kBlockPoints of them, a few
// hundred KB, and at most kTwoStageSlots blocks are held at once (blocks of
// 256 sites of 72 captures held 25 MB more, and took longer for it).
void WriteSiteNodes(JsonWriter& w, const Report& report, std::span<const TrendNode* const> sites) {
  constexpr size_t kBlockPoints = 512;
  const size_t captures = std::max<size_t>(1, report.trend->aligned.captures.size());
  const size_t per_block = std::clamp<size_t>(kBlockPoints / captures, 1, 256);
  // Made before any block: `w` changes as blocks are appended.
  const JsonWriter first = w.Fragment(false), after = w.Fragment(true);
  std::array<JsonWriter, kTwoStageSlots> slots;
  auto render = [&](size_t block, JsonWriter& out) {
    out = block == 0 ? first : after;
    const size_t begin = block * per_block, end = std::min(sites.size(), begin + per_block);
    for (size_t i = begin; i < end; ++i) WriteNode(out, report, *sites[i], SeriesOf(*report.trend, *sites[i]));
  };
  RunTwoStage<JsonWriter>((sites.size() + per_block - 1) / per_block, slots, render,
                          [&](const JsonWriter& in) { w.AppendFragment(in); });
}

void WriteDocument(JsonWriter& w, const Report& report, const JsonOptions& options) {
  const TrendResult& t = *report.trend;
  const AlignedProfiles& a = t.aligned;
  w.BeginObject();
  w.Key("schema");
  w.String("pprof-trend");
  w.Key("version");
  w.Int(kJsonSchemaVersion);
  w.Key("tool_version");
  w.String(kVersion);
  WriteSeriesKind(w, a);
  WriteProcesses(w, t);
  w.Key("rates_guessed");  // some capture times are files' modification times: every rate is a guess
  w.Bool(t.rates_guessed);
  // Many sites, many tests: growth counts only among the discoveries
  // Benjamini-Hochberg keeps at this false-discovery rate (README).
  w.Key("false_discovery_control");
  w.BeginObject();
  w.Key("method");
  w.String("benjamini-hochberg");
  w.Key("rate");
  w.Double(kFalseDiscoveryRate);
  for (const auto& [name, d] :
       {std::pair{"sites", &t.site_discoveries}, std::pair{"functions", &t.function_discoveries}}) {
    w.Key(name);
    w.BeginObject();
    w.Key("tested");
    w.Int(static_cast<int64_t>(d->tested));
    w.Key("beyond_two_sd");
    w.Int(static_cast<int64_t>(d->candidates));
    w.Key("withdrawn");
    w.Int(static_cast<int64_t>(d->withdrawn));
    w.EndObject();
  }
  w.EndObject();
  w.Key("ordered_by");
  w.String(a.ordered_by_time ? "time" : "arguments");
  w.Key("span_seconds");
  t.span_seconds > 0 ? w.Double(t.span_seconds) : w.Null();
  w.Key("profiles");
  WriteCaptures(w, a);
  w.Key("total");
  w.BeginObject();
  w.Key("delta_bytes");
  w.Double(t.total.delta);
  w.Key("delta_objects");
  a.objects_type_name.empty() ? w.Null() : w.Double(t.total_delta_objects);
  WriteRateFields(w, t.total.per_day);
  w.Key("class");
  w.String(TrendClassName(t.total.trend_class));
  w.EndObject();
  if (report.projection) WriteProjectionJson(w, report);
  if (report.memory) {  // Go captures with MemStats: the process's memory against the sampled heap
    const MemoryAccount& m = *report.memory;
    w.Key("process_memory_growth");
    w.BeginObject();
    w.Key("first_capture");
    w.Int(static_cast<int64_t>(m.first));
    w.Key("last_capture");
    w.Int(static_cast<int64_t>(m.last));
    w.Key("held_bytes");  // Sys - HeapReleased, its change; the five parts below add up to it
    w.Double(m.held);
    w.Key("sampled_heap_bytes");
    w.Double(m.sampled);
    w.Key("heap_beyond_sampled_bytes");
    w.Double(m.heap_beyond_sampled);
    w.Key("idle_not_released_bytes");
    w.Double(m.idle_not_released);
    w.Key("stacks_bytes");
    w.Double(m.stacks);
    w.Key("runtime_metadata_bytes");
    w.Double(m.metadata);
    if (m.outside_go) {
      w.Key("rss_bytes");  // RSS's change (watch --pid), and its part outside Go's runtime (cgo, mmap)
      w.Double(*m.rss_last - *m.rss_first);
      w.Key("outside_go_bytes");
      w.Double(*m.outside_go);
    }
    w.Key("text");
    w.String(MemoryLine(report));
    w.EndObject();
  }
  w.Key("nodes");
  w.BeginArray();
  // The report's lists, in rank order: the text table's rows come first.
  auto prefix = [&](const std::vector<const TrendNode*>& listed) {
    return std::span<const TrendNode* const>(listed.data(), std::min(listed.size(), options.max_nodes_per_kind));
  };
  const auto sites = prefix(report.listed_sites), functions = prefix(report.listed_functions);
  WriteSiteNodes(w, report, sites);
  ForEachListedSeries(report, functions,
                      [&](const TrendNode& n, NodeSeries&& series) { WriteNode(w, report, n, series); });
  w.EndArray();
  const size_t omitted = t.sites.size() + t.functions.size() - sites.size() - functions.size();
  w.Key("omitted_nodes");
  w.Int(static_cast<int64_t>(omitted));
  w.EndObject();
}

}  // namespace

// --limit: when the in-use total reaches the limit (analysis/projection.h).
void WriteProjectionJson(JsonWriter& w, const Report& report) {
  const Projection& p = *report.projection;
  const auto& captures = report.trend->aligned.captures;
  w.Key("projection");
  w.BeginObject();
  w.Key("limit_bytes");
  w.Double(p.limit);
  w.Key("outcome");
  w.String(ProjectionOutcomeName(p.outcome));
  w.Key("text");
  w.String(ProjectionLine(report));
  w.Key("basis");  // the captures the rate is fitted to: the last process's
  w.BeginObject();
  w.Key("first_capture");
  w.Int(static_cast<int64_t>(p.first_capture));
  w.Key("captures");
  w.Int(static_cast<int64_t>(p.captures));
  w.Key("times_guessed");
  w.Bool(p.times_guessed);
  w.Key("measure");  // "in_use" (the heap profile's total), "cgroup" (memory.current) or "rss"
  w.String(p.measure == Projection::Measure::kCgroup ? "cgroup"
           : p.measure == Projection::Measure::kRss  ? "rss"
                                                     : "in_use");
  w.EndObject();
  const bool fitted = p.outcome != Projection::Outcome::kNoTimes && p.outcome != Projection::Outcome::kTooFew;
  w.Key("level_bytes");
  fitted ? w.Double(p.level) : w.Null();
  w.Key("rate_bytes_per_second");
  fitted ? w.Double(p.rate) : w.Null();
  w.Key("rate_bytes_per_second_95");
  if (fitted && std::isfinite(p.rate_low) && std::isfinite(p.rate_high)) {
    w.BeginArray();
    w.Double(p.rate_low);
    w.Double(p.rate_high);
    w.EndArray();
  } else {
    w.Null();
  }
  const bool reaches = p.outcome == Projection::Outcome::kReaches;
  w.Key("seconds_to_limit");
  reaches ? w.Double(p.seconds) : w.Null();
  w.Key("seconds_to_limit_95");  // [low, high]; high null: not bounded
  if (reaches) {
    w.BeginArray();
    w.Double(p.seconds_low);
    w.OptionalDouble(p.seconds_high);
    w.EndArray();
  } else {
    w.Null();
  }
  w.Key("reaches_limit_at");
  reaches&& captures.back().time_nanos != 0 ? w.String(FormatTimeRfc3339(p.reaches_at_nanos)) : w.Null();
  w.Key("top_contributors");
  w.BeginArray();
  for (const Projection::Contributor& c : p.contributors) {
    w.BeginObject();
    w.Key("name");
    w.String(MakeRow(report, *c.site).name);
    w.Key("rank");
    w.Int(c.site->rank);
    w.Key("share");
    w.Double(c.share);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void RenderJson(const Report& report, const JsonOptions& options, std::ostream& out) {
  JsonWriter w(2, &out);
  WriteDocument(w, report, options);
  w.Flush();
}

std::string RenderJson(const Report& report, const JsonOptions& options) {
  JsonWriter w;
  WriteDocument(w, report, options);
  return w.str();
}

}  // namespace pprof_trend
