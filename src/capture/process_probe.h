// A local process's memory as the kernel counts it (`watch --pid PID`): its
// resident set (/proc/PID/status VmRSS) and its memory cgroup's usage and
// limit (cgroup v2 memory.current / memory.max; v1 memory.usage_in_bytes /
// memory.limit_in_bytes), each -1 where unknown. The limit is the smallest
// of the cgroup's and its ancestors' (what the kernel enforces); none when
// every one is "max" (v1: the page counter's maximum).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace pprof_trend {

struct ProcessProbe {
  int64_t rss = -1;
  int64_t cgroup_current = -1;
  int64_t cgroup_max = -1;
  std::string cgroup;  // the memory cgroup's path, e.g. "/system.slice/app.service"; empty: none found
};

// Reads the files under `root` ("" for the real /proc and /sys; tests give
// a directory that mirrors them). An error when the process does not exist
// or its status cannot be read; a cgroup that cannot be found leaves the
// cgroup fields unknown.
StatusOr<ProcessProbe> ProbeProcess(int pid, const std::string& root = "");

}  // namespace pprof_trend
