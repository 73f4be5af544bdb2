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
  // The series judged (kept for a site's worst instances: the report draws them).
  std::vector<int64_t> times;
  std::vector<double> bytes;
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
  // Every instance it grows in, fastest first; the first kWorstShown (the
  // worst instances, in every output) keep their series.
  std::vector<FleetInstanceVerdict> growing;
  static constexpr size_t kWorstShown = 5;
  double growth = 0;  // summed over the instances it grows in
};

// One instance over the candidate sites (fleet --by instance): which pods leak.
struct FleetInstanceSummary {
  std::string instance, version;
  size_t sites_growing = 0;
  double per_day = 0, growth = 0;  // summed over the sites it grows in
  std::vector<std::string> sites;  // the names of those sites, fastest first (at most 3)
};

// One version over its instances (fleet --by version): does it leak in
// every pod of v2.3.1 and in none of v2.3.0?
struct FleetVersionSummary {
  std::string version;
  size_t instances = 0;          // its instances that list a candidate site
  size_t instances_growing = 0;  // of them, those a site grows in
  size_t sites_growing = 0;      // the sites that grow in one or more of its instances
  double median_per_day = 0;     // over its instances, each the sum of its growing sites' rates (0: none)
};

struct FleetRanking {
  // Ranked: the most instances growing first, then the largest summed growth.
  std::vector<FleetSiteResult> sites;
  // The fastest growing first (summed rate), then by name; instances where
  // nothing grows are left out.
  std::vector<FleetInstanceSummary> instances;
  std::vector<FleetVersionSummary> versions;  // sorted by version
};

FleetRanking RankFleet(const std::vector<FleetSiteInput>& sites);

}  // namespace pprof_trend
