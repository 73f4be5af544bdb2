#include "analysis/processes.h"

#include <optional>
#include <vector>

namespace pprof_trend {
namespace {

// Per capture: whether a cumulative allocation count fell from the capture
// before, at any site or in total (sampled allocations only accumulate).
// The counters are the alloc_* twins of the in-use types ranked, or, when
// an alloc_* type is ranked itself (--sample-index alloc_space), the ranked
// values: either way the same allocation counters tell the processes apart.
std::vector<char> CountersFell(const AlignedProfiles& aligned) {
  const size_t n = aligned.captures.size();
  std::vector<char> fell(n, 0);
  if (!aligned.has_alloc && !aligned.cumulative) return fell;
  std::vector<int64_t> alloc(n);
  for (const AlignedSite& site : aligned.sites) {
    const PackedSeries& counter = aligned.has_alloc ? site.alloc_values : site.values;
    if (counter.constant()) continue;  // never changed: never fell
    counter.DecodeTo(alloc.data());
    for (size_t i = 1; i < n; ++i)
      if (alloc[i] < alloc[i - 1]) fell[i] = 1;
  }
  for (size_t i = 1; i < n; ++i) {
    const Capture &a = aligned.captures[i - 1], &b = aligned.captures[i];
    if (aligned.has_alloc ? (b.total_alloc_value < a.total_alloc_value || b.total_alloc_objects < a.total_alloc_objects)
                          : (b.total_value < a.total_value || b.total_objects < a.total_objects))
      fell[i] = 1;
  }
  return fell;
}

}  // namespace

void DetectProcesses(const AlignedProfiles& aligned, TrendResult& result) {
  using Cause = TrendResult::RestartCause;
  const size_t n = aligned.captures.size();
  result.neighbours = CompareNeighbours(aligned);
  const std::vector<char> fell = CountersFell(aligned);
  result.segments.assign(n, 0);
  for (size_t i = 1; i < n; ++i) {
    const NeighbourEvidence& e = result.neighbours[i];
    // The most telling cause first: another program explains another build,
    // which explains moved mappings, which explain fallen counters.
    std::optional<Cause> cause;
    if (e.different_programs) {
      cause = Cause::kOtherProgram;
    } else if (e.rebuilt) {
      cause = Cause::kRebuilt;
    } else if (e.moved) {
      cause = Cause::kNewProcess;
    } else if (fell[i]) {
      cause = Cause::kCountersFell;
    }
    result.segments[i] = result.segments[i - 1] + (cause ? 1 : 0);
    if (cause) result.restarts.push_back({i, *cause});
  }
  if (!result.restarts.empty()) {
    result.processes = TrendResult::Processes::kRestarted;
  } else if (aligned.has_alloc || aligned.cumulative) {
    result.processes = TrendResult::Processes::kOne;
  } else {
    result.segments.clear();  // unknown: independent samples
  }
}

}  // namespace pprof_trend
