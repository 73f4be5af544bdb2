// A series of int64 values (one per capture) stored as offsets from its
// first stored value in the narrowest width that holds them all: 0 bytes when
// every value is the same (most sites of a long series never change), else 1,
// 2, 4 or 8 bytes a value. Zeros before the first non-zero value are not
// stored at all (a site that appears late in a series costs only the captures
// that have it). A cumulative counter is stored as offsets from a line at its
// average rate (its offsets from the first value grow without bound; from
// the line they stay as small as the rate's changes). Offsets are taken
// modulo 2^64, so any int64 round-trips. Offsets that fit in 8 bytes (a
// short series: three captures at 1 or 2 bytes) are held in the object
// itself, with no heap block.
// Random access is O(1); a value that needs a wider width re-encodes the
// series once (at most four times in its life). Up to 2^28 values.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace pprof_trend {

class PackedSeries {
 public:
  PackedSeries() = default;
  PackedSeries(PackedSeries&& other) noexcept { *this = std::move(other); }
  PackedSeries& operator=(PackedSeries&& other) noexcept;
  PackedSeries(const PackedSeries& other) { *this = other; }
  PackedSeries& operator=(const PackedSeries& other);
  ~PackedSeries() { FreeBytes(); }
  // `count` zeros, with room for `expected` values in all. A `rising`
  // series (a cumulative counter: alloc_space, alloc_objects) is stored as
  // offsets from a line through its first value at its average rate.
  static PackedSeries Zeros(size_t count, size_t expected = 0, bool rising = false) {
    PackedSeries s;
    s.size_ = static_cast<uint32_t>(count);
    s.lead_ = s.size_;
    s.rising_ = rising;
    s.SetCapacity(expected > count ? expected - count : 0);
    return s;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t operator[](size_t i) const {
    if (i < lead_) return 0;
    return Stored(i - lead_);
  }
  int64_t front() const { return (*this)[0]; }
  int64_t back() const { return (*this)[size_ - 1]; }
  // Bytes held for the values beside the object (what memory grows with).
  size_t packed_bytes() const { return in_heap_ ? Capacity() * static_cast<size_t>(width()) : 0; }
  // The zeros before the first value stored (none of them held).
  size_t leading_zeros() const { return lead_; }
  int width() const { return static_cast<int>(packed_ >> 28); }
  // Whether every value is the same (nothing stored per value).
  bool constant() const { return width() == 0 && (lead_ == size_ || (lead_ == 0 && slope_ == 0)); }

  void push_back(int64_t v) {
    if (lead_ == size_) {  // nothing stored yet
      ++size_;
      if (v == 0) {
        ++lead_;
        if (Capacity() > 0) SetCapacity(Capacity() - 1);
      } else {
        base_ = v;
        slope_ = 0;
      }
      return;
    }
    const size_t stored = size_ - lead_;
    // A rising series' line starts at the rate of its first step.
    if (rising_ && stored == 1 && width() == 0) slope_ = Wrap(static_cast<uint64_t>(v) - static_cast<uint64_t>(base_));
    if (width() == 0 && v == Predicted(stored)) {  // on the line: nothing stored
      ++size_;
      return;
    }
    if (width() != 0 && stored >= Capacity()) Rewrite(SIZE_MAX, 0, std::max<size_t>(4, Capacity() * 2), false);
    ++size_;
    SetCapacity(std::max<size_t>(Capacity(), stored + 1));
    Set(size_ - 1, v);
  }
  // push_back of each of `values`, in order; a run of leading zeros, or of
  // values on a series' line (nothing stored: most points of a long series),
  // is counted at once, and stored values that fit the width and the room
  // are written without push_back's checks each.
  void Append(std::span<const int64_t> values);
  void Set(size_t i, int64_t v) {
    if (i < lead_) {
      if (v != 0) SetLeading(i, v);
      return;
    }
    const size_t j = i - lead_;
    const int64_t offset = Minus(j, v);
    if (WidthFor(offset) > width()) return Rewrite(j, v, Capacity(), true);
    StoreOffset(j, offset);
  }

  // out[i] = value i, for i < size().
  void DecodeTo(int64_t* out) const {
    std::fill(out, out + lead_, int64_t{0});
    for (size_t i = lead_; i < size_; ++i) out[i] = Stored(i - lead_);
  }
  std::vector<int64_t> ToVector() const {
    std::vector<int64_t> v(size_);
    DecodeTo(v.data());
    return v;
  }
  // acc[i] += value i, a width at a time (the sums of function nodes).
  void AddTo(int64_t* acc) const;
  // Replaces the values (re-encoded from the first).
  void Assign(std::span<const int64_t> values);
  void Erase(size_t i);

 private:
  static int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }
  // The line's value at stored position j (arithmetic modulo 2^64).
  int64_t Predicted(size_t j) const {
    return Wrap(static_cast<uint64_t>(base_) + static_cast<uint64_t>(slope_) * static_cast<uint64_t>(j));
  }
  int64_t Plus(size_t j, int64_t offset) const {
    return Wrap(static_cast<uint64_t>(Predicted(j)) + static_cast<uint64_t>(offset));
  }
  int64_t Minus(size_t j, int64_t v) const {
    return Wrap(static_cast<uint64_t>(v) - static_cast<uint64_t>(Predicted(j)));
  }
  // Stored value j (value lead_ + j).
  int64_t Stored(size_t j) const {
    switch (width()) {
      case 0: return Predicted(j);
      case 1: return Plus(j, static_cast<int8_t>(bytes()[j]));
      case 2: return Plus(j, Load<int16_t>(j));
      case 4: return Plus(j, Load<int32_t>(j));
      default: return Plus(j, Load<int64_t>(j));
    }
  }
  // Sets a value among the leading zeros to `v` (not 0): re-encoded.
  void SetLeading(size_t i, int64_t v);
  template <typename T>
  T Load(size_t i) const {
    T v;
    std::memcpy(&v, bytes() + i * sizeof(T), sizeof(T));
    return v;
  }
  template <typename T>
  void Store(size_t i, T v) {
    std::memcpy(bytes() + i * sizeof(T), &v, sizeof(T));
  }
  // Stored value j's offset from the line, which fits the width.
  void StoreOffset(size_t j, int64_t offset) {
    switch (width()) {
      case 0: return;
      case 1: bytes()[j] = static_cast<uint8_t>(offset); return;
      case 2: Store(j, static_cast<int16_t>(offset)); return;
      case 4: Store(j, static_cast<int32_t>(offset)); return;
      default: Store(j, offset); return;
    }
  }
  static int WidthFor(int64_t offset) {
    if (offset == 0) return 0;
    if (offset >= INT8_MIN && offset <= INT8_MAX) return 1;
    if (offset >= INT16_MIN && offset <= INT16_MAX) return 2;
    if (offset >= INT32_MIN && offset <= INT32_MAX) return 4;
    return 8;
  }
  // Re-encodes the stored values (stored value j replaced by `v`; j may be
  // the slot just added; SIZE_MAX: none) in the narrowest width that holds
  // them, with room for `capacity`. `refit`: a rising series' line is refitted
  // to its average rate so far first (at most kMaxRefits times in its life,
  // so a series is re-encoded O(1) times).
  void Rewrite(size_t j, int64_t v, size_t capacity, bool refit);
  static constexpr uint8_t kMaxRefits = 8;

