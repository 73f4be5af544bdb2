#include "analysis/fleet_rows.h"

#include <unordered_set>

namespace pprof_trend {

uint64_t SiteKey(const AlignedProfiles& aligned, const AlignedSite& site) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0) * 0x100000001b3ULL;
  };
  for (uint32_t f : site.frames) {
    add(aligned.frames[f].function);
    add(aligned.frames[f].file);
  }
  return h;
}

FleetCapture FleetRowsOf(const AlignedProfiles& aligned, size_t capture) {
  FleetCapture out;
  std::unordered_set<uint64_t> seen;
  for (const AlignedSite& site : aligned.sites) {
    const int64_t alloc_bytes = aligned.has_alloc ? site.alloc_values[capture] : 0;
    const int64_t alloc_objects = aligned.has_alloc ? site.alloc_objects[capture] : 0;
    const uint64_t key = SiteKey(aligned, site);
    const size_t before = out.rows.size();
    if (site.size_classes.empty()) {
      const int64_t size = site.first_size == AlignedSite::kNoSizeYet ? 0 : site.first_size;
      if (site.values[capture] != 0 || site.objects[capture] != 0 || alloc_bytes != 0 || alloc_objects != 0)
        out.rows.push_back(FleetRow{key, size, site.values[capture], site.objects[capture], 0, 0});
    } else {
      for (const auto& c : site.size_classes)
        if (c.values[capture] != 0 || c.objects[capture] != 0)
          out.rows.push_back(FleetRow{key, c.size, c.values[capture], c.objects[capture], 0, 0});
      if (out.rows.size() == before && (alloc_bytes != 0 || alloc_objects != 0))
        out.rows.push_back(FleetRow{key, 0, 0, 0, 0, 0});
    }
    if (out.rows.size() == before) continue;
    out.rows[before].alloc_bytes = alloc_bytes;
    out.rows[before].alloc_objects = alloc_objects;
    if (!seen.insert(key).second) continue;
    FleetSite s{key, {}, {}};
    for (uint32_t f : site.frames) {
      s.functions.push_back(aligned.frames[f].function);
      s.files.push_back(aligned.frames[f].file);
    }
    out.sites.push_back(std::move(s));
  }
  return out;
}

}  // namespace pprof_trend
