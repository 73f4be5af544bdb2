// The aligner's index of sites by stack: open addressing over site ids,
// keyed by a site's frames. Each slot holds a site id + 1 (0: empty) and the
// high half of the site's hash, so most probes never touch the site itself;
// the table is kept at most half full.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/id_span.h"

namespace pprof_trend {

// Frame and site ids: indices into AlignedProfiles::frames and ::sites.
using FrameId = uint32_t;
using SiteId = uint32_t;

// The hash of a stack (its aligned frames, in the order given).
uint64_t HashFrames(const FrameId* frames, size_t n);

class SiteTable {
 public:
  static constexpr SiteId kNotFound = UINT32_MAX;

  SiteTable();

  // The site whose frames, root first (`site_frames(id)`), are `leaf_first`
  // reversed; kNotFound when none, with `*slot` where it would go.
  template <typename SiteFrames>
  SiteId Find(std::span<const FrameId> leaf_first, uint64_t hash, SiteFrames&& site_frames, size_t* slot) const {
    const size_t mask = slots_.size() - 1;
    const auto high = static_cast<uint32_t>(hash >> 32);
    size_t at = hash & mask;
    while (slots_[at].id_plus_one != 0) {
      if (slots_[at].hash_high == high) {
        const SiteId id = slots_[at].id_plus_one - 1;
        // The slot's position and hash_high already agree with the hash: the
        // frames decide (reading hashes_ first would cost a cache miss a hit).
        const IdSpan frames = site_frames(id);
        if (frames.Visit(
                [&](auto ids) { return std::equal(ids.begin(), ids.end(), leaf_first.rbegin(), leaf_first.rend()); }))
          return id;
      }
      at = (at + 1) & mask;
    }
    *slot = at;
    return kNotFound;
  }
  // Records site `id` (the next id: ids are dense) at the slot Find gave.
  void Insert(size_t slot, SiteId id, uint64_t hash);
  // Room for `sites` sites without growing (sized once per profile).
  void Reserve(size_t sites);
  // Fetches the slot of `hash` into the cache ahead of its Find.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]); }

  // After sites were removed: keep[s] says whether site s stays; the ones
  // kept are renumbered densely in order.
  void Compact(const std::vector<bool>& keep);
  size_t size() const { return hashes_.size(); }

 private:
  struct Slot {
    uint32_t id_plus_one = 0;
    uint32_t hash_high = 0;
  };
  // Places every site of hashes_ into a table of `size` slots.
  void Rebuild(size_t size);

  std::vector<Slot> slots_;
  std::vector<uint64_t> hashes_;  // per site
};

}  // namespace pprof_trend
