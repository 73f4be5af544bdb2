// Test helpers that write pprof profiles: a small builder for hand-made
// profiles, gzip, and a rewriter that makes a "rebuilt" capture of the same
// program (new ids, addresses, mappings, string order).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pprof_trend::testing {

// A frame of a hand-made stack: function name, file, line.
struct TestFrame {
  std::string function;
  std::string file = "main.go";
  int64_t line = 1;
};

struct TestSample {
  std::vector<TestFrame> stack;  // leaf first
  std::vector<int64_t> values;
  int64_t size_label = 0;  // numeric "bytes" label; 0: none
};

// Builds a Go-style heap profile (alloc/inuse objects/space) unless other
// sample types are given. Each distinct frame gets its own function and
// location.
struct ProfileSpec {
  std::vector<std::pair<std::string, std::string>> sample_types = {
      {"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}};
  int64_t period = 524288;
  int64_t time_nanos = 0;
  std::vector<TestSample> samples;
  // The main binary's mapping (every location is in it).
  std::string build_id;
  uint64_t mapping_start = 0x400000;
};

// Serialized (uncompressed) profile.
std::string BuildProfile(const ProfileSpec& spec);

// Convenience for heap samples: in-use objects and bytes, alloc = in-use.
TestSample HeapSample(std::vector<TestFrame> stack, int64_t objects, int64_t bytes, int64_t size_label = 0);

std::string GzipCompress(const std::string& raw);

// Rewrites a serialized profile as a rebuild of the same program would look:
// ids renumbered in a shuffled order, addresses and mappings moved, the
// string table permuted. Names, files, lines and values are unchanged.
std::string RewriteAsRebuild(const std::string& raw, uint32_t seed);

std::string ReadFileOrDie(const std::string& path);
void WriteFileOrDie(const std::string& path, const std::string& data);

}  // namespace pprof_trend::testing
