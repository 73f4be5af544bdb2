#include "output/render_fleet_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "base/units.h"
#include "base/utf8.h"
#include "generated/html_assets.h"
#include "output/render_html.h"
#include "output/report.h"

namespace pprof_trend {
namespace {

std::string Escape(std::string_view s) { return MarkupEscape(s); }

// Colours of the worst instances' lines, told apart in light and dark.
constexpr const char* kLineColours[] = {"#c9372c", "#2c6fbb", "#8a4baf", "#2e8b57", "#d48806"};

// The worst instances' series on one chart: time across (each instance's
// own capture times), the site's bytes up from 0.
std::string Chart(const FleetSiteResult& site) {
  const auto worst = WorstInstances(site);
  int64_t t0 = std::numeric_limits<int64_t>::max(), t1 = std::numeric_limits<int64_t>::min();
  double top = 0;
  for (const FleetInstanceVerdict& v : worst) {
    if (v.times.empty()) continue;
    t0 = std::min(t0, v.times.front());
    t1 = std::max(t1, v.times.back());
    for (double b : v.bytes) top = std::max(top, b);
  }
  if (t0 >= t1 || top <= 0) return "";
  constexpr double kWidth = 420, kHeight = 110, kLeft = 64, kBottom = 18, kTop = 6;
  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\"><title>the site's bytes "
      "in its worst instances over {2}</title>",
      kWidth, kHeight, FormatSpan(static_cast<double>(t1 - t0)));
  auto x = [&](int64_t t) {
    return kLeft + (kWidth - kLeft - 4) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  };
  auto y = [&](double b) { return kTop + (kHeight - kTop - kBottom) * (1 - b / top); };
  out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - 4,
                     y(0));
  out += fmt::format("<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/>", kLeft, kWidth - 4,
                     y(top));
  out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", kLeft - 4, y(top) + 4,
                     Escape(FormatBytes(top)));
  out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">0</text>", kLeft - 4, y(0) + 4);
  out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", kLeft, kHeight - 3,
                     Escape(FormatSpan(static_cast<double>(t1 - t0))));
  for (size_t i = 0; i < worst.size(); ++i) {
    const FleetInstanceVerdict& v = worst[i];
    std::string points;
    for (size_t k = 0; k < v.times.size() && k < v.bytes.size(); ++k)
      points += fmt::format("{}{:.1f},{:.1f}", k == 0 ? "" : " ", x(v.times[k]), y(v.bytes[k]));
    out += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title></polyline>",
        kLineColours[i % std::size(kLineColours)], points, Escape(v.instance));
  }
  return out + "</svg>";
}

std::string Card(std::string_view label, const std::string& value) {
  return fmt::format("<div><span class=\"muted\">{}</span><b>{}</b></div>", Escape(label), Escape(value));
}

std::string SiteDetail(const FleetReport& r, const FleetSiteResult& s) {
  std::string out = "<details><summary>stack, versions and worst instances</summary><div class=\"panel\">";
  out += "<ol class=\"path\">";
  for (size_t k = 0; k < s.functions.size(); ++k)
    out += fmt::format("<li>{}<span class=\"where\">{}</span></li>", Escape(s.functions[k]),
                       Escape(k < s.files.size() ? s.files[k] : ""));
  out += "</ol><p>";
  for (const auto& v : s.by_version)
    out += fmt::format("<span class=\"mono\">{}</span>: grows in {} of {} instances. ",
                       Escape(v.version.empty() ? "(no version)" : v.version), v.growing, v.seen);
  out += "</p>" + Chart(s) + "<div class=\"legend\">";
  const auto worst = WorstInstances(s);
  for (size_t i = 0; i < worst.size(); ++i) {
    const FleetInstanceVerdict& v = worst[i];
    out +=
        fmt::format("<span style=\"--c:{}\">{} ({}): {}/day, {} {}</span>", kLineColours[i % std::size(kLineColours)],
                    Escape(v.instance), Escape(v.version.empty() ? "no version" : v.version),
                    Escape(FormatSignedBytes(v.per_day)), Escape(v.trend_class), Escape(FormatSignedBytes(v.growth)));
  }
  out += "</div>";
  if (!worst.empty())
    if (auto it = r.reproduce.find(worst.front().instance); it != r.reproduce.end())
      out += fmt::format(
          "<p class=\"muted\">The worst instance's trend, from the files it was pushed from:</p>"
          "<div class=\"cmd\"><code>{}</code></div>",
          Escape(it->second));
  if (s.growing.size() > worst.size()) {
    out += "<p class=\"muted\">It grows in these as well: ";
    for (size_t i = worst.size(); i < s.growing.size(); ++i)
      out += (i == worst.size() ? "" : ", ") + Escape(s.growing[i].instance);
    out += ".</p>";
  }
  return out + "</div></details>";
}

