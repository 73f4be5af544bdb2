#include "capture/watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <sstream>

#include "analysis/fleet_rows.h"
#include "analysis/projection.h"
#include "analysis/related.h"
#include "analysis/series_builder.h"
#include "base/diagnostic.h"
#include "base/exit_codes.h"
#include "base/units.h"
#include "base/url.h"
#include "base/utf8.h"
#include "base/write_file.h"
#include "capture/process_probe.h"
#include "input/load.h"
#include "model/profile_kind.h"
#include "output/render_check.h"
#include "output/render_html.h"
#include "output/render_text.h"
#include "output/report.h"
#include "output/watch_events.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Deadline = std::chrono::time_point<Clock, std::chrono::duration<double>>;

// "2026-11-24T08-15-03.123Z": a UTC time that sorts as it reads and has no
// ':' (which some file systems refuse).
std::string FileTime(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}-{:02}-{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string ClockTime() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The instance's captures in the directory, oldest first (names sort by
// time), whatever their format's suffix.
std::vector<std::string> ListCaptures(const std::string& dir, const std::string& instance) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const bool suffix = std::any_of(std::begin(kCaptureSuffixes), std::end(kCaptureSuffixes),
                                    [&](std::string_view s) { return name.ends_with(s); });
    if (name.starts_with(instance + "-") && suffix && entry.is_regular_file(ec)) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string WithQuery(const std::string& url, std::string_view query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

// The profile `name` ("goroutine") beside a heap profile's URL: its path's
// last part "heap" replaced; empty when the path does not end in /heap.
std::string SiblingUrl(const std::string& url, std::string_view name) {
  const size_t end = std::min(url.find_first_of("?#"), url.size());
  const std::string_view path(url.data(), end);
  if (!path.ends_with("/heap")) return "";
  return url.substr(0, end - 4) + std::string(name) + url.substr(end);
}

// "NAME-TIME-high-123456B.pb.gz": the figure a high-water capture passed.
std::optional<double> HighWaterFigure(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  const size_t at = name.rfind("-high-");
  if (at == std::string::npos) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(name.data() + at + 6, name.data() + name.size(), v);
  if (ec != std::errc() || end == name.data() + name.size() || *end != 'B') return std::nullopt;
  return v;
}

struct Instance {
  std::string url;    // as given: what is fetched
  std::string shown;  // as it may be printed or saved: without credentials (RedactUrl)
  std::string name;   // the capture files' prefix
  int captures_taken = 0, failures = 0;
  std::string last_failure;   // what went wrong with the last capture that failed
  bool said_add_gc = false;   // "add --gc", said once
  std::string goroutine_url;  // --goroutines: the goroutine profile beside the heap's
  // --goroutines: the instance's goroutine series (captures in DIR/goroutines/).
  std::unique_ptr<SeriesBuilder> goroutines;
  ProcessMemory last_memory;  // what --memstats and --pid said at the last capture
  double high = 0;            // --on-high-water: the highest in-use total (RSS with --pid) seen
  int high_water_captures = 0;
  // --clickhouse: where its captures are pushed; how many were, and failed.
  std::unique_ptr<ClickHouse> store;
  int pushed = 0, push_failures = 0;
  std::string last_push_failure;
  // The instance's series: each capture is folded once, when it is taken
  // (or read back from the directory on resume), and never decoded again;
  // through the same fold path as files given to the trend (symbolized).
  std::unique_ptr<SeriesBuilder> series;
};

// The update's first `count` growing rows: "f +10MiB (+17 objects of 8MiB)";
// for goroutine stacks, what they wait on.
std::string GrowingPhrase(const Report& report, size_t count) {
  std::string out;
  for (size_t i = 0; i < std::min(count, report.growing.size()); ++i) {
    const ReportRow& row = report.growing[i];
    const std::string& phrase = report.trend->aligned.goroutines ? row.wait_reason : row.objects_phrase;
    out += fmt::format("{}{} {}{}", i == 0 ? "" : "; ", FitWidth(row.short_name, 60), row.cells.growth,
                       phrase.empty() ? "" : " (" + phrase + ")");
  }
  return out;
}

// What one analysis of an instance gave, for the update and the final report.
struct Outcome {
  bool analysed = false;
  bool budgets_failed = false;
  std::string update;  // one line
};

}  // namespace

std::string InstanceName(const std::string& url) {
  // Never the credentials (user info, token-like query values): a password
  // would become a file name.
  const std::string shown = RedactUrl(url);
  std::string_view rest = shown;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  const size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view host = rest.substr(0, path_at);
  if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  // The whole URL but Go's default path: two endpoints of one host:port are
  // two series (a resumed watch must not fold one into the other), and the
  // default keeps the names earlier runs gave.
  std::string_view path = rest.substr(path_at);
  path = path.substr(0, path.find('#'));
  if (path == "/debug/pprof/heap" || path == "/") path = {};
  auto clean = [](std::string_view s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
    return out;
  };
  std::string name = clean(host);
  if (!path.empty()) name += clean(path).substr(0, 100);
  return name.empty() ? "instance" : name;
}

namespace {

// One run of `watch`: its instances and their series, the steps of a tick,
// and the final report.
class Watch {
 public:
  Watch(const WatchOptions& options, const HttpSession& http, const sigset_t& stop_signals, std::ostream& out,
        std::ostream& err)
      : options_(options), http_(http), stop_signals_(stop_signals), out_(out), err_(err), start_(Clock::now()) {
    // A fetch in flight is abandoned when a stop signal is pending or --for
    // has run out: the watch ends within a second or two whatever the
    // server does (a fetch that never answers stalled it for minutes).
    fetch_ = options_.fetch;
    fetch_.cancelled = [this] { return StopPending() || OverTime(); };
    budgets_ = options_.budgets;
  }

  // The capture directory, the instances, and the captures an earlier run
  // left (they start the series). False (said) when the watch cannot start.
  bool Start();
  // Takes one capture of each instance. False when the watch must end (a
  // full disk, or a budget exceeded under --fail-fast).
  bool CaptureAll();
  // Waits until `next`, or a stop signal (true: stopped).
  bool WaitUntil(Deadline next, const sigset_t& stop_signals);
  // The final report of every instance, and the exit code.
  int Finish();
  // --on-high-water: looks at each instance's in-use total (RSS with
  // --pid) and captures it into DIR/highest/ when it passes its high.
  void HighWater();
  // How often HighWater looks.
  double PollSeconds() const {
    if (options_.poll_seconds > 0) return options_.poll_seconds;
    return options_.pid > 0 ? 1.0 : std::max(5.0, options_.every_seconds / 10);
  }

 private:
  Outcome Analyse(const Instance& in, bool final_report);
  // Fetches, checks and folds one capture of `in`; "" or what went wrong.
  std::string Take(Instance& in, const std::string& file, std::chrono::system_clock::time_point fetched_at,
                   const StatusOr<std::string>& body);
  void DropOldCaptures(Instance& in);
  // --clickhouse: pushes the capture the series folded last; a failure is
  // said (stderr, the events) and the watch goes on.
  void PushLast(Instance& in);
  // --memstats and --pid: the process's memory now, into `memory`; "" or
  // what went wrong.
  std::string ProcessMemoryNow(const Instance& in, ProcessMemory& memory);
  // --goroutines: fetches, folds and saves the goroutine profile; "" or
  // what went wrong.
  std::string TakeGoroutines(Instance& in, std::chrono::system_clock::time_point fetched_at);
  // Analyses the instance's goroutine series: the update's words, and the
  // final report's section (text).
  void AnalyseGoroutines(const Instance& in, const TrendResult* heap, bool final_report, Outcome& outcome);
  std::string Subdir(const char* name) const { return (fs::path(options_.dir) / name).string(); }
  // A fetched body decoded under the run's input limits, named `name` in errors.
  StatusOr<Profile> Decode(const std::string& body, const std::string& name) const {
    LoadOptions check;
    check.limits = options_.pipeline.load.limits;
    return DecodeInput(InputBytes{body, 0}, name, check);
  }

  bool StopPending() const {
    sigset_t pending;
    if (sigpending(&pending) != 0) return false;
    for (int sig : {SIGINT, SIGTERM})
      if (sigismember(&stop_signals_, sig) == 1 && sigismember(&pending, sig) == 1) return true;
    return false;
  }
  bool OverTime() const {
    return options_.for_seconds > 0 &&
           std::chrono::duration<double>(Clock::now() - start_).count() > options_.for_seconds + 1;
  }

  const WatchOptions& options_;
  const HttpSession& http_;
  const sigset_t& stop_signals_;
  std::ostream& out_;
  std::ostream& err_;
  const Clock::time_point start_;
  FetchOptions fetch_;
  Budgets budgets_;  // the options', and --pid's cgroup limit as --limit when none was given
  std::vector<Instance> instances_;
  bool budget_failed_ = false, disk_error_ = false;  // budget_failed_: during the run (--fail-fast)
  bool final_write_failed_ = false;                  // the final --html report could not be written: exit 2
};

bool Watch::Start() {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec || !fs::is_directory(options_.dir)) {
    PrintDiagnostic(err_, Error(fmt::format("watch: cannot use {} as the capture directory ({})", options_.dir,
                                            ec ? ec.message() : "not a directory")));
    return false;
  }
  auto align = MakeAlignOptions(options_.pipeline);
  if (!align.ok()) {
    PrintDiagnostic(err_, Error(align.status().message()));
    return false;
  }
  align->count_samples = options_.clickhouse.has_value();  // the rows pushed count their samples
  for (const std::string& url : options_.urls) {
    Instance in;
    in.url = url;
    in.shown = RedactUrl(url);
    in.name = InstanceName(url);
    for (const Instance& other : instances_)
      if (other.name == in.name) in.name += "_" + std::to_string(instances_.size() + 1);
    in.series = std::make_unique<SeriesBuilder>(*align, options_.pipeline.symbolize);
    if (options_.goroutines) {
      in.goroutine_url = SiblingUrl(url, "goroutine");
      if (in.goroutine_url.empty()) {
        PrintDiagnostic(err_, Error(fmt::format("watch --goroutines: {} does not end in /heap, so the goroutine "
                                                "profile beside it is unknown (give .../debug/pprof/heap)",
                                                in.shown)));
        return false;
      }
      AlignOptions goroutine_align = *align;
      goroutine_align.value_type.clear();  // --sample-index names a heap type
      in.goroutines = std::make_unique<SeriesBuilder>(goroutine_align, options_.pipeline.symbolize);
    }
    if (options_.clickhouse) {
      PushTarget target = *options_.clickhouse;
      if (target.instance.empty()) target.instance = in.name;
      in.store = std::make_unique<ClickHouse>(std::move(target), http_, fetch_);
      if (Status ready = in.store->CheckTables(); !ready.ok()) {
        PrintDiagnostic(err_, Error("watch --clickhouse: " + ready.message()));
        return false;
      }
    }
    instances_.push_back(std::move(in));
  }
  for (const char* sub : {"goroutines", "highest"}) {
    if ((sub[0] == 'g' && !options_.goroutines) || (sub[0] == 'h' && !options_.on_high_water)) continue;
    fs::create_directories(Subdir(sub), ec);
    if (ec) {
      PrintDiagnostic(err_, Error(fmt::format("watch: cannot make {} ({})", Subdir(sub), ec.message())));
      return false;
    }
  }
  if (options_.pid > 0) {
    auto probe = ProbeProcess(options_.pid);
    if (!probe.ok()) {
      PrintDiagnostic(err_, Error("watch: " + probe.status().message()));
      return false;
    }
    // The limit the kernel enforces is the one to project to, unless given.
    if (probe->cgroup_max >= 0 && !budgets_.limit) {
      budgets_.limit =
          SizeLimit{static_cast<double>(probe->cgroup_max), FormatBytes(static_cast<double>(probe->cgroup_max))};
      PrintDiagnostic(err_, Info(fmt::format("watch: --pid {}: its memory cgroup {} has a limit of {}: the --limit",
                                             options_.pid, probe->cgroup, budgets_.limit->text)));
    } else if (probe->cgroup_max < 0 && !budgets_.limit) {
      PrintDiagnostic(
          err_, Info(fmt::format("watch: --pid {}: {}; no limit to project to (--limit gives one)", options_.pid,
                                 probe->cgroup.empty() ? "no memory cgroup found"
                                                       : "its memory cgroup " + probe->cgroup + " has no limit")));
    }
  }
  // Captures already in the directory start the series; one that cannot be
  // read or does not fit the others is named and left out.
  for (Instance& in : instances_) {
    const std::vector<std::string> saved = ListCaptures(options_.dir, in.name);
    for (const std::string& path : saved) {
      auto profile = LoadProfile(path, options_.pipeline.load);
      Status folded = profile.ok() ? in.series->Append(std::move(*profile)) : profile.status();
      if (!folded.ok()) PrintDiagnostic(err_, Warning("watch: left out of the series: " + folded.message()));
      if (folded.ok() && in.store) PushLast(in);  // stored once: what an earlier run could not push goes now
    }
    PrintDiagnostics(err_, in.series->TakeNotes());
    if (in.goroutines)
      for (const std::string& path : ListCaptures(Subdir("goroutines"), in.name)) {
        auto profile = LoadProfile(path, options_.pipeline.load);
        Status folded = profile.ok() ? in.goroutines->Append(std::move(*profile)) : profile.status();
        if (!folded.ok()) PrintDiagnostic(err_, Warning("watch: left out of the series: " + folded.message()));
      }
    if (!saved.empty())
      PrintDiagnostic(
          err_, Info(fmt::format("watch: {}: {} earlier capture{} in {} continue the series", in.shown,
                                 in.series->num_captures(), in.series->num_captures() == 1 ? "" : "s", options_.dir)));
  }
  return true;
}

// Analyses the instance's series: the update line and the budgets.
Outcome Watch::Analyse(const Instance& in, bool final_report) {
  Outcome outcome;
  const size_t captures = in.series->num_captures();
  if (captures < 2) {
    outcome.update = fmt::format("{} capture{} so far", captures, captures == 1 ? "" : "s");
    return outcome;
  }
  const bool keep_order = options_.pipeline.keep_order;
  Analysis analysis = AnalyzeAligned(in.series->Snapshot(keep_order), keep_order);
  outcome.analysed = true;
  const TrendResult& t = analysis.trend;
  ReportOptions report_options;
  report_options.command_line = "pprof-trend watch";
  // --limit: the projection in the report (and the check's words for it).
  if (budgets_.limit && NotProjectable(t.aligned).empty()) {
    report_options.memory_limit = budgets_.limit->bytes;
    report_options.memory_limit_text = budgets_.limit->text;
  }
  Report report = BuildReport(t, report_options);
  const std::string growing = GrowingPhrase(report, 3);
  outcome.update = fmt::format("{} captures over {}, total {} {}; growing: {}", t.aligned.captures.size(),
                               FormatSpan(t.span_seconds), t.aligned.value_type_name,
                               FormatNodeValue(t, t.total.delta, true), growing.empty() ? "none" : growing);
  if (!t.restarts.empty())
    outcome.update += fmt::format("; restarted {} time{}", t.restarts.size(), t.restarts.size() == 1 ? "" : "s");
  std::string check_text;
  if (!budgets_.empty()) {
    auto result = RunCheck(t, budgets_);
    if (result.ok()) {
      outcome.budgets_failed = !result->passed;
      check_text = RenderCheck(*result, report, CheckFormat::kText);
      outcome.update += result->passed ? "; budgets PASS" : "; budgets FAIL";
    }
  }
  if (!options_.html.empty() && &in == &instances_.front()) {
    Status written =
        WriteFileAtomically(options_.html, [&](std::ostream& page) { RenderHtml(report, HtmlOptions{}, page); });
    if (!written.ok()) {
      // Said where the watch is read: on stderr, in the events, and (the
      // final one) in the exit code; the page on disk is an earlier one.
      PrintDiagnostic(err_, Error("watch: " + written.message() +
                                  (final_report ? "" : " (the report on disk is an earlier one; the watch goes on)")));
      if (options_.jsonl) out_ << ErrorEvent(in.shown, "--html: " + written.message());
      if (final_report) final_write_failed_ = true;
    }
  }
  if (options_.jsonl)
    out_ << AnalysisEvent(in.shown, report,
                          budgets_.empty() ? std::nullopt : std::optional<bool>(!outcome.budgets_failed), final_report);
  if (final_report && !options_.jsonl) {
    out_ << fmt::format("\n== {} ({})\n", in.shown, in.name) << RenderText(report);
    if (in.failures > 0)
      out_ << fmt::format("\n{} of this instance failed and {} not saved; the last: {}\n",
                          Plural(in.failures, "capture"), in.failures == 1 ? "was" : "were", in.last_failure);
    if (!check_text.empty()) out_ << "\n" << check_text;
  }
  if (final_report) PrintDiagnostics(err_, analysis.notes);
  AnalyseGoroutines(in, &t, final_report, outcome);
  return outcome;
}

void Watch::AnalyseGoroutines(const Instance& in, const TrendResult* heap, bool final_report, Outcome& outcome) {
  if (!in.goroutines) return;
  const size_t captures = in.goroutines->num_captures();
  if (captures < 2) {
    outcome.update += fmt::format("; goroutines: {}", Plural(static_cast<int64_t>(captures), "capture"));
    return;
  }
  Analysis analysis =
      AnalyzeAligned(in.goroutines->Snapshot(options_.pipeline.keep_order), options_.pipeline.keep_order);
  const TrendResult& g = analysis.trend;
  ReportOptions report_options;
  report_options.command_line = "pprof-trend watch --goroutines";
  Report report = BuildReport(g, report_options);
  const std::string growing = GrowingPhrase(report, 2);
  outcome.update += fmt::format("; goroutines {} ({}), growing: {}",
                                FormatCount(static_cast<double>(g.aligned.captures.back().total_value)),
                                FormatNodeValue(g, g.total.delta, true), growing.empty() ? "none" : growing);
  // One leak seen twice: the goroutines and what each holds on the heap.
  std::string related;
  if (heap != nullptr)
    for (const Relation& r : RelateGoroutinesToHeap(*heap, g))
      related += fmt::format(
          "related: goroutine stack #{} and heap site #{} grow together through {} (r = {:.2f} over {} captures): "
          "{} and {} of heap per goroutine\n",
          r.goroutine_stack->rank, r.heap_site->rank, TerminalSafe(r.function), r.correlation, r.shared_captures,
          heap->aligned.objects_type_name.empty() ? "-" : fmt::format("~{:.1f} objects", r.objects_per_goroutine),
          FormatBytes(r.bytes_per_goroutine));
  if (options_.jsonl) out_ << AnalysisEvent(in.shown + " goroutines", report, std::nullopt, final_report);
  if (final_report && !options_.jsonl)
    out_ << fmt::format("\n== {} goroutines ({}/goroutines)\n", in.shown, options_.dir) << RenderText(report)
         << (related.empty() ? "" : "\n" + related);
  if (final_report) PrintDiagnostics(err_, analysis.notes);
}

std::string Watch::Take(Instance& in, const std::string& file, std::chrono::system_clock::time_point fetched_at,
                        const StatusOr<std::string>& body) {
  if (!body.ok()) return body.status().message();
  auto profile = Decode(body.value(), in.shown);
  if (!profile.ok()) return profile.status().message();
  if (FindHeapTypes(*profile).space < 0 && FindGoroutineType(*profile) < 0 && options_.pipeline.sample_index.empty())
    return in.shown + ": not a heap profile (nor a goroutine profile)";
  // Folded now, as the file it is saved as; a profile without a time of its
  // own (legacy text) gets the time it was fetched.
  profile->source = file;
  std::optional<int64_t> time;
  if (profile->time_nanos == 0)
    time = std::chrono::duration_cast<std::chrono::nanoseconds>(fetched_at.time_since_epoch()).count();
  if (std::string problem = ProcessMemoryNow(in, profile->process_memory); !problem.empty()) return problem;
  in.last_memory = profile->process_memory;
  Status folded = in.series->Append(std::move(*profile), time);
  PrintDiagnostics(err_, in.series->TakeNotes());
  if (!folded.ok()) return in.shown + ": " + folded.message();
  // Go's heap profile is that of the last GC: two captures with no GC
  // between them are one moment twice. Said once, as what to do.
  const size_t n = in.series->num_captures();
  if (!options_.gc && !in.said_add_gc && n >= 2) {
    const Capture &last = in.series->capture(n - 1), &before = in.series->capture(n - 2);
    if (last.cumulative_types && last.type_totals == before.type_totals) {
      in.said_add_gc = true;
      PrintDiagnostic(err_, Note(fmt::format("watch: {}: capture {} is capture {} again (no garbage collection ran "
                                             "between them; Go's heap profile is that of the last one): add --gc",
                                             in.shown, n, n - 1)));
    }
  }
  return "";
}

std::string Watch::ProcessMemoryNow(const Instance& in, ProcessMemory& memory) {
  if (options_.memstats) {
    // Go's ?debug=1 heap text ends with the runtime's MemStats. A failure
    // loses them for this capture only (said; the capture is kept).
    auto text = http_.Fetch(WithQuery(in.url, "debug=1"), fetch_);
    auto stats = text.ok() ? Decode(*text, in.shown + " (?debug=1)") : StatusOr<Profile>(text.status());
    if (stats.ok() && stats->process_memory.sys >= 0) {
      const ProcessMemory kernel = memory;
      memory = stats->process_memory;
      memory.rss = kernel.rss, memory.cgroup_current = kernel.cgroup_current, memory.cgroup_max = kernel.cgroup_max;
    } else {
      PrintDiagnostic(
          err_, Warning(fmt::format("watch: [{}] {}: no runtime.MemStats for this capture ({})", ClockTime(), in.shown,
                                    stats.ok() ? "?debug=1 has none: not a Go service?" : stats.status().message())));
    }
  }
  if (options_.pid > 0) {
    auto probe = ProbeProcess(options_.pid);
    if (!probe.ok()) return probe.status().message() + " (it ended?)";
    memory.rss = probe->rss, memory.cgroup_current = probe->cgroup_current, memory.cgroup_max = probe->cgroup_max;
  }
  return "";
}

std::string Watch::TakeGoroutines(Instance& in, std::chrono::system_clock::time_point fetched_at) {
  auto body = http_.Fetch(in.goroutine_url, fetch_);
  if (!body.ok()) return body.status().message();
  const std::string file =
      (fs::path(Subdir("goroutines")) / (in.name + "-" + FileTime(fetched_at) + std::string(CaptureSuffix(*body))))
          .string();
  auto profile = Decode(*body, RedactUrl(in.goroutine_url));
  if (!profile.ok()) return profile.status().message();
  if (FindGoroutineType(*profile) < 0) return RedactUrl(in.goroutine_url) + ": not a goroutine profile";
  profile->source = file;
  // The heap capture's MemStats: StackInuse over the goroutines is what each holds.
  profile->process_memory = in.last_memory;
  std::optional<int64_t> time;
  if (profile->time_nanos == 0)
    time = std::chrono::duration_cast<std::chrono::nanoseconds>(fetched_at.time_since_epoch()).count();
  Status folded = in.goroutines->Append(std::move(*profile), time);
  PrintDiagnostics(err_, in.goroutines->TakeNotes());
  if (!folded.ok()) return folded.message();
  Status saved = WriteFileAtomically(file, *body);
  if (!saved.ok()) {
    in.goroutines->RemoveCapture(in.goroutines->num_captures() - 1);
    return saved.message();
  }
  return "";
}

void Watch::HighWater() {
  for (Instance& in : instances_) {
    const auto fetched_at = std::chrono::system_clock::now();
    double figure = 0;
    if (options_.pid > 0) {
      auto probe = ProbeProcess(options_.pid);
      if (!probe.ok() || probe->rss < 0) continue;
      figure = static_cast<double>(probe->rss);
      if (in.high > 0 && figure <= in.high * (1 + options_.high_water_margin)) continue;
    }
    auto fetched = http_.Fetch(options_.gc ? WithQuery(in.url, "gc=1") : in.url, fetch_);
    if (!fetched.ok()) continue;
    if (options_.pid <= 0) {
      auto profile = Decode(*fetched, in.shown);
      if (!profile.ok()) continue;
      const HeapTypes heap = FindHeapTypes(*profile);
      if (heap.space < 0) continue;
      figure += static_cast<double>(profile->TypeTotals()[static_cast<size_t>(heap.space)]);
    }
    // The first look sets the high; a capture only when it is passed by the margin.
    const bool passed = in.high > 0 && figure > in.high * (1 + options_.high_water_margin);
    in.high = std::max(in.high, figure);
    if (!passed) continue;
    const std::string file =
        (fs::path(Subdir("highest")) /
         fmt::format("{}-{}-high-{:.0f}B{}", in.name, FileTime(fetched_at), figure, CaptureSuffix(*fetched)))
            .string();
    if (Status saved = WriteFileAtomically(file, *fetched); !saved.ok()) {
      PrintDiagnostic(err_, Warning("watch: high-water capture: " + saved.message()));
      continue;
    }
    ++in.high_water_captures;
    if (options_.jsonl) out_ << HighWaterEvent(in.shown, options_.pid > 0 ? "rss" : "in_use", figure, file);
    if (!options_.jsonl)
      out_ << fmt::format("[{}] {}: high water, {} {}: saved {}\n", ClockTime(), in.name,
                          options_.pid > 0 ? "RSS" : "in-use total", FormatBytes(figure),
                          fs::path(file).filename().string());
    // The K highest stay.
    std::vector<std::pair<double, std::string>> kept;
    for (const std::string& path : ListCaptures(Subdir("highest"), in.name))
      if (auto v = HighWaterFigure(path)) kept.emplace_back(*v, path);
    std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::error_code ec;
    for (size_t i = options_.keep_highest; i < kept.size(); ++i) fs::remove(kept[i].second, ec);
  }
  out_.flush();
}

// The baseline and the last `keep`, on disk and in the series.
void Watch::DropOldCaptures(Instance& in) {
  std::error_code ec;
  auto files = ListCaptures(options_.dir, in.name);
  for (size_t i = 1; i + options_.keep < files.size(); ++i) {
    fs::remove(files[i], ec);
    for (size_t c = 0; c < in.series->num_captures(); ++c)
      if (fs::path(in.series->capture(c).path).filename() == fs::path(files[i]).filename())
        in.series->RemoveCapture(c--);
  }
}

void Watch::PushLast(Instance& in) {
  const auto stored = in.store->Push(in.series->capture(in.series->num_captures() - 1),
                                     FleetRowsOfLast(in.series->table(), &in.store->sites_sent()));
  if (stored.ok()) {
    in.pushed += stored.value() ? 1 : 0;
    return;
  }
  ++in.push_failures;
  in.last_push_failure = stored.status().message();
  const std::string problem = "push --clickhouse: " + stored.status().message();
  PrintDiagnostic(err_, Warning(fmt::format("watch: [{}] {}: {} (the capture is saved in {}: the next watch of it, "
                                            "or push, stores it)",
                                            ClockTime(), in.shown, problem, options_.dir)));
  if (options_.jsonl) out_ << ErrorEvent(in.shown, problem);
}

bool Watch::CaptureAll() {
  for (Instance& in : instances_) {
    const std::string url = options_.gc ? WithQuery(in.url, "gc=1") : in.url;
    const auto fetched_at = std::chrono::system_clock::now();
    auto body = http_.Fetch(url, fetch_);
    // Saved under the suffix of its format: a legacy text capture is text.
    const std::string file = (fs::path(options_.dir) / (in.name + "-" + FileTime(fetched_at) +
                                                        std::string(CaptureSuffix(body.ok() ? *body : ""))))
                                 .string();
    const std::string problem = Take(in, file, fetched_at, body);
    if (!problem.empty()) {
      ++in.failures;
      in.last_failure = problem;
      PrintDiagnostic(err_,
                      Warning(fmt::format("watch: [{}] {} (not saved; the watch goes on)", ClockTime(), problem)));
      if (options_.jsonl) out_ << ErrorEvent(in.shown, problem);
      continue;
    }
    Status saved = WriteFileAtomically(file, *body);
    if (!saved.ok()) {
      in.series->RemoveCapture(in.series->num_captures() - 1);
      PrintDiagnostic(err_, Error("watch: " + saved.message() + "; ending the watch (the captures so far are intact)"));
      disk_error_ = true;
      break;
    }
    ++in.captures_taken;
    if (in.store) PushLast(in);
    if (options_.keep > 0) DropOldCaptures(in);
    // The scheduled capture's figure counts toward the high water.
    const Capture& taken = in.series->capture(in.series->num_captures() - 1);
    in.high = std::max(in.high, options_.pid > 0 ? static_cast<double>(taken.process_memory.rss)
                                                 : static_cast<double>(taken.total_value));
    if (in.goroutines)
      if (std::string failed = TakeGoroutines(in, fetched_at); !failed.empty())
        PrintDiagnostic(err_, Warning(fmt::format("watch: [{}] goroutines: {} (not saved; the watch goes on)",
                                                  ClockTime(), failed)));
    Outcome outcome = Analyse(in, false);
    budget_failed_ = budget_failed_ || outcome.budgets_failed;
    if (!options_.jsonl)
      out_ << fmt::format("[{}] {}: saved {}; {}\n", ClockTime(), in.name, fs::path(file).filename().string(),
                          outcome.update);
  }
  out_.flush();
  return !(disk_error_ || (options_.fail_fast && budget_failed_));
}

bool Watch::WaitUntil(Deadline next, const sigset_t& stop_signals) {
  while (Clock::now() < next) {
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()).count();
    if (left <= 0) break;
    timespec timeout{static_cast<time_t>(left / kNanosPerSecond), static_cast<long>(left % kNanosPerSecond)};
    const int sig = sigtimedwait(&stop_signals, nullptr, &timeout);
    if (sig > 0) {
      PrintDiagnostic(
          err_, Info(fmt::format("watch: stopped by {}; the final report follows", sig == SIGINT    ? "SIGINT"
                                                                                   : sig == SIGTERM ? "SIGTERM"
                                                                                                    : "a signal")));
      return true;
    }
    if (sig < 0 && errno != EAGAIN && errno != EINTR) break;
  }
  return false;
}

