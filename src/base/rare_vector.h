// A vector that most of its owners leave empty, in 8 bytes instead of
// std::vector's 24: a pointer to a std::vector on the heap, made by the
// first push_back. For records kept for every site of a
// profile (AlignedSite::size_classes: most sites have one object size and
// no classes). The subset of std::vector's interface its users need;
// iterators are pointers, valid until the next push_back.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace pprof_trend {

template <typename T>
class RareVector {
 public:
  RareVector() = default;
  RareVector(RareVector&&) noexcept = default;
  RareVector& operator=(RareVector&&) noexcept = default;
  RareVector(const RareVector& other)
      : items_(other.items_ ? std::make_unique<std::vector<T>>(*other.items_) : nullptr) {}
  RareVector& operator=(const RareVector& other) {
    if (this != &other) *this = RareVector(other);
    return *this;
  }

  bool empty() const { return !items_ || items_->empty(); }
  size_t size() const { return items_ ? items_->size() : 0; }
  T* begin() { return items_ ? items_->data() : nullptr; }
  T* end() { return items_ ? items_->data() + items_->size() : nullptr; }
  const T* begin() const { return items_ ? items_->data() : nullptr; }
  const T* end() const { return items_ ? items_->data() + items_->size() : nullptr; }
  T& operator[](size_t i) { return (*items_)[i]; }
  const T& operator[](size_t i) const { return (*items_)[i]; }
  void push_back(T item) {
    if (!items_) items_ = std::make_unique<std::vector<T>>();
    items_->push_back(std::move(item));
  }

 private:
  std::unique_ptr<std::vector<T>> items_;  // null until the first push_back
};

}  // namespace pprof_trend
