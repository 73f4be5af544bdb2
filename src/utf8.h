// UTF-8 validation shared by every output that must stay well-formed (JSON,
// XML, HTML) whatever bytes a profile's strings hold.
#pragma once

#include <string>
#include <string_view>

namespace pprof_trend {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0
// when the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
// truncated).
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  if (len == 2 && c < 0xc2) return 0;                                          // overlong
  if (len == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;                   // overlong
  if (len == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;                  // surrogates
  if (len == 4 && c == 0xf0 && byte(i + 1) < 0x90) return 0;                   // overlong
  if (len == 4 && (c > 0xf4 || (c == 0xf4 && byte(i + 1) >= 0x90))) return 0;  // > U+10FFFF
  return len;
}

}  // namespace pprof_trend
