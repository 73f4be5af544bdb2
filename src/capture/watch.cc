#include "capture/watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "analysis/series_builder.h"
#include "base/diagnostic.h"
#include "base/exit_codes.h"
#include "base/units.h"
#include "base/utf8.h"
#include "base/write_file.h"
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

std::string WithGc(const std::string& url) { return url + (url.find('?') == std::string::npos ? "?gc=1" : "&gc=1"); }

struct Instance {
  std::string url, name;
  int captures_taken = 0, failures = 0;
  // The instance's series: each capture is folded once, when it is taken
  // (or read back from the directory on resume), and never decoded again;
  // through the same fold path as files given to the trend (symbolized).
  std::unique_ptr<SeriesBuilder> series;
};

// What one analysis of an instance gave, for the update and the final report.
struct Outcome {
  bool analysed = false;
  bool budgets_failed = false;
  std::string update;  // one line
};

}  // namespace

std::string InstanceName(const std::string& url) {
  std::string_view rest = url;
  if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  std::string name;
  for (char c : rest) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  return name.empty() ? "instance" : name;
}

int RunWatch(const WatchOptions& options, const HttpSession& http, const sigset_t& stop_signals, std::ostream& out,
             std::ostream& err) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec || !fs::is_directory(options.dir)) {
    PrintDiagnostic(err, Error(fmt::format("watch: cannot use {} as the capture directory ({})", options.dir,
                                           ec ? ec.message() : "not a directory")));
    return kExitInputError;
  }
  auto align = MakeAlignOptions(options.pipeline);
  if (!align.ok()) {
    PrintDiagnostic(err, Error(align.status().message()));
    return kExitInputError;
  }
  std::vector<Instance> instances;
  for (const std::string& url : options.urls) {
    Instance in;
    in.url = url;
    in.name = InstanceName(url);
    for (const Instance& other : instances)
      if (other.name == in.name) in.name += "_" + std::to_string(instances.size() + 1);
    in.series = std::make_unique<SeriesBuilder>(*align, options.pipeline.symbolize);
    instances.push_back(std::move(in));
  }
  // Captures already in the directory start the series; one that cannot be
  // read or does not fit the others is named and left out.
  for (Instance& in : instances) {
    const std::vector<std::string> saved = ListCaptures(options.dir, in.name);
    for (const std::string& path : saved) {
      auto profile = LoadProfile(path, options.pipeline.load);
      Status folded = profile.ok() ? in.series->Append(std::move(*profile)) : profile.status();
      if (!folded.ok()) PrintDiagnostic(err, Warning("watch: left out of the series: " + folded.message()));
    }
    PrintDiagnostics(err, in.series->TakeNotes());
    if (!saved.empty())
      PrintDiagnostic(err, Info(fmt::format("watch: {}: {} earlier capture{} in {} continue the series", in.url,
                                            in.series->num_captures(), in.series->num_captures() == 1 ? "" : "s",
                                            options.dir)));
  }

  // Analyses the instance's series: the update line and the budgets.
  auto analyse = [&](const Instance& in, bool final_report) {
    Outcome outcome;
    const size_t captures = in.series->num_captures();
    if (captures < 2) {
      outcome.update = fmt::format("{} capture{} so far", captures, captures == 1 ? "" : "s");
      return outcome;
    }
    const bool keep_order = options.pipeline.keep_order;
    Analysis analysis = AnalyzeAligned(in.series->Snapshot(keep_order), keep_order);
    outcome.analysed = true;
    const TrendResult& t = analysis.trend;
    ReportOptions report_options;
    report_options.command_line = "pprof-trend watch";
    Report report = BuildReport(t, report_options);
    std::string growing;
    for (size_t i = 0; i < std::min<size_t>(3, report.growing.size()); ++i) {
      const ReportRow& row = report.growing[i];
      growing += fmt::format("{}{} {}{}", i == 0 ? "" : "; ", FitWidth(row.short_name, 60),
                             row.cells.growth,
                             row.objects_phrase.empty() ? "" : " (" + row.objects_phrase + ")");
    }
    outcome.update = fmt::format("{} captures over {}, total {} {}; growing: {}", t.aligned.captures.size(),
                                 FormatSpan(t.span_seconds), t.aligned.value_type_name,
                                 FormatNodeValue(t, t.total.delta, true), growing.empty() ? "none" : growing);
    if (!t.restarts.empty())
      outcome.update += fmt::format("; restarted {} time{}", t.restarts.size(), t.restarts.size() == 1 ? "" : "s");
    std::string check_text;
    if (!options.budgets.empty()) {
      auto result = RunCheck(t, options.budgets);
      if (result.ok()) {
        outcome.budgets_failed = !result->passed;
        check_text = RenderCheck(*result, t, CheckFormat::kText);
        outcome.update += result->passed ? "; budgets PASS" : "; budgets FAIL";
      }
    }
    if (!options.html.empty() && &in == &instances.front()) {
      Status written =
          WriteFileAtomically(options.html, [&](std::ostream& page) { RenderHtml(report, HtmlOptions{}, page); });
      if (!written.ok()) PrintDiagnostic(err, Error("watch: " + written.message()));
    }
    if (options.jsonl && !final_report)
      out << AnalysisEvent(in.url, report,
                           options.budgets.empty() ? std::nullopt : std::optional<bool>(!outcome.budgets_failed))
          << "\n";
    if (final_report) {
      out << fmt::format("\n== {} ({})\n", in.url, in.name) << RenderText(report);
      if (!check_text.empty()) out << "\n" << check_text;
      PrintDiagnostics(err, analysis.notes);
    }
    return outcome;
  };

  const auto start = Clock::now();
  bool stopped = false, budget_failed = false, disk_error = false;  // budget_failed: during the run (--fail-fast)
  for (int tick = 0; !stopped; ++tick) {
    for (Instance& in : instances) {
      const std::string url = options.gc ? WithGc(in.url) : in.url;
      const auto fetched_at = std::chrono::system_clock::now();
      auto body = http.Fetch(url, options.fetch);
      // Saved under the suffix of its format: a legacy text capture is text.
      const std::string file = (fs::path(options.dir) / (in.name + "-" + FileTime(fetched_at) +
                                                         std::string(CaptureSuffix(body.ok() ? *body : ""))))
                                   .string();
      std::string problem;
      if (!body.ok()) {
        problem = body.status().message();
      } else {
        LoadOptions check;
        check.limits = options.pipeline.load.limits;
        auto profile = DecodeInput(InputBytes{*body, 0}, url, check);
        if (!profile.ok()) {
          problem = profile.status().message();
        } else if (FindHeapTypes(*profile).space < 0 && options.pipeline.sample_index.empty()) {
          problem = url + ": not a heap profile";
        } else {
          // Folded now, as the file it is saved as; a profile without a
          // time of its own (legacy text) gets the time it was fetched.
          profile->source = file;
          std::optional<int64_t> time;
          if (profile->time_nanos == 0)
            time = std::chrono::duration_cast<std::chrono::nanoseconds>(fetched_at.time_since_epoch()).count();
          Status folded = in.series->Append(std::move(*profile), time);
          PrintDiagnostics(err, in.series->TakeNotes());
          if (!folded.ok()) problem = url + ": " + folded.message();
        }
      }
      if (!problem.empty()) {
        ++in.failures;
        PrintDiagnostic(err, Warning(fmt::format("watch: [{}] {} (not saved; the watch goes on)", ClockTime(), problem)));
        if (options.jsonl) out << ErrorEvent(in.url, problem) << "\n";
        continue;
      }
      Status saved = WriteFileAtomically(file, *body);
      if (!saved.ok()) {
        in.series->RemoveCapture(in.series->num_captures() - 1);
        PrintDiagnostic(err, Error("watch: " + saved.message() + "; ending the watch (the captures so far are intact)"));
        disk_error = true;
        break;
      }
      ++in.captures_taken;
      if (options.keep > 0) {  // the baseline and the last `keep`, on disk and in the series
        auto files = ListCaptures(options.dir, in.name);
        for (size_t i = 1; i + options.keep < files.size(); ++i) {
          fs::remove(files[i], ec);
          for (size_t c = 0; c < in.series->num_captures(); ++c)
            if (fs::path(in.series->capture(c).path).filename() == fs::path(files[i]).filename())
              in.series->RemoveCapture(c--);
        }
      }
      Outcome outcome = analyse(in, false);
      budget_failed = budget_failed || outcome.budgets_failed;
      if (!options.jsonl)
        out << fmt::format("[{}] {}: saved {}; {}\n", ClockTime(), in.name, fs::path(file).filename().string(),
                           outcome.update);
    }
    out.flush();
    if (disk_error || (options.fail_fast && budget_failed)) break;
    // The next capture on the schedule; a late one (slow fetches, retries)
    // skips the slots it missed rather than capturing twice in a row.
    auto next = start + std::chrono::duration<double>(options.every_seconds * (tick + 1));
    while (next <= Clock::now()) {
      ++tick;
      next = start + std::chrono::duration<double>(options.every_seconds * (tick + 1));
    }
    if (options.for_seconds > 0 &&
        std::chrono::duration<double>(next - start).count() > options.for_seconds + 1e-6)
      break;
    // Wait for the next capture, or a stop signal.
    while (Clock::now() < next) {
      const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()).count();
      if (left <= 0) break;
      timespec timeout{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
      const int sig = sigtimedwait(&stop_signals, nullptr, &timeout);
      if (sig > 0) {
        PrintDiagnostic(err, Info(fmt::format("watch: stopped by {}; the final report follows",
                                              sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal")));
        stopped = true;
        break;
      }
      if (sig < 0 && errno != EAGAIN && errno != EINTR) break;
    }
  }
  // The final report of every instance; the verdict is the whole series'
  // (or, with --fail-fast, the first failure's).
  bool evaluated = true, final_failed = options.fail_fast && budget_failed;
  for (const Instance& in : instances) {
    Outcome outcome = analyse(in, true);
    if (!outcome.analysed) {
      out << fmt::format("\n== {} ({})\n{}\n", in.url, in.name, outcome.update);
      evaluated = false;
    }
    final_failed = final_failed || outcome.budgets_failed;
  }
  out.flush();
  if (disk_error) return kExitInputError;
  if (final_failed) return kExitCheckFailed;
  if (std::all_of(instances.begin(), instances.end(), [](const Instance& in) { return in.captures_taken == 0; }) &&
      std::all_of(instances.begin(), instances.end(),
                  [&](const Instance& in) { return ListCaptures(options.dir, in.name).empty(); })) {
    PrintDiagnostic(err, Error("watch: no capture could be taken"));
    return kExitInputError;
  }
  if (!options.budgets.empty() && !evaluated) {
    PrintDiagnostic(err, Error("watch: fewer than two captures of an instance: its budgets could not be checked"));
    return kExitInputError;
  }
  return kExitOk;
}

}  // namespace pprof_trend
