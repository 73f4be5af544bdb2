// `pprof-trend fleet --html FILE`: the fleet's answer as one self-contained
// page, drawn here (no script runs in it): the sites ranked by the
// instances they grow in, each with its stack, its versions and its worst
// instances' series as a chart; the tables by version and by instance; the
// JSON of --format json embedded as data, for tools.
#pragma once

#include <string>

#include "output/render_fleet.h"

namespace pprof_trend {

std::string RenderFleetHtml(const FleetReport& report);

}  // namespace pprof_trend
