// `pprof-trend fleet`'s outputs: the ranked sites of a fleet (analysis/fleet)
// as text or JSON (the HTML page: output/render_fleet_html).
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "analysis/fleet.h"

namespace pprof_trend {

struct FleetReport {
  std::string service;
  size_t candidates = 0;  // sites the server's prefilter let through
  size_t instances = 0;   // instances with captures in the window
  std::vector<FleetSiteResult> sites;
  std::vector<FleetInstanceSummary> by_instance;  // analysis/fleet's FleetRanking
  std::vector<FleetVersionSummary> by_version;
  std::string by;  // fleet --by: "version" or "instance" adds that table to the text and HTML ("": none)
  // Per instance among the worst: the command that reproduces its trend
  // locally (pprof-trend on its captures' paths).
  std::map<std::string, std::string> reproduce;
  // fleet --max-growing-instances N (0: none): a site growing in more
  // instances fails the run (exit 1).
  size_t max_growing_instances = 0;
};

// The sites that break --max-growing-instances (empty: none, or no budget).
std::vector<const FleetSiteResult*> FleetOffenders(const FleetReport& report);

std::string RenderFleetText(const FleetReport& report, size_t shown);
std::string RenderFleetJson(const FleetReport& report);

// "v2.3.1 20/20, v2.3.0 3/3": the versions a site grows in, each with its
// instances growing of those listing the site ("-": none).
std::string VersionsGrowing(const FleetSiteResult& site);

// A site's worst instances: the first FleetSiteResult::kWorstShown it grows in.
std::span<const FleetInstanceVerdict> WorstInstances(const FleetSiteResult& site);

}  // namespace pprof_trend