int Watch::Finish() {
  // The verdict is the whole series' (or, with --fail-fast, the first failure's).
  bool evaluated = true, final_failed = options_.fail_fast && budget_failed_;
  for (const Instance& in : instances_) {
    Outcome outcome = Analyse(in, true);
    if (!outcome.analysed) {
      if (options_.jsonl) {
        out_ << ErrorEvent(in.shown, "final: " + outcome.update);
      } else {
        out_ << fmt::format("\n== {} ({})\n{}\n", in.shown, in.name, outcome.update);
      }
      if (in.failures > 0 && !options_.jsonl)
        out_ << fmt::format("{} of this instance failed and {} not saved; the last: {}\n",
                            Plural(in.failures, "capture"), in.failures == 1 ? "was" : "were", in.last_failure);
      evaluated = false;
    }
    final_failed = final_failed || outcome.budgets_failed;
    if (in.store && !options_.jsonl)
      out_ << fmt::format("{}: {} stored in ClickHouse as {}/{} this run{}\n", in.name, Plural(in.pushed, "capture"),
                          TerminalSafe(in.store->target().service), TerminalSafe(in.store->target().instance),
                          in.push_failures == 0
                              ? ""
                              : fmt::format("; {} failed (the last: {}): the next watch of {}, or push, stores them",
                                            Plural(in.push_failures, "push"), in.last_push_failure, options_.dir));
  }
  out_.flush();
  if (disk_error_ || final_write_failed_) return kExitInputError;
  if (final_failed) return kExitCheckFailed;
  if (std::all_of(instances_.begin(), instances_.end(), [](const Instance& in) { return in.captures_taken == 0; }) &&
      std::all_of(instances_.begin(), instances_.end(),
                  [&](const Instance& in) { return ListCaptures(options_.dir, in.name).empty(); })) {
    PrintDiagnostic(err_, Error("watch: no capture could be taken"));
    return kExitInputError;
  }
  if (!budgets_.empty() && !evaluated) {
    PrintDiagnostic(err_, Error("watch: fewer than two captures of an instance: its budgets could not be checked"));
    return kExitInputError;
  }
  return kExitOk;
}

}  // namespace

