// Runs packed one after another in a table (a location's frames, its
// nodes): run r is table[r.first] .. table[r.first + r.count - 1]. A run of
// up to kRunWidth is copied kRunWidth wide whatever its length and the copy
// moved on by its length, so a stack's runs are gathered without a branch
// on each one's length, which a fifth of a Go profile's locations (the
// inlined ones, in no order) would make the processor mispredict. The table
// therefore ends in kRunWidth - 1 entries of padding, and the destination
// has room for kRunWidth entries past each run copied into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace pprof_trend {

struct Run {
  uint32_t first = 0, count = 0;
};

inline constexpr size_t kRunWidth = 4;

// Copies `run` of `table` to `to`; returns the end of the copy.
template <typename T>
T* CopyRun(T* to, const T* table, Run run) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (run.count <= kRunWidth) [[likely]]
    std::memcpy(to, table + run.first, kRunWidth * sizeof(T));  // a fixed width: one move
  else
    std::memcpy(to, table + run.first, run.count * sizeof(T));
  return to + run.count;
}

}  // namespace pprof_trend
