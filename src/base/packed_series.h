// A series of int64 values (one per capture) stored as offsets from its
// first value in the narrowest width that holds them all: 0 bytes when every
// value is the same (most sites of a long series never change), else 1, 2, 4
// or 8 bytes a value. Offsets are taken modulo 2^64, so any int64 round-trips.
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
  PackedSeries(PackedSeries&&) = default;
  PackedSeries& operator=(PackedSeries&&) = default;
  PackedSeries(const PackedSeries& other) { *this = other; }
  PackedSeries& operator=(const PackedSeries& other);
  // `count` zeros, with room for `expected` values in all.
  static PackedSeries Zeros(size_t count, size_t expected = 0) {
    PackedSeries s;
    s.size_ = static_cast<uint32_t>(count);
    s.SetCapacity(std::max(count, expected));
    return s;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t operator[](size_t i) const {
    switch (width()) {
      case 0: return base_;
      case 1: return Plus(static_cast<int8_t>(bytes_[i]));
      case 2: return Plus(Load<int16_t>(i));
      case 4: return Plus(Load<int32_t>(i));
      default: return Plus(Load<int64_t>(i));
    }
  }
  int64_t front() const { return (*this)[0]; }
  int64_t back() const { return (*this)[size_ - 1]; }
  // Bytes held for the values (what memory grows with).
  size_t packed_bytes() const { return bytes_ ? Capacity() * static_cast<size_t>(width()) : 0; }
  int width() const { return static_cast<int>(packed_ >> 28); }

  void push_back(int64_t v) {
    if (width() == 0 && (size_ == 0 || v == base_)) {  // still constant: nothing stored
      base_ = v;
      ++size_;
      return;
    }
    if (width() != 0 && size_ >= Capacity()) Grow(width(), std::max<size_t>(4, Capacity() * 2));
    ++size_;
    SetCapacity(std::max<size_t>(Capacity(), size_));
    Set(size_ - 1, v);
  }
  void Set(size_t i, int64_t v) {
    const int64_t offset = Minus(v);
    const int need = WidthFor(offset);
    if (need > width()) Grow(need, Capacity());
    switch (width()) {
      case 0: return;
      case 1: bytes_[i] = static_cast<uint8_t>(offset); return;
      case 2: Store(i, static_cast<int16_t>(offset)); return;
      case 4: Store(i, static_cast<int32_t>(offset)); return;
      default: Store(i, offset); return;
    }
  }

  // out[i] = value i, for i < size().
  void DecodeTo(int64_t* out) const {
    for (size_t i = 0; i < size_; ++i) out[i] = (*this)[i];
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
  template <typename T>
  T Load(size_t i) const {
    T v;
    std::memcpy(&v, bytes_.get() + i * sizeof(T), sizeof(T));
    return v;
  }
  template <typename T>
  void Store(size_t i, T v) {
    std::memcpy(bytes_.get() + i * sizeof(T), &v, sizeof(T));
  }
  int64_t Plus(int64_t offset) const {
    return static_cast<int64_t>(static_cast<uint64_t>(base_) + static_cast<uint64_t>(offset));
  }
  int64_t Minus(int64_t v) const {
    return static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(base_));
  }
  static int WidthFor(int64_t offset) {
    if (offset == 0) return 0;
    if (offset >= INT8_MIN && offset <= INT8_MAX) return 1;
    if (offset >= INT16_MIN && offset <= INT16_MAX) return 2;
    if (offset >= INT32_MIN && offset <= INT32_MAX) return 4;
    return 8;
  }
  // Re-encodes the values at `new_width` bytes each, with room for `capacity`.
  void Grow(int new_width, size_t capacity);

  // 24 bytes in all: a site has four of these.
  int64_t base_ = 0;
  std::unique_ptr<uint8_t[]> bytes_;  // none while the width is 0
  uint32_t size_ = 0;
  // The width (0, 1, 2, 4 or 8 bytes) in the top 4 bits; below, how many
  // values bytes_ has room for (reserved once the length is known).
  uint32_t packed_ = 0;
  static constexpr uint32_t kCapacityMask = (uint32_t{1} << 28) - 1;
  size_t Capacity() const { return packed_ & kCapacityMask; }
  void SetWidth(int width) { packed_ = (static_cast<uint32_t>(width) << 28) | (packed_ & kCapacityMask); }
  void SetCapacity(size_t capacity) {
    packed_ = (packed_ & ~kCapacityMask) | static_cast<uint32_t>(std::min<size_t>(capacity, kCapacityMask));
  }
};

}  // namespace pprof_trend
