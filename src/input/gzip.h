// gzip decompression: the only part of the program that talks to zlib.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace pprof_trend {

// True when `data` starts with the gzip magic bytes (1f 8b). Inputs are told
// apart by content, never by file name.
bool IsGzip(std::string_view data);

// Inflates every gzip member of `data` into one buffer. Fails, naming
// `source`, on a truncated or corrupt stream, on trailing bytes that are not
// another gzip member, and when the output would exceed `max_output_bytes`
// (a gzip bomb stops there instead of exhausting memory).
StatusOr<std::string> Gunzip(std::string_view data, std::string_view source, uint64_t max_output_bytes);

// Compresses `data` as one gzip member (for `export`).
std::string Gzip(std::string_view data);

}  // namespace pprof_trend
