#include "base/bytes_hash.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

namespace pprof_trend {

namespace {

constexpr uint64_t kMultiplier = 0xc6a4a7935bd1e995ULL;  // MurmurHash2's 64-bit constant
constexpr uint64_t kSeed = 0xc70f6907ULL;                // the seed std::hash gives it

constexpr uint64_t ShiftMix(uint64_t v) { return v ^ (v >> 47); }

// The last 1-7 bytes as one number, the first byte lowest (std::hash's
// order for a tail on every machine).
uint64_t Word(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

}  // namespace

bool BytesHashIsStdHash() {
  static_assert(sizeof(size_t) == 8 || sizeof(size_t) == 4);
  if constexpr (sizeof(size_t) != 8) return false;
  // Checked on a value rather than assumed from the library's name: 13
  // bytes, a whole word and a tail.
  constexpr std::string_view kProbe = "pprof-trend:1";
  BytesHash h(kProbe.size());
  h.Add(kProbe);
  return h.Finish() == std::hash<std::string_view>{}(kProbe);
}

BytesHash::BytesHash(uint64_t total_size) : total_size_(total_size), hash_(kSeed ^ (total_size * kMultiplier)) {}

void BytesHash::Mix(uint64_t word) {
  hash_ ^= ShiftMix(word * kMultiplier) * kMultiplier;
  hash_ *= kMultiplier;
}

void BytesHash::Add(std::string_view piece) {
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  size_t n = piece.size();
  added_ += n;
  if (pending_size_ != 0) {
    const size_t take = std::min(n, sizeof(pending_) - pending_size_);
    std::memcpy(pending_ + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    n -= take;
    if (pending_size_ < sizeof(pending_)) return;
    uint64_t word;
    std::memcpy(&word, pending_, 8);
    Mix(word);
    pending_size_ = 0;
  }
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // in the machine's order, as std::hash loads it
    Mix(word);
  }
  std::memcpy(pending_, p, n);
  pending_size_ = n;
}

uint64_t BytesHash::Finish() const {
  uint64_t h = hash_;
  if (pending_size_ != 0) {
    // The tail: xored in whole, not mixed as a word.
    h ^= Word(pending_, pending_size_);
    h *= kMultiplier;
  }
  h = ShiftMix(h) * kMultiplier;
  return ShiftMix(h);
}

}  // namespace pprof_trend
