#include "output/render_check.h"

#include <fmt/format.h>

#include <cmath>

#include "base/json_writer.h"
#include "base/units.h"
#include "base/utf8.h"
#include "output/render_json.h"

namespace pprof_trend {
namespace {

// "matches no function or file in any capture; did you mean main.openSession?"
std::string NothingMatched(const std::string& closest) {
  return "matches no function or file in any capture" +
         (closest.empty() ? std::string() : fmt::format("; did you mean {}?", closest));
}

std::string Measured(const Verdict& v, const Report& report) {
  if (v.matched_nothing) return NothingMatched(v.closest_name);
  // The projection said whole: "limit 2GiB: reached in ~3.1 days (95%: 2.0 days - 4.5 days), on ...".
  if (v.budget == "min-time-to-limit") {
    if (report.projection) return ProjectionLine(report);
    return std::isfinite(v.measured) ? "reached in " + FormatSpan(v.measured) + " at the earliest (95%)"
                                     : "not reached at the current trend";
  }
  if (v.budget == "forbid")
    return fmt::format("{} growing site{}", static_cast<int64_t>(v.measured), v.measured == 1 ? "" : "s");
  std::string value = FormatNodeValue(*report.trend, v.measured, true);
  if (v.budget == "max-rate") {
    size_t slash = v.limit.find('/');
    return value + "/" + v.limit.substr(slash + 1);
  }
  return value;
}

std::string Limit(const Verdict& v) {
  if (v.budget == "forbid") return fmt::format("no growing site matching {}", v.limit);
  return v.limit;
}

// "+136MiB sarama.(*asyncProducer).newPartitionProducer (+17 objects of 8MiB)"
std::string Offender(const Report& report, const TrendNode& node) {
  const ReportRow row = MakeRow(report, node);
  const std::string& name = row.name;
  std::string size;
  if (node.size.bytes_per_object && *node.size.bytes_per_object > 0)
    size = fmt::format(", {}{}/object", node.size.exact ? "" : "~", FormatBytes(*node.size.bytes_per_object));
  // The table's figures: after a restart, the growth within each process.
  // With no objects type, no count (unknown, not 0).
  const std::string growth = fmt::format("{}{} {}", node.size.objects_estimated ? "~" : "",
                                         FormatNodeValue(*report.trend, row.growth, true), name);
  if (report.trend->aligned.objects_type_name.empty())
    return size.empty() ? growth : fmt::format("{} ({})", growth, size.substr(2));
  return fmt::format("{} ({}{} objects{})", growth, node.size.objects_estimated ? "~" : "",
                     FormatSignedCount(std::round(row.growth_objects)), size);
}

std::string Summary(const CheckResult& r) {
  size_t failed = 0;
  for (const auto& v : r.verdicts) failed += v.passed ? 0 : 1;
  return r.passed ? fmt::format("PASS: {} budget{} met", r.verdicts.size(), r.verdicts.size() == 1 ? "" : "s")
                  : fmt::format("FAIL: {} of {} exceeded", failed,
                                Plural(static_cast<int64_t>(r.verdicts.size()), "budget"));
}

std::string Text(const CheckResult& r, const Report& report) {
  const TrendResult& t = *report.trend;
  const auto& a = t.aligned;
  std::string out = fmt::format("pprof-trend check: {} profiles, {}, {} -> {}", a.captures.size(), a.value_type_name,
                                TerminalSafe(a.captures.front().path), TerminalSafe(a.captures.back().path));
  if (t.span_seconds > 0) out += fmt::format(" ({})", FormatSpan(t.span_seconds));
  out += "\n";
  out += fmt::format("  growth of the sites counted: {}{}\n", FormatNodeValue(t, r.total_growth, true),
                     r.allowed_sites > 0 ? fmt::format(" ({} allowed site{} left out)", r.allowed_sites,
                                                       r.allowed_sites == 1 ? "" : "s")
                                         : "");
  for (const UnmatchedPattern& u : r.unmatched_allow)
    out += fmt::format("  note: --allow {} leaves no site out: it {}\n", TerminalSafe(u.pattern),
                       TerminalSafe(NothingMatched(u.closest_name)));
  for (const auto& v : r.verdicts) {
    out += fmt::format("  {}  {:<15} {:<24} {}{}\n", v.passed ? "PASS" : "FAIL", v.budget,
                       FitWidth(TerminalSafe(v.limit), 24), v.matched_nothing ? "" : "measured ",
                       TerminalSafe(Measured(v, report)));
    if (!v.passed)
      for (const TrendNode* n : v.offenders) out += fmt::format("          {}\n", Offender(report, *n));
    for (const TrendNode* n : v.grew_unclassed)
      out += fmt::format("          note: matches and grew, classed {} (not growing): {}\n",
                         TrendClassName(n->stats.trend_class), Offender(report, *n));
  }
  return out + Summary(r) + "\n";
}

void WriteOffenderJson(JsonWriter& w, const TrendNode* n, const Report& report) {
  const TrendResult& t = *report.trend;
  const ReportRow row = MakeRow(report, *n);
  w.BeginObject();
  w.Key("function");
  w.String(NodeName(t.aligned, *n));
  if (report.told_apart_by.count(n->site_index) > 0) {
    w.Key("name");  // another site has the same name: as the text prints it, "f (from g)"
    w.String(RowName(report, *n, false));
  }
  w.Key("rank");
  w.Int(n->rank);
  w.Key("class");
  w.String(TrendClassName(n->stats.trend_class));
  w.Key("delta_bytes");  // last - first, across any restart
  w.Double(n->stats.delta);
  const bool objects_known = !t.aligned.objects_type_name.empty();  // else counts are unknown: null
  w.Key("delta_objects");
  objects_known ? w.Double(n->delta_objects) : w.Null();
  w.Key("growth_bytes");  // the table's and the text offender's figure: within each process after a restart
  w.Double(row.growth);
  w.Key("growth_objects");
  objects_known ? w.Double(row.growth_objects) : w.Null();
  WriteRateFields(w, n->stats.per_day);
  w.Key("bytes_per_object");
  w.OptionalDouble(n->size.bytes_per_object);
  w.Key("bytes_per_object_exact");
  w.Bool(n->size.exact);
  w.EndObject();
}

void WriteVerdictJson(JsonWriter& w, const Verdict& v, const Report& report) {
  w.BeginObject();
  w.Key("budget");
  w.String(v.budget);
  w.Key("limit");
  w.String(v.limit);
  w.Key("limit_value");
  v.budget == "forbid" ? w.Null() : w.Double(v.limit_value);
  w.Key("measured");
  w.Double(v.measured);
  w.Key("passed");
  w.Bool(v.passed);
  w.Key("offenders");
  w.BeginArray();
  for (const TrendNode* n : v.offenders) WriteOffenderJson(w, n, report);
  w.EndArray();
  w.Key("grew_not_classed_growing");  // forbid: matching sites that grew without being classed growing
  w.BeginArray();
  for (const TrendNode* n : v.grew_unclassed) WriteOffenderJson(w, n, report);
  w.EndArray();
  if (v.budget == "forbid") {
    w.Key("matched_nothing");  // no function or file of any capture matches: failed
    w.Bool(v.matched_nothing);
    w.Key("closest_name");
    v.closest_name.empty() ? w.Null() : w.String(v.closest_name);
  }
  w.EndObject();
}

std::string Json(const CheckResult& r, const Report& report) {
  const TrendResult& t = *report.trend;
  JsonWriter w;
  w.BeginObject();
  w.Key("schema");
  w.String("pprof-trend-check");
  w.Key("version");
  w.Int(kJsonSchemaVersion);
  w.Key("tool_version");
  w.String(kVersion);
  w.Key("passed");
  w.Bool(r.passed);
  w.Key("sample_index");
  w.String(t.aligned.value_type_name);
  w.Key("profiles");
  w.BeginArray();
  for (const auto& c : t.aligned.captures) w.String(c.path);
  w.EndArray();
  w.Key("total_growth");
  w.Double(r.total_growth);
  w.Key("allowed_sites");
  w.Int(static_cast<int64_t>(r.allowed_sites));
  w.Key("allow_matched_nothing");  // --allow patterns that match no function or file (they fail nothing)
  w.BeginArray();
  for (const UnmatchedPattern& u : r.unmatched_allow) {
    w.BeginObject();
    w.Key("pattern");
    w.String(u.pattern);
    w.Key("closest_name");
    u.closest_name.empty() ? w.Null() : w.String(u.closest_name);
    w.EndObject();
  }
  w.EndArray();
  if (report.projection) WriteProjectionJson(w, report);
  w.Key("budgets");
  w.BeginArray();
  for (const auto& v : r.verdicts) WriteVerdictJson(w, v, report);
  w.EndArray();
  w.EndObject();
  return w.str();
}

std::string Junit(const CheckResult& r, const Report& report) {
  size_t failures = 0;
  for (const auto& v : r.verdicts) failures += v.passed ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"pprof-trend check\" tests=\"{}\" failures=\"{}\">\n", r.verdicts.size(),
                     failures);
  out += fmt::format("  <testsuite name=\"pprof-trend check\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
                     r.verdicts.size(), failures);
  for (const auto& v : r.verdicts) {
    std::string name = MarkupEscape(fmt::format("{} {}", v.budget, v.limit));
    if (v.passed) {
      out += fmt::format("    <testcase classname=\"pprof-trend.check\" name=\"{}\"/>\n", name);
      continue;
    }
    std::string message =
        v.matched_nothing ? Measured(v, report) : fmt::format("measured {}, limit {}", Measured(v, report), Limit(v));
    std::string detail;
    for (const TrendNode* n : v.offenders) detail += Offender(report, *n) + "\n";
    out += fmt::format("    <testcase classname=\"pprof-trend.check\" name=\"{}\">\n", name);
    out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", MarkupEscape(message), v.budget,
                       MarkupEscape(detail));
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

// GitHub workflow commands: data escapes %, CR and LF; properties also : and ,.
std::string GithubData(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string GithubProperty(std::string_view s) {
  std::string out;
  for (char c : GithubData(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string Github(const CheckResult& r, const Report& report) {
  std::string out;
  for (const UnmatchedPattern& u : r.unmatched_allow)
    out += fmt::format("::warning title={}::{}\n", GithubProperty("pprof-trend allow " + u.pattern),
                       GithubData("leaves no site out: it " + NothingMatched(u.closest_name)));
  for (const auto& v : r.verdicts) {
    for (const TrendNode* n : v.grew_unclassed)
      out += fmt::format("::notice title={}::{}\n", GithubProperty("pprof-trend " + v.budget),
                         GithubData(fmt::format("matches and grew, classed {} (not growing): {}",
                                                TrendClassName(n->stats.trend_class), Offender(report, *n))));
    if (v.passed) {
      out +=
          fmt::format("pprof-trend check: PASS {} (limit {}, measured {})\n", v.budget, Limit(v), Measured(v, report));
      continue;
    }
    std::string message =
        v.matched_nothing ? Measured(v, report) : fmt::format("measured {}, limit {}", Measured(v, report), Limit(v));
    for (const TrendNode* n : v.offenders) message += "\n" + Offender(report, *n);
    out += fmt::format("::error title={}::{}\n", GithubProperty("pprof-trend " + v.budget), GithubData(message));
  }
  return out + "pprof-trend check: " + Summary(r) + "\n";
}

}  // namespace

std::string RenderCheck(const CheckResult& result, const Report& report, CheckFormat format) {
  switch (format) {
    case CheckFormat::kText: return Text(result, report);
    case CheckFormat::kJson: return Json(result, report);
    case CheckFormat::kJunit: return Junit(result, report);
    case CheckFormat::kGithub: return Github(result, report);
  }
  return Text(result, report);
}

}  // namespace pprof_trend
