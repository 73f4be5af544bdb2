#include "analysis/fleet.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/allocator_frames.h"
#include "analysis/series_stats.h"

namespace pprof_trend {
namespace {

FleetInstanceVerdict Judge(const FleetInstanceSeries& in) {
  FleetInstanceVerdict v{in.instance, in.version, false, 0, 0, ""};
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

}  // namespace

std::vector<FleetSiteResult> RankFleet(const std::vector<FleetSiteInput>& sites) {
  std::vector<FleetSiteResult> out;
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
      auto& count = by_version[in.version];
      count.version = in.version;
      ++count.seen;
      if (!v.grew) continue;
      ++count.growing;
      ++r.instances_growing;
      rates.push_back(v.per_day);
      r.growth += v.growth;
      if (!in.version.empty()) versions.insert(in.version);
      r.worst.push_back(std::move(v));
    }
    if (r.instances_growing == 0) continue;
    std::sort(rates.begin(), rates.end());
    r.median_per_day =
        rates.size() % 2 == 1 ? rates[rates.size() / 2] : (rates[rates.size() / 2 - 1] + rates[rates.size() / 2]) / 2;
    r.worst_per_day = rates.back();
    r.versions.assign(versions.begin(), versions.end());
    for (auto& [version, count] : by_version) r.by_version.push_back(std::move(count));
    std::sort(r.worst.begin(), r.worst.end(), [](const auto& a, const auto& b) {
      return a.per_day != b.per_day ? a.per_day > b.per_day : a.instance < b.instance;
    });
    if (r.worst.size() > 5) r.worst.resize(5);
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const FleetSiteResult& a, const FleetSiteResult& b) {
    if (a.instances_growing != b.instances_growing) return a.instances_growing > b.instances_growing;
    if (a.growth != b.growth) return a.growth > b.growth;
    return a.site < b.site;
  });
  return out;
}

}  // namespace pprof_trend
