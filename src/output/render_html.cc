#include "output/render_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "base/json_writer.h"
#include "base/units.h"
#include "base/utf8.h"
#include "generated/html_assets.h"
#include "output/render_json.h"

namespace pprof_trend {

std::string HtmlEscape(std::string_view s) { return MarkupEscape(s); }

namespace {

// Frames referenced by the page, renumbered densely.
class FrameTable {
 public:
  explicit FrameTable(const AlignedProfiles& aligned) : aligned_(aligned) {}
  int Index(uint32_t frame) {
    auto [it, inserted] = ids_.try_emplace(frame, static_cast<int>(order_.size()));
    if (inserted) order_.push_back(frame);
    return it->second;
  }
  void Write(JsonWriter& w) const {
    w.BeginArray();
    for (uint32_t f : order_) {
      w.BeginObject();
      w.Key("function");
      w.String(aligned_.frames[f].function);
      w.Key("file");
      w.String(aligned_.frames[f].file);
      w.EndObject();
    }
    w.EndArray();
  }

 private:
  const AlignedProfiles& aligned_;
  std::unordered_map<uint32_t, int> ids_;
  std::vector<uint32_t> order_;
};

void WriteSite(JsonWriter& w, const TrendResult& t, const ReportRow& row, const NodeSeries& series,
               FrameTable& frames) {
  const TrendNode& n = *row.node;
  w.BeginObject();
  w.Key("rank");
  w.Int(n.rank);
  w.Key("name");
  w.String(row.name);
  w.Key("short");
  w.String(row.short_name);
  w.Key("grew");
  w.Bool(Grew(n));
  w.Key("bytes");
  w.DoubleArray(series.values);
  w.Key("objects");
  w.DoubleArray(series.objects);
  const std::optional<Residence> residence = ResidenceOf(t, n, series);
  WriteNodeStats(w, t, row, series, residence);
  w.Key("phrase");
  w.String(row.objects_phrase);
  w.Key("residence");  // the text's residence line ("" where Little's law cannot be applied)
  w.String(ResidencePhrase(n, residence));
  w.Key("stack");
  std::vector<int64_t> stack;
  for (uint32_t f : NodeStack(t.aligned, n)) stack.push_back(frames.Index(f));
  w.IntArray(stack);
  w.Key("lines");
  const AlignedSite& site = t.aligned.sites[n.site_index];
  std::vector<int64_t> lines;
  for (size_t i = 0; i < site.frames.size(); ++i) lines.push_back(SiteFrameLine(t.aligned, site, i));
  w.IntArray(lines);
  const RowCells& cells = row.cells;
  w.Key("display");
  w.BeginObject();
  w.Key("growth");
  w.String(cells.growth);
  w.Key("per_day");  // per rate_unit, despite the key (kept for the page's script)
  w.String(cells.rate);
  w.Key("bytes_per_object");
  w.String(cells.bytes_per_object);
  w.Key("objects");
  w.String(cells.objects);
  w.EndObject();
  w.EndObject();
}

}  // namespace

namespace {

void WriteHtmlData(JsonWriter& w, const Report& report, const HtmlOptions& options) {
  const TrendResult& t = *report.trend;
  const AlignedProfiles& a = t.aligned;
  FrameTable frames(a);
  w.BeginObject();
  w.Key("version");
  w.Int(kJsonSchemaVersion);
  w.Key("command");
  w.String(report.options.command_line);
  WriteSeriesKind(w, a);
  WriteProcesses(w, t);  // the restarts are marked on the charts
  w.Key("seconds");
  t.seconds.empty() ? w.Null() : w.DoubleArray(t.seconds);
  w.Key("rate_unit");
  w.String(report.rate_unit.name);
  w.Key("profiles");
  WriteCaptures(w, a);
  if (report.projection) WriteProjectionJson(w, report);  // --limit: the memory chart's limit line
  w.Key("sites");
  w.BeginArray();
  // The report's list, in rank order: the text table's rows come first.
  const std::span<const TrendNode* const> sites(report.listed_sites.data(),
                                                std::min(report.listed_sites.size(), report.options.html_sites));
  ForEachListedSeries(report, sites, [&](const TrendNode& n, NodeSeries&& series) {
    WriteSite(w, t, MakeRow(report, n), series, frames);
  });
  w.EndArray();
  w.Key("sites_omitted");
  w.Int(static_cast<int64_t>(t.sites.size() - sites.size()));
  w.Key("flame");
  w.BeginArray();
  for (const FlameNode& f : BuildFlame(t, options.flame_min_share)) {
    w.BeginObject();
    w.Key("n");
    w.Int(f.frame < 0 ? -1 : frames.Index(static_cast<uint32_t>(f.frame)));
    w.Key("p");
    w.Int(f.parent);
    w.Key("g");
    w.Double(f.grew);
    w.Key("s");
    w.Double(f.shrank);
    w.EndObject();
  }
  w.EndArray();
  w.Key("frames");
  frames.Write(w);
  w.EndObject();
}

void Replace(std::string& s, std::string_view marker, std::string_view with) {
  size_t at = s.find(marker);
  if (at != std::string::npos) s.replace(at, marker.size(), with);
}

std::string Summary(const Report& report) {
  const TrendResult& t = *report.trend;
  auto item = [](std::string_view label, const std::string& value) {
    return fmt::format("<div><span class=\"muted\">{}</span><b>{}</b></div>", label, HtmlEscape(value));
  };
  std::string out = item("profiles", std::to_string(t.aligned.captures.size()));
  if (t.span_seconds > 0) out += item("span", FormatSpan(t.span_seconds));
  out += item("total growth (" + t.aligned.value_type_name + ")", FormatNodeValue(t, t.total.delta, true));
  if (t.aligned.cumulative)
    out +=
        item("note", t.aligned.value_type_name +
                         " counts every allocation since start: sites are ranked by allocation rate, not memory held");
  if (t.total.per_day)
    out += item("rate", FormatNodeValue(t, PerUnit(*t.total.per_day, report.rate_unit), true) + "/" +
                            std::string(report.rate_unit.name) +
                            (t.rates_guessed ? " (guessed: from files' modification times)" : ""));
  if (report.projection) {  // --limit: the time to it, as the text's line says it
    const std::string line = ProjectionLine(report);
    const size_t colon = line.find(": ");
    out += item(line.substr(0, colon), colon == std::string::npos ? line : line.substr(colon + 2));
  }
  if (report.memory && report.memory->held != 0) {  // Go's MemStats: the process's memory against its sampled heap
    const MemoryAccount& m = *report.memory;
    out += item("held from the OS (MemStats)",
                fmt::format("{}, the sampled heap ~{:.0f}% of it", FormatSignedBytes(m.held),
                            100 * std::clamp(m.sampled / m.held, -9.99, 9.99)));
  }
  if (!report.growing.empty()) {
    const ReportRow& top = report.growing.front();
    out += item(t.aligned.goroutines ? "top growing goroutine stack" : "top growing site",
                top.short_name + (top.objects_phrase.empty() ? "" : ": " + top.objects_phrase));
  }
  return out;
}

}  // namespace

std::string HtmlData(const Report& report, const HtmlOptions& options) {
  JsonWriter w(0);
  WriteHtmlData(w, report, options);
  return w.str();
}

void RenderHtml(const Report& report, const HtmlOptions& options, std::ostream& out) {
  const TrendResult& t = *report.trend;
  std::string page = html_assets::kReportHtml;
  // Markers are replaced once each, the data last, streamed where its marker
  // was: nothing inserted is searched again.
  Replace(page, "@CSS@", html_assets::kReportCss);
  Replace(page, "@TOOL@", fmt::format("pprof-trend {}", kVersion));
  Replace(page, "@SUMMARY@", Summary(report));
  Replace(page, "@VALUE_TYPE@", HtmlEscape(t.aligned.value_type_name));
  Replace(page, "@OBJECTS_TYPE@",
          HtmlEscape(t.aligned.objects_type_name.empty() ? "objects" : t.aligned.objects_type_name));
  Replace(page, "@NOTES@",
          "Counts and growth marked \u2248 (~ in the text output) are estimates: Go's heap profiler samples about one "
          "allocation per MemProfileRate bytes and scales the counts up; \u00b1 and the bars on the charts are 95% "
          "intervals. Bytes per object marked exact come from the bytes label every sample of the site carries. See "
          "the README of pprof-trend for the method.");
  Replace(page, "@JS@", html_assets::kReportJs);
  constexpr std::string_view kDataMarker = "@DATA@";
  const size_t data_at = std::min(page.find(kDataMarker), page.size());
  out.write(page.data(), static_cast<std::streamsize>(data_at));
  JsonWriter w(0, &out);
  WriteHtmlData(w, report, options);
  w.Flush();
  if (data_at < page.size()) {
    const size_t rest = data_at + kDataMarker.size();
    out.write(page.data() + rest, static_cast<std::streamsize>(page.size() - rest));
  }
}

std::string RenderHtml(const Report& report, const HtmlOptions& options) {
  std::ostringstream page;
  RenderHtml(report, options, page);
  return std::move(page).str();
}

}  // namespace pprof_trend
