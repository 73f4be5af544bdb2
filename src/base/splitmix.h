// splitmix64: a fixed, portable mixing of 64 bits (Steele, Lea and Flood).
// The one copy for a hash's last step (input/model_builder,
// base/id_table), the trend's fixed pseudo-random sequence
// (analysis/statistics) and the generators' seeds (tools/), so the same
// input gives the same bits on every machine.
#pragma once

#include <cstdint>

namespace pprof_trend {

inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace pprof_trend
