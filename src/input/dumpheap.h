// .NET heap statistics: the table SOS's `!dumpheap -stat` prints (WinDbg,
// `dotnet-dump analyze`):
//
//   Statistics:
//                 MT    Count    TotalSize Class Name
//   00007ffa2b5e1a38        1           24 System.Object
//   00007ffa2c0f5f20  412,553    9,901,272 Kafka.Client.Common.NoOpTimer
//   Total 1,234,567 objects
//
// Each row becomes a sample whose stack is one frame, the type name, with
// inuse_objects = Count and inuse_space = TotalSize. When TotalSize is a
// whole multiple of Count, the quotient becomes the `bytes` label, so a
// type whose objects all have one size gets an exact bytes per object.
// Tolerated: lines before the header (the command, "Statistics:"), method
// tables with or without 0x and with WinDbg's backtick (00007ffa`2b5e1a38),
// thousands separators, type names with spaces, generics and brackets, and
// anything after the "Total N objects" footer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

bool IsDumpheapStat(std::string_view data);

// Errors name the file and line: "dump2.txt:14: ...".
StatusOr<Profile> ParseDumpheapStat(std::string_view data, const std::string& source, const Limits& limits = {});

// A debugger session that printed the whole heap's statistics (dumpheap
// -stat without a filter) several times is a series by itself: one profile
// per such table, named "SOURCE#1", "SOURCE#2", ... (no times: the tables
// carry none). Fewer than two: ParseDumpheapStat's one.
StatusOr<std::vector<Profile>> ParseDumpheapSeries(std::string_view data, const std::string& source,
                                                   const Limits& limits = {});
// How many profiles ParseDumpheapSeries gives, without making them.
size_t CountDumpheapCaptures(std::string_view data, const std::string& source, const Limits& limits = {});

}  // namespace pprof_trend
