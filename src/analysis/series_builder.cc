#include "analysis/series_builder.h"

#include <utility>

namespace pprof_trend {

SeriesBuilder::SeriesBuilder(AlignOptions align, SymbolizeOptions symbolize, size_t num_captures)
    : aligner_(std::move(align), num_captures), symbolizer_(std::move(symbolize)) {}

void SeriesBuilder::Prepare(Profile& profile, std::optional<int64_t> time_nanos) {
  symbolizer_.Symbolize(profile, &notes_);
  if (time_nanos) {
    profile.time_nanos = *time_nanos;
    profile.time_from_mtime = false;
  }
}

Status SeriesBuilder::Add(size_t argument_index, Profile&& profile, std::optional<int64_t> time_nanos) {
  Prepare(profile, time_nanos);
  return aligner_.Add(argument_index, std::move(profile));
}

Status SeriesBuilder::Append(Profile&& profile, std::optional<int64_t> time_nanos) {
  Prepare(profile, time_nanos);
  return aligner_.Append(profile);
}

Diagnostics SeriesBuilder::TakeNotes() { return std::exchange(notes_, {}); }

}  // namespace pprof_trend
