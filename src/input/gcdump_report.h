// The type table `dotnet-gcdump report FILE.gcdump` prints (dotnet/diagnostics,
// PrintReportHelper.cs):
//
//         1,335,288  GC Heap bytes
//            29,845  GC Heap objects
//
//      Object Bytes     Count  Type
//           131,096         1  System.Byte[] (Bytes > 100K)  [System.Private.CoreLib.dll]
//                24    12,000  Kafka.Client.Common.NoOpTimer  [Kafka.Client.dll]
//
// Numbers in the machine's culture (N0). "Object Bytes" is not a total: it
// is the type's size in the heap graph, the size of the first object of the
// type the dump met (MemoryGraph's TypeInfo.Size), and the report has no
// bytes per type. So each row is read as Count objects (exact) of
// Object Bytes each: exact bytes for a type whose objects all have one size,
// one object's size times the count for arrays and strings (an estimate,
// said in a warning, and no `bytes` label, so bytes per object shows as an
// average). PerfView's graph splits large arrays into size buckets ("System.
// Byte[] (Bytes > 10K)", "> 100K", "> 1M"): such rows are folded into their
// type, so objects crossing a bucket do not look like one type shrinking and
// another growing. The summary's "GC Heap objects" is compared with the rows'
// counts: types without a name or size are never listed, so a few objects
// are always missing; rows holding under 99% of them were cut from the paste
// (a warning, and the share read is the profile's coverage: partial in JSON).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

bool IsGcdumpReport(std::string_view data);

// Errors name the file and line: "app-1.txt:7: ...".
StatusOr<Profile> ParseGcdumpReport(std::string_view data, const std::string& source, const Limits& limits = {});

}  // namespace pprof_trend
