// Arguments that are URLs rather than files.
#pragma once

#include <string_view>

namespace pprof_trend {

inline bool IsUrl(std::string_view arg) { return arg.starts_with("http://") || arg.starts_with("https://"); }

}  // namespace pprof_trend
