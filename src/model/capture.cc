#include "model/capture.h"

#include <algorithm>

namespace pprof_trend {

Capture CaptureOf(const Profile& profile) {
  Capture capture;
  capture.path = profile.source;
  capture.time_nanos = profile.time_nanos;
  capture.period = profile.period;
  capture.period_unit = profile.period_type.unit;
  capture.time_from_mtime = profile.time_from_mtime;
  capture.content_hash = profile.content_hash;
  if (profile.SamplesChecked()) capture.type_totals = profile.TypeTotals();  // else the fold finds them
  capture.cumulative_types = profile.FindSampleType("alloc_space") >= 0;
  if (!profile.mappings.empty()) capture.build_id = std::string(profile.mappings.front().build_id);
  constexpr size_t kPlacements = 64;
  for (const Mapping& m : profile.mappings) {
    // "[vdso]", "[heap]": not files; anonymous mappings have no name.
    if (m.filename.empty() || m.filename.front() == '[') continue;
    if (capture.main_binary.empty()) capture.main_binary = m.filename.substr(m.filename.rfind('/') + 1);
    if (capture.placements.size() == kPlacements) break;
    if (std::none_of(capture.placements.begin(), capture.placements.end(),
                     [&](const Capture::Placement& p) { return p.file == m.filename; }))
      capture.placements.push_back({std::string(m.filename), m.memory_start});
  }
  capture.warnings = profile.warnings;
  capture.coverage = profile.coverage;
  capture.stated_bytes = profile.stated_bytes;
  capture.free_bytes = profile.free_bytes;
  capture.runtime = profile.runtime;
  capture.process_memory = profile.process_memory;
  capture.view_filter = profile.view_filter;
  return capture;
}

}  // namespace pprof_trend
