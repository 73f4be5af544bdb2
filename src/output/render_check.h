// Renderers of a check result: text (people), json (scripts), junit (CI test
// reports: one test case per budget), github (workflow annotations).
#pragma once

#include <string>

#include "analysis/check.h"
#include "output/report.h"

namespace pprof_trend {

enum class CheckFormat { kText, kJson, kJunit, kGithub };

// Offenders are named and measured as the trend's table shows them (MakeRow).
std::string RenderCheck(const CheckResult& result, const Report& report, CheckFormat format);

}  // namespace pprof_trend