int RunWatch(const WatchOptions& options, const HttpSession& http, const sigset_t& stop_signals, std::ostream& out,
             std::ostream& err) {
  Watch watch(options, http, stop_signals, out, err);
  if (!watch.Start()) return kExitInputError;
  const auto start = Clock::now();
  for (int tick = 0;; ++tick) {
    if (!watch.CaptureAll()) break;
    // The next capture on the schedule; a late one (slow fetches, retries)
    // skips the slots it missed rather than capturing twice in a row.
    Deadline next = start + std::chrono::duration<double>(options.every_seconds * (tick + 1));
    while (next <= Clock::now()) {
      ++tick;
      next = start + std::chrono::duration<double>(options.every_seconds * (tick + 1));
    }
    if (options.for_seconds > 0 && std::chrono::duration<double>(next - start).count() > options.for_seconds + 1e-6)
      break;
    // --on-high-water looks between the scheduled captures.
    bool stopped = false;
    if (options.on_high_water) {
      while (!stopped && Clock::now() < next) {
        const Deadline look =
            std::min(next, Deadline(Clock::now()) + std::chrono::duration<double>(watch.PollSeconds()));
        stopped = watch.WaitUntil(look, stop_signals);
        if (!stopped && look < next) watch.HighWater();
      }
    } else {
      stopped = watch.WaitUntil(next, stop_signals);
    }
    if (stopped) break;
  }
  return watch.Finish();
}

}  // namespace pprof_trend
