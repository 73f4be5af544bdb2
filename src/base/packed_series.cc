#include "base/packed_series.h"

#include <algorithm>

namespace pprof_trend {

PackedSeries& PackedSeries::operator=(const PackedSeries& other) {
  if (this == &other) return *this;
  base_ = other.base_;
  size_ = other.size_;
  packed_ = other.packed_;
  SetCapacity(other.size_);  // a copy has no room to spare
  bytes_.reset();
  if (other.bytes_ && width() != 0) {
    const size_t n = size_t{size_} * width();
    bytes_ = std::make_unique_for_overwrite<uint8_t[]>(std::max<size_t>(n, 1));
    std::memcpy(bytes_.get(), other.bytes_.get(), n);
  }
  return *this;
}

void PackedSeries::Grow(int new_width, size_t capacity) {
  std::vector<int64_t> offsets(size_);
  for (size_t i = 0; i < size_; ++i) offsets[i] = Minus((*this)[i]);
  SetCapacity(std::max<size_t>({capacity, size_, 1}));
  bytes_ = std::make_unique_for_overwrite<uint8_t[]>(Capacity() * static_cast<size_t>(new_width));
  SetWidth(new_width);
  for (size_t i = 0; i < size_; ++i) {
    switch (width()) {
      case 1: bytes_[i] = static_cast<uint8_t>(offsets[i]); break;
      case 2: Store(i, static_cast<int16_t>(offsets[i])); break;
      case 4: Store(i, static_cast<int32_t>(offsets[i])); break;
      default: Store(i, offsets[i]); break;
    }
  }
}

void PackedSeries::AddTo(int64_t* acc) const {
  switch (width()) {
    case 0:
      for (size_t i = 0; i < size_; ++i) acc[i] += base_;
      return;
    case 1:
      for (size_t i = 0; i < size_; ++i) acc[i] += Plus(static_cast<int8_t>(bytes_[i]));
      return;
    case 2:
      for (size_t i = 0; i < size_; ++i) acc[i] += Plus(Load<int16_t>(i));
      return;
    case 4:
      for (size_t i = 0; i < size_; ++i) acc[i] += Plus(Load<int32_t>(i));
      return;
    default:
      for (size_t i = 0; i < size_; ++i) acc[i] += Plus(Load<int64_t>(i));
      return;
  }
}

void PackedSeries::Assign(std::span<const int64_t> values) {
  PackedSeries s = Zeros(0, values.size());
  for (int64_t v : values) s.push_back(v);
  *this = std::move(s);
}

void PackedSeries::Erase(size_t i) {
  std::vector<int64_t> v = ToVector();
  v.erase(v.begin() + static_cast<ptrdiff_t>(i));
  Assign(v);
}

}  // namespace pprof_trend
