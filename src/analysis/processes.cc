#include "analysis/processes.h"

#include <vector>

namespace pprof_trend {

void DetectProcesses(const AlignedProfiles& aligned, TrendResult& result) {
  if (!aligned.has_alloc) return;
  // Within one process the cumulative alloc counts never fall, not in total
  // and not at any site (sampled allocations only accumulate).
  const size_t n = aligned.captures.size();
  std::vector<char> fell(n, 0);
  std::vector<int64_t> alloc(n);
  for (const AlignedSite& site : aligned.sites) {
    if (site.alloc_values.width() == 0) continue;  // never changed: never fell
    site.alloc_values.DecodeTo(alloc.data());
    for (size_t i = 1; i < n; ++i)
      if (alloc[i] < alloc[i - 1]) fell[i] = 1;
  }
  result.segments.assign(n, 0);
  for (size_t i = 1; i < n; ++i) {
    const Capture &a = aligned.captures[i - 1], &b = aligned.captures[i];
    const bool restart = fell[i] || b.total_alloc_value < a.total_alloc_value ||
                         b.total_alloc_objects < a.total_alloc_objects ||
                         (!a.build_id.empty() && !b.build_id.empty() && a.build_id != b.build_id);
    result.segments[i] = result.segments[i - 1] + (restart ? 1 : 0);
    if (restart) result.restarts.push_back(i);
  }
  result.processes = result.restarts.empty() ? TrendResult::Processes::kOne : TrendResult::Processes::kRestarted;
}

}  // namespace pprof_trend
