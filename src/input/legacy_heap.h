// Legacy Go heap profiles, the text form of /debug/pprof/heap?debug=1:
//
//   heap profile: 104: 162360064 [678: 190175744] @ heap/1048576
//   18: 150994944 [18: 150994944] @ 0x62d8c5 0x62d4a5 0x6575fe 0x469bc1
//   #	0x62d8c4	github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer+0x44
//   .../async_producer.go:472
//   ...
//   # runtime.MemStats ...
//
// Each record is "inuse_count: inuse_bytes [alloc_count: alloc_bytes] @ pcs",
// followed by its symbolized frames (leaf first, inlined frames expanded).
// Values are unsampled the way pprof does it for this format: the rate is
// half the number after "heap/" ("heap_v2/R": R itself; "heapprofile": not
// sampled), and each count/bytes pair is multiplied by
// 1 / (1 - exp(-(bytes/count) / rate)), truncated to an integer; the
// `bytes` label is bytes/count before scaling (the in-use pair's when it has
// objects). The result has the proto form's four sample types and totals
// equal to what `go tool pprof` computes for the same file.
//
// The same text from native profilers, with no symbols (records of return
// addresses only) and the process's /proc/self/maps after a
// `MAPPED_LIBRARIES:` line, which becomes the profile's mappings (the
// executable ones with a file), so the addresses can be symbolized and named
// by file and offset:
//   gperftools (HEAPPROFILE, HeapProfilerDump): "heap profile: ... @ heapprofile"
//     (every allocation) or "@ heap_v2/RATE" (sampled);
//   jemalloc (prof.dump): "heap_v2/RATE", then a "t*: N: B [N: B]" total,
//     then per stack "@ 0x... 0x..." and its "t*:" line (and "tN:" lines
//     per thread, skipped). jemalloc keeps the accumulated counts only with
//     prof_accum:true; without, the profile has only the in-use types.
// These profilers keep one record per stack, whatever sizes it allocated, so
// no `bytes` label is made: bytes/count is an average, not an object size.
//
// pprof's legacy Java heap profile (a Java agent's /pprof/heap):
//   --- heapz 1 ---
//   format = java
//   resolution = bytes
//             7048     1 @ 0x00000003 0x00000004 ...
//   (a blank line)
//    0x00000003 com.example.Cache.put (Cache.java:103)
// Records are "bytes count @ addresses" (leaf first, in-use only), sampled
// every 512 KiB and unsampled as pprof does (the `bytes` label is
// bytes/count before scaling); the symbol lines name each address
// "function (File.java:line)", "function (path/lib.so)" or "function".
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/input_limits.h"
#include "model/profile.h"

namespace pprof_trend {

// "heap profile:" (Go, gperftools) or "heap_v2/" (jemalloc) first.
bool IsLegacyHeapProfile(std::string_view data);

// Errors name the file and line: "day1.heap.txt:7: ...".
StatusOr<Profile> ParseLegacyHeap(std::string_view data, const std::string& source, const Limits& limits = {});

}  // namespace pprof_trend
