#include "output/watch_events.h"

#include "base/json_writer.h"
#include "output/render_json.h"

namespace pprof_trend {

std::string AnalysisEvent(const std::string& instance, const Report& report, std::optional<bool> budgets_passed,
                          bool final_report) {
  const TrendResult& t = *report.trend;
  JsonWriter w(0);
  w.BeginObject();
  w.Key("event");
  w.String(final_report ? "final" : "analysis");
  w.Key("instance");
  w.String(instance);
  w.Key("captures");
  w.Int(static_cast<int64_t>(t.aligned.captures.size()));
  w.Key("span_seconds");
  w.Double(t.span_seconds);
  w.Key("total_delta_bytes");
  w.Double(t.total.delta);
  w.Key("restarts");
  w.Int(static_cast<int64_t>(t.restarts.size()));
  w.Key("growing");
  w.BeginArray();
  for (const ReportRow& row : report.growing) {
    w.BeginObject();
    w.Key("function");
    w.String(row.name);
    w.Key("delta_bytes");
    w.Double(row.growth);
    w.Key("class");
    w.String(TrendClassName(row.node->stats.trend_class));
    w.EndObject();
  }
  w.EndArray();
  w.Key("budgets_passed");
  budgets_passed ? w.Bool(*budgets_passed) : w.Null();
  // The last capture's process memory (--memstats, --pid) and the
  // projection to the limit, where known.
  if (const ProcessMemory& m = t.aligned.captures.back().process_memory; m.any()) WriteProcessMemory(w, m);
  if (report.projection) WriteProjectionJson(w, report);
  w.EndObject();
  return w.str();
}

std::string HighWaterEvent(const std::string& instance, const std::string& measure, double bytes,
                           const std::string& file) {
  JsonWriter w(0);
  w.BeginObject();
  w.Key("event");
  w.String("high_water");
  w.Key("instance");
  w.String(instance);
  w.Key("measure");
  w.String(measure);
  w.Key("bytes");
  w.Double(bytes);
  w.Key("file");
  w.String(file);
  w.EndObject();
  return w.str();
}

std::string ErrorEvent(const std::string& instance, const std::string& message) {
  JsonWriter w(0);
  w.BeginObject();
  w.Key("event");
  w.String("error");
  w.Key("instance");
  w.String(instance);
  w.Key("message");
  w.String(message);
  w.EndObject();
  return w.str();
}

}  // namespace pprof_trend
