// A read-only view of 32-bit ids held 2 bytes each when every id of the run
// is below 65,536, else 4: a site's frames (AlignedSite::frames). A profile
// names tens of thousands of distinct frames at most (19,676 in three
// Go-shaped big profiles of 249,202 sites and 14 million frames), so most
// stacks are held narrow, half the bytes. 16 bytes, as a std::span.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

namespace pprof_trend {

class IdSpan {
 public:
  static constexpr uint32_t kNarrowLimit = 65536;

  IdSpan() = default;
  IdSpan(const uint32_t* wide, size_t n) : data_(wide), size_(static_cast<uint32_t>(n)) {}
  IdSpan(const uint16_t* narrow, size_t n) : data_(narrow), size_(static_cast<uint32_t>(n)), narrow_(true) {}
  // A view of 4-byte ids (a sample's stack, a test's stack).
  IdSpan(std::span<const uint32_t> wide) : IdSpan(wide.data(), wide.size()) {}     // NOLINT: implicit, as span's
  IdSpan(std::span<uint32_t> wide) : IdSpan(wide.data(), wide.size()) {}           // NOLINT
  IdSpan(const std::vector<uint32_t>& wide) : IdSpan(wide.data(), wide.size()) {}  // NOLINT

  // Whether every id fits 2 bytes.
  static bool FitsNarrow(std::span<const uint32_t> ids) {
    uint32_t any_high = 0;
    for (uint32_t id : ids) any_high |= id;
    return any_high < kNarrowLimit;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool narrow() const { return narrow_; }
  // Where the ids are (for a prefetch).
  const void* data() const { return data_; }
  uint32_t operator[](size_t i) const {
    return narrow_ ? static_cast<const uint16_t*>(data_)[i] : static_cast<const uint32_t*>(data_)[i];
  }
  uint32_t front() const { return (*this)[0]; }
  uint32_t back() const { return (*this)[size_ - 1]; }
  // f(std::span<const uint16_t>) or f(std::span<const uint32_t>): a loop
  // over the ids without a test of the width for each.
  template <typename F>
  decltype(auto) Visit(F&& f) const {
    if (narrow_) return f(std::span<const uint16_t>(static_cast<const uint16_t*>(data_), size_));
    return f(std::span<const uint32_t>(static_cast<const uint32_t*>(data_), size_));
  }
  std::vector<uint32_t> ToVector() const { return {begin(), end()}; }

  class Iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = uint32_t;
    using difference_type = std::ptrdiff_t;
    using reference = uint32_t;
    using pointer = void;
    Iterator() = default;
    // (The view's fields, not a pointer to it: an iterator of a view
    // returned by value outlives the view.)
    Iterator(const void* data, bool narrow, size_t at)
        : data_(data), narrow_(narrow), at_(static_cast<difference_type>(at)) {}
    uint32_t operator*() const { return (*this)[0]; }
    uint32_t operator[](difference_type d) const {
      return narrow_ ? static_cast<const uint16_t*>(data_)[at_ + d] : static_cast<const uint32_t*>(data_)[at_ + d];
    }
    Iterator& operator++() { return ++at_, *this; }
    Iterator operator++(int) {
      Iterator was = *this;
      ++at_;
      return was;
    }
    Iterator& operator--() { return --at_, *this; }
    Iterator operator--(int) {
      Iterator was = *this;
      --at_;
      return was;
    }
    Iterator& operator+=(difference_type d) { return at_ += d, *this; }
    Iterator& operator-=(difference_type d) { return at_ -= d, *this; }
    friend Iterator operator+(Iterator it, difference_type d) { return it += d; }
    friend Iterator operator+(difference_type d, Iterator it) { return it += d; }
    friend Iterator operator-(Iterator it, difference_type d) { return it -= d; }
    friend difference_type operator-(const Iterator& a, const Iterator& b) { return a.at_ - b.at_; }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.at_ == b.at_; }
    friend auto operator<=>(const Iterator& a, const Iterator& b) { return a.at_ <=> b.at_; }

   private:
    const void* data_ = nullptr;
    bool narrow_ = false;
    difference_type at_ = 0;
  };
  Iterator begin() const { return {data_, narrow_, 0}; }
  Iterator end() const { return {data_, narrow_, size_}; }
  std::reverse_iterator<Iterator> rbegin() const { return std::reverse_iterator<Iterator>(end()); }
  std::reverse_iterator<Iterator> rend() const { return std::reverse_iterator<Iterator>(begin()); }

 private:
  const void* data_ = nullptr;
  uint32_t size_ = 0;
  bool narrow_ = false;
};

}  // namespace pprof_trend
