// watch --format jsonl: one JSON object a line, one per event, written as
// the watch goes (a public interface: README "watch").
//
//   {"event":"analysis","instance":URL,"captures":N,"span_seconds":S,
//    "total_delta_bytes":B,"restarts":R,"growing":[{function,delta_bytes,class}],
//    "budgets_passed":true|false|null}
//   {"event":"error","instance":URL,"message":"..."}
#pragma once

#include <optional>
#include <string>

#include "output/report.h"

namespace pprof_trend {

// After a capture is folded: the instance's trend so far. `budgets_passed`
// is null without budgets.
std::string AnalysisEvent(const std::string& instance, const Report& report, std::optional<bool> budgets_passed);
// A capture that failed (fetch, decode, fold): not saved, the watch goes on.
std::string ErrorEvent(const std::string& instance, const std::string& message);

}  // namespace pprof_trend
