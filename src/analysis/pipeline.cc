#include "analysis/pipeline.h"

#include <fmt/format.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "base/phase_timer.h"
#include "base/units.h"

namespace pprof_trend {
namespace {

StatusOr<std::optional<Regex>> CompileOptional(const std::string& pattern, std::string_view flag) {
  if (pattern.empty()) return std::optional<Regex>();
  ASSIGN_OR_RETURN(Regex re, Regex::Compile(pattern, flag));
  return std::optional<Regex>(std::move(re));
}

}  // namespace

StatusOr<Analysis> Analyze(const PipelineOptions& options) {
  if (options.profiles.size() < 2)
    return Status::UsageError(fmt::format(
        "a trend needs two or more profiles (got {}); to look at one profile use: pprof-trend inspect FILE",
        options.profiles.size()));
  RETURN_IF_ERROR(CheckStdinOnce(options.profiles));
  AlignOptions align;
  align.granularity = options.granularity;
  align.value_type = options.sample_index;
  ASSIGN_OR_RETURN(align.focus, CompileOptional(options.focus, "--focus"));
  ASSIGN_OR_RETURN(align.ignore, CompileOptional(options.ignore, "--ignore"));
  if (!options.times.empty() && options.times.size() != options.profiles.size())
    return Status::UsageError(
        fmt::format("--times has {} for {} profiles", Plural(static_cast<int64_t>(options.times.size()), "time"),
                    options.profiles.size()));

  PhaseTimer timer;
  Aligner aligner(std::move(align), options.profiles.size());
  RETURN_IF_ERROR(LoadEach(options.profiles, options.load, [&](size_t i, Profile&& profile) {
    if (!options.times.empty()) profile.time_nanos = options.times[i];
    return aligner.Add(i, profile);
  }));
  AlignedProfiles aligned = std::move(aligner).Finish(options.keep_order);
#ifdef __GLIBC__
  // The decoded profiles are gone; hand their pages back before the trend
  // stage allocates, so the peak is the larger of the two phases, not the sum.
  malloc_trim(0);
#endif
  timer.Lap("load and align");
  Analysis analysis;
  if (aligned.order_differs_from_arguments) {
    analysis.notes.push_back(
        options.keep_order
            ? "note: the argument order differs from the capture times; kept it (--keep-order)"
            : "note: profiles are ordered by capture time, not as given (--keep-order keeps the argument order)");
  }
  analysis.trend = ComputeTrends(std::move(aligned), TrendOptions{});
  timer.Lap("trends");
  return analysis;
}

}  // namespace pprof_trend
