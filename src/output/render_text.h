// The default output: one screen a developer reads top to bottom.
//
//   header: the captures (time, in-use total, objects), span, total growth
//   table:  rank, growth, per day, bytes/object, objects added, sparkline, class, site
//   paths:  root -> leaf with file:line for the top entries
//   one line of shrinking sites, and a note on what is estimated.
//
// Fits 120 columns. A pure function of the Report.
#pragma once

#include <string>

#include "output/report.h"

namespace pprof_trend {

std::string RenderText(const Report& report);

// Eight-level bar characters scaled from 0 to the series maximum; at most
// `width` characters (longer series are averaged into buckets).
std::string Sparkline(const std::vector<double>& values, size_t width, const std::vector<char>& unknown = {});

}  // namespace pprof_trend
