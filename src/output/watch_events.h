// watch --format jsonl: one JSON object a line, one per event, written as
// the watch goes (a public interface: README "watch").
//
//   {"event":"analysis","instance":URL,"captures":N,"span_seconds":S,
//    "total_delta_bytes":B,"restarts":R,"growing":[{function,delta_bytes,class}],
//    "budgets_passed":true|false|null}
//   {"event":"error","instance":URL,"message":"..."}
//   {"event":"final",...}: the analysis when the watch ends (its final report)
#pragma once

#include <optional>
#include <string>

#include "output/report.h"

namespace pprof_trend {

// After a capture is folded: the instance's trend so far. `budgets_passed`
// is null without budgets.
// The watch's last one, when it ends, is "final" (the same fields).
std::string AnalysisEvent(const std::string& instance, const Report& report, std::optional<bool> budgets_passed,
                          bool final_report = false);
// --on-high-water: a capture taken because `measure` ("rss" or "in_use")
// passed its high, saved as `file`:
//   {"event":"high_water","instance":URL,"measure":"rss","bytes":B,"file":"..."}
std::string HighWaterEvent(const std::string& instance, const std::string& measure, double bytes,
                           const std::string& file);
// A capture that failed (fetch, decode, fold): not saved, the watch goes on.
// Each event is one line, its newline included.
std::string ErrorEvent(const std::string& instance, const std::string& message);

}  // namespace pprof_trend
