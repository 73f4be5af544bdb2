#include "cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <regex>

#include "align.h"
#include "inspect.h"
#include "load.h"
#include "render_json.h"
#include "render_text.h"
#include "report.h"
#include "trend.h"

namespace pprof_trend {
namespace {

struct TrendFlags {
  std::vector<std::string> profiles;
  std::string format = "text";
  std::string granularity = "functions";
  std::string sample_index;
  std::optional<size_t> node_count;
  std::string focus, ignore;
  bool keep_order = false;
};

int ExitFor(const Status& status, std::ostream& err) {
  err << "pprof-trend: " << status.message() << "\n";
  return kExitInputError;
}

StatusOr<std::optional<std::regex>> CompileRegex(const std::string& pattern, std::string_view flag) {
  if (pattern.empty()) return std::optional<std::regex>();
  try {
    return std::optional<std::regex>(std::regex(pattern, std::regex::ECMAScript | std::regex::optimize));
  } catch (const std::regex_error& e) {
    return Status::UsageError(fmt::format("{} \"{}\" is not a valid regular expression: {}", flag, pattern, e.what()));
  }
}

std::string CommandLine(int argc, const char* const* argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i == 0 ? "" : " ") + std::string(argv[i]);
  return s;
}

Status CheckStdinOnce(const std::vector<std::string>& paths) {
  if (std::count(paths.begin(), paths.end(), "-") > 1)
    return Status::UsageError("standard input (-) can be named only once");
  return Status();
}

int RunInspect(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err) {
  if (Status s = CheckStdinOnce(paths); !s.ok()) return ExitFor(s, err);
  std::string text;
  Status status = LoadEach(paths, LoadOptions{}, [&](size_t i, Profile&& profile) {
    text += (i == 0 ? "" : "\n") + RenderInspect(Summarize(profile, 10));
    return Status();
  });
  if (!status.ok()) return ExitFor(status, err);
  out << text;
  return kExitOk;
}

int RunTrend(const TrendFlags& flags, const std::string& command_line, std::ostream& out, std::ostream& err) {
  if (flags.profiles.size() < 2)
    return ExitFor(Status::UsageError(fmt::format("a trend needs two or more profiles (got {}); to look at one "
                                                  "profile use: pprof-trend inspect FILE",
                                                  flags.profiles.size())),
                   err);
  if (Status s = CheckStdinOnce(flags.profiles); !s.ok()) return ExitFor(s, err);
  AlignOptions align;
  align.granularity = *ParseGranularity(flags.granularity);
  align.value_type = flags.sample_index;
  auto focus = CompileRegex(flags.focus, "--focus");
  if (!focus.ok()) return ExitFor(focus.status(), err);
  auto ignore = CompileRegex(flags.ignore, "--ignore");
  if (!ignore.ok()) return ExitFor(ignore.status(), err);
  align.focus = std::move(focus).value();
  align.ignore = std::move(ignore).value();

  Aligner aligner(std::move(align), flags.profiles.size());
  Status status = LoadEach(flags.profiles, LoadOptions{},
                           [&](size_t i, Profile&& profile) { return aligner.Add(i, profile); });
  if (!status.ok()) return ExitFor(status, err);
  AlignedProfiles aligned = std::move(aligner).Finish(flags.keep_order);
  if (aligned.order_differs_from_arguments) {
    err << (flags.keep_order
                ? "pprof-trend: note: the argument order differs from the capture times; kept it (--keep-order)\n"
                : "pprof-trend: note: profiles are ordered by capture time, not as given (--keep-order keeps the "
                  "argument order)\n");
  }
  TrendResult trend = ComputeTrends(std::move(aligned), TrendOptions{});
  ReportOptions report_options;
  report_options.command_line = command_line;
  if (flags.node_count) report_options.node_count = *flags.node_count;
  Report report = BuildReport(trend, report_options);
  if (flags.format == "json") {
    JsonOptions json;
    if (flags.node_count) json.max_nodes_per_kind = *flags.node_count;
    out << RenderJson(report, json);
  } else {
    out << RenderText(report);
  }
  return kExitOk;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "pprof-trend: finds memory leaks in a series of heap profiles.\n\n"
      "  pprof-trend [options] PROFILE PROFILE...   rank the allocation sites whose memory grows\n"
      "  pprof-trend inspect PROFILE...             what one profile holds (totals, top functions)\n\n"
      "Profiles are pprof protobuf files, gzipped or raw (\"-\" reads standard input).\n"
      "Exit codes: 0 success, 1 check failed, 2 usage or input error.",
      "pprof-trend"};
  app.set_version_flag("--version", std::string(kVersion));
  app.require_subcommand(0, 1);

  TrendFlags flags;
  app.add_option("profiles", flags.profiles, "heap profiles, two or more (ordered by capture time)");
  app.add_option("--format", flags.format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--granularity", flags.granularity, "what a frame is: functions (name and file), lines, files")
      ->check(CLI::IsMember({"functions", "lines", "files"}))
      ->capture_default_str();
  app.add_option("--sample-index", flags.sample_index,
                 "sample type to rank: inuse_space (default), alloc_space, inuse_objects, alloc_objects, or any "
                 "type in the inputs");
  app.add_option("--nodecount", flags.node_count, "show at most N sites (text default 10; JSON: all)")
      ->check(CLI::PositiveNumber);
  app.add_option("--focus", flags.focus, "keep only samples with a frame whose function or file matches REGEX");
  app.add_option("--ignore", flags.ignore, "drop samples with a frame whose function or file matches REGEX");
  app.add_flag("--keep-order", flags.keep_order, "keep the argument order even when capture times disagree");

  std::vector<std::string> inspect_paths;
  CLI::App* inspect = app.add_subcommand("inspect", "show what each profile holds, as go tool pprof -top would");
  inspect->add_option("profiles", inspect_paths, "profiles to inspect")->required();

  try {
    app.parse(argc, argv);
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
    err << "pprof-trend: " << e.what() << "\nRun with --help for usage.\n";
    return kExitInputError;
  }
  if (inspect->parsed()) return RunInspect(inspect_paths, out, err);
  return RunTrend(flags, CommandLine(argc, argv), out, err);
}

}  // namespace pprof_trend
