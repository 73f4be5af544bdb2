#include "analysis/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unordered_map>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "analysis/sample_resolver.h"
#include "analysis/series_builder.h"
#include "base/phase_timer.h"
#include "base/units.h"
#include "model/profile_kind.h"

namespace pprof_trend {
namespace {

StatusOr<std::optional<Regex>> CompileOptional(const std::string& pattern, std::string_view flag) {
  if (pattern.empty()) return std::optional<Regex>();
  ASSIGN_OR_RETURN(Regex re, Regex::Compile(pattern, flag));
  return std::optional<Regex>(std::move(re));
}

// "a, b, c and 2 more": at most five names.
std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

// Pairs of captures (indices into the series) that hold one moment twice,
// said in one line however many there are: "8 pairs of captures ...: 1=2,
// 1=3, ... (capture numbers as in the table; 1 is day1.pb.gz)".
std::optional<Diagnostic> SamePairs(const std::vector<Capture>& captures,
                                    const std::vector<std::pair<size_t, size_t>>& pairs, std::string_view what,
                                    std::string_view advice) {
  if (pairs.empty()) return std::nullopt;
  if (pairs.size() == 1)
    return Warning(
        fmt::format("{} and {} {}: {}", captures[pairs[0].first].path, captures[pairs[0].second].path, what, advice));
  constexpr size_t kListed = 8;
  std::string list;
  for (size_t i = 0; i < std::min(kListed, pairs.size()); ++i)
    list += fmt::format("{}{}={}", i == 0 ? "" : ", ", pairs[i].first + 1, pairs[i].second + 1);
  if (pairs.size() > kListed) list += fmt::format(" and {} more", pairs.size() - kListed);
  return Warning(fmt::format("{} pairs of captures {}: {} (capture numbers in series order; {} is {}): {}",
                             pairs.size(), what, list, pairs[0].first + 1, captures[pairs[0].first].path, advice));
}

// What a reader should know about the captures themselves: the same capture
// given twice, captures without a time, times that are only files'
// modification times a few seconds apart.
Diagnostics CaptureNotes(const AlignedProfiles& aligned) {
  Diagnostics notes;
  const auto& captures = aligned.captures;
  // The inputs' own warnings; a long series of pasted tables could have one
  // per capture: the first few, then how many more.
  constexpr size_t kCaptureWarnings = 6;
  size_t more = 0;
  for (const Capture& c : captures)
    for (const std::string& w : c.warnings) {
      if (notes.size() < kCaptureWarnings) {
        notes.push_back(Warning(fmt::format("{}: {}", c.path, w)));
      } else {
        ++more;
      }
    }
  if (more > 0)
    notes.push_back(
        Warning(fmt::format("{} more like these about the other captures (pprof-trend inspect FILE "
                            "shows a file's)",
                            more)));
  std::unordered_map<uint64_t, size_t> by_content;
  std::map<std::vector<int64_t>, size_t> by_totals;
  std::vector<std::pair<size_t, size_t>> same_content, same_totals;
  for (size_t i = 0; i < captures.size(); ++i) {
    const Capture& c = captures[i];
    if (auto [it, inserted] = by_content.try_emplace(c.content_hash, i); !inserted && c.content_hash != 0) {
      same_content.emplace_back(it->second, i);
      continue;
    }
    const bool any_value = std::any_of(c.type_totals.begin(), c.type_totals.end(), [](int64_t v) { return v != 0; });
    if (!c.cumulative_types || !any_value) continue;
    if (auto [it, inserted] = by_totals.try_emplace(c.type_totals, i); !inserted)
      same_totals.emplace_back(it->second, i);
  }
  if (auto d = SamePairs(captures, same_content, "have the same content", "the same capture twice; give each once"))
    notes.push_back(std::move(*d));
  if (auto d = SamePairs(
          captures, same_totals, "hold the same totals of every sample type, allocations since start included",
          "one moment twice (one capture in two formats, or a live Go process with no garbage collection between "
          "the two: its heap profile is that of the last GC; capture with ?gc=1, or watch --gc)"))
    notes.push_back(std::move(*d));
  if (aligned.value_type_name == "live" && aligned.value_unit == "count")
    notes.push_back(Note(std::string(kJfrLiveNote)));
  if (aligned.ranked_by_count)
    notes.push_back(Note(fmt::format(
        "ranked by {}, the exact object counts: \"dotnet-gcdump report\" prints one object's size per type, so the "
        "bytes of its array and string types are estimates (--sample-index inuse_space ranks the bytes)",
        aligned.value_type_name)));
  // SOS's "Free" rows: said once for the series, first and last.
  std::vector<const Capture*> with_free;
  for (const Capture& c : captures)
    if (c.free_bytes >= 0) with_free.push_back(&c);
  if (!with_free.empty())
    notes.push_back(Note(fmt::format(
        "free space (SOS's \"Free\" rows: gaps between objects, no type, no allocation site) is left out of the "
        "types and totals: {}{}",
        FormatBytes(static_cast<double>(with_free.front()->free_bytes)),
        with_free.size() > 1
            ? fmt::format(" in {}, {} in {}", with_free.front()->path,
                          FormatBytes(static_cast<double>(with_free.back()->free_bytes)), with_free.back()->path)
            : "")));
  std::vector<std::string> untimed;
  for (const Capture& c : captures)
    if (c.time_nanos == 0) untimed.push_back(c.path);
  if (!untimed.empty() && untimed.size() < captures.size())
    notes.push_back(Note(fmt::format(
        "the captures stay in argument order: {} {} no capture time (legacy text and heap tables carry none; "
        "--times T1,T2,... gives them)",
        NameList(untimed), untimed.size() == 1 ? "has" : "have")));
  std::vector<std::string> close;
  int64_t closest = INT64_MAX;
  for (size_t i = 1; i < captures.size(); ++i) {
    const Capture &a = captures[i - 1], &b = captures[i];
    if (!a.time_from_mtime || !b.time_from_mtime || a.time_nanos == 0 || b.time_nanos == 0) continue;
    const int64_t gap = std::llabs(b.time_nanos - a.time_nanos);
    if (gap >= int64_t{60} * kNanosPerSecond) continue;
    if (close.empty() || close.back() != a.path) close.push_back(a.path);
    close.push_back(b.path);
    closest = std::min(closest, gap);
  }
  if (!close.empty())
    notes.push_back(Warning(
        fmt::format("the capture times of {} are their files' modification times, as little as {:.0f} s apart (copied "
                    "or saved together?); give the real times with --times T1,T2,...",
                    NameList(close), NanosToSeconds(closest))));
  return notes;
}

// Neighbours that look like two programs: an error naming the first pair and
// what tells them apart, unless the user says they are one (--same-program).
Status RefuseDifferentPrograms(const TrendResult& trend) {
  const std::vector<size_t> pairs = trend.DifferentPrograms();
  if (pairs.empty()) return Status();
  const size_t i = pairs.front();
  const Capture &a = trend.aligned.captures[i - 1], &b = trend.aligned.captures[i];
  const NeighbourEvidence& e = trend.neighbours[i];
  std::string what =
      e.other_runtime
          ? fmt::format("{} ({}) and {} ({}) come from different runtimes", a.path, a.runtime, b.path, b.runtime)
          : fmt::format("{} and {} share {} of their in-use bytes", a.path, b.path, FormatShare(e.shared));
  if (!e.other_runtime && !a.main_binary.empty() && !b.main_binary.empty())
    what += fmt::format(" (programs {} and {})", a.main_binary, b.main_binary);
  return Status::InputError(fmt::format(
      "{}: different programs{}{} A trend compares one program's captures; give those, or --same-program if they are "
      "one",
      what, e.other_runtime ? "." : "?",
      pairs.size() > 1 ? fmt::format(" ({} more such pairs.)", pairs.size() - 1) : ""));
}

// A capture whose rows hold under half the objects its own footer counts (a
// table cut short): most of its heap is unseen, so its rows cannot stand for
// it. The line: the real cut pastes in testdata/ hold 83-97%; a paste of a
// table's first few rows holds a few percent.
Status RefuseThinCaptures(const AlignedProfiles& aligned) {
  constexpr double kMinCoverage = 0.5;
  for (const Capture& c : aligned.captures)
    if (c.coverage < kMinCoverage)
      return Status::InputError(
          fmt::format("{}: its rows hold {} of the objects its footer counts (a table cut short): too little of its "
                      "heap to compare with other captures; give the whole table (pprof-trend inspect reads it alone)",
                      c.path, FormatShare(c.coverage)));
  return Status();
}

}  // namespace

StatusOr<AlignOptions> MakeAlignOptions(const PipelineOptions& options) {
  AlignOptions align;
  align.granularity = options.granularity;
  align.value_type = options.sample_index;
  ASSIGN_OR_RETURN(align.focus, CompileOptional(options.focus, "--focus"));
  ASSIGN_OR_RETURN(align.ignore, CompileOptional(options.ignore, "--ignore"));
  return align;
}

Analysis AnalyzeAligned(AlignedProfiles aligned, bool keep_order) {
  PhaseTimer timer;
  Analysis analysis;
  analysis.notes = CaptureNotes(aligned);
  if (aligned.order_differs_from_arguments) {
    analysis.notes.push_back(Note(
        keep_order ? "the argument order differs from the capture times; kept it (--keep-order)"
                   : "profiles are ordered by capture time, not as given (--keep-order keeps the argument order)"));
  }
  analysis.trend = ComputeTrends(std::move(aligned));
  timer.Lap("trends");
  return analysis;
}

StatusOr<Analysis> Analyze(const PipelineOptions& options) {
  auto too_few = [](size_t got) {
    return Status::UsageError(fmt::format(
        "a trend needs two or more profiles (got {}); to look at one profile use: pprof-trend inspect FILE", got));
  };
  if (options.profiles.empty()) return too_few(0);
  RETURN_IF_ERROR(CheckStdinOnce(options.profiles));
  ASSIGN_OR_RETURN(AlignOptions align, MakeAlignOptions(options));
  // A GC log with a histogram at each full GC is several captures.
  std::vector<size_t> captures_per_path;
  size_t num_captures = 0;
  for (const std::string& path : options.profiles) {
    captures_per_path.push_back(CapturesIn(path, options.load));
    num_captures += captures_per_path.back();
  }
  if (num_captures < 2) return too_few(num_captures);
  if (!options.times.empty() && options.times.size() != num_captures)
    return Status::UsageError(fmt::format(
        "--times has {} for {} {}", Plural(static_cast<int64_t>(options.times.size()), "time"), num_captures,
        num_captures == options.profiles.size()
            ? "profiles"
            : "captures (a file of heap tables taken over time holds one per table)"));

  PhaseTimer timer;
  Diagnostics symbol_notes;
  AlignedProfiles aligned;
  {
    // Scoped: the aligner's lookup tables (sites by stack, frames by name) and
    // the symbolizer's files are gone before the trend stage allocates.
    SeriesBuilder series(std::move(align), options.symbolize, num_captures);
    // Each profile goes to the fold and nowhere else: its samples are
    // checked there, as they are read, not parsed twice.
    LoadOptions load = options.load;
    load.check_samples_in_fold = true;
    load.check_while_waiting_up_to = SampleResolver::kFoldedOnOneThreadUpTo;
    RETURN_IF_ERROR(LoadEach(
        options.profiles, load,
        [&](size_t i, Profile&& profile) {
          return series.Add(i, std::move(profile),
                            options.times.empty() ? std::nullopt : std::optional<int64_t>(options.times[i]));
        },
        captures_per_path));
    symbol_notes = series.TakeNotes();
    aligned = std::move(series).Finish(options.keep_order);
  }
#ifdef __GLIBC__
  // The decoded profiles are gone; hand their pages back before the trend
  // stage allocates, so the peak is the larger of the two phases, not the sum.
  malloc_trim(0);
#endif
  timer.Lap("load, symbolize and align");
  RETURN_IF_ERROR(RefuseThinCaptures(aligned));  // before the trend's work, which it would waste
  Analysis analysis = AnalyzeAligned(std::move(aligned), options.keep_order);
  if (!options.same_program) RETURN_IF_ERROR(RefuseDifferentPrograms(analysis.trend));
  analysis.notes.insert(analysis.notes.begin(), symbol_notes.begin(), symbol_notes.end());
  return analysis;
}

}  // namespace pprof_trend
