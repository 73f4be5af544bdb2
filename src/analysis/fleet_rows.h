// What `push` sends of one capture to a fleet's store (src/capture/FLEET.md):
// a row per allocation site and object size, each site keyed by a stable
// hash of its frames, and each key's frames once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "analysis/align.h"

namespace pprof_trend {

// A frame's hash: FNV-1a (64 bits) over its function name, a 0 byte, its
// file, a 0 byte.
uint64_t FrameKey(std::string_view function, std::string_view file);
// The site's key: FNV-1a (64 bits) over its frames' FrameKeys, root first,
// each as 8 little-endian bytes. The same site has the same key on every
// machine, run and build where the names agree (no address or id enters
// it); a fixed function, so keys stored today match tomorrow's.
uint64_t SiteKey(const AlignedProfiles& aligned, const AlignedSite& site);

struct FleetRow {
  uint64_t site = 0;
  int64_t object_size = 0;  // the samples' bytes label; 0: none
  int64_t inuse_bytes = 0, inuse_objects = 0;
  // The site's allocations since start (alloc_*), on its first row only,
  // so that sums over rows count them once; 0 without those types.
  int64_t alloc_bytes = 0, alloc_objects = 0;
  // The capture's samples behind the in-use figures (a Go heap profile's
  // buckets of this stack and size): 1 where one sampled bucket is all the
  // estimate rests on. 0 on a row of allocations only.
  int64_t samples = 0;
};

struct FleetSite {
  uint64_t key = 0;
  // Root first: a view of the site's frame ids (indices into
  // FleetCapture::frames). A capture's first push names every site: 250,000
  // Go-shaped sites of 56 frames held as strings of their own took 7.5 GB.
  IdSpan frames;
};

// Views into the AlignedProfiles they were made of: valid while it is not
// changed.
struct FleetCapture {
  std::vector<FleetRow> rows;
  std::vector<FleetSite> sites;                       // each key once
  const std::vector<AlignedFrame>* frames = nullptr;  // what FleetSite::frames index
};

// The rows of the capture `aligned` folded last (its sites that hold or
// allocated anything there): the table as the Aligner holds it, whose last
// capture is that one (push's series of one capture, watch's growing
// series). And the frames of the sites whose key `known` does not hold (a
// pusher's keys already stored; null: every site).
FleetCapture FleetRowsOfLast(const AlignedProfiles& aligned, const std::unordered_set<uint64_t>* known = nullptr);

}  // namespace pprof_trend
