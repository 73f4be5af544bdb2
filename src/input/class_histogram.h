// Java class histograms: what `jmap -histo PID`, `jcmd PID GC.class_histogram`
// and -XX:+PrintClassHistogram print, on HotSpot (JDK 8, and 9+ with a module
// column) and OpenJ9:
//
//   12345:                                                (jcmd: the pid first)
//    num     #instances         #bytes  class name (module)
//   -------------------------------------------------------
//      1:         60000        1920000  Leak$Session
//      2:          7498         653128  [B (java.base@17.0.15)
//   Total         83589        3586200                    (HotSpot; not when cut by head)
//
//   OpenJ9:  num   object count     total size    class name   (no colon, no footer)
//
// A class is one site: inuse_objects = #instances, inuse_space = #bytes (the
// shallow size). All instances of a class that is no array have one shallow
// size, so its bytes per object is exact (the `bytes` label); arrays ("[B",
// "[Ljava.lang.Object;") are an average. The module goes into the frame's
// file without its version, so captures from two JDK updates align. The rows
// are compared with the footer as heap tables are; a file with several
// histograms (a GC log with one per full GC) gives the last, and says so.
// Lines of a unified GC log keep their "[...][info][gc,classhisto]" prefix.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

bool IsClassHistogram(std::string_view data);

// Errors name the file and line: "histo.txt:7: ...".
StatusOr<Profile> ParseClassHistogram(std::string_view data, const std::string& source, const Limits& limits = {});

// A GC log that printed a whole histogram at several full GCs is a series by
// itself: one profile per live-heap histogram (after each GC; the "before"
// ones left out), named "SOURCE#1", "SOURCE#2", ..., each with the time its
// log line gives (0 when none). Fewer than two: ParseClassHistogram's one.
StatusOr<std::vector<Profile>> ParseClassHistogramSeries(std::string_view data, const std::string& source,
                                                         const Limits& limits = {});
// How many profiles ParseClassHistogramSeries gives, without making them.
size_t CountClassHistogramCaptures(std::string_view data, const std::string& source, const Limits& limits = {});

}  // namespace pprof_trend
