// std::sort on several cores, for the rankings of large profiles.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace pprof_trend {

// Sorts `items` by `less` on up to `threads` threads: slices of at least
// `min_slice` items are sorted concurrently, then merged pairwise. `less`
// must be a strict total order (no two items equivalent), so the result is
// exactly the one a single std::sort gives, whatever the split.
template <typename T, typename Less>
void ParallelSort(std::vector<T>& items, Less less, size_t threads, size_t min_slice = 50000) {
  const size_t slices =
      std::clamp<size_t>(items.size() / std::max<size_t>(min_slice, 1), 1, std::max<size_t>(threads, 1));
  std::vector<size_t> bounds(slices + 1);
  for (size_t i = 0; i <= slices; ++i) bounds[i] = items.size() * i / slices;
  auto at = [&](size_t bound) { return items.begin() + static_cast<std::ptrdiff_t>(bounds[bound]); };
  {
    std::vector<std::jthread> pool;
    for (size_t i = 1; i < slices; ++i) pool.emplace_back([&, i] { std::sort(at(i), at(i + 1), less); });
    std::sort(at(0), at(1), less);
  }  // the pool joins here
  for (size_t width = 1; width < slices; width *= 2)
    for (size_t i = 0; i + width < slices; i += 2 * width)
      std::inplace_merge(at(i), at(i + width), at(std::min(i + 2 * width, slices)), less);
}

}  // namespace pprof_trend
