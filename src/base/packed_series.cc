#include "base/packed_series.h"

#include <algorithm>

namespace pprof_trend {

void PackedSeries::Widen(int width) {
  std::vector<int64_t> offsets(size_);
  for (size_t i = 0; i < size_; ++i) offsets[i] = Minus((*this)[i]);
  std::vector<uint8_t> bytes;
  bytes.reserve(std::max<size_t>(size_, expected_) * static_cast<size_t>(width));
  bytes.resize(size_ * static_cast<size_t>(width));
  bytes_ = std::move(bytes);
  width_ = static_cast<uint8_t>(width);
  for (size_t i = 0; i < size_; ++i) {
    switch (width_) {
      case 1: bytes_[i] = static_cast<uint8_t>(offsets[i]); break;
      case 2: Store(i, static_cast<int16_t>(offsets[i])); break;
      case 4: Store(i, static_cast<int32_t>(offsets[i])); break;
      default: Store(i, offsets[i]); break;
    }
  }
}

void PackedSeries::AddTo(int64_t* acc) const {
  switch (width_) {
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
  PackedSeries s;
  s.expected_ = expected_;
  for (int64_t v : values) s.push_back(v);
  *this = std::move(s);
}

void PackedSeries::Erase(size_t i) {
  std::vector<int64_t> v = ToVector();
  v.erase(v.begin() + static_cast<ptrdiff_t>(i));
  Assign(v);
}

}  // namespace pprof_trend
