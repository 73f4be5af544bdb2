// What a series keeps of each profile once its samples are folded: where it
// came from, when it was taken, its totals, and what the input said about it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/profile.h"

namespace pprof_trend {

struct Capture {
  std::string path;
  int64_t time_nanos = 0;   // 0 when the profile does not say
  int64_t total_value = 0;  // of every sample of the ranked type, before focus/ignore
  int64_t total_objects = 0;
  int64_t period = 0;  // the sampling period (Go: MemProfileRate)
  std::string period_unit;
  bool time_from_mtime = false;      // the time is the file's modification time
  uint64_t content_hash = 0;         // of the input's bytes: equal for copies of one file
  std::vector<int64_t> type_totals;  // every sample type's total: equal for one moment in two formats
  bool cumulative_types = false;     // the profile counts allocations since start (alloc_space): never equal twice
  // Totals of the cumulative allocation types (with has_alloc): they never
  // fall within one process, so a drop marks a restart.
  int64_t total_alloc_value = 0, total_alloc_objects = 0;
  std::string build_id;     // of the main binary (the first mapping's), when the profile says
  std::string main_binary;  // the main binary's file name (no directories), when the profile says
  // Where each named file was first mapped (the first 64 files): a new
  // process of a position-independent build maps every one elsewhere (ASLR).
  struct Placement {
    std::string file;
    uint64_t start = 0;
  };
  std::vector<Placement> placements;
  std::vector<std::string> warnings;  // the input's own (Profile::warnings)
  double coverage = 1;                // heap tables: the share of the footer's objects the rows hold
  int64_t stated_bytes = -1;          // heap tables: the heap's bytes as the file states them; -1: not stated
  int64_t free_bytes = -1;            // .NET heap tables: SOS's "Free" bytes, left out of the sites; -1: none
  std::string runtime;                // "Java", ".NET" when the format says; else empty
  std::string view_filter;            // heap tables: not the whole heap (Profile::view_filter)
  ProcessMemory process_memory;       // Go's MemStats, where the capture carries them
};

// Everything a Capture says of `profile` but the totals of the ranked types
// (total_value, total_objects, total_alloc_*: which types are ranked is the
// series' choice, and the first two are summed as the samples are folded),
// and type_totals when the samples are not checked yet (the fold that checks
// them sets it: Profile::SamplesChecked).
Capture CaptureOf(const Profile& profile);

}  // namespace pprof_trend
