// How much of the growth of a Go process's memory its sampled heap
// explains, and where the rest went, from the runtime.MemStats its ?debug=1
// heap profiles carry (model/profile.h ProcessMemory).
//
// What the process holds from the OS is Sys - HeapReleased (RSS, less what
// was never touched). Its change between two captures is exactly the sum of
//   the sampled heap's in-use change (the profile's total),
//   heap spans in use beyond it (HeapInuse's change less the sampled one:
//     span slack, objects not yet swept, the sampling's error),
//   free heap not returned to the OS ((HeapIdle - HeapReleased)'s change),
//   goroutine stacks (StackSys), and
//   the runtime's metadata (MSpan, MCache, BuckHash, GC, Other).
// Memory outside Go's heap (cgo, mmap) is not in MemStats: only a process's
// RSS shows it.
#pragma once

#include <cstddef>
#include <optional>

#include "analysis/trend.h"

namespace pprof_trend {

struct MemoryAccount {
  size_t first = 0, last = 0;            // the captures compared: the first and last of the last process with MemStats
  size_t with_stats = 0;                 // captures that carry complete MemStats
  double held_first = 0, held_last = 0;  // Sys - HeapReleased
  double held = 0;                       // its change, the sum of the parts below
  double sampled = 0;                    // the profile's in-use total's change
  double heap_beyond_sampled = 0, idle_not_released = 0, stacks = 0, metadata = 0;
  // Where both captures have the process's RSS (watch --pid): its change,
  // and the part of it outside what Go holds from the OS (cgo, mmap, the
  // binary's pages): RSS's change less `held`'s.
  std::optional<double> rss_first, rss_last, outside_go;
};

// None unless two captures of the last process carry complete MemStats and
// the ranked type is inuse_space.
std::optional<MemoryAccount> AccountMemory(const TrendResult& trend);

}  // namespace pprof_trend
