// gzip decompression: the only part of the program that talks to zlib and
// isa-l (Intel's storage library, whose inflate is Debian's fastest).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
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

// The next piece of a gzip input as it is read (valid until the next call);
// empty at its end.
using NextPiece = std::function<StatusOr<std::string_view>()>;

// A gzip input of `size` bytes, whose trailer (its last 4 bytes) is
// `trailer`, inflated as `next` gives it, so that no copy of the compressed
// bytes need be held. Only the common case: one member that ends where the
// input ends, whose output is the size its trailer says, within the limits
// Gunzip applies (the trailer's size is checked against them before any
// memory is reserved). None for anything else, a corrupt stream included:
// the caller then reads the input whole and calls Gunzip, which says what is
// wrong in its words for every input. An error only from `next`.
//
// `grew`, when given, is called with the output so far after each piece of
// it is made: its start never moves, and what it shows is never written
// again (a reader on another thread may read it, given the view). When the
// output is abandoned (none is returned, or an error), it is called once
// more with an empty view before the output is freed: the reader must then
// let go of it before it returns. Output that is returned is the caller's
// to hand on (load.h's InflateObserver::Ended).
using OutputGrew = std::function<void(std::string_view so_far)>;
StatusOr<std::optional<std::string>> GunzipAsRead(const NextPiece& next, uint64_t size, uint32_t trailer,
                                                  uint64_t max_output_bytes, uint64_t max_ratio = 0,
                                                  const OutputGrew& grew = {});

// The trailer of a gzip input: its last 4 bytes, little-endian (the
// inflated size modulo 2^32).
uint32_t GzipTrailer(std::string_view last4);

// Compresses `data` as one gzip member (for `export`).
std::string Gzip(std::string_view data);

}  // namespace pprof_trend
