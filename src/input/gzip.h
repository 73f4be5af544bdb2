// gzip decompression: the only part of the program that talks to zlib and
// libdeflate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pprof_trend {

// True when `data` starts with the gzip magic bytes (1f 8b). Inputs are told
// apart by content, never by file name.
bool IsGzip(std::string_view data);

// Past this much output, a compression ratio over the limit stops inflating.
inline constexpr uint64_t kRatioGraceBytes = uint64_t{64} << 20;

// Inflates every gzip member of `data` into one buffer. Fails, naming
// `source`, on a truncated or corrupt stream, on trailing bytes that are not
// another gzip member, when the output would exceed `max_output_bytes`, and
// (with `max_ratio` > 0) when, past the first 64 MiB, the output is more than
// `max_ratio` times the compressed input: no real profile compresses that
// well (a gzip bomb does, ~1000:1), so a bomb stops within a second, and the
// buffer never grows past what the limits allow.
StatusOr<std::string> Gunzip(std::string_view data, std::string_view source, uint64_t max_output_bytes,
                             uint64_t max_ratio = 0);

// Compresses `data` as one gzip member (for `export`).
std::string Gzip(std::string_view data);

}  // namespace pprof_trend
