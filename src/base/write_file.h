// Writing outputs: all or nothing.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pprof_trend {

// Writes what `produce` prints to its stream into a temporary file beside
// `path`, then renames it into place, so an interrupted run never leaves a
// half-written file behind. The content goes to the file as it is printed;
// it is never held whole in memory.
Status WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& produce);

// The same for content already in memory.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace pprof_trend
