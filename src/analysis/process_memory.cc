#include "analysis/process_memory.h"

namespace pprof_trend {

std::optional<MemoryAccount> AccountMemory(const TrendResult& trend) {
  const auto& captures = trend.aligned.captures;
  if (trend.aligned.value_type_name != "inuse_space" || captures.empty()) return std::nullopt;
  MemoryAccount a;
  std::optional<size_t> first, last;
  for (size_t i = 0; i < captures.size(); ++i) {
    if (!captures[i].process_memory.complete()) continue;
    ++a.with_stats;
    // The last process's: a restart's drop is no change of one process.
    if (first && !SameSegment(trend.segments, *first, i)) first.reset();
    if (!first) first = i;
    last = i;
  }
  if (!first || *last == *first) return std::nullopt;
  a.first = *first, a.last = *last;
  const ProcessMemory &m0 = captures[a.first].process_memory, &m1 = captures[a.last].process_memory;
  auto change = [&](auto field) { return static_cast<double>(m1.*field) - static_cast<double>(m0.*field); };
  a.held_first = static_cast<double>(m0.sys - m0.heap_released);
  a.held_last = static_cast<double>(m1.sys - m1.heap_released);
  a.held = a.held_last - a.held_first;
  a.sampled = static_cast<double>(captures[a.last].total_value - captures[a.first].total_value);
  a.heap_beyond_sampled = change(&ProcessMemory::heap_inuse) - a.sampled;
  a.idle_not_released = change(&ProcessMemory::heap_idle) - change(&ProcessMemory::heap_released);
  a.stacks = change(&ProcessMemory::stack_sys);
  a.metadata = change(&ProcessMemory::mspan_sys) + change(&ProcessMemory::mcache_sys) +
               change(&ProcessMemory::buckhash_sys) + change(&ProcessMemory::gc_sys) +
               change(&ProcessMemory::other_sys);
  if (m0.rss >= 0 && m1.rss >= 0) {
    a.rss_first = static_cast<double>(m0.rss);
    a.rss_last = static_cast<double>(m1.rss);
    a.outside_go = (*a.rss_last - *a.rss_first) - a.held;
  }
  return a;
}

}  // namespace pprof_trend
