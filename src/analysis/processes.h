// Which process each capture comes from. With the cumulative alloc_* types
// a series is one process until a total, or any site's allocations, fall, or
// the main binary's build id changes: a restart. Without them: unknown, and
// captures are compared as independent samples.
#pragma once

#include "analysis/trend.h"

namespace pprof_trend {

// Fills result.processes, result.segments and result.restarts.
void DetectProcesses(const AlignedProfiles& aligned, TrendResult& result);

}  // namespace pprof_trend