std::string SitesTable(const FleetReport& r) {
  if (r.sites.empty()) return "<p class=\"muted\">No candidate site grows in any instance.</p>";
  std::string out =
      "<div class=\"scroll\"><table id=\"sites\"><thead><tr><th class=\"num\">rank</th><th class=\"num\">instances "
      "growing</th><th class=\"num\">median/day</th><th class=\"num\">worst/day</th><th>versions (growing/seen)</th>"
      "<th>allocation site</th></tr></thead><tbody>";
  for (size_t i = 0; i < r.sites.size(); ++i) {
    const FleetSiteResult& s = r.sites[i];
    const double share = s.instances_seen == 0
                             ? 0
                             : 100.0 * static_cast<double>(s.instances_growing) / static_cast<double>(s.instances_seen);
    out += fmt::format(
        "<tr><td class=\"num rank\">{}</td><td class=\"num\" data-label=\"instances\">{} of {}<div "
        "class=\"size-track\"><span class=\"size-bar up\" style=\"width:{:.0f}%\"></span></div></td><td class=\"num\" "
        "data-label=\"median/day\">{}</td><td class=\"num\" data-label=\"worst/day\">{}</td><td "
        "data-label=\"versions\">{}</td><td class=\"site\"><code>{}</code>{}</td></tr>",
        i + 1, s.instances_growing, s.instances_seen, share, Escape(FormatSignedBytes(s.median_per_day)),
        Escape(FormatSignedBytes(s.worst_per_day)), Escape(VersionsGrowing(s)), Escape(s.name), SiteDetail(r, s));
  }
  return out + "</tbody></table></div>";
}

std::string VersionsTable(const FleetReport& r) {
  std::string out =
      "<div class=\"scroll\"><table id=\"versions\"><thead><tr><th>version</th><th class=\"num\">instances "
      "growing</th><th class=\"num\">sites growing</th><th class=\"num\">median/day per instance</th></tr></thead>"
      "<tbody>";
  for (const FleetVersionSummary& v : r.by_version)
    out += fmt::format(
        "<tr><td><code>{}</code></td><td class=\"num\">{} of {}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>",
        Escape(v.version.empty() ? "(none)" : v.version), v.instances_growing, v.instances, v.sites_growing,
        Escape(FormatSignedBytes(v.median_per_day)));
  return out + "</tbody></table></div>";
}

std::string InstancesTable(const FleetReport& r) {
  if (r.by_instance.empty()) return "<p class=\"muted\">No candidate site grows in any instance.</p>";
  std::string out =
      "<div class=\"scroll\"><table id=\"instances\"><thead><tr><th class=\"num\">rank</th><th>instance</th>"
      "<th>version</th><th class=\"num\">sites growing</th><th class=\"num\">growth/day</th><th>fastest "
      "sites</th></tr></thead><tbody>";
  for (size_t i = 0; i < r.by_instance.size(); ++i) {
    const FleetInstanceSummary& s = r.by_instance[i];
    std::string sites;
    for (const std::string& name : s.sites) sites += (sites.empty() ? "" : ", ") + name;
    out += fmt::format(
        "<tr><td class=\"num\">{}</td><td><code>{}</code></td><td><code>{}</code></td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"site\">{}</td></tr>",
        i + 1, Escape(s.instance), Escape(s.version.empty() ? "-" : s.version), s.sites_growing,
        Escape(FormatSignedBytes(s.per_day)), Escape(sites));
  }
  return out + "</tbody></table></div>";
}

}  // namespace

std::string RenderFleetHtml(const FleetReport& r) {
  std::string page = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n{}\n<meta http-equiv=\"Content-Security-Policy\" "
      "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>pprof-trend fleet: {}</title>\n<style>\n{}"
      "details summary {{ cursor: pointer; color: var(--muted); font-size: 12.5px; }}\n"
      "#sites td .size-track {{ width: 7em; margin-left: auto; }}\n#sites td {{ vertical-align: top; "
      "}}\n</style>\n</head>\n<body>\n<main>\n",
      kHtmlGeneratorTag, Escape(r.service), html_assets::kReportCss);
  page += fmt::format("<h1>pprof-trend fleet: {}</h1>\n", Escape(r.service));
  page += fmt::format(
      "<p class=\"muted\">Allocation sites that grow across the instances of a service, from ClickHouse. Each "
      "instance's series is judged as one series is (the sampling noise from its period, the classes, a restart "
      "where its process changes); generated by <code>pprof-trend {}</code>.</p>\n",
      kVersion);
  const auto offenders = FleetOffenders(r);
  page += "<div class=\"summary\">" + Card("instances", std::to_string(r.instances)) +
          Card("candidate sites", std::to_string(r.candidates)) +
          Card("sites growing", std::to_string(r.sites.size())) +
          Card("instances with a growing site", fmt::format("{} of {}", r.by_instance.size(), r.instances));
  if (r.max_growing_instances > 0)
    page += Card(fmt::format("budget: at most {} instances", r.max_growing_instances),
                 offenders.empty() ? "PASS" : fmt::format("FAIL ({} sites)", offenders.size()));
  page += "</div>\n<h2>Sites by the instances they grow in</h2>\n" + SitesTable(r);
  // --by puts its table first among the two; both are always there.
  const std::string versions = "\n<h2>By version</h2>\n" + VersionsTable(r);
  const std::string instances = "\n<h2>By instance</h2>\n" + InstancesTable(r);
  page += r.by == "instance" ? instances + versions : versions + instances;
  page +=
      "\n<p class=\"note\">Rates are per day, Theil-Sen slopes of each instance's series within its processes; "
      "median and worst are over the instances a site grows in. Only the sites ClickHouse's prefilter let through "
      "(--candidates) are judged.</p>\n</main>\n<script type=\"application/json\" id=\"pprof-trend-data\">\n";
  page += RenderFleetJson(r);
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace pprof_trend
