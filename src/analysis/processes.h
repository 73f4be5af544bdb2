// Which process each capture comes from. A new process starts where the
// cumulative alloc_* counters fall (a total, or any site's: within one
// process they only rise), where the main binary's build id changes (a
// rebuild), where every mapped file moved (ASLR: a new process of the same
// build), and where neighbours look like different programs that the user
// says are one (--same-program). With alloc_* types and none of these, one
// process; without them and none of these: unknown, and captures are
// compared as independent samples.
#pragma once

#include "analysis/trend.h"

namespace pprof_trend {

// Fills result.neighbours, result.processes, result.segments and result.restarts.
void DetectProcesses(const AlignedProfiles& aligned, TrendResult& result);

}  // namespace pprof_trend
