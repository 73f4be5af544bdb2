// Writes the growth between the first and the last capture as a pprof
// profile (`pprof-trend export`), for `go tool pprof` or any pprof viewer.
// Written with the wire format by hand (no libprotobuf at run time: it cost
// every start 5 ms), byte for byte as libprotobuf writes the same message.
#pragma once

#include <string>

#include "analysis/trend.h"

namespace pprof_trend {

// The aligned delta last - first of every site (negative values allowed, as
// with pprof's -diff_base): sample types [objects, value] (or just value),
// one sample per site that changed, with its `bytes` label when the site's
// objects have one size. Serialized, uncompressed.
std::string SerializeGrowthProfile(const TrendResult& trend);

}  // namespace pprof_trend
