// Optional values no larger than the value, for records kept for every site
// of a profile: std::optional<uint32_t> takes 8 bytes and
// std::optional<double> 16; these 4 and 8. The subset of std::optional's
// interface their users need.
//
// CompactOptional: one value, kNone, stands for "none" and is never held;
// for indices and ids whose largest value is never used (a site index, a
// capture number).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>

namespace pprof_trend {

template <typename T, T kNone>
class CompactOptional {
 public:
  constexpr CompactOptional() = default;
  constexpr CompactOptional(std::nullopt_t) {}           // NOLINT: as std::optional
  constexpr CompactOptional(T value) : value_(value) {}  // NOLINT: as std::optional; value != kNone
  constexpr bool has_value() const { return value_ != kNone; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr T operator*() const { return value_; }
  T value() const {
    if (!has_value()) throw std::bad_optional_access();
    return value_;
  }
  constexpr T value_or(T other) const { return has_value() ? value_ : other; }
  constexpr void reset() { value_ = kNone; }
  constexpr operator std::optional<T>() const {  // NOLINT: as std::optional
    return has_value() ? std::optional<T>(value_) : std::nullopt;
  }
  friend constexpr bool operator==(CompactOptional a, CompactOptional b) = default;

 private:
  T value_ = kNone;
};

// A site index, frame id or capture number, or none.
using OptionalIndex = CompactOptional<uint32_t, UINT32_MAX>;
// An object size from a sample's `bytes` label, or none (INT64_MIN: the
// aligner's AlignedSite::kNoSizeYet, which no size it keeps takes).
using OptionalSize = CompactOptional<int64_t, INT64_MIN>;

// A double or none in 8 bytes: "none" is one signalling-NaN bit pattern,
// which no arithmetic produces (it makes quiet NaNs), so every double a
// computation gives, NaN included, is held as it is. Kept as bits, so no
// floating-point operation ever touches the pattern.
class OptionalDouble {
 public:
  constexpr OptionalDouble() = default;
  constexpr OptionalDouble(std::nullopt_t) {}                                        // NOLINT: as std::optional
  constexpr OptionalDouble(double value) : bits_(std::bit_cast<uint64_t>(value)) {}  // NOLINT: as std::optional
  constexpr OptionalDouble(std::optional<double> value)                              // NOLINT: as std::optional
      : bits_(value ? std::bit_cast<uint64_t>(*value) : kNone) {}
  constexpr bool has_value() const { return bits_ != kNone; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr double operator*() const { return std::bit_cast<double>(bits_); }
  double value() const {
    if (!has_value()) throw std::bad_optional_access();
    return **this;
  }
  constexpr double value_or(double other) const { return has_value() ? **this : other; }
  constexpr void reset() { bits_ = kNone; }
  constexpr operator std::optional<double>() const {  // NOLINT: as std::optional
    return has_value() ? std::optional<double>(**this) : std::nullopt;
  }
  // As std::optional's: none equals none; values compare as doubles.
  friend constexpr bool operator==(OptionalDouble a, OptionalDouble b) {
    return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
  }

 private:
  static constexpr uint64_t kNone = 0x7ff4'0000'dead'beefULL;  // a signalling NaN
  uint64_t bits_ = kNone;
};

}  // namespace pprof_trend
