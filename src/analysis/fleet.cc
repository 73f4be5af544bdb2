#include "analysis/fleet.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/allocator_frames.h"
#include "analysis/series_stats.h"
#include "analysis/statistics.h"

namespace pprof_trend {
namespace {

FleetInstanceVerdict Judge(const FleetInstanceSeries& in) {
  FleetInstanceVerdict v{in.instance, in.version, false, 0, 0, "", {}, {}};
  const size_t n = in.bytes.size();
  if (n < 2) return v;
  std::vector<double> x;
  for (int64_t t : in.times) x.push_back(static_cast<double>(t - in.times.front()) / 86400.0);
  // A new process id starts a new segment: growth is judged within each.
  Segments segments(n, 0);
  for (size_t i = 1; i < n; ++i) segments[i] = segments[i - 1] + (in.processes[i] != in.processes[i - 1] ? 1 : 0);
  const NoiseModel noise{in.period > 1 ? static_cast<double>(in.period) : 0.0};
  const SeriesStats s = ComputeSeriesStats(
      in.bytes, x, true, [&](size_t i, size_t j) { return noise.Tolerance(in.bytes[i], in.bytes[j]); }, segments);
  v.grew = GrewClass(s) && s.within > 0;
  v.per_day = s.per_day.value_or(0);
  v.growth = s.within;
  v.trend_class = std::string(TrendClassName(s.trend_class));
  return v;
}

// The per-instance and per-version views of the sites' verdicts.
void Summarize(const std::vector<FleetSiteInput>& inputs, FleetRanking& ranking) {
  std::map<std::string, FleetInstanceSummary> instances;
  std::map<std::string, std::set<uint64_t>> version_sites;
  // Every instance that lists a candidate, growing or not, for the versions' counts.
  for (const FleetSiteInput& site : inputs)
    for (const FleetInstanceSeries& in : site.instances)
      if (in.bytes.size() >= 2)
        instances.try_emplace(in.instance, FleetInstanceSummary{in.instance, in.version, 0, 0, 0, {}});
  std::map<std::string, std::vector<std::pair<double, std::string>>> fastest;
  for (const FleetSiteResult& site : ranking.sites)
    for (const FleetInstanceVerdict& v : site.growing) {
      FleetInstanceSummary& s = instances[v.instance];
      ++s.sites_growing;
      s.per_day += v.per_day;
      s.growth += v.growth;
      fastest[v.instance].emplace_back(-v.per_day, site.name);
      version_sites[s.version].insert(site.site);
    }
  std::map<std::string, FleetVersionSummary> versions;
  std::map<std::string, std::vector<double>> version_rates;
  for (auto& [name, s] : instances) {
    FleetVersionSummary& v = versions[s.version];
    v.version = s.version;
    ++v.instances;
    version_rates[s.version].push_back(s.per_day);
    if (s.sites_growing == 0) continue;
    ++v.instances_growing;
    auto& f = fastest[name];
    std::sort(f.begin(), f.end());
    for (size_t i = 0; i < std::min<size_t>(3, f.size()); ++i) s.sites.push_back(f[i].second);
    ranking.instances.push_back(std::move(s));
  }
  for (auto& [name, v] : versions) {
    v.sites_growing = version_sites[name].size();
    v.median_per_day = Median(version_rates[name]);  // never empty: the version has an instance
    ranking.versions.push_back(std::move(v));
  }
  std::sort(ranking.instances.begin(), ranking.instances.end(), [](const auto& a, const auto& b) {
    return a.per_day != b.per_day ? a.per_day > b.per_day : a.instance < b.instance;
  });
}

}  // namespace

FleetRanking RankFleet(const std::vector<FleetSiteInput>& sites) {
  FleetRanking ranking;
  std::vector<FleetSiteResult>& out = ranking.sites;
  for (const FleetSiteInput& site : sites) {
    FleetSiteResult r;
    r.site = site.site;
    r.functions = site.functions;
    r.files = site.files;
    for (size_t k = site.functions.size(); k-- > 0;)
      if (!IsAllocatorFrame(site.functions[k], k < site.files.size() ? site.files[k] : "") || k == 0) {
        r.name = site.functions[k];
        break;
      }
    std::vector<double> rates;
    std::set<std::string> versions;
    std::map<std::string, FleetSiteResult::VersionCount> by_version;
    for (const FleetInstanceSeries& in : site.instances) {
      if (in.bytes.size() < 2) continue;
      ++r.instances_seen;
      FleetInstanceVerdict v = Judge(in);
      v.times = in.times;
      v.bytes = in.bytes;
      auto& count = by_version[in.version];
      count.version = in.version;
      ++count.seen;
      if (!v.grew) continue;
      ++count.growing;
      ++r.instances_growing;
      rates.push_back(v.per_day);
      r.growth += v.growth;
      if (!in.version.empty()) versions.insert(in.version);
      r.growing.push_back(std::move(v));
    }
    if (r.instances_growing == 0) continue;
    r.median_per_day = Median(rates);
    r.worst_per_day = *std::max_element(rates.begin(), rates.end());
    r.versions.assign(versions.begin(), versions.end());
    for (auto& [version, count] : by_version) r.by_version.push_back(std::move(count));
    std::sort(r.growing.begin(), r.growing.end(), [](const auto& a, const auto& b) {
      return a.per_day != b.per_day ? a.per_day > b.per_day : a.instance < b.instance;
    });
    // Only the worst few keep their series (what the report draws).
    for (size_t i = FleetSiteResult::kWorstShown; i < r.growing.size(); ++i) {
      r.growing[i].times = {};
      r.growing[i].bytes = {};
    }
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const FleetSiteResult& a, const FleetSiteResult& b) {
    if (a.instances_growing != b.instances_growing) return a.instances_growing > b.instances_growing;
    if (a.growth != b.growth) return a.growth > b.growth;
    return a.site < b.site;
  });
  Summarize(sites, ranking);
  return ranking;
}

}  // namespace pprof_trend
