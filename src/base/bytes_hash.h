// The hash of bytes that arrive a piece at a time, equal to
// std::hash<std::string_view> of them all (libstdc++'s, on 64 bits). A
// capture's content hash is that value of its file's bytes: it tells copies
// apart and is the capture's id in ClickHouse (capture/clickhouse), so a
// file hashed as it is streamed must get the number it got when read whole.
//
// libstdc++ hashes bytes with a MurmurHash2-style loop (Appleby's 64-bit
// multiply-and-shift mix over 8-byte words, seeded, with the length mixed in
// first): the length must be known before the first byte, so it is given
// up front. tests/bytes_hash_test.cc checks the equality on every length
// and split it could get wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pprof_trend {

// True where BytesHash equals std::hash<std::string_view> (libstdc++ with a
// 64-bit size_t); elsewhere a streamed file cannot be given its hash.
bool BytesHashIsStdHash();

class BytesHash {
 public:
  // For `total_size` bytes, to be added in order.
  explicit BytesHash(uint64_t total_size);

  // The next piece.
  void Add(std::string_view piece);

  // The hash; valid once exactly total_size bytes were added.
  bool Complete() const { return added_ == total_size_; }
  uint64_t Finish() const;

 private:
  void Mix(uint64_t word);

  uint64_t total_size_;
  uint64_t added_ = 0;
  uint64_t hash_;
  unsigned char pending_[8] = {};  // a word not yet whole
  size_t pending_size_ = 0;
};

}  // namespace pprof_trend
