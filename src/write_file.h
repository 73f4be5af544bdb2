// Writing outputs: all or nothing.
#pragma once

#include <string>
#include <string_view>

#include "status.h"

namespace pprof_trend {

// Writes `content` to a temporary file beside `path` and renames it into
// place, so an interrupted run never leaves a half-written file behind.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace pprof_trend
