// What an input that no reader accepts looks like, so the error can say so
// ("an HTML page (\"404 Not Found\"), not a profile") instead of blaming a
// corrupt protobuf. Formats that are recognised but not read are named.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pprof_trend {

// A description of `data` when it is certainly not a pprof protobuf: text
// (which a protobuf profile never is), or a binary legacy CPU profile. None
// for anything else, which the protobuf reader then judges.
std::optional<std::string> DescribeNonProtobuf(std::string_view data);

}  // namespace pprof_trend
