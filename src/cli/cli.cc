#include "cli/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "analysis/check.h"
#include "analysis/fleet_rows.h"
#include "analysis/pipeline.h"
#include "analysis/projection.h"
#include "analysis/series_builder.h"
#include "base/phase_timer.h"
#include "base/units.h"
#include "base/utf8.h"
#include "base/write_file.h"
#include "capture/clickhouse.h"
#include "capture/http.h"
#include "capture/watch.h"
#include "cli/output_guard.h"
#include "cli/pprof_args.h"
#include "input/gzip.h"
#include "input/load.h"
#include "output/inspect.h"
#include "output/profile_writer.h"
#include "output/render_check.h"
#include "output/render_fleet.h"
#include "output/render_fleet_html.h"
#include "output/render_html.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "output/report.h"
#include "output/streamed_sums.h"
#include "symbolize/symbolizer.h"

namespace pprof_trend {
namespace {

// Input limits as given on the command line.
// How inputs are read: limits, and for URLs the HTTP headers.
struct LimitFlags {
  std::string max_decompressed;
  Limits limits;
  std::vector<std::string> headers;   // --header "Name: value" (never printed)
  const HttpSession* http = nullptr;  // set by RunCli
  // How native profiles' addresses are symbolized (--symbols, --no-symbolize).
  std::string symbols;
  bool no_symbolize = false;
  SymbolizeOptions Symbolize() const { return SymbolizeOptions{!no_symbolize, symbols}; }
};

// What the trend command and check share: which profiles, how to align them.
struct AnalysisFlags {
  LimitFlags limit_flags;
  std::vector<std::string> profiles;
  std::string granularity = "functions";
  std::string sample_index;
  std::string focus, ignore;
  std::string times;  // comma-separated capture times, one per profile
  bool keep_order = false;
  bool same_program = false;
};

struct TrendFlags {
  AnalysisFlags analysis;
  std::string format = "text";
  std::string html;    // also write the HTML report here
  bool force = false;  // --html may replace an existing file that is no profile
  std::optional<size_t> node_count;
  std::string memory_limit;  // --limit SIZE
};

struct ExportFlags {
  AnalysisFlags analysis;
  std::string output;
  bool force = false;
};

struct CheckFlags {
  AnalysisFlags analysis;
  std::string format = "text";
  std::string max_growth, max_rate, max_node_growth, rules, baseline;
  std::string memory_limit, min_time_to_limit;  // --limit SIZE, --min-time-to-limit DURATION
  std::vector<std::string> forbid, allow;
};

int ExitFor(const Status& status, std::ostream& err) {
  PrintDiagnostic(err, Error(status.message()));
  return kExitInputError;
}

// How URL inputs are fetched: the --header flags, and the size limit the
// input limits end up with (after --max-decompressed).
FetchOptions MakeFetchOptions(const LimitFlags& flags, const Limits& limits) {
  FetchOptions fetch;
  fetch.headers = flags.headers;
  fetch.max_bytes = limits.max_decompressed_bytes;
  return fetch;
}

StatusOr<LoadOptions> MakeLoadOptions(const LimitFlags& flags) {
  LoadOptions options;
  options.limits = flags.limits;
  if (!flags.max_decompressed.empty()) {
    auto bytes = ParseSize(flags.max_decompressed);
    if (!bytes || *bytes < 1)
      return Status::UsageError(
          fmt::format("--max-decompressed: \"{}\" is not a size (examples: 8GiB, 500MB)", flags.max_decompressed));
    options.limits.max_decompressed_bytes = static_cast<uint64_t>(*bytes);
  }
  if (flags.http != nullptr) {
    const HttpSession* http = flags.http;
    options.fetch = [http, fetch = MakeFetchOptions(flags, options.limits)](const std::string& url) {
      return http->Fetch(url, fetch);
    };
  }
  return options;
}

void AddLimitOptions(CLI::App* app, LimitFlags& flags) {
  app->add_option("--header", flags.headers,
                  "\"Name: value\": an HTTP header for URL inputs (repeatable; never printed)")
      ->allow_extra_args(false);
  app->add_option("--max-decompressed", flags.max_decompressed, "SIZE: stop decompressing an input past this (4GiB)");
  app->add_option("--max-compression-ratio", flags.limits.max_compression_ratio,
                  "stop inflating past 64 MiB when the output outgrows the compressed input this many times")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--max-samples", flags.limits.max_samples, "reject a profile with more samples")
      ->capture_default_str();
  app->add_option("--max-locations", flags.limits.max_locations, "reject a profile with more locations")
      ->capture_default_str();
  app->add_option("--max-stack-depth", flags.limits.max_stack_depth, "reject a stack with more frames")
      ->capture_default_str();
  app->add_option("--max-string-length", flags.limits.max_string_length, "reject a longer name (bytes)")
      ->capture_default_str();
  app->add_option("--symbols", flags.symbols,
                  "PATH: the binary (or a directory of binaries) to symbolize native profiles with, when the "
                  "mapped files are not on this machine");
  app->add_flag("--no-symbolize", flags.no_symbolize, "leave native profiles' addresses unsymbolized (file+0xOFFSET)");
}

struct InspectFlags {
  std::vector<std::string> paths;
  LimitFlags limit_flags;
  size_t node_count = 10;
  double node_fraction = kDefaultNodeFraction;
};

int RunInspect(const InspectFlags& flags, std::ostream& out, std::ostream& err) {
  Diagnostics notes;
  auto expanded = ExpandDirectories(flags.paths, &notes);
  if (!expanded.ok()) return ExitFor(expanded.status(), err);
  PrintDiagnostics(err, notes);
  const std::vector<std::string>& paths = *expanded;
  const LimitFlags& limit_flags = flags.limit_flags;
  if (Status s = CheckStdinOnce(paths); !s.ok()) return ExitFor(s, err);
  auto options = MakeLoadOptions(limit_flags);
  if (!options.ok()) return ExitFor(options.status(), err);
  // The samples are checked as Summarize sums them (one parse of each
  // record, not two); a loader waiting for its turn checks a profile that
  // Summarize would sum on one thread.
  options->check_samples_in_fold = true;
  options->check_while_waiting_up_to = kSummedOnOneThreadUpTo;
  options->hash_content = false;
  // One file: its samples are summed while it inflates, on the core the
  // inflate leaves idle (output/streamed_sums.h). With several, the loaders
  // keep both cores busy.
  StreamedSums streamed;
  StreamedSums* const stream = paths.size() == 1 ? &streamed : nullptr;
  options->inflate_observer = stream;
  PhaseTimer timer;
  // Each profile is printed as soon as it is read: a bad file further on
  // still leaves what could be read on the output, then its error.
  Symbolizer symbolizer(limit_flags.Symbolize());
  Status status = LoadEach(paths, *options, [&](size_t i, Profile&& profile) {
    // However this ends, nothing reads the profile's bytes after it.
    struct LetGo {
      StreamedSums& streamed;
      ~LetGo() { streamed.Abandon(); }
    } let_go{streamed};
    Diagnostics symbol_notes;
    symbolizer.Symbolize(profile, &symbol_notes);
    PrintDiagnostics(err, symbol_notes);
    for (const std::string& warning : profile.warnings) PrintDiagnostic(err, Warning(profile.source + ": " + warning));
    ASSIGN_OR_RETURN(InspectSummary summary, Summarize(profile, flags.node_count, flags.node_fraction, stream));
    out << (i == 0 ? "" : "\n") << RenderInspect(summary);
    timer.Lap(summary.summed_while_inflating ? "inspect, the samples summed while the file inflated"
                                             : "inspect, the samples summed once decoded");
    return Status();
  });
  if (!status.ok()) return ExitFor(status, err);
  return kExitOk;
}

// The pipeline's options from the command line's flags.
StatusOr<PipelineOptions> MakePipelineOptions(const AnalysisFlags& flags, Diagnostics* notes) {
  PipelineOptions options;
  ASSIGN_OR_RETURN(options.profiles, ExpandDirectories(flags.profiles, notes));
  options.granularity = *ParseGranularity(flags.granularity);
  options.sample_index = flags.sample_index;
  options.focus = flags.focus;
  options.ignore = flags.ignore;
  options.keep_order = flags.keep_order;
  options.same_program = flags.same_program;
  if (!flags.times.empty()) {
    std::string_view list = flags.times;
    while (true) {
      size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      auto t = ParseTime(item);
      if (!t)
        return Status::UsageError(
            fmt::format("--times: \"{}\" is not a time (examples: 2022-02-11, 2022-02-11T10:00:00+08:00)", item));
      if (*t <= 0) return Status::UsageError(fmt::format("--times: \"{}\" is not after 1970", item));
      options.times.push_back(*t);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  ASSIGN_OR_RETURN(options.load, MakeLoadOptions(flags.limit_flags));
  options.symbolize = flags.limit_flags.Symbolize();
  return options;
}

// Runs the pipeline and prints its notes to `err`.
StatusOr<TrendResult> AnalyzeFlags(const AnalysisFlags& flags, std::ostream& err) {
  Diagnostics notes;
  ASSIGN_OR_RETURN(PipelineOptions options, MakePipelineOptions(flags, &notes));
  PrintDiagnostics(err, notes);
  ASSIGN_OR_RETURN(Analysis analysis, Analyze(options));
  PrintDiagnostics(err, analysis.notes);
  return std::move(analysis.trend);
}

// The end of a command that wrote `out`: flushes it, turns a failed write
// into an error, and hands the exit code to exit_now when there is one.
int Finish(int exit_code, std::ostream& out, std::ostream& err, ExitNow exit_now) {
  out.flush();
  if (!out) {
    PrintDiagnostic(err, Error("cannot write the output to standard output (is the disk full?)"));
    exit_code = kExitInputError;
  }
  err.flush();
  if (exit_now != nullptr) exit_now(exit_code);
  return exit_code;
}

int RunTrend(const TrendFlags& flags, const std::vector<std::string>& arguments, const std::string& command_line,
             std::ostream& out, std::ostream& err, ExitNow exit_now) {
  if (!flags.html.empty()) {
    Status s = CheckOutputTarget({OutputTarget::Kind::kHtmlReport, "--html", flags.html, "report.html"}, arguments,
                                 flags.force);
    if (!s.ok()) return ExitFor(s, err);
  }
  std::optional<SizeLimit> memory_limit;
  if (!flags.memory_limit.empty()) {
    auto limit = ParseSizeLimit(flags.memory_limit, "--limit");
    if (!limit.ok()) return ExitFor(limit.status(), err);
    memory_limit = *limit;
  }
  auto trend = AnalyzeFlags(flags.analysis, err);
  if (!trend.ok()) return ExitFor(trend.status(), err);
  ReportOptions report_options;
  report_options.command_line = command_line;
  if (memory_limit) {
    if (std::string why = NotProjectable(trend->aligned); !why.empty()) return ExitFor(Status::UsageError(why), err);
    report_options.memory_limit = memory_limit->bytes;
    report_options.memory_limit_text = memory_limit->text;
  }
  if (flags.node_count) report_options.node_count = report_options.listed_per_kind = *flags.node_count;
  PhaseTimer timer;
  Report report = BuildReport(*trend, report_options);
  if (!flags.html.empty()) {
    Status written =
        WriteFileAtomically(flags.html, [&](std::ostream& page) { RenderHtml(report, HtmlOptions{}, page); });
    if (!written.ok()) return ExitFor(written, err);
    PrintDiagnostic(err, Info("wrote " + flags.html));
  }
  if (flags.format == "json") {
    JsonOptions json;
    if (flags.node_count) json.max_nodes_per_kind = *flags.node_count;
    RenderJson(report, json, out);
  } else {
    out << RenderText(report);
  }
  timer.Lap("report");
  return Finish(kExitOk, out, err, exit_now);
}

StatusOr<Budgets> CollectBudgets(const CheckFlags& flags, bool required = true) {
  Budgets budgets;
  if (!flags.rules.empty()) {
    constexpr uint64_t kMaxRulesBytes = 1 << 20;  // a rules file is a few lines
    ASSIGN_OR_RETURN(InputBytes rules, ReadInput(flags.rules, kMaxRulesBytes));
    RETURN_IF_ERROR(ParseRules(rules.data, flags.rules, &budgets));
  }
  // Flags override the rules file's limits; lists add up.
  if (!flags.max_growth.empty()) {
    ASSIGN_OR_RETURN(budgets.max_growth, ParseSizeLimit(flags.max_growth, "--max-growth"));
  }
  if (!flags.max_rate.empty()) {
    ASSIGN_OR_RETURN(budgets.max_rate, ParseRateLimit(flags.max_rate, "--max-rate"));
  }
  if (!flags.max_node_growth.empty()) {
    ASSIGN_OR_RETURN(budgets.max_node_growth, ParseSizeLimit(flags.max_node_growth, "--max-node-growth"));
  }
  if (!flags.memory_limit.empty()) {
    ASSIGN_OR_RETURN(budgets.limit, ParseSizeLimit(flags.memory_limit, "--limit"));
  }
  if (!flags.min_time_to_limit.empty()) {
    ASSIGN_OR_RETURN(budgets.min_time_to_limit, ParseDurationLimit(flags.min_time_to_limit, "--min-time-to-limit"));
  }
  if (budgets.min_time_to_limit && !budgets.limit)
    return Status::UsageError("--min-time-to-limit needs --limit SIZE (the memory limit)");
  budgets.forbid.insert(budgets.forbid.end(), flags.forbid.begin(), flags.forbid.end());
  budgets.allow.insert(budgets.allow.end(), flags.allow.begin(), flags.allow.end());
  if (budgets.empty() && required)
    return Status::UsageError(
        "check needs at least one budget: --max-growth, --max-rate, --max-node-growth, --forbid, "
        "--min-time-to-limit (with --limit) or --rules");
  return budgets;
}

int RunCheckCommand(CheckFlags flags, std::ostream& out, std::ostream& err, ExitNow exit_now) {
  auto budgets = CollectBudgets(flags);
  if (!budgets.ok()) return ExitFor(budgets.status(), err);
  if (!flags.baseline.empty()) {
    // The baseline comes first, whatever the capture times say.
    flags.analysis.profiles.insert(flags.analysis.profiles.begin(), flags.baseline);
    flags.analysis.keep_order = true;
  }
  auto trend = AnalyzeFlags(flags.analysis, err);
  if (!trend.ok()) return ExitFor(trend.status(), err);
  auto result = RunCheck(*trend, *budgets);
  if (!result.ok()) return ExitFor(result.status(), err);
  CheckFormat format = flags.format == "json"     ? CheckFormat::kJson
                       : flags.format == "junit"  ? CheckFormat::kJunit
                       : flags.format == "github" ? CheckFormat::kGithub
                                                  : CheckFormat::kText;
  ReportOptions report_options;
  if (budgets->limit && NotProjectable(trend->aligned).empty()) {
    report_options.memory_limit = budgets->limit->bytes;
    report_options.memory_limit_text = budgets->limit->text;
  }
  out << RenderCheck(*result, BuildReport(*trend, report_options), format);
  return Finish(result->passed ? kExitOk : kExitCheckFailed, out, err, exit_now);
}

int RunExport(const ExportFlags& flags, const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err,
              ExitNow exit_now) {
  Status s = CheckOutputTarget({OutputTarget::Kind::kGrowthProfile, "export -o", flags.output, "growth.pb.gz"},
                               arguments, flags.force);
  if (!s.ok()) return ExitFor(s, err);
  auto trend = AnalyzeFlags(flags.analysis, err);
  if (!trend.ok()) return ExitFor(trend.status(), err);
  if (Status written = WriteFileAtomically(flags.output, Gzip(SerializeGrowthProfile(*trend))); !written.ok())
    return ExitFor(written, err);
  const auto& captures = trend->aligned.captures;
  PrintDiagnostic(err, Info(fmt::format("wrote {}: the growth {} -> {}; open it with go tool pprof -http=: {}",
                                        flags.output, captures.front().path, captures.back().path, flags.output)));
  return Finish(kExitOk, out, err, exit_now);
}

void AddAnalysisOptions(CLI::App* app, AnalysisFlags& flags);

struct PushFlags {
  AnalysisFlags analysis;
  std::string clickhouse, service, instance, version, cluster;
  bool init = false;
};

// `push`: each capture folded here, its rows stored in ClickHouse
// (capture/clickhouse.h; src/capture/FLEET.md).
int RunPush(const PushFlags& flags, std::ostream& out, std::ostream& err, ExitNow exit_now) {
  if (!IsUrl(flags.clickhouse))
    return ExitFor(Status::UsageError("push needs --clickhouse URL (the server's HTTP interface: "
                                      "http://127.0.0.1:8123)"),
                   err);
  if (flags.service.empty() || flags.instance.empty())
    return ExitFor(Status::UsageError("push needs --service NAME and --instance NAME"), err);
  if (flags.analysis.profiles.empty() && !flags.init)
    return ExitFor(Status::UsageError("push needs one or more profiles (files, directories or URLs)"), err);
  Diagnostics notes;
  auto pipeline = MakePipelineOptions(flags.analysis, &notes);
  if (!pipeline.ok()) return ExitFor(pipeline.status(), err);
  PrintDiagnostics(err, notes);
  auto align = MakeAlignOptions(*pipeline);
  if (!align.ok()) return ExitFor(align.status(), err);
  align->count_samples = true;  // each row's samples
  const ClickHouse server(PushTarget{flags.clickhouse, flags.service, flags.instance, flags.version},
                          *flags.analysis.limit_flags.http,
                          MakeFetchOptions(flags.analysis.limit_flags, pipeline->load.limits));
  if (flags.init)
    if (Status s = server.Init(flags.cluster); !s.ok()) return ExitFor(s, err);
  if (flags.analysis.profiles.empty()) return Finish(kExitOk, out, err, exit_now);  // --init alone
  std::vector<size_t> captures_per_path;
  size_t captures = 0;
  for (const std::string& path : pipeline->profiles) {
    captures_per_path.push_back(CapturesIn(path, pipeline->load));
    captures += captures_per_path.back();
  }
  if (!pipeline->times.empty() && pipeline->times.size() != captures)
    return ExitFor(Status::UsageError(fmt::format("--times has {} for {} captures", pipeline->times.size(), captures)),
                   err);
  size_t pushed = 0, held = 0;
  // Lines for the captures since the last batch was stored, said in capture
  // order once the batch is (empty: a capture queued, its line made then).
  std::vector<std::string> waiting;
  auto flush = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<ClickHouse::Stored> stored, server.Flush());
    size_t next = 0;
    for (std::string& line : waiting) {
      if (line.empty() && next < stored.size()) {  // Flush gives each queued capture, in order
        const ClickHouse::Stored& s = stored[next++];
        ++pushed;
        line = fmt::format("pushed {}: {} rows, {} sites\n", TerminalSafe(s.path), s.rows, s.new_sites);
      }
      out << line;
    }
    waiting.clear();
    return Status();
  };
  Status status = LoadEach(
      pipeline->profiles, pipeline->load,
      [&](size_t i, Profile&& profile) -> Status {
        // A series of one capture: the same fold as a trend's. A fleet's
        // series are in time: a capture without one is refused.
        std::optional<int64_t> time;
        if (!pipeline->times.empty()) time = pipeline->times[i];
        if (!time && profile.time_nanos == 0)
          return Status::InputError(
              fmt::format("{}: no capture time (legacy text and heap tables carry none): push "
                          "protobuf captures, or give --times T1,T2,...",
                          profile.source));
        SeriesBuilder series(*align, pipeline->symbolize, 1);
        RETURN_IF_ERROR(series.Add(0, std::move(profile), time));
        PrintDiagnostics(err, series.TakeNotes());
        const AlignedProfiles aligned = std::move(series).Finish(true);
        const FleetCapture rows = FleetRowsOfLast(aligned, &server.sites_sent());
        ASSIGN_OR_RETURN(bool queued, server.Queue(aligned.captures.front(), rows));
        if (queued) {
          waiting.emplace_back();  // said once stored
        } else {
          ++held;
          waiting.push_back(fmt::format("{}: already stored for {}/{} (the same capture)\n",
                                        TerminalSafe(aligned.captures.front().path), TerminalSafe(flags.service),
                                        TerminalSafe(flags.instance)));
        }
        return server.queued_bytes() >= ClickHouse::kBatchBytes ? flush() : Status();
      },
      captures_per_path);
  // The batch is stored after an error too (a file that is not a profile
  // stops the push, but the captures before it are stored, as they were one
  // by one); the first error is the one said.
  const Status flushed = flush();
  if (!status.ok()) return ExitFor(status, err);
  if (!flushed.ok()) return ExitFor(flushed, err);
  PrintDiagnostic(
      err, Info(fmt::format("push: {} capture{} stored, {} already there", pushed, pushed == 1 ? "" : "s", held)));
  return Finish(kExitOk, out, err, exit_now);
}

struct FleetFlags {
  LimitFlags limit_flags;
  std::string clickhouse, service, since, format = "text", by, html;
  bool force = false;
  size_t node_count = 10, candidates = 200, max_growing_instances = 0;
};

// A word as a POSIX shell reads it: quoted unless it is plainly safe.
std::string ShellQuote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=@%+,", c) != nullptr;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `fleet`: the prefilter in ClickHouse, the reduce here (analysis/fleet).
int RunFleet(const FleetFlags& flags, const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err,
             ExitNow exit_now) {
  if (!IsUrl(flags.clickhouse))
    return ExitFor(Status::UsageError("fleet needs --clickhouse URL (the server's HTTP interface)"), err);
  if (flags.service.empty()) return ExitFor(Status::UsageError("fleet needs --service NAME"), err);
  double since = 0;
  if (!flags.since.empty()) {
    auto d = ParseDuration(flags.since);
    if (!d)
      return ExitFor(Status::UsageError(fmt::format("--since: \"{}\" is not a duration (7d, 12h)", flags.since)), err);
    since = *d;
  }
  if (!flags.html.empty()) {
    Status s = CheckOutputTarget({OutputTarget::Kind::kHtmlReport, "--html", flags.html, "fleet.html"}, arguments,
                                 flags.force);
    if (!s.ok()) return ExitFor(s, err);
  }
  auto load = MakeLoadOptions(flags.limit_flags);
  if (!load.ok()) return ExitFor(load.status(), err);
  const ClickHouse server(PushTarget{flags.clickhouse, flags.service, "", ""}, *flags.limit_flags.http,
                          MakeFetchOptions(flags.limit_flags, load->limits));
  auto inputs = server.FleetInputs(since, flags.candidates);
  if (!inputs.ok()) return ExitFor(inputs.status(), err);
  FleetReport report;
  report.service = flags.service;
  report.candidates = inputs->size();
  std::set<std::string> instances;
  for (const FleetSiteInput& site : *inputs)
    for (const FleetInstanceSeries& in : site.instances) instances.insert(in.instance);
  report.instances = instances.size();
  FleetRanking ranking = RankFleet(*inputs);
  report.sites = std::move(ranking.sites);
  report.by_instance = std::move(ranking.instances);
  report.by_version = std::move(ranking.versions);
  report.by = flags.by;
  // The worst instance of each of the first sites: its trend, reproduced
  // locally from the paths its captures were pushed from.
  for (size_t i = 0; i < std::min<size_t>(3, report.sites.size()); ++i) {
    if (report.sites[i].growing.empty()) continue;
    const std::string& instance = report.sites[i].growing.front().instance;
    if (report.reproduce.count(instance) > 0) continue;
    auto paths = server.CapturePaths(instance, since);
    if (!paths.ok()) return ExitFor(paths.status(), err);
    std::string command = "pprof-trend";
    for (const std::string& p : *paths) command += " " + ShellQuote(p);
    report.reproduce[instance] = command;
  }
  report.max_growing_instances = flags.max_growing_instances;
  if (!flags.html.empty()) {
    if (Status written = WriteFileAtomically(flags.html, RenderFleetHtml(report)); !written.ok())
      return ExitFor(written, err);
    PrintDiagnostic(err, Info("wrote " + flags.html));
  }
  out << (flags.format == "json" ? RenderFleetJson(report) : RenderFleetText(report, flags.node_count));
  return Finish(FleetOffenders(report).empty() ? kExitOk : kExitCheckFailed, out, err, exit_now);
}

CLI::App* AddFleetCommand(CLI::App& app, FleetFlags& flags) {
  CLI::App* fleet = app.add_subcommand(
      "fleet", "rank the sites that grow across a fleet's instances, from ClickHouse (src/capture/FLEET.md)");
  fleet->add_option("--clickhouse", flags.clickhouse, "URL of the server's HTTP interface (http://127.0.0.1:8123)");
  fleet->add_option("--service", flags.service, "NAME of the service");
  fleet->add_option("--since", flags.since, "DURATION back from the service's newest capture (default: all)");
  fleet->add_option("--format", flags.format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  fleet->add_option("--nodecount", flags.node_count, "show at most N sites (text)")->capture_default_str();
  fleet->add_option("--candidates", flags.candidates, "N: the sites the server's prefilter lets through")
      ->capture_default_str();
  fleet->add_option("--max-growing-instances", flags.max_growing_instances,
                    "N: exit 1 when a site grows in more than N instances (a budget, as check's)");
  fleet->add_option("--by", flags.by, "add a table of the growth by version or by instance")
      ->check(CLI::IsMember({"version", "instance"}));
  fleet->add_option("--html", flags.html, "FILE: also write a self-contained HTML report there");
  fleet->add_flag("--force", flags.force, "let --html replace an existing file that is no earlier report");
  AddLimitOptions(fleet, flags.limit_flags);
  return fleet;
}

CLI::App* AddPushCommand(CLI::App& app, PushFlags& flags) {
  CLI::App* push = app.add_subcommand(
      "push", "fold captures here and store their rows in ClickHouse, for a fleet's trend (src/capture/FLEET.md)");
  push->add_option("profiles", flags.analysis.profiles, "captures: files, directories or URLs");
  push->add_option("--clickhouse", flags.clickhouse, "URL of the server's HTTP interface (http://127.0.0.1:8123)");
  push->add_option("--service", flags.service, "NAME of the service the captures are of");
  push->add_option("--instance", flags.instance, "NAME of the instance (a pod, a host)");
  push->add_option("--version", flags.version, "V: the service's version (default: the main binary's build id)");
  push->add_flag("--init", flags.init, "create the tables where they are missing");
  push->add_option("--cluster", flags.cluster,
                   "NAME: with --init, the tables as NAME_local and a Distributed table over the cluster's shards "
                   "(run on every shard)");
  AddAnalysisOptions(push, flags.analysis);
  return push;
}

void AddAnalysisOptions(CLI::App* app, AnalysisFlags& flags) {
  app->add_option("--granularity", flags.granularity, "what a frame is: functions (name and file), lines, files")
      ->check(CLI::IsMember({"functions", "lines", "files"}))
      ->capture_default_str();
  app->add_option("--sample-index", flags.sample_index,
                  "sample type to rank: inuse_space (default), alloc_space, inuse_objects, alloc_objects, or any "
                  "type in the inputs");
  app->add_option("--focus", flags.focus, "keep only samples with a frame whose function or file matches REGEX");
  app->add_option("--ignore", flags.ignore, "drop samples with a frame whose function or file matches REGEX");
  app->add_flag("--keep-order", flags.keep_order, "keep the argument order even when capture times disagree");
  app->add_flag("--same-program", flags.same_program,
                "the captures are one program's, even where neighbours share almost no memory (a trend of "
                "captures that look like two programs is refused without it)");
  AddLimitOptions(app, flags.limit_flags);
  app->add_option("--times", flags.times,
                  "T1,T2,...: capture times of the profiles, in argument order, for inputs that lack them "
                  "(2022-02-11, 2022-02-11T10:00:00+08:00)");
}

struct WatchFlags {
  CheckFlags check;  // analysis options and budgets, as check's
  std::string every = "10m", for_duration, dir = "captures", html, format = "text";
  size_t keep = 0;
  bool gc = false, fail_fast = false;
  int pid = 0;
  bool memstats = false, goroutines = false, on_high_water = false;
  std::string high_water_margin = "10%", poll;
  size_t keep_highest = 3;
  std::string clickhouse, service, instance, version;  // --clickhouse: push each capture
};

int RunWatchCommand(WatchFlags flags, const std::vector<std::string>& arguments, std::ostream& out, std::ostream& err) {
  if (!flags.html.empty()) {
    Status s = CheckOutputTarget({OutputTarget::Kind::kHtmlReport, "--html", flags.html, "report.html"}, arguments,
                                 /*force=*/false);
    if (!s.ok()) return ExitFor(s, err);
  }
  auto budgets = CollectBudgets(flags.check, /*required=*/false);
  if (!budgets.ok()) return ExitFor(budgets.status(), err);
  WatchOptions options;
  options.urls = flags.check.analysis.profiles;
  if (options.urls.empty())
    return ExitFor(Status::UsageError("watch needs a URL: pprof-trend watch http://127.0.0.1:6060/debug/pprof/heap"),
                   err);
  for (const auto& url : options.urls)
    if (!IsUrl(url))
      return ExitFor(Status::UsageError(fmt::format("watch: {} is not a URL (http://... or https://...)", url)), err);
  auto every = ParseDuration(flags.every);
  // A floor: a capture takes longer than this, and a schedule of
  // nanoseconds would spin (and overflow its slot count).
  constexpr double kMinEverySeconds = 0.1;
  if (every && *every > 0 && *every < kMinEverySeconds)
    return ExitFor(
        Status::UsageError(fmt::format("--every {}: under the floor of 100ms between captures", flags.every)), err);
  if (!every || *every <= 0)
    return ExitFor(Status::UsageError(fmt::format("--every: \"{}\" is not a duration (30s, 10m, 1h)", flags.every)),
                   err);
  options.every_seconds = *every;
  if (!flags.for_duration.empty()) {
    auto for_seconds = ParseDuration(flags.for_duration);
    if (!for_seconds || *for_seconds <= 0)
      return ExitFor(
          Status::UsageError(fmt::format("--for: \"{}\" is not a duration (30s, 15m, 2h)", flags.for_duration)), err);
    options.for_seconds = *for_seconds;
  }
  if (flags.pid < 0) return ExitFor(Status::UsageError(fmt::format("--pid {}: not a process id", flags.pid)), err);
  options.pid = flags.pid;
  options.memstats = flags.memstats;
  options.goroutines = flags.goroutines;
  options.on_high_water = flags.on_high_water;
  {
    std::string_view margin = flags.high_water_margin;
    const bool percent = margin.ends_with('%');
    if (percent) margin.remove_suffix(1);
    double value = 0;
    auto [end, ec] = std::from_chars(margin.data(), margin.data() + margin.size(), value);
    if (ec != std::errc() || end != margin.data() + margin.size() || !(value > 0) || value > (percent ? 1000 : 10))
      return ExitFor(Status::UsageError(fmt::format("--high-water-margin: \"{}\" is not a margin (10%, 0.25)",
                                                    flags.high_water_margin)),
                     err);
    options.high_water_margin = percent ? value / 100 : value;
  }
  if (!flags.poll.empty()) {
    auto poll = ParseDuration(flags.poll);
    if (!poll || *poll < kMinEverySeconds)
      return ExitFor(Status::UsageError(fmt::format("--poll: \"{}\" is not a duration of 100ms or more", flags.poll)),
                     err);
    options.poll_seconds = *poll;
  }
  if (flags.keep_highest == 0)
    return ExitFor(Status::UsageError("--keep-highest 0: keep at least one capture (or leave out --on-high-water)"),
                   err);
  options.keep_highest = flags.keep_highest;
  options.dir = flags.dir;
  options.keep = flags.keep;
  options.gc = flags.gc;
  options.fail_fast = flags.fail_fast;
  options.jsonl = flags.format == "jsonl";
  options.html = flags.html;
  options.budgets = *budgets;
  if (!flags.clickhouse.empty()) {
    if (!IsUrl(flags.clickhouse))
      return ExitFor(Status::UsageError(fmt::format("--clickhouse {}: not a URL (the server's HTTP interface: "
                                                    "http://127.0.0.1:8123)",
                                                    RedactUrl(flags.clickhouse))),
                     err);
    if (flags.service.empty()) return ExitFor(Status::UsageError("watch --clickhouse needs --service NAME"), err);
    if (!flags.instance.empty() && options.urls.size() > 1)
      return ExitFor(Status::UsageError("watch --instance names one instance: give it with one URL (each of several "
                                        "URLs is named after its host, port and path)"),
                     err);
    options.clickhouse = PushTarget{flags.clickhouse, flags.service, flags.instance, flags.version};
  } else if (!flags.service.empty() || !flags.instance.empty() || !flags.version.empty()) {
    return ExitFor(Status::UsageError("--service, --instance and --version name what watch pushes: give --clickhouse "
                                      "URL with them"),
                   err);
  }
  flags.check.analysis.profiles.clear();
  Diagnostics ignored_notes;  // no profiles to expand in a watch
  auto pipeline = MakePipelineOptions(flags.check.analysis, &ignored_notes);
  if (!pipeline.ok()) return ExitFor(pipeline.status(), err);
  options.pipeline = std::move(*pipeline);
  options.fetch = MakeFetchOptions(flags.check.analysis.limit_flags, options.pipeline.load.limits);
  // SIGINT and SIGTERM end the watch between captures, with the final
  // report: blocked here and waited for by the loop (no handler, no global).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop, &previous);
  // The run's HTTP client (RunCli sets it up whenever an argument is a URL,
  // and watch needs one).
  const int code = RunWatch(options, *flags.check.analysis.limit_flags.http, stop, out, err);
  // A stop signal sent twice (to the process and to its group, as timeout
  // does) must not kill the process once unblocked: drain what is pending.
  const timespec now{0, 0};
  while (sigtimedwait(&stop, nullptr, &now) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return code;
}

void AddBudgetOptions(CLI::App* app, CheckFlags& flags) {
  app->add_option("--max-growth", flags.max_growth, "SIZE: total growth first -> last of the sites counted");
  app->add_option("--max-rate", flags.max_rate, "SIZE/DURATION: growth rate of that total, e.g. 10MiB/day");
  app->add_option("--max-node-growth", flags.max_node_growth, "SIZE: growth of any single site");
  app->add_option("--forbid", flags.forbid, "REGEX: fail if a growing site has a matching frame (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--allow", flags.allow, "REGEX: leave sites with a matching frame out of every budget (repeatable)")
      ->allow_extra_args(false);
  app->add_option("--rules", flags.rules, "FILE: budgets, one `key value` per line, # comments");
  app->add_option("--limit", flags.memory_limit,
                  "SIZE: the memory limit (a container's, say) the in-use total is projected to");
  app->add_option(
      "--min-time-to-limit", flags.min_time_to_limit,
      "DURATION: fail if the in-use total may reach --limit sooner (the 95% interval's lower end), e.g. 7d");
}

// The subcommands' options, each into its flags.
CLI::App* AddInspectCommand(CLI::App& app, InspectFlags& inspect_flags) {
  CLI::App* inspect = app.add_subcommand("inspect", "show what each profile holds, as go tool pprof -top would");
  inspect->add_option("profiles", inspect_flags.paths, "profiles to inspect")->required();
  inspect->add_option("--nodecount", inspect_flags.node_count, "show at most N functions")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  inspect
      ->add_option("--nodefraction", inspect_flags.node_fraction,
                   "leave out functions under this share of the total, as pprof (0: show all)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  AddLimitOptions(inspect, inspect_flags.limit_flags);
  return inspect;
}

CLI::App* AddCheckCommand(CLI::App& app, CheckFlags& check_flags) {
  CLI::App* check = app.add_subcommand(
      "check",
      "fail (exit 1) when growth passes a budget; for CI jobs.\n"
      "SIZE: 64MiB, 500KB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024); DURATION: s, min, h, day, week");
  check->add_option("profiles", check_flags.analysis.profiles, "heap profiles, two or more (one with --baseline)");
  AddBudgetOptions(check, check_flags);
  check->add_option("--baseline", check_flags.baseline, "FILE: a baseline capture, compared with the profiles");
  check->add_option("--format", check_flags.format, "output format")
      ->check(CLI::IsMember({"text", "json", "junit", "github"}))
      ->capture_default_str();
  AddAnalysisOptions(check, check_flags.analysis);
  return check;
}

CLI::App* AddWatchCommand(CLI::App& app, WatchFlags& watch_flags) {
  CLI::App* watch = app.add_subcommand(
      "watch",
      "capture live services' heaps on a schedule into --dir and report what grows after each capture;\n"
      "with --for, end with check's exit codes (0 pass, 1 a budget exceeded, 2 error)");
  watch->add_option("urls", watch_flags.check.analysis.profiles, "URLs of /debug/pprof/heap, one per instance");
  watch->add_option("--every", watch_flags.every, "DURATION between captures (30s, 10m, 1h)")->capture_default_str();
  watch->add_option("--for", watch_flags.for_duration, "DURATION: end after this long (default: until SIGINT/SIGTERM)");
  watch->add_option("--dir", watch_flags.dir, "DIR: where captures are saved (and earlier ones resumed)")
      ->capture_default_str();
  watch->add_option("--keep", watch_flags.keep, "N: keep the last N captures (and the first); 0 keeps all");
  watch->add_flag("--gc", watch_flags.gc, "ask for a garbage collection before each capture (?gc=1)");
  watch->add_option("--html", watch_flags.html, "FILE: a report of the first URL, rewritten after each capture");
  watch->add_option("--format", watch_flags.format, "updates as text lines, or one JSON event per line")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  watch->add_flag("--fail-fast", watch_flags.fail_fast, "exit 1 as soon as a budget is exceeded");
  watch->add_option("--pid", watch_flags.pid,
                    "PID of the (local) process: its RSS and memory cgroup at each capture; the cgroup's limit "
                    "becomes --limit");
  watch->add_flag("--memstats", watch_flags.memstats,
                  "fetch ?debug=1 beside each capture: Go's runtime.MemStats against the sampled heap");
  watch->add_flag("--goroutines", watch_flags.goroutines,
                  "capture /debug/pprof/goroutine beside each heap capture (into DIR/goroutines/): goroutine leaks");
  watch->add_flag("--on-high-water", watch_flags.on_high_water,
                  "also capture (into DIR/highest/) when the in-use total, or RSS with --pid, passes its high");
  watch->add_option("--high-water-margin", watch_flags.high_water_margin, "by how much a new high must pass the last")
      ->capture_default_str();
  watch->add_option("--keep-highest", watch_flags.keep_highest, "K: the high-water captures kept, the highest")
      ->capture_default_str();
  watch->add_option("--poll", watch_flags.poll,
                    "DURATION between high-water looks (default 1s with --pid, else --every/10, at least 5s)");
  watch->add_option("--clickhouse", watch_flags.clickhouse,
                    "URL: push each capture into ClickHouse as it is taken, as push does (tables made by push --init)");
  watch->add_option("--service", watch_flags.service, "NAME of the service, with --clickhouse");
  watch->add_option("--instance", watch_flags.instance,
                    "NAME of the instance, with --clickhouse (default: the URL's host, port and path)");
  watch->add_option("--version", watch_flags.version,
                    "V: the service's version, with --clickhouse (default: the main binary's build id)");
  AddBudgetOptions(watch, watch_flags.check);
  AddAnalysisOptions(watch, watch_flags.check.analysis);
  return watch;
}

CLI::App* AddExportCommand(CLI::App& app, ExportFlags& export_flags) {
  CLI::App* export_command =
      app.add_subcommand("export", "write the growth first -> last as a gzipped pprof profile (like -diff_base)");
  export_command->add_option("profiles", export_flags.analysis.profiles, "heap profiles, two or more");
  export_command->add_option("--output,-o", export_flags.output, "FILE: the profile to write (.pb.gz)")->required();
  export_command->add_flag("--force", export_flags.force,
                           "let -o replace an existing file that is no profile and no earlier export");
  AddAnalysisOptions(export_command, export_flags.analysis);
  return export_command;
}

// What the pprof-style argument translation needs to know of each command:
// its options, and which take a value.
std::vector<CommandOptions> OptionsOf(const std::vector<const CLI::App*>& commands, const CLI::App* top) {
  std::vector<CommandOptions> out;
  for (const CLI::App* command : commands) {
    CommandOptions c;
    c.name = command == top ? "" : command->get_name();
    for (const CLI::Option* opt : command->get_options()) {
      const bool takes_value = opt->get_expected_min() > 0;
      for (const auto& name : opt->get_lnames()) (takes_value ? c.valued : c.flags).push_back(name);
      for (const auto& name : opt->get_snames())
        if (takes_value) c.short_valued.push_back(name);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, ExitNow exit_now) {
  CLI::App app{
      "pprof-trend: finds memory leaks in a series of heap profiles.\n\n"
      "  pprof-trend [options] PROFILE PROFILE...   rank the allocation sites whose memory grows\n"
      "  pprof-trend inspect PROFILE...             what one profile holds (totals, top functions)\n"
      "  pprof-trend check [budgets] PROFILE...     exit 1 when growth passes a budget (CI)\n"
      "  pprof-trend export -o growth.pb.gz PROFILE...  the growth as a pprof profile\n"
      "  pprof-trend watch URL... --every 10m --dir captures/   capture a live service and report as it grows\n"
      "  pprof-trend push --clickhouse URL --service S --instance I PROFILE...   a fleet's captures into ClickHouse\n"
      "  pprof-trend fleet --clickhouse URL --service S   the sites that grow across the fleet's instances\n\n"
      "Profiles (told apart by content, gzipped or not; \"-\" reads standard input, http:// URLs are fetched):\n"
      "  pprof protobuf (Go, Node.js, native), legacy Go heap text (?debug=1), gperftools heap\n"
      "  profiles, jemalloc prof.dump, pprof's Java heapz, .NET `dumpheap -stat` tables, `dotnet-gcdump\n"
      "  report` tables, Java class histograms (jmap -histo, jcmd GC.class_histogram).\n"
      "Exit codes: 0 success, 1 check failed, 2 usage, input or output error.",
      "pprof-trend"};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(0, 1);

  TrendFlags flags;
  app.add_option("profiles", flags.analysis.profiles, "heap profiles, two or more (ordered by capture time)");
  app.add_option("--format", flags.format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--html", flags.html, "FILE: also write a self-contained HTML report there");
  app.add_flag("--force", flags.force, "let --html replace an existing file that is no profile and no earlier report");
  app.add_option("--limit", flags.memory_limit,
                 "SIZE: the memory limit (a container's, say): when the in-use total reaches it at its trend, with a "
                 "95% interval, and which sites carry the growth");
  app.add_option("--nodecount", flags.node_count, "show at most N sites (text default 10; JSON: all)")
      ->check(CLI::PositiveNumber);
  AddAnalysisOptions(&app, flags.analysis);
  InspectFlags inspect_flags;
  CLI::App* inspect = AddInspectCommand(app, inspect_flags);
  CheckFlags check_flags;
  CLI::App* check = AddCheckCommand(app, check_flags);
  WatchFlags watch_flags;
  CLI::App* watch = AddWatchCommand(app, watch_flags);
  ExportFlags export_flags;
  CLI::App* export_command = AddExportCommand(app, export_flags);
  PushFlags push_flags;
  CLI::App* push = AddPushCommand(app, push_flags);
  FleetFlags fleet_flags;
  CLI::App* fleet = AddFleetCommand(app, fleet_flags);

  // A bare `pprof-trend` is asked what it does: the usage, on standard error
  // and with exit 2 as pprof does (a script that names no profile fails).
  // `pprof-trend help [COMMAND]` is --help (unless a file is called "help").
  if (argc <= 1) {
    err << app.help();
    return kExitInputError;
  }
  if (std::string_view(argv[1]) == "help" && !std::filesystem::exists("help")) {
    const CLI::App* about = &app;
    for (const CLI::App* command : {inspect, check, export_command, watch, push, fleet})
      if (argc > 2 && command->get_name() == argv[2]) about = command;
    out << (about == &app ? app.help() : about->help("pprof-trend"));
    return kExitOk;
  }
  // pprof's habits first (cli/pprof_args.h): a single-dash word must never
  // reach the parser, which would read `-hide` as -h and print the help.
  const std::vector<CommandOptions> commands =
      OptionsOf({&app, inspect, check, export_command, watch, push, fleet}, &app);
  auto translated = TranslatePprofArgs(std::vector<std::string>(argv + std::min(argc, 1), argv + argc), commands);
  if (!translated.ok()) return ExitFor(translated.status(), err);
  try {
    std::vector<std::string> reversed(translated->rbegin(), translated->rend());  // CLI11 takes them reversed
    app.parse(std::move(reversed));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "pprof-trend " << kVersion << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    PrintDiagnostic(err, Error(e.what()));
    err << "Run with --help for usage.\n";
    return kExitInputError;
  }
  // URL inputs are fetched through one HTTP client set up for this run.
  const bool any_url =
      std::any_of(translated->begin(), translated->end(), [](const std::string& a) { return IsUrl(a); });
  std::optional<HttpSession> http;
  if (any_url) http.emplace();
  for (LimitFlags* limits :
       {&flags.analysis.limit_flags, &check_flags.analysis.limit_flags, &export_flags.analysis.limit_flags,
        &inspect_flags.limit_flags, &watch_flags.check.analysis.limit_flags, &push_flags.analysis.limit_flags,
        &fleet_flags.limit_flags})
    limits->http = http ? &*http : nullptr;
  if (inspect->parsed()) return Finish(RunInspect(inspect_flags, out, err), out, err, exit_now);
  if (check->parsed()) return RunCheckCommand(std::move(check_flags), out, err, exit_now);
  if (watch->parsed())
    return Finish(RunWatchCommand(std::move(watch_flags), *translated, out, err), out, err, exit_now);
  if (export_command->parsed()) return RunExport(export_flags, *translated, out, err, exit_now);
  if (push->parsed()) return RunPush(push_flags, out, err, exit_now);
  if (fleet->parsed()) return RunFleet(fleet_flags, *translated, out, err, exit_now);
  return RunTrend(flags, *translated, RedactCommandLine(argc, argv), out, err, exit_now);
}

}  // namespace pprof_trend
