// Ids of distinct keys that live elsewhere (a builder's own vectors): an
// open-addressing table of (id, the high 32 bits of the key's hash, which
// also place it), 8 bytes a slot, at most half full: 8-16 bytes a key. The
// caller hashes its key and says whether an id's key equals it. A
// std::unordered_map of the same keys costs a node (key, id, next pointer,
// cached hash: 32-48 bytes and an allocation) plus a bucket pointer a key: a
// heap table's two million rows took three such maps of over 100 bytes a row.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/splitmix.h"

namespace pprof_trend {

class IdTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Room for `keys` without growing.
  void Reserve(size_t keys) {
    size_t capacity = 16;
    while (capacity < 2 * keys) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }

  // The id of the key with `hash` for which `equals(id)` holds; else
  // inserts `new_id` for it and returns `new_id`.
  template <class Equals>
  uint32_t FindOrInsert(uint64_t hash, uint32_t new_id, const Equals& equals) {
    if (2 * (size_ + 1) > slots_.size()) Rehash(slots_.empty() ? 16 : 2 * slots_.size());
    const auto tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(tag, mask);; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id == kNone) {
        slot = Slot{new_id, tag};
        ++size_;
        return new_id;
      }
      if (slot.tag == tag && equals(slot.id)) return slot.id;
    }
  }

  size_t size() const { return size_; }
  // Frees the table.
  void Clear() {
    slots_ = {};
    size_ = 0;
  }
  // No keys, the room kept (a table filled again and again, at about the
  // same size, is not grown again each time).
  void Empty() {
    if (size_ == 0) return;
    std::fill(slots_.begin(), slots_.end(), Slot{});
    size_ = 0;
  }

 private:
  struct Slot {
    uint32_t id = kNone;
    uint32_t tag = 0;  // the hash's high 32 bits, which also choose the slot
  };
  // A key's first slot, from the 32 bits a slot keeps, so that growing can
  // place each key again without its key.
  static size_t Home(uint32_t tag, size_t mask) { return static_cast<size_t>(SplitMix64(tag)) & mask; }
  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    const size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (s.id == kNone) continue;
      size_t i = Home(s.tag, mask);
      while (slots_[i].id != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace pprof_trend
