#include "output/render_fleet.h"

#include <fmt/format.h>

#include "base/json_writer.h"
#include "base/units.h"
#include "base/utf8.h"
#include "output/report.h"

namespace pprof_trend {
std::string VersionsGrowing(const FleetSiteResult& s) {
  std::string out;
  for (const auto& v : s.by_version)
    if (v.growing > 0)
      out += fmt::format("{}{} {}/{}", out.empty() ? "" : ", ", v.version.empty() ? "-" : v.version, v.growing, v.seen);
  return out.empty() ? "-" : out;
}

namespace {

std::string ByVersionTable(const FleetReport& r) {
  std::string out = fmt::format("\nby version:\n{:<20}  {:>18}  {:>13}  {:>20}\n", "version", "instances growing",
                                "sites growing", "median/day per inst.");
  for (const FleetVersionSummary& v : r.by_version)
    out += fmt::format("{:<20}  {:>18}  {:>13}  {:>20}\n",
                       FitWidth(TerminalSafe(v.version.empty() ? "(none)" : v.version), 20),
                       fmt::format("{} of {}", v.instances_growing, v.instances), v.sites_growing,
                       FormatSignedBytes(v.median_per_day));
  return out;
}

std::string ByInstanceTable(const FleetReport& r, size_t shown) {
  std::string out = fmt::format(
      "\nby instance ({} of {} with a growing site):\n{:>4}  {:<24}  {:<12}  {:>5}  {:>12}  {}\n", r.by_instance.size(),
      r.instances, "rank", "instance", "version", "sites", "growth/day", "fastest sites");
  const size_t n = std::min(shown, r.by_instance.size());
  for (size_t i = 0; i < n; ++i) {
    const FleetInstanceSummary& s = r.by_instance[i];
    std::string sites;
    for (const std::string& name : s.sites) sites += (sites.empty() ? "" : ", ") + TerminalSafe(name);
    out += fmt::format("{:>4}  {:<24}  {:<12}  {:>5}  {:>12}  {}\n", i + 1, FitWidth(TerminalSafe(s.instance), 24),
                       FitWidth(TerminalSafe(s.version.empty() ? "-" : s.version), 12), s.sites_growing,
                       FormatSignedBytes(s.per_day), sites);
  }
  if (r.by_instance.size() > n)
    out += fmt::format("      ({} more; --nodecount shows more)\n", r.by_instance.size() - n);
  return out;
}

}  // namespace

std::span<const FleetInstanceVerdict> WorstInstances(const FleetSiteResult& site) {
  return {site.growing.data(), std::min(site.growing.size(), FleetSiteResult::kWorstShown)};
}

std::vector<const FleetSiteResult*> FleetOffenders(const FleetReport& report) {
  std::vector<const FleetSiteResult*> out;
  if (report.max_growing_instances == 0) return out;
  for (const FleetSiteResult& s : report.sites)
    if (s.instances_growing > report.max_growing_instances) out.push_back(&s);
  return out;
}

std::string RenderFleetText(const FleetReport& r, size_t shown) {
  std::string out = fmt::format("pprof-trend fleet: service {}, {} instances, {} of {} candidate sites grow\n",
                                TerminalSafe(r.service), r.instances, r.sites.size(), r.candidates);
  if (r.sites.empty()) return out + "\nno site grows in any instance.\n";
  out += fmt::format("\n{:>4}  {:>12}  {:>12}  {:>12}  {:<20}  {}\n", "rank", "instances", "median/day", "worst/day",
                     "versions (growing)", "allocation site");
  const size_t n = std::min(shown, r.sites.size());
  for (size_t i = 0; i < n; ++i) {
    const FleetSiteResult& s = r.sites[i];
    out += fmt::format("{:>4}  {:>12}  {:>12}  {:>12}  {:<20}  {}\n", i + 1,
                       fmt::format("{} of {}", s.instances_growing, s.instances_seen),
                       FormatSignedBytes(s.median_per_day), FormatSignedBytes(s.worst_per_day),
                       FitWidth(TerminalSafe(VersionsGrowing(s)), 20), TerminalSafe(s.name));
  }
  if (r.sites.size() > n) out += fmt::format("      ({} more; --nodecount shows more)\n", r.sites.size() - n);
  out += fmt::format("\nworst instances of the top {}:\n", std::min<size_t>(3, n));
  for (size_t i = 0; i < std::min<size_t>(3, n); ++i) {
    const FleetSiteResult& s = r.sites[i];
    out += fmt::format("{:>4}  {}\n", i + 1, TerminalSafe(s.name));
    const auto worst = WorstInstances(s);
    for (const FleetInstanceVerdict& v : worst) {
      out += fmt::format("        {} ({}): {}/day, {} {}\n", TerminalSafe(v.instance),
                         v.version.empty() ? "no version" : TerminalSafe(v.version), FormatSignedBytes(v.per_day),
                         v.trend_class, FormatSignedBytes(v.growth));
      if (auto it = r.reproduce.find(v.instance); it != r.reproduce.end() && &v == &worst.front())
        out += "          reproduce: " + TerminalSafe(it->second) + "\n";
    }
  }
  if (r.by == "version") out += ByVersionTable(r);
  if (r.by == "instance") out += ByInstanceTable(r, shown);
  if (r.max_growing_instances > 0) {
    const auto offenders = FleetOffenders(r);
    out +=
        fmt::format("\n{}  max-growing-instances {}: ", offenders.empty() ? "PASS" : "FAIL", r.max_growing_instances);
    if (offenders.empty()) {
      out += "no site grows in more instances\n";
    } else {
      for (size_t i = 0; i < offenders.size(); ++i)
        out += fmt::format("{}{} grows in {}", i == 0 ? "" : "; ", TerminalSafe(offenders[i]->name),
                           offenders[i]->instances_growing);
      out += "\n";
    }
  }
  return out;
}

namespace {

void WriteSummaries(JsonWriter& w, const FleetReport& r) {
  w.Key("by_instance");  // the instances a candidate site grows in, fastest first
  w.BeginArray();
  for (const FleetInstanceSummary& s : r.by_instance) {
    w.BeginObject();
    w.Key("instance");
    w.String(s.instance);
    w.Key("version");
    w.String(s.version);
    w.Key("sites_growing");
    w.Int(static_cast<int64_t>(s.sites_growing));
    w.Key("bytes_per_day");
    w.Double(s.per_day);
    w.Key("growth_bytes");
    w.Double(s.growth);
    w.Key("fastest_sites");
    w.BeginArray();
    for (const std::string& name : s.sites) w.String(name);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("by_version");  // every version of the instances that list a candidate
  w.BeginArray();
  for (const FleetVersionSummary& v : r.by_version) {
    w.BeginObject();
    w.Key("version");
    w.String(v.version);
    w.Key("instances");
    w.Int(static_cast<int64_t>(v.instances));
    w.Key("instances_growing");
    w.Int(static_cast<int64_t>(v.instances_growing));
    w.Key("sites_growing");
    w.Int(static_cast<int64_t>(v.sites_growing));
    w.Key("median_bytes_per_day");
    w.Double(v.median_per_day);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string RenderFleetJson(const FleetReport& r) {
  JsonWriter w(2);
  w.BeginObject();
  w.Key("schema");
  w.String("pprof-trend-fleet");
  w.Key("version");
  w.Int(1);
  w.Key("service");
  w.String(r.service);
  w.Key("instances");
  w.Int(static_cast<int64_t>(r.instances));
  w.Key("candidates");
  w.Int(static_cast<int64_t>(r.candidates));
  w.Key("max_growing_instances");  // the budget (null: none) and whether it held
  r.max_growing_instances > 0 ? w.Int(static_cast<int64_t>(r.max_growing_instances)) : w.Null();
  w.Key("passed");
  r.max_growing_instances > 0 ? w.Bool(FleetOffenders(r).empty()) : w.Null();
  w.Key("nodes");
  w.BeginArray();
  for (size_t i = 0; i < r.sites.size(); ++i) {
    const FleetSiteResult& s = r.sites[i];
    w.BeginObject();
    w.Key("rank");
    w.Int(static_cast<int64_t>(i + 1));
    w.Key("kind");
    w.String("site");
    w.Key("function");
    w.String(s.name);
    w.Key("site_key");
    w.String(fmt::format("{:016x}", s.site));
    w.Key("stack");
    w.BeginArray();
    for (size_t k = 0; k < s.functions.size(); ++k) {
      w.BeginObject();
      w.Key("function");
      w.String(s.functions[k]);
      w.Key("file");
      w.String(k < s.files.size() ? s.files[k] : "");
      w.EndObject();
    }
    w.EndArray();
    w.Key("instances_growing");
    w.Int(static_cast<int64_t>(s.instances_growing));
    w.Key("instances_seen");
    w.Int(static_cast<int64_t>(s.instances_seen));
    w.Key("versions");
    w.BeginArray();
    for (const std::string& v : s.versions) w.String(v);
    w.EndArray();
    w.Key("by_version");  // every version of the instances that list the site
    w.BeginArray();
    for (const auto& v : s.by_version) {
      w.BeginObject();
      w.Key("version");
      w.String(v.version);
      w.Key("instances_growing");
      w.Int(static_cast<int64_t>(v.growing));
      w.Key("instances_seen");
      w.Int(static_cast<int64_t>(v.seen));
      w.EndObject();
    }
    w.EndArray();
    w.Key("median_bytes_per_day");
    w.Double(s.median_per_day);
    w.Key("worst_bytes_per_day");
    w.Double(s.worst_per_day);
    w.Key("growth_bytes");
    w.Double(s.growth);
    w.Key("growing_in");  // every instance it grows in, fastest first
    w.BeginArray();
    for (const FleetInstanceVerdict& v : s.growing) w.String(v.instance);
    w.EndArray();
    w.Key("worst_instances");
    w.BeginArray();
    for (const FleetInstanceVerdict& v : WorstInstances(s)) {
      w.BeginObject();
      w.Key("instance");
      w.String(v.instance);
      w.Key("version");
      w.String(v.version);
      w.Key("bytes_per_day");
      w.Double(v.per_day);
      w.Key("growth_bytes");
      w.Double(v.growth);
      w.Key("class");
      w.String(v.trend_class);
      w.Key("reproduce");
      auto it = r.reproduce.find(v.instance);
      it == r.reproduce.end() ? w.Null() : w.String(it->second);
      w.Key("times");  // the series judged: capture times (Unix seconds) and the site's bytes there
      w.BeginArray();
      for (int64_t t : v.times) w.Int(t);
      w.EndArray();
      w.Key("bytes");
      w.BeginArray();
      for (double b : v.bytes) w.Double(b);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  WriteSummaries(w, r);
  w.EndObject();
  return w.str();
}

}  // namespace pprof_trend
