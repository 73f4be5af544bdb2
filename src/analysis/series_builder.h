// The one fold path: how a capture becomes a point of a series, for the
// trend commands (profiles read from files and URLs) and for `watch`
// (captures taken live) alike.
//
//   decoded Profile -> symbolize (native addresses -> names)
//                   -> its time (--times, or the time it was fetched)
//                   -> the Aligner (its samples folded into the sites' series)
//
// A capture read from disk and the same capture served over HTTP give the
// same series: both go through Fold.
#pragma once

#include <cstdint>
#include <optional>

#include "analysis/align.h"
#include "base/diagnostic.h"
#include "base/status.h"
#include "model/profile.h"
#include "symbolize/symbolizer.h"

namespace pprof_trend {

class SeriesBuilder {
 public:
  // A series of `num_captures` profiles given to Add in argument order, or
  // (num_captures 0) one that grows by Append.
  SeriesBuilder(AlignOptions align, SymbolizeOptions symbolize, size_t num_captures = 0);

  // Folds profile number `argument_index` (series of a known length).
  // `time_nanos`, when given, replaces the profile's own capture time.
  Status Add(size_t argument_index, Profile&& profile, std::optional<int64_t> time_nanos = std::nullopt);
  // Folds one more capture after the others (a growing series). On an
  // error nothing is folded.
  Status Append(Profile&& profile, std::optional<int64_t> time_nanos = std::nullopt);
  // Drops capture `index` (in the order they were added) from the series.
  void RemoveCapture(size_t index) { aligner_.RemoveCapture(index); }

  size_t num_captures() const { return aligner_.num_captures(); }
  const Capture& capture(size_t index) const { return aligner_.capture(index); }
  // The table so far (a growing series), and the table once every capture
  // is in: ordered by capture time unless `keep_argument_order`.
  AlignedProfiles Snapshot(bool keep_argument_order) const { return aligner_.Snapshot(keep_argument_order); }
  // The table as folded, in the order captures were added (Aligner::table).
  const AlignedProfiles& table() const { return aligner_.table(); }
  AlignedProfiles Finish(bool keep_argument_order) && { return std::move(aligner_).Finish(keep_argument_order); }

  // What symbolizing said (files not found, wrong builds), once each; taken
  // by the caller.
  Diagnostics TakeNotes();

 private:
  void Prepare(Profile& profile, std::optional<int64_t> time_nanos);

  Aligner aligner_;
  Symbolizer symbolizer_;
  Diagnostics notes_;
};

}  // namespace pprof_trend
