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
// itself, with no heap block. 32 bytes an object (a site has four).
// Random access is O(1); a value that needs a wider width re-encodes the
// series once (at most four times in its life). Up to 2^28 - 1 values.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace pprof_trend {

class PackedSeries {
 public:
  static constexpr size_t kMaxSize = (size_t{1} << 28) - 1;

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
    CheckSize(count);
    PackedSeries s;
    s.SetSize(count);
    s.SetLead(count);
    s.SetRising(rising);
    s.SetHint(expected > count ? expected - count : 0);
    return s;
  }

  size_t size() const { return Size(); }
  bool empty() const { return Size() == 0; }
  int64_t operator[](size_t i) const {
    if (i < Lead()) return 0;
    return Stored(i - Lead());
  }
  int64_t front() const { return (*this)[0]; }
  int64_t back() const { return (*this)[Size() - 1]; }
  // Bytes held for the values beside the object (what memory grows with).
  size_t packed_bytes() const { return in_heap() ? Capacity() * static_cast<size_t>(width()) : 0; }
  // The zeros before the first value stored (none of them held).
  size_t leading_zeros() const { return Lead(); }
  int width() const { return kWidths[(lead_word_ >> kWidthShift) & 7]; }
  // Whether every value is the same (nothing stored per value).
  bool constant() const { return width() == 0 && (Lead() == Size() || (Lead() == 0 && slope_ == 0)); }

  void push_back(int64_t v) {
    CheckSize(Size() + 1);
    if (Lead() == Size()) {  // nothing stored yet
      SetSize(Size() + 1);
      if (v == 0) {
        SetLead(Lead() + 1);
        if (Hint() > 0) SetHint(Hint() - 1);
      } else {
        base_ = v;
        slope_ = 0;
      }
      return;
    }
    const size_t stored = Size() - Lead();
    // A rising series' line starts at the rate of its first step.
    if (rising() && stored == 1 && width() == 0) slope_ = Wrap(static_cast<uint64_t>(v) - static_cast<uint64_t>(base_));
    if (width() == 0 && v == Predicted(stored)) {  // on the line: nothing stored
      SetSize(Size() + 1);
      return;
    }
    if (width() != 0 && stored >= Capacity()) Rewrite(SIZE_MAX, 0, std::max<size_t>(4, Capacity() * 2), false);
    SetSize(Size() + 1);
    if (width() == 0) SetHint(std::max<size_t>(Hint(), stored + 1));
    Set(Size() - 1, v);
  }
  // push_back of each of `values`, in order; a run of leading zeros, or of
  // values on a series' line (nothing stored: most points of a long series),
  // is counted at once, and stored values that fit the width and the room
  // are written without push_back's checks each.
  void Append(std::span<const int64_t> values);
  void Set(size_t i, int64_t v) {
    if (i < Lead()) {
      if (v != 0) SetLeading(i, v);
      return;
    }
    const size_t j = i - Lead();
    const int64_t offset = Minus(j, v);
    if (WidthFor(offset) > width()) return Rewrite(j, v, Capacity(), true);
    StoreOffset(j, offset);
  }

  // out[i] = value i, for i < size().
  void DecodeTo(int64_t* out) const {
    std::fill(out, out + Size(), int64_t{0});
    AddTo(out);  // a width at a time
  }
  std::vector<int64_t> ToVector() const {
    std::vector<int64_t> v(Size());
    DecodeTo(v.data());
    return v;
  }
  // Fetches the offsets' heap block (its room is read first by Append) into
  // the cache ahead of use: a loop over many series' blocks would wait for
  // each.
  void Prefetch() const {
    if (in_heap()) __builtin_prefetch(heap_, 0, 3);
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
  // Stored value j (value Lead() + j).
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
  // Stored value j's offset from the line, which fits the width.
  void StoreOffset(size_t j, int64_t offset) { StoreOffsetAt(bytes(), width(), j, offset); }
  // The same into `to`, offsets of `width` bytes: for loops that hold both
  // (a store through a byte pointer makes the compiler read every field again).
  static void StoreOffsetAt(uint8_t* to, int width, size_t j, int64_t offset) {
    switch (width) {
      case 0: return;
      case 1: to[j] = static_cast<uint8_t>(offset); return;
      case 2: StoreAt(to, j, static_cast<int16_t>(offset)); return;
      case 4: StoreAt(to, j, static_cast<int32_t>(offset)); return;
      default: StoreAt(to, j, offset); return;
    }
  }
  template <typename T>
  static void StoreAt(uint8_t* to, size_t i, T v) {
    std::memcpy(to + i * sizeof(T), &v, sizeof(T));
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
  static constexpr uint32_t kMaxRefits = 7;

  static void CheckSize(size_t size) {
    if (size > kMaxSize) throw std::length_error("a series of more than 2^28 - 1 values");
  }
  // The stored offsets: room for `capacity` values at width(), in the object
  // while they fit in its 8 bytes (its room is then all 8), else in a heap
  // block that starts with its room (4 bytes); none at width 0.
  void AllocateBytes(size_t capacity) {
    FreeBytes();
    const size_t n = capacity * static_cast<size_t>(width());
    if (n <= sizeof(inline_)) return;
    heap_ = new uint8_t[kRoomBytes + n];
    const auto room = static_cast<uint32_t>(capacity);
    std::memcpy(heap_, &room, kRoomBytes);
    SetInHeap(true);
  }
  void FreeBytes() {
    if (in_heap()) delete[] heap_;
    SetInHeap(false);
  }
  uint8_t* bytes() { return in_heap() ? heap_ + kRoomBytes : inline_; }
  const uint8_t* bytes() const { return in_heap() ? heap_ + kRoomBytes : inline_; }
  // How many stored values the offsets have room for; at width 0, the room
  // to make once they are stored (the length expected, Zeros).
  size_t Capacity() const {
    const int w = width();
    if (w == 0) return Hint();
    if (!in_heap()) return sizeof(inline_) / static_cast<size_t>(w);
    uint32_t room;
    std::memcpy(&room, heap_, kRoomBytes);
    return room;
  }
  // At width 0 only: the room to make (in the offsets' place).
  size_t Hint() const {
    uint32_t hint;
    std::memcpy(&hint, inline_, sizeof(hint));
    return hint;
  }
  void SetHint(size_t hint) {
    const auto h = static_cast<uint32_t>(std::min(hint, kMaxSize));
    std::memcpy(inline_, &h, sizeof(h));
  }

  // The two words below: a count in the low 28 bits, flags above.
  static constexpr uint32_t kCountMask = (uint32_t{1} << 28) - 1;
  static constexpr int kWidthShift = 28;         // lead_word_: the width's code, 3 bits (kWidths)
  static constexpr uint32_t kRising = 1u << 31;  // lead_word_
  static constexpr int kRefitsShift = 28;        // size_word_: refits, 3 bits
  static constexpr uint32_t kInHeap = 1u << 31;  // size_word_
  static constexpr int kWidths[8] = {0, 1, 2, 4, 8, 0, 0, 0};
  static constexpr size_t kRoomBytes = 4;
  size_t Size() const { return size_word_ & kCountMask; }
  void SetSize(size_t n) { size_word_ = (size_word_ & ~kCountMask) | static_cast<uint32_t>(n); }
  size_t Lead() const { return lead_word_ & kCountMask; }
  void SetLead(size_t n) { lead_word_ = (lead_word_ & ~kCountMask) | static_cast<uint32_t>(n); }
  void SetWidth(int width) {
    const uint32_t code = width == 0 ? 0 : width == 1 ? 1 : width == 2 ? 2 : width == 4 ? 3 : 4;
    lead_word_ = (lead_word_ & ~(uint32_t{7} << kWidthShift)) | (code << kWidthShift);
  }
  bool rising() const { return (lead_word_ & kRising) != 0; }
  void SetRising(bool r) { lead_word_ = r ? lead_word_ | kRising : lead_word_ & ~kRising; }
  uint32_t refits() const { return (size_word_ >> kRefitsShift) & 7; }
  void SetRefits(uint32_t r) { size_word_ = (size_word_ & ~(uint32_t{7} << kRefitsShift)) | (r << kRefitsShift); }
  bool in_heap() const { return (size_word_ & kInHeap) != 0; }
  void SetInHeap(bool h) { size_word_ = h ? size_word_ | kInHeap : size_word_ & ~kInHeap; }

  int64_t base_ = 0;   // the first stored value (0 while none is)
  int64_t slope_ = 0;  // the line's step per value (0 unless rising)
  // The offsets (bytes()), or at width 0 the room to make for them (Hint).
  union {
    uint8_t* heap_;  // while in_heap()
    uint8_t inline_[8] = {};
  };
  // The count of values, then refits (kMaxRefits at most) and in_heap.
  uint32_t size_word_ = 0;
  // The leading zeros (values [0, Lead()) are zeros, not stored; Lead() <=
  // Size()), then the width's code and rising.
  uint32_t lead_word_ = 0;
};

}  // namespace pprof_trend
