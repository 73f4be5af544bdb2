// Resource limits on inputs: a hostile or broken file stops with a clear
// error naming the limit and the flag that raises it, instead of exhausting
// memory or producing an unreadable report. Defaults sit far above real heap
// profiles (a large Go service: ~1M samples, ~100k locations, stacks of a
// few hundred frames).
#pragma once

#include <cstdint>

namespace pprof_trend {

struct Limits {
  uint64_t max_decompressed_bytes = uint64_t{4} << 30;  // --max-decompressed
  uint64_t max_compression_ratio = 100;                 // --max-compression-ratio (past the first 64 MiB)
  uint64_t max_samples = 50'000'000;                    // --max-samples
  uint64_t max_locations = 50'000'000;                  // --max-locations
  uint64_t max_stack_depth = 1'000'000;                 // --max-stack-depth (frames, inlined ones included)
  uint64_t max_string_length = 1 << 20;                 // --max-string-length (bytes)
};

}  // namespace pprof_trend
