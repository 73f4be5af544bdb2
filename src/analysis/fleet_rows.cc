#include "analysis/fleet_rows.h"

#include <span>
#include <unordered_set>

namespace pprof_trend {

namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL, kFnvPrime = 0x100000001b3ULL;

uint64_t Fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) h = (h ^ c) * kFnvPrime;
  return h * kFnvPrime;  // the 0 byte after it
}

uint64_t CombineFrames(const std::vector<uint64_t>& frame_keys, IdSpan frames) {
  uint64_t h = kFnvOffset;
  for (uint32_t f : frames)
    for (int byte = 0; byte < 8; ++byte) h = (h ^ ((frame_keys[f] >> (8 * byte)) & 0xff)) * kFnvPrime;
  return h;
}

}  // namespace

uint64_t FrameKey(std::string_view function, std::string_view file) { return Fnv(Fnv(kFnvOffset, function), file); }

uint64_t SiteKey(const AlignedProfiles& aligned, const AlignedSite& site) {
  std::vector<uint64_t> keys(aligned.frames.size(), 0);
  for (uint32_t f : site.frames) keys[f] = FrameKey(aligned.frames[f].function, aligned.frames[f].file);
  return CombineFrames(keys, site.frames);
}

FleetCapture FleetRowsOfLast(const AlignedProfiles& aligned, const std::unordered_set<uint64_t>* known) {
  FleetCapture out;
  out.frames = &aligned.frames;
  if (aligned.captures.empty()) return out;
  const size_t capture = aligned.captures.size() - 1;
  std::unordered_set<uint64_t> seen;
  // Each frame hashed once (frames are shared by many sites).
  std::vector<uint64_t> frame_keys;
  frame_keys.reserve(aligned.frames.size());
  for (const AlignedFrame& f : aligned.frames) frame_keys.push_back(FrameKey(f.function, f.file));
  for (const AlignedSite& site : aligned.sites) {
    const int64_t alloc_bytes = aligned.has_alloc ? site.alloc_values[capture] : 0;
    const int64_t alloc_objects = aligned.has_alloc ? site.alloc_objects[capture] : 0;
    const uint64_t key = CombineFrames(frame_keys, site.frames);
    const size_t before = out.rows.size();
    if (site.size_classes.empty()) {
      const int64_t size = site.first_size == AlignedSite::kNoSizeYet ? 0 : site.first_size;
      if (site.values[capture] != 0 || site.objects[capture] != 0 || alloc_bytes != 0 || alloc_objects != 0)
        out.rows.push_back(FleetRow{key, size, site.values[capture], site.objects[capture], 0, 0, site.samples});
    } else {
      for (const auto& c : site.size_classes)
        if (c.values[capture] != 0 || c.objects[capture] != 0)
          out.rows.push_back(FleetRow{key, c.size, c.values[capture], c.objects[capture], 0, 0, c.samples});
      if (out.rows.size() == before && (alloc_bytes != 0 || alloc_objects != 0))
        out.rows.push_back(FleetRow{key, 0, 0, 0, 0, 0, 0});
    }
    if (out.rows.size() == before) continue;
    out.rows[before].alloc_bytes = alloc_bytes;
    out.rows[before].alloc_objects = alloc_objects;
    if ((known != nullptr && known->count(key) > 0) || !seen.insert(key).second) continue;
    out.sites.push_back(FleetSite{key, site.frames});
  }
  return out;
}

}  // namespace pprof_trend
