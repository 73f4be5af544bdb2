// `pprof-trend fleet`: the reduce of a fleet's trend (src/capture/FLEET.md).
// ClickHouse's prefilter picked the candidate sites; here each instance's
// series of each candidate goes through the statistics of one series (the
// same noise model, classes and restarts as a trend), and the sites are
// ranked by how many instances they grow in.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pprof_trend {

// One instance's captures and, per capture, one site's in-use bytes there
// (0 where the capture does not list the site).
struct FleetInstanceSeries {
  std::string instance, version;
  std::vector<int64_t> times;          // capture times, Unix seconds, increasing
  std::vector<std::string> processes;  // per capture: its process id ("" unknown)
  std::vector<double> bytes;           // per capture
  int64_t period = 0;                  // the sample period (bytes; 0 or 1: exact)
};

struct FleetSiteInput {
  uint64_t site = 0;
  std::vector<std::string> functions, files;  // root first
  std::vector<FleetInstanceSeries> instances;
};

struct FleetInstanceVerdict {
  std::string instance, version;
  bool grew = false;
  double per_day = 0;  // Theil-Sen slope of the instance's series (within its processes)
  double growth = 0;   // within its processes, first -> last
  std::string trend_class;
};

struct FleetSiteResult {
  uint64_t site = 0;
  std::string name;  // the site's deepest frame that is no allocator's
  std::vector<std::string> functions, files;
  size_t instances_seen = 0, instances_growing = 0;
  double median_per_day = 0, worst_per_day = 0;  // over the instances it grows in
  std::vector<std::string> versions;             // the versions of the instances it grows in, sorted
  // Per version (every version of the instances that list the site, sorted):
  // in how many instances it grows, of how many.
  struct VersionCount {
    std::string version;
    size_t growing = 0, seen = 0;
  };
  std::vector<VersionCount> by_version;
  std::vector<FleetInstanceVerdict> worst;  // the instances it grows in, fastest first (at most 5)
  double growth = 0;                        // summed over the instances it grows in
};

// Ranked: the most instances growing first, then the largest summed growth.
std::vector<FleetSiteResult> RankFleet(const std::vector<FleetSiteInput>& sites);

}  // namespace pprof_trend
