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

// Control bytes other than white space in the first 4 KiB: no text format
// (legacy heap text, heap tables, histograms) is worth scanning for. Every
// pprof protobuf has them (field lengths, zero bytes); text in any 8-bit
// encoding has none.
bool LooksBinary(std::string_view data);

}  // namespace pprof_trend
