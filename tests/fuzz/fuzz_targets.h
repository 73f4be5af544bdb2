// The bodies of the fuzz targets, one per parser. The libFuzzer mains
// (fuzz_*.cc) call them, and so does the regression test of the normal suite
// (tests/fuzz_regression_test.cc), which replays testdata/fuzz/<target>/.
// Each parses its input and, when that succeeds, runs everything downstream
// (alignment, trends, every renderer, check, export), which must not crash
// on whatever the parser accepted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pprof_trend {
struct Profile;
}

namespace pprof_trend::fuzz {

int FuzzProfile(const uint8_t* data, size_t size);     // gzip + pprof protobuf (any input, as the loader sees it)
int FuzzLegacyHeap(const uint8_t* data, size_t size);  // legacy Go heap text
int FuzzDumpheap(const uint8_t* data, size_t size);    // .NET dumpheap -stat
int FuzzRules(const uint8_t* data, size_t size);       // check's rules files
// A series of two or three DIFFERENT inputs, each decoded as the loader
// would (any format), aligned together. The input is framed: one byte (its
// low bit: 2 or 3 captures), then a 4-byte little-endian length for each
// capture but the last, then the captures' bytes (lengths are clamped to
// what is left). SeriesInput builds such an input from whole files.
int FuzzSeries(const uint8_t* data, size_t size);
// A long series (3 to 402 captures) made from one input: two bytes give the
// number of captures, the next kLongSeriesPattern bytes which samples each
// capture keeps (sites in some captures only), how its values are scaled
// and how far apart the captures are; the rest is the input, decoded as the
// loader would. Reaches the statistics' O(n log n) paths, which two or three
// captures never do.
inline constexpr size_t kLongSeriesPattern = 32;
int FuzzLongSeries(const uint8_t* data, size_t size);
std::string SeriesInput(const std::vector<std::string>& captures);

// Everything after parsing (alignment, trends, renderers, check, export) on
// a series of captures; what the parsing targets run on what they accepted.
void RunDownstream(const std::vector<Profile*>& captures);
inline void RunDownstream(Profile& first, Profile& second) { RunDownstream({&first, &second}); }

struct Target {
  const char* name;
  int (*run)(const uint8_t*, size_t);
};
const std::vector<Target>& Targets();

}  // namespace pprof_trend::fuzz