  // Every field but the offsets and where they are.
  void CopyScalars(const PackedSeries& other);
  // The stored offsets: `n` bytes (Capacity() * width()) in the object
  // while they fit in 8, else in a heap block; none at width 0.
  void AllocateBytes(size_t n) {
    FreeBytes();
    if (n > sizeof(inline_)) {
      heap_ = new uint8_t[n];
      in_heap_ = true;
    }
  }
  void FreeBytes() {
    if (in_heap_) delete[] heap_;
    in_heap_ = false;
  }
  uint8_t* bytes() { return in_heap_ ? heap_ : inline_; }
  const uint8_t* bytes() const { return in_heap_ ? heap_ : inline_; }

  // 40 bytes in all: a site has four of these.
  int64_t base_ = 0;   // the first stored value (0 while none is)
  int64_t slope_ = 0;  // the line's step per value (0 unless rising_)
  union {
    uint8_t* heap_;  // while in_heap_
    uint8_t inline_[8] = {};
  };
  uint32_t size_ = 0;
  uint32_t lead_ = 0;  // values [0, lead_) are zeros, not stored; lead_ <= size_
  // The width (0, 1, 2, 4 or 8 bytes) in the top 4 bits; below, how many
  // stored values the offsets have room for (reserved once the length is known).
  uint32_t packed_ = 0;
  bool rising_ = false;
  uint8_t refits_ = 0;
  bool in_heap_ = false;  // the offsets are in heap_
  static constexpr uint32_t kCapacityMask = (uint32_t{1} << 28) - 1;
  size_t Capacity() const { return packed_ & kCapacityMask; }
  void SetWidth(int width) { packed_ = (static_cast<uint32_t>(width) << 28) | (packed_ & kCapacityMask); }
  void SetCapacity(size_t capacity) {
    packed_ = (packed_ & ~kCapacityMask) | static_cast<uint32_t>(std::min<size_t>(capacity, kCapacityMask));
  }
};

}  // namespace pprof_trend
