// `--format json`: the versioned, documented schema scripts rely on (README
// "JSON output"). A pure function of the Report; numbers are the exact
// values the trend stage computed, not rounded for display.
#pragma once

#include <string>

#include "report.h"

namespace pprof_trend {

struct JsonOptions {
  size_t max_nodes_per_kind = SIZE_MAX;  // --nodecount
};

std::string RenderJson(const Report& report, const JsonOptions& options);

}  // namespace pprof_trend
