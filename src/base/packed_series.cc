#include "base/packed_series.h"

#include <algorithm>

namespace pprof_trend {

PackedSeries& PackedSeries::operator=(const PackedSeries& other) {
  if (this == &other) return *this;
  FreeBytes();
  base_ = other.base_;
  slope_ = other.slope_;
  size_word_ = other.size_word_ & ~kInHeap;
  lead_word_ = other.lead_word_;
  const size_t stored = Size() - Lead();  // a copy has no room to spare
  if (width() == 0) {
    SetHint(stored);
  } else {
    AllocateBytes(stored);
    std::memcpy(bytes(), other.bytes(), stored * static_cast<size_t>(width()));
  }
  return *this;
}

PackedSeries& PackedSeries::operator=(PackedSeries&& other) noexcept {
  if (this == &other) return *this;
  FreeBytes();
  base_ = other.base_;
  slope_ = other.slope_;
  size_word_ = other.size_word_;
  lead_word_ = other.lead_word_;
  std::memcpy(inline_, other.inline_, sizeof(inline_));  // the offsets, the block's pointer, or the hint
  other.SetInHeap(false);
  return *this;
}

void PackedSeries::Rewrite(size_t j, int64_t v, size_t capacity, bool refit) {
  const size_t stored = Size() - Lead();
  std::vector<int64_t> values(stored);
  for (size_t k = 0; k < stored; ++k) values[k] = k == j ? v : Stored(k);
  if (refit && rising() && refits() < kMaxRefits && stored >= 2) {
    SetRefits(refits() + 1);
    base_ = values[0];
    const auto rise = Wrap(static_cast<uint64_t>(values.back()) - static_cast<uint64_t>(values[0]));
    slope_ = rise / static_cast<int64_t>(stored - 1);
  }
  int new_width = 0;
  for (size_t k = 0; k < stored; ++k) new_width = std::max(new_width, WidthFor(Minus(k, values[k])));
  const size_t room = std::max<size_t>({capacity, stored, 1});
  FreeBytes();
  SetWidth(new_width);
  if (new_width == 0) {
    SetHint(room);
    return;
  }
  AllocateBytes(room);
  for (size_t k = 0; k < stored; ++k) StoreOffset(k, Minus(k, values[k]));
}

void PackedSeries::AddTo(int64_t* acc) const {
  const size_t n = Size() - Lead();
  acc += Lead();  // the leading zeros add nothing
  switch (width()) {
    case 0:
      for (size_t k = 0; k < n; ++k) acc[k] += Predicted(k);
      return;
    case 1:
      for (size_t k = 0; k < n; ++k) acc[k] += Plus(k, static_cast<int8_t>(bytes()[k]));
      return;
    case 2:
      for (size_t k = 0; k < n; ++k) acc[k] += Plus(k, Load<int16_t>(k));
      return;
    case 4:
      for (size_t k = 0; k < n; ++k) acc[k] += Plus(k, Load<int32_t>(k));
      return;
    default:
      for (size_t k = 0; k < n; ++k) acc[k] += Plus(k, Load<int64_t>(k));
      return;
  }
}

void PackedSeries::Append(std::span<const int64_t> values) {
  CheckSize(Size() + values.size());
  size_t i = 0;
  while (i < values.size()) {
    size_t j = i;
    if (Lead() == Size()) {  // nothing stored yet: zeros are counted
      while (j < values.size() && values[j] == 0) ++j;
      const size_t zeros = j - i;
      SetSize(Size() + zeros);
      SetLead(Lead() + zeros);
      SetHint(Hint() > zeros ? Hint() - zeros : 0);
    } else if (width() == 0) {
      // On the line: nothing stored. (A rising series' rate is 0 until its
      // second value sets it; a second value on the line sets it to 0.)
      const size_t stored = Size() - Lead();
      while (j < values.size() && values[j] == Predicted(stored + (j - i))) ++j;
      SetSize(Size() + (j - i));
    } else {  // stored: each value that fits the width and the room
      // The fields in locals: each store through the byte pointer would
      // make the compiler read them again.
      const size_t stored = Size() - Lead(), room = Capacity();
      const int w = width();
      const auto base = static_cast<uint64_t>(base_), slope = static_cast<uint64_t>(slope_);
      uint8_t* const to = bytes();
      for (; j < values.size() && stored + (j - i) < room; ++j) {
        const uint64_t at = stored + (j - i);
        const int64_t offset = Wrap(static_cast<uint64_t>(values[j]) - (base + slope * at));
        if (WidthFor(offset) > w) break;
        StoreOffsetAt(to, w, at, offset);
      }
      SetSize(Size() + (j - i));
    }
    if (j == i) push_back(values[j++]);
    i = j;
  }
}

void PackedSeries::Assign(std::span<const int64_t> values) {
  PackedSeries s = Zeros(0, values.size(), rising());
  for (int64_t v : values) s.push_back(v);
  *this = std::move(s);
}

void PackedSeries::SetLeading(size_t i, int64_t v) {
  std::vector<int64_t> values = ToVector();
  values[i] = v;
  Assign(values);
}

void PackedSeries::Erase(size_t i) {
  std::vector<int64_t> v = ToVector();
  v.erase(v.begin() + static_cast<ptrdiff_t>(i));
  Assign(v);
}

}  // namespace pprof_trend
