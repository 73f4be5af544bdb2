#include "output/render_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "analysis/node_statistics.h"
#include "base/units.h"
#include "base/utf8.h"

namespace pprof_trend {

std::string Sparkline(const std::vector<double>& values, size_t width, const std::vector<char>& unknown) {
  static constexpr const char* kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  // Each point the average of its captures' known values; none known: "·".
  std::vector<std::optional<double>> points;
  const size_t buckets = std::min(width, values.size());
  for (size_t b = 0; b < buckets; ++b) {
    size_t lo = b * values.size() / buckets, hi = (b + 1) * values.size() / buckets;
    double sum = 0;
    size_t known = 0;
    for (size_t i = lo; i < hi; ++i)
      if (unknown.empty() || !unknown[i]) sum += values[i], ++known;
    points.push_back(known > 0 ? std::optional<double>(sum / static_cast<double>(known)) : std::nullopt);
  }
  double max = 0;
  for (const auto& v : points) max = std::max(max, v.value_or(0));
  std::string out;
  for (const auto& v : points) {
    if (!v) {
      out += "·";
      continue;
    }
    int level = max > 0 ? static_cast<int>(std::lround(std::max(0.0, *v) / max * 7)) : 0;
    out += kBars[std::clamp(level, 0, 7)];
  }
  return out;
}

namespace {

constexpr size_t kSparkWidth = 8;

std::string Value(const Report& r, double v) { return FormatNodeValue(*r.trend, v, false); }
std::string SignedValue(const Report& r, double v) { return FormatNodeValue(*r.trend, v, true); }

// Pads a string holding multi-byte UTF-8 (the sparkline) to `width` columns.
std::string PadColumns(const std::string& s, size_t columns, size_t width) {
  return s + std::string(width > columns ? width - columns : 0, ' ');
}

// "... 714 captures: every 1.00 h (median), 2 gaps over 3x that, 1 restart ..."
std::string MiddleSummary(const TrendResult& t, size_t from, size_t to) {
  const auto& caps = t.aligned.captures;
  std::string out = fmt::format("... {} captures", to - from);
  std::vector<double> gaps;
  for (size_t i = 1; i < caps.size(); ++i)
    if (caps[i].time_nanos != 0 && caps[i - 1].time_nanos != 0)
      gaps.push_back(NanosToSeconds(caps[i].time_nanos - caps[i - 1].time_nanos));
  if (gaps.size() + 1 == caps.size() && !gaps.empty()) {
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    const double median = sorted[sorted.size() / 2];
    const auto long_gaps = std::count_if(gaps.begin(), gaps.end(), [&](double g) { return g > 3 * median; });
    out += fmt::format(": every {} (median interval)", FormatSpan(median));
    if (long_gaps > 0) out += fmt::format(", {} over 3x that", Plural(long_gaps, "gap"));
  }
  const auto restarts = std::count_if(t.restarts.begin(), t.restarts.end(), [&](const TrendResult::Restart& r) {
    return r.capture >= from && r.capture < to;
  });
  if (restarts > 0) out += ", " + Plural(restarts, "restart") + " among them";
  return out + " ...";
}

// How a restart's cause is said: in a restart line ("before capture 3 (b):
// a new process (every mapping moved)") and after "... at every capture".
struct CauseWords {
  std::string_view phrase, evidence;
};
CauseWords WordsFor(TrendResult::RestartCause cause) {
  switch (cause) {
    case TrendResult::RestartCause::kCountersFell: return {"allocation counters fell", "allocation counters fell"};
    case TrendResult::RestartCause::kRebuilt: return {"another build (the build id changed)", "the build id changed"};
    case TrendResult::RestartCause::kNewProcess: return {"a new process (every mapping moved)", "every mapping moved"};
    case TrendResult::RestartCause::kOtherProgram:
      return {"another program, compared as one (--same-program)", "another program"};
  }
  return {};
}

// Tables cut short: how much of its heap each lists, and what that means.
std::string PartialLine(const TrendResult& t) {
  const auto& caps = t.aligned.captures;
  std::string which;
  size_t count = 0;
  for (size_t i = 0; i < caps.size(); ++i) {
    if (caps[i].coverage >= 1) continue;
    if (++count <= 3)
      which += fmt::format("{}capture {} lists {}", count == 1 ? "" : ", ", i + 1, FormatShare(caps[i].coverage));
  }
  if (count == 0) return "";
  if (count > 3) which += fmt::format(" and {} more", count - 3);
  return fmt::format(
      "  partial: {} of the objects its footer counts; a site such a capture does not list is unknown there, not "
      "zero\n",
      which);
}

// Neighbours that look like two programs, given with --same-program: said
// with how little they share.
std::string DifferentProgramsLine(const TrendResult& t) {
  const std::vector<size_t> pairs = t.DifferentPrograms();
  if (pairs.empty()) return "";
  const auto& caps = t.aligned.captures;
  const size_t i = pairs.front();
  const NeighbourEvidence& e = t.neighbours[i];
  const std::string why = e.other_runtime
                              ? fmt::format("are of different runtimes ({}, {})", caps[i - 1].runtime, caps[i].runtime)
                              : fmt::format("share {} of their in-use bytes", FormatShare(e.shared));
  return fmt::format(
      "  different programs: captures {} and {} ({}, {}) {}{}; compared as one (--same-program), growth counted "
      "within each\n",
      i, i + 1, FitWidth(TerminalSafe(caps[i - 1].path), 32), FitWidth(TerminalSafe(caps[i].path), 32), why,
      pairs.size() > 1 ? fmt::format(", and {} more such pairs", pairs.size() - 1) : "");
}

// "restarted 2 times, before capture 3 (b.pb.gz), before capture 5
// (c.pb.gz): allocation counters fell; growth counted within each process".
std::string RestartLines(const TrendResult& trend) {
  // Other programs are said by DifferentProgramsLine.
  TrendResult::Restarts restarts;
  for (const TrendResult::Restart& r : trend.restarts)
    if (r.cause != TrendResult::RestartCause::kOtherProgram) restarts.push_back(r);
  if (restarts.empty()) return "";
  const auto& caps = trend.aligned.captures;
  const bool one_cause = std::all_of(restarts.begin(), restarts.end(),
                                     [&](const TrendResult::Restart& r) { return r.cause == restarts[0].cause; });
  std::string where;
  constexpr size_t kNamed = 3;
  for (size_t i = 0; i < std::min(kNamed, restarts.size()); ++i) {
    const TrendResult::Restart& r = restarts[i];
    where += fmt::format("{}before capture {} ({}{})", i == 0 ? "" : ", ", r.capture + 1,
                         FitWidth(TerminalSafe(caps[r.capture].path), 40),
                         one_cause ? "" : fmt::format(": {}", WordsFor(r.cause).phrase));
  }
  if (restarts.size() > kNamed) where += fmt::format(" and {} more", restarts.size() - kNamed);
  const std::string cause = one_cause ? fmt::format(": {}", WordsFor(restarts[0].cause).phrase) : "";
  std::string out;
  if (trend.EachCaptureOwnProcess()) {
    out = fmt::format("  each capture is a process of its own ({} at every capture): compared as independent samples\n",
                      one_cause ? WordsFor(restarts[0].cause).evidence : "a restart");
  } else {
    out = fmt::format("  restarted {}{}{}; growth counted within each process\n",
                      restarts.size() > 1 ? Plural(static_cast<int64_t>(restarts.size()), "time") + ", " : "", where,
                      cause);
  }
  // A new build or process whose frames did not align: unsymbolized native
  // frames are named by offsets into the binary, which a rebuild changes.
  for (const TrendResult::Restart& r : restarts) {
    const NeighbourEvidence& e = trend.neighbours[r.capture];
    if (!e.measured || e.shared >= kDifferentProgramsShare) continue;
    out += fmt::format(
        "  captures {} and {} share {} of their in-use bytes: {}their frames align only where both are symbolized "
        "(--symbols DIR)\n",
        r.capture, r.capture + 1, FormatShare(e.shared),
        r.cause == TrendResult::RestartCause::kRebuilt ? "" : "another build? ");
    break;
  }
  return out;
}

std::string Header(const Report& r) {
  const TrendResult& t = *r.trend;
  const AlignedProfiles& a = t.aligned;
  std::string out = fmt::format("pprof-trend {}: {} profiles, {}, {} granularity{}\n\n", kVersion, a.captures.size(),
                                a.value_type_name, GranularityName(a.granularity),
                                a.ordered_by_time ? ", ordered by capture time" : "");
  size_t path_width = 7;
  for (const auto& c : a.captures) path_width = std::max(path_width, TerminalSafe(c.path).size());
  path_width = std::min<size_t>(path_width, 48);
  const bool objects = !a.objects_type_name.empty();
  // Partial captures: the heap each file states beside its rows' sum.
  const bool stated =
      std::any_of(a.captures.begin(), a.captures.end(), [](const Capture& c) { return c.coverage < 1; }) &&
      std::any_of(a.captures.begin(), a.captures.end(), [](const Capture& c) { return c.stated_bytes >= 0; });
  out += fmt::format("  {:>2}  {:<{}}  {:<23}  {:>12}{}{}\n", "#", "profile", path_width, "captured", a.value_type_name,
                     objects ? fmt::format("  {:>12}", a.objects_type_name) : "",
                     stated ? fmt::format("  {:>12}", "file states") : "");
  // A long series shows its first and last captures and a summary between.
  constexpr size_t kShownAtEachEnd = 3;
  const size_t n = a.captures.size();
  const bool long_series = n > 4 * kShownAtEachEnd;
  for (size_t i = 0; i < n; ++i) {
    if (long_series && i == kShownAtEachEnd) {
      out += "      " + MiddleSummary(t, kShownAtEachEnd, n - kShownAtEachEnd) + "\n";
      i = n - kShownAtEachEnd - 1;
      continue;
    }
    const Capture& c = a.captures[i];
    out += fmt::format(
        "  {:>2}  {:<{}}  {:<23}  {:>12}{}{}\n", i + 1, FitWidth(TerminalSafe(c.path), path_width), path_width,
        FormatTimeUtc(c.time_nanos), Value(r, static_cast<double>(c.total_value)),
        objects ? fmt::format("  {:>12}", FormatCount(static_cast<double>(c.total_objects))) : "",
        stated ? fmt::format("  {:>12}", c.stated_bytes >= 0 ? FormatBytes(static_cast<double>(c.stated_bytes)) : "-")
               : "");
  }
  std::string span = t.span_seconds > 0 ? fmt::format("span {}, ", FormatSpan(t.span_seconds)) : "";
  // The rate is the trend over every capture (Theil-Sen); where its sign
  // differs from first -> last (a fall at the end of a rise), both are named.
  const bool signs_differ = t.total.per_day && (*t.total.per_day > 0) != (t.total.delta > 0) && t.total.delta != 0;
  std::string rate =
      t.total.per_day
          ? fmt::format(" ({}{}/{}{})", signs_differ ? "first -> last; the trend over every capture is " : "",
                        SignedValue(r, PerUnit(*t.total.per_day, r.rate_unit)), r.rate_unit.name,
                        t.rates_guessed ? "?" : "")
          : "";
  std::string objs = objects ? fmt::format(", {} objects", FormatSignedCount(t.total_delta_objects)) : "";
  out += fmt::format("  {}total {} {}{}{}\n", span, a.value_type_name, SignedValue(r, t.total.delta), rate, objs);
  if (a.goroutines) {
    const GoroutineStack stack = GoroutineStackBytes(t);
    out += fmt::format(
        "  goroutines: the goroutines alive at each capture, counted exactly (not sampled); each holds {} of stack "
        "{}\n",
        FormatBytes(stack.bytes_each),
        stack.basis == "measured" ? "(StackInuse / goroutines at the last capture)" : "at least (Go's smallest stack)");
  }
  if (r.projection) out += "  " + TerminalSafe(ProjectionLine(r)) + "\n";
  if (r.memory) out += "  " + MemoryLine(r) + "\n";
  out += DifferentProgramsLine(t);
  out += PartialLine(t);
  switch (t.processes) {
    case TrendResult::Processes::kOne:
      out +=
          "  one process (its allocation counters only rose): changes are judged against the allocations between "
          "captures\n";
      break;
    case TrendResult::Processes::kRestarted: out += RestartLines(t); break;
    case TrendResult::Processes::kUnknown:
      if (r.any_estimate && !a.cumulative)
        out += "  captures compared as independent samples (no alloc_* types tell one process from several)\n";
      break;
  }
  if (a.cumulative)
    out += fmt::format(
        "  note: {} counts every allocation since the process started and only grows: the sites below are\n"
        "  ranked by how much they allocated (their allocation rate), which is no leak; for memory held, rank\n"
        "  inuse_space (the default)\n",
        a.value_type_name);
  return out;
}

std::string Table(const Report& r) {
  // Sites ranked by a rising trend but not classed as growth: said, by class.
  std::string noise;
  if (!r.rising_not_shown.empty()) {
    size_t total = 0;
    std::string classes;
    for (const auto& [c, count] : r.rising_not_shown) {
      total += count;
      classes += fmt::format("{}{} {}{}", classes.empty() ? "" : ", ", count, TrendClassName(c),
                             c == TrendClass::kStable  ? " (within the sampling noise)"
                             : c == TrendClass::kMoved ? " (memory that left another call path of the same function)"
                                                       : "");
    }
    noise = fmt::format("({} with a rising trend {} not in the table: {})\n",
                        Plural(static_cast<int64_t>(total), "site"), total == 1 ? "is" : "are", classes);
  }
  if (r.growing.empty())
    return (r.trend->aligned.goroutines ? "\nno growing goroutine stacks.\n" : "\nno growing allocation sites.\n") +
           (noise.empty() ? "" : "      " + noise);
  // A goroutine series: the stack memory and the wait in the size columns.
  const bool goroutines = r.trend->aligned.goroutines;
  std::string out = fmt::format("\n{:>4}  {:>10}  {:>10}  {:>9}  {:>16}  {:<8}  {:<11}  {}\n", "rank", "growth",
                                fmt::format("per {}", r.rate_unit.name), goroutines ? "stack >=" : "B/object",
                                goroutines ? "waiting in" : "objects", "series", "class",
                                goroutines ? "goroutine stack" : "allocation site");
  const size_t name_width = 120 - (4 + 2 + 10 + 2 + 10 + 2 + 9 + 2 + 16 + 2 + 8 + 2 + 11 + 2);
  for (size_t i = 0; i < r.growing.size(); ++i) {
    const ReportRow& row = r.growing[i];
    const TrendNode& n = *row.node;
    const RowCells& cells = row.cells;
    const std::vector<double>& values = r.growing_series[i].values;
    size_t spark_columns = std::min(values.size(), kSparkWidth);
    std::vector<char> unknown;
    if (n.unknown > 0)
      for (size_t k = 0; k < values.size(); ++k) unknown.push_back(UnknownPoint(r.trend->aligned, k, values[k]));
    out += fmt::format("{:>4}  {:>10}  {:>10}  {:>9}  {:>16}  {}  {:<11}  {}\n", row.rank, cells.growth, cells.rate,
                       cells.bytes_per_object, cells.objects,
                       PadColumns(Sparkline(values, kSparkWidth, unknown), spark_columns, kSparkWidth),
                       TrendClassName(n.stats.trend_class), FitRowName(row, name_width));
  }
  if (r.growing_total > r.growing.size())
    out += fmt::format("      ({} more growing {}; --nodecount shows more)\n", r.growing_total - r.growing.size(),
                       r.growing_total - r.growing.size() == 1 ? "site" : "sites");
  if (!noise.empty()) out += "      " + noise;
  if (std::any_of(r.growing.begin(), r.growing.end(), [](const ReportRow& row) { return row.node->unknown > 0; }))
    out +=
        "      (· a partial capture, a table cut short, does not list the site: unknown, not zero; the site is judged "
        "on the captures that list it)\n";
  if (r.trend->aligned.captures.size() > kSparkWidth)
    out += fmt::format("      (series: {} captures drawn as {} averages)\n", r.trend->aligned.captures.size(),
                       kSparkWidth);
  return out;
}

// A continuation names the site on its other side. (A move is no growth, so
// no row: its shrinking side says it, see Shrinking.)
std::string LinkedSitePhrase(const Report& r, const ReportRow& row) {
  auto name = [&](int rank) {
    const TrendNode& other = r.trend->sites[static_cast<size_t>(rank - 1)];
    return fmt::format("#{} {}", rank, TerminalSafe(RowName(r, other, true)));
  };
  if (row.continues_rank > 0)
    return fmt::format("continues {}, which stopped growing as this one started: one leak (a JIT inlined it here?)",
                       name(row.continues_rank));
  if (row.continued_by_rank > 0)
    return fmt::format("its growth goes on at {}, its caller's site: one leak (a JIT inlined it there?)",
                       name(row.continued_by_rank));
  return "";
}

std::string Paths(const Report& r) {
  std::string out;
  const AlignedProfiles& a = r.trend->aligned;
  size_t shown = std::min(r.options.path_count, r.growing.size());
  if (shown == 0) return out;
  out += fmt::format("\ncall paths of the top {} (root -> leaf):\n", shown);
  for (size_t i = 0; i < shown; ++i) {
    const ReportRow& row = r.growing[i];
    const TrendNode& n = *row.node;
    out += fmt::format("{:>4}  {}\n", row.rank, FitWidth(row.name, 114));
    std::string series;
    const std::vector<double>& values = r.growing_series[i].values;
    if (values.size() <= 4) {
      for (double v : values) series += (series.empty() ? "" : " -> ") + Value(r, v);
    } else {
      series = fmt::format("{} -> ... -> {} over {} captures", Value(r, values.front()), Value(r, values.back()),
                           values.size());
    }
    out += fmt::format("      {}{}\n", row.objects_phrase.empty() ? "" : row.objects_phrase + "; ", series);
    if (const std::string residence = ResidencePhrase(n, ResidenceOf(*r.trend, n, r.growing_series[i]));
        !residence.empty())
      out += fmt::format("      {}\n", residence);
    if (const std::string linked = LinkedSitePhrase(r, row); !linked.empty()) out += fmt::format("      {}\n", linked);
    const AlignedSite& site = a.sites[n.site_index];
    const IdSpan stack = NodeStack(a, n);
    // A one-frame site without a file (a .NET type) has no path to show.
    if (stack.size() == 1 && a.frames[stack[0]].file.empty()) {
      if (a.frames[stack[0]].function == kNoStackName)
        out += "        (the profiles recorded these samples without a call stack)\n";
      continue;
    }
    // Very deep stacks (recursion) show their root and leaf ends.
    constexpr size_t kRootFrames = 10, kLeafFrames = 20;
    const size_t skip_from = stack.size() > kRootFrames + kLeafFrames + 1 ? kRootFrames : stack.size();
    const size_t skip_to = stack.size() - kLeafFrames;
    for (size_t f = 0; f < stack.size(); ++f) {
      if (f == skip_from) {
        out += fmt::format("        ... {} frames ...\n", skip_to - skip_from);
        f = skip_to - 1;
        continue;
      }
      const AlignedFrame& frame = a.frames[stack[f]];
      out += fmt::format("        {:<50}  {}\n", FitWidth(ShortenFunctionName(TerminalSafe(frame.function)), 50),
                         FitWidth(FrameLocation(a, site, f), 60));
    }
  }
  return out;
}

std::string Shrinking(const Report& r) {
  if (r.shrinking.empty()) return "";
  std::string out = "\nshrinking:";
  size_t shown = std::min(r.options.shrinking_count, r.shrinking.size());
  for (size_t i = 0; i < shown; ++i) {
    const TrendNode& n = *r.shrinking[i].node;
    out += fmt::format("{} {} {} ({} -> {}{}{})", i == 0 ? "" : ";", r.shrinking[i].short_name,
                       SignedValue(r, r.shrinking[i].growth), Value(r, n.stats.first), Value(r, n.stats.last),
                       n.stats.trend_class == TrendClass::kGone ? ", gone" : "",
                       r.shrinking[i].moved_with_rank > 0 ? ", moved to another call path" : "");
  }
  if (r.shrinking_total > shown) out += fmt::format("; {} more", r.shrinking_total - shown);
  return out + "\n";
}

std::string Notes(const Report& r) {
  std::string out;
  // Sites of several object sizes: a function's lines may tell them apart.
  const auto& captures = r.trend->aligned.captures;
  if (r.trend->aligned.granularity == Granularity::kFunctions &&
      std::all_of(captures.begin(), captures.end(), [](const Capture& c) { return c.runtime.empty(); }) &&
      std::any_of(r.growing.begin(), r.growing.end(), [](const ReportRow& row) {
        return std::count_if(row.by_size.begin(), row.by_size.end(),
                             [](const SizeGrowth& g) { return std::round(g.delta_objects) != 0; }) >= 2;
      }))
    out += "\nsizes mix in a site above: --granularity lines splits a function's allocations by line.\n";
  if (r.trend->rates_guessed)
    out +=
        "\n? guessed: some capture times are files' modification times (when a file was written, which may be a "
        "copy's),\n  so the rates are guesses; --times T1,T2,... gives the capture times.\n";
  if (r.any_estimate) {
    // The profiles' own sampling period; which sizes are exact is said only
    // of the rows shown (Node's profiles have no bytes labels: averages).
    double rate = 0, lowest = 0;
    for (const auto& c : r.trend->aligned.captures) {
      rate = std::max(rate, static_cast<double>(c.period));
      if (c.period > 0) lowest = lowest == 0 ? static_cast<double>(c.period) : std::min(lowest, double(c.period));
    }
    bool exact = false, averaged = false;
    for (const ReportRow& row : r.growing) {
      if (!row.node->size.bytes_per_object) continue;
      (row.node->size.exact ? exact : averaged) = true;
    }
    std::string sizes = exact && averaged ? "sizes per object come from the profiles' bytes labels (exact)\n  or, "
                                            "marked ~, are averages (bytes / objects)"
                        : exact           ? "sizes per object come from the profiles' bytes labels and are exact"
                        : averaged        ? "sizes per object, marked ~, are averages (bytes / objects)"
                                          : "";
    out += fmt::format(
        "\n~ estimate: the heap profiler samples about one allocation per {}{} and scales the counts up, so\n"
        "  counts of small objects are estimates{}{}.\n",
        lowest > 0 && lowest < rate ? FormatBytes(lowest) + " to " : "", FormatBytes(rate), sizes.empty() ? "" : "; ",
        sizes);
  }
  return out;
}

}  // namespace

std::string RenderText(const Report& report) {
  return Header(report) + Table(report) + Paths(report) + Shrinking(report) + Notes(report);
}

}  // namespace pprof_trend
