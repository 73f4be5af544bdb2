#include "base/packed_series.h"

#include <algorithm>

namespace pprof_trend {

void PackedSeries::CopyScalars(const PackedSeries& other) {
  base_ = other.base_;
  slope_ = other.slope_;
  size_ = other.size_;
  lead_ = other.lead_;
  packed_ = other.packed_;
  rising_ = other.rising_;
  refits_ = other.refits_;
}

PackedSeries& PackedSeries::operator=(const PackedSeries& other) {
  if (this == &other) return *this;
  CopyScalars(other);
  SetCapacity(size_ - lead_);  // a copy has no room to spare
  FreeBytes();
  if (width() != 0) {
    const size_t n = size_t{size_ - lead_} * width();
    AllocateBytes(n);
    std::memcpy(bytes(), other.bytes(), n);
  }
  return *this;
}

PackedSeries& PackedSeries::operator=(PackedSeries&& other) noexcept {
  if (this == &other) return *this;
  FreeBytes();
  CopyScalars(other);
  in_heap_ = other.in_heap_;
  std::memcpy(inline_, other.inline_, sizeof(inline_));  // the offsets, or the block's pointer
  other.in_heap_ = false;
  return *this;
}

void PackedSeries::Rewrite(size_t j, int64_t v, size_t capacity, bool refit) {
  const size_t stored = size_ - lead_;
  std::vector<int64_t> values(stored);
  for (size_t k = 0; k < stored; ++k) values[k] = k == j ? v : Stored(k);
  if (refit && rising_ && refits_ < kMaxRefits && stored >= 2) {
    ++refits_;
    base_ = values[0];
    const auto rise = Wrap(static_cast<uint64_t>(values.back()) - static_cast<uint64_t>(values[0]));
    slope_ = rise / static_cast<int64_t>(stored - 1);
  }
  int new_width = 0;
  for (size_t k = 0; k < stored; ++k) new_width = std::max(new_width, WidthFor(Minus(k, values[k])));
  SetCapacity(std::max<size_t>({capacity, stored, 1}));
  SetWidth(new_width);
  FreeBytes();
  if (new_width == 0) return;
  AllocateBytes(Capacity() * static_cast<size_t>(new_width));
  for (size_t k = 0; k < stored; ++k) {
    const int64_t offset = Minus(k, values[k]);
    switch (new_width) {
      case 1: bytes()[k] = static_cast<uint8_t>(offset); break;
      case 2: Store(k, static_cast<int16_t>(offset)); break;
      case 4: Store(k, static_cast<int32_t>(offset)); break;
      default: Store(k, offset); break;
    }
  }
}

void PackedSeries::AddTo(int64_t* acc) const {
  const size_t n = size_ - lead_;
  acc += lead_;  // the leading zeros add nothing
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
  size_t i = 0;
  while (i < values.size()) {
    size_t j = i;
    if (lead_ == size_) {  // nothing stored yet: zeros are counted
      while (j < values.size() && values[j] == 0) ++j;
      const size_t zeros = j - i;
      size_ += static_cast<uint32_t>(zeros);
      lead_ += static_cast<uint32_t>(zeros);
      SetCapacity(Capacity() > zeros ? Capacity() - zeros : 0);
    } else if (width() == 0) {
      // On the line: nothing stored. (A rising series' rate is 0 until its
      // second value sets it; a second value on the line sets it to 0.)
      const size_t stored = size_ - lead_;
      while (j < values.size() && values[j] == Predicted(stored + (j - i))) ++j;
      size_ += static_cast<uint32_t>(j - i);
    } else {  // stored: each value that fits the width and the room
      const size_t stored = size_ - lead_;
      for (; j < values.size() && stored + (j - i) < Capacity(); ++j) {
        const int64_t offset = Minus(stored + (j - i), values[j]);
        if (WidthFor(offset) > width()) break;
        StoreOffset(stored + (j - i), offset);
      }
      size_ += static_cast<uint32_t>(j - i);
    }
    if (j == i) push_back(values[j++]);
    i = j;
  }
}

void PackedSeries::Assign(std::span<const int64_t> values) {
  PackedSeries s = Zeros(0, values.size(), rising_);
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
