// Where tests find the repository's files and the built binary.
#pragma once

#include <string>

namespace pprof_trend::testing {

inline std::string SourcePath(const std::string& relative) {
  return std::string(PPROF_TREND_SOURCE_DIR) + "/" + relative;
}
inline std::string SaramaDay(int day) { return SourcePath("testdata/sarama/day" + std::to_string(day) + ".pb.gz"); }

}  // namespace pprof_trend::testing
