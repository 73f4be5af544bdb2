// Work split over threads by index range: fill(slice, begin, end) for each
// of `threads` equal slices of [0, count), a thread each (with one slice, on
// the calling thread). What a slice throws is rethrown here, after the
// joins.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

#include "base/thread_errors.h"

namespace pprof_trend {

template <typename Fill>
void ForEachSlice(size_t count, size_t threads, const Fill& fill) {
  if (threads <= 1) {
    fill(size_t{0}, size_t{0}, count);
    return;
  }
  ThreadErrors errors;
  {
    std::vector<std::jthread> pool;
    for (size_t t = 0; t < threads; ++t)
      pool.emplace_back(errors.Guard(fill), t, count * t / threads, count * (t + 1) / threads);
  }  // the pool joins here
  errors.Rethrow();
}

}  // namespace pprof_trend
