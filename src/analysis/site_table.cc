#include "analysis/site_table.h"

#include <cstring>

#include "base/huge_pages.h"

namespace pprof_trend {

uint64_t HashFrames(const FrameId* frames, size_t n) {
  // Two lanes of two frames a step: a stack of 56 frames is 14 dependent
  // multiplies a lane instead of 56 in one chain (the chain's latency was
  // the cost: a month of Go-shaped captures hashes ~10^9 frames).
  constexpr uint64_t kA = 0xff51afd7ed558ccdull, kB = 0xc4ceb9fe1a85ec53ull;
  uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0x6a09e667f3bcc909ull;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint64_t w0, w1;
    std::memcpy(&w0, frames + i, sizeof w0);
    std::memcpy(&w1, frames + i + 2, sizeof w1);
    a = (a ^ w0) * kA;
    a ^= a >> 32;
    b = (b ^ w1) * kB;
    b ^= b >> 32;
  }
  for (; i < n; ++i) {
    a = (a ^ frames[i]) * kA;
    a ^= a >> 32;
  }
  uint64_t h = a ^ ((b << 31) | (b >> 33));
  h ^= h >> 33;
  h *= kA;
  h ^= h >> 33;
  return h;
}

SiteTable::SiteTable() { slots_.assign(1024, Slot{}); }

void SiteTable::Insert(size_t slot, SiteId id, uint64_t hash) {
  hashes_.push_back(hash);
  slots_[slot] = Slot{id + 1, static_cast<uint32_t>(hash >> 32)};
  if (hashes_.size() * 2 > slots_.size()) Reserve(hashes_.size());
}

void SiteTable::Reserve(size_t sites) {
  // Most sites of a capture are in the next one too: sized for a profile
  // once instead of growing sample by sample.
  GrowHuge(hashes_, sites);
  size_t size = slots_.size();
  while (sites * 2 > size) size *= 2;  // keep the load factor under 1/2
  if (size != slots_.size()) Rebuild(size);
}

void SiteTable::Compact(const std::vector<bool>& keep) {
  size_t kept = 0;
  for (size_t s = 0; s < hashes_.size(); ++s)
    if (keep[s]) hashes_[kept++] = hashes_[s];
  if (kept == hashes_.size()) return;
  hashes_.resize(kept);
  Rebuild(slots_.size());
}

void SiteTable::Rebuild(size_t size) {
  std::vector<Slot> slots;
  ReserveHuge(slots, size);
  slots.resize(size);
  const size_t mask = size - 1;
  for (SiteId s = 0; s < hashes_.size(); ++s) {
    size_t i = hashes_[s] & mask;
    while (slots[i].id_plus_one != 0) i = (i + 1) & mask;
    slots[i] = Slot{s + 1, static_cast<uint32_t>(hashes_[s] >> 32)};
  }
  slots_ = std::move(slots);
}

}  // namespace pprof_trend
