#include "input/gzip.h"

#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/huge_pages.h"

namespace pprof_trend {

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}

namespace {

// The gzip trailer holds the uncompressed size modulo 2^32 of the last
// member. It is only a hint (multi-member files, >4 GiB inputs), used to size
// the first allocation so a typical profile inflates without regrowing.
uint64_t SizeHint(std::string_view data, uint64_t max_output_bytes) {
  if (data.size() < 18) return 0;
  const uint64_t isize = GzipTrailer(data.substr(data.size() - 4));
  // A liar cannot make us reserve more than a generous multiple of the input.
  uint64_t plausible = std::min<uint64_t>(isize, static_cast<uint64_t>(data.size()) * 1032);
  return std::min(plausible, max_output_bytes);
}

// The most output the compression ratio allows for an input of `size`
// compressed bytes.
uint64_t RatioCap(uint64_t size, uint64_t max_ratio) {
  return max_ratio == 0 ? UINT64_MAX : std::max<uint64_t>(kRatioGraceBytes, max_ratio * size);
}

// The most output the limits allow for it.
uint64_t OutputCap(uint64_t size, uint64_t max_output_bytes, uint64_t max_ratio) {
  return std::min(max_output_bytes, RatioCap(size, max_ratio));
}

// The pieces isa-l is given: input is read and output made this much at a
// time, so that each piece is still in the core's 1 MiB L2 cache when it is
// next touched (the output's zeroing by std::string, then inflate's write).
constexpr size_t kPieceBytes = size_t{128} << 10;

// One gzip member inflated by isa-l from `next`'s pieces into exactly
// `expected` bytes (a trailer's size that the limits allow). None on
// anything else: more or less output, input after the member's end or a
// member that does not end, corrupt data, a wrong CRC. `grew`: as
// GunzipAsRead says, and called with an empty view when the output is
// abandoned.
StatusOr<std::optional<std::string>> InflateExpected(const NextPiece& next, uint64_t expected, const OutputGrew& grew) {
  using Result = std::optional<std::string>;
  // 87 KB, left uninitialised but for what isal_inflate_init sets: zeroed,
  // it cost a fleet of 2,000 small captures 3% of its time.
  std::unique_ptr<inflate_state> state(new inflate_state);
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_GZIP;  // the header parsed, the CRC and size checked
  std::string out;
  // One byte more than expected: room that only a stream longer than its
  // trailer says fills. Reserved before the pages are first written.
  ReserveHuge(out, expected + 1);
  uint64_t produced = 0;
  // On a return without the output (and at an exception), the reader
  // `grew` informs lets go of it before it is freed.
  struct LetGo {
    const OutputGrew& grew;
    bool handed_on = false;
    ~LetGo() {
      if (grew && !handed_on) grew(std::string_view());
    }
  } let_go{grew};
  while (true) {
    ASSIGN_OR_RETURN(std::string_view piece, next());
    if (piece.empty()) break;
    if (state->block_state == ISAL_BLOCK_FINISH) return Result();  // bytes after the member
    state->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(piece.data()));
    state->avail_in = static_cast<uint32_t>(piece.size());
    // This piece inflated: all of it taken, and all it gave out.
    do {
      if (produced == out.size()) {
        if (produced > expected) return Result();
        out.resize(std::min<uint64_t>(expected + 1, produced + kPieceBytes));
      }
      const uint32_t in_before = state->avail_in;
      const auto room = static_cast<uint32_t>(out.size() - produced);
      state->next_out = reinterpret_cast<uint8_t*>(out.data() + produced);
      state->avail_out = room;
      if (isal_inflate(state.get()) != ISAL_DECOMP_OK) return Result();
      produced += room - state->avail_out;
      if (grew && produced != 0) grew(std::string_view(out.data(), std::min(produced, expected)));
      const bool stuck = state->avail_in == in_before && state->avail_out == room;
      if (stuck || (state->block_state == ISAL_BLOCK_FINISH && state->avail_in != 0)) return Result();
    } while (state->avail_in != 0 || state->avail_out == 0);
  }
  if (state->block_state != ISAL_BLOCK_FINISH || produced != expected) return Result();
  out.resize(produced);
  let_go.handed_on = true;
  return Result(std::move(out));
}

// True when a trailer's size may be trusted to size the output buffer: the
// limits allow it, and it is not past 16 times the input (real profiles
// compress 2-10x), so a bomb's trailer cannot make us reserve memory.
bool TrailerFits(uint64_t size, uint64_t inflated, uint64_t cap) {
  return size >= 18 && inflated != 0 && inflated <= cap && inflated <= std::max<uint64_t>(kRatioGraceBytes, 16 * size);
}

}  // namespace

StatusOr<std::string> Gunzip(std::string_view data, std::string_view source, uint64_t max_output_bytes,
                             uint64_t max_ratio) {
  // The most output the ratio allows for the whole input: the buffer never
  // grows past it (nor past max_output_bytes).
  const uint64_t ratio_cap = RatioCap(data.size(), max_ratio);
  const uint64_t cap = std::min(max_output_bytes, ratio_cap);
  if (data.size() >= 18) {
    // First the fast path, given the input in pieces isa-l can count.
    std::string_view rest = data;
    auto next = [&]() -> StatusOr<std::string_view> {
      std::string_view piece = rest.substr(0, size_t{1} << 30);
      rest.remove_prefix(piece.size());
      return piece;
    };
    ASSIGN_OR_RETURN(
        std::optional<std::string> whole,
        GunzipAsRead(next, data.size(), GzipTrailer(data.substr(data.size() - 4)), max_output_bytes, max_ratio));
    if (whole) return std::move(*whole);
  }
  auto ratio_error = [&](uint64_t produced, uint64_t consumed) {
    return Status::InputError(
        fmt::format("{}: decompresses to more than {} times its compressed size ({}:1 after {} bytes); a gzip bomb? "
                    "(--max-compression-ratio raises the limit)",
                    source, max_ratio, produced / std::max<uint64_t>(consumed, 1), produced));
  };
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC32 and size are checked).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::InputError(fmt::format("{}: cannot initialise zlib", source));
  }
  std::string out;
  // The trailer's size is trusted up to 16 times the input (real profiles
  // compress 2-10x), and past that only up to the ratio check's 64 MiB: a
  // bomb's trailer must not make us allocate what the ratio then refuses.
  uint64_t hint = std::min(SizeHint(data, cap), std::max<uint64_t>(kRatioGraceBytes, 16 * data.size()));
  out.resize(std::min<uint64_t>(std::max<uint64_t>(hint + 1, 64 * 1024), cap + 1));
  uint64_t produced = 0;
  uint64_t consumed = 0;
  Status error;
  while (true) {
    if (max_ratio != 0 && produced >= kRatioGraceBytes && produced / max_ratio > consumed) {
      error = ratio_error(produced, consumed);
      break;
    }
    if (produced == out.size()) {
      if (produced > max_output_bytes) {
        error = Status::InputError(
            fmt::format("{}: decompressed size exceeds the limit of {} bytes (--max-decompressed raises it)", source,
                        max_output_bytes));
        break;
      }
      if (produced > ratio_cap) {
        error = ratio_error(produced, consumed);
        break;
      }
      out.resize(std::min<uint64_t>(std::max<uint64_t>(out.size() * 2, 64 * 1024), cap + 1));
    }
    // zlib counts in uInt; at most 16 MiB of output per call, so the ratio is
    // checked often.
    uInt in_chunk = static_cast<uInt>(std::min<uint64_t>(data.size() - consumed, 1u << 30));
    uInt out_chunk = static_cast<uInt>(std::min<uint64_t>(out.size() - produced, 16u << 20));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    zs.avail_in = in_chunk;
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = out_chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      std::string_view rest = data.substr(consumed);
      if (rest.empty()) break;
      if (!IsGzip(rest)) {
        error =
            Status::InputError(fmt::format("{}: trailing garbage after gzip stream ({} bytes)", source, rest.size()));
        break;
      }
      inflateReset(&zs);  // another gzip member follows (as `cat a.gz b.gz` makes)
      continue;
    }
    if (rc == Z_OK) {
      if (consumed == data.size() && zs.avail_out != 0) {
        error = Status::InputError(fmt::format("{}: truncated gzip stream", source));
        break;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR) {
      if (consumed == data.size()) {
        error = Status::InputError(fmt::format("{}: truncated gzip stream", source));
        break;
      }
      continue;  // output buffer full; grown at the top of the loop
    }
    error = Status::InputError(
        fmt::format("{}: corrupt gzip stream ({})", source, zs.msg != nullptr ? zs.msg : "inflate failed"));
    break;
  }
  inflateEnd(&zs);
  if (error.ok() && produced > max_output_bytes)
    error = Status::InputError(
        fmt::format("{}: decompressed size exceeds the limit of {} bytes (--max-decompressed raises it)", source,
                    max_output_bytes));
  if (!error.ok()) return error;
  out.resize(produced);
  return out;
}

uint32_t GzipTrailer(std::string_view last4) {
  const auto* p = reinterpret_cast<const unsigned char*>(last4.data());
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

StatusOr<std::optional<std::string>> GunzipAsRead(const NextPiece& next, uint64_t size, uint32_t trailer,
                                                  uint64_t max_output_bytes, uint64_t max_ratio,
                                                  const OutputGrew& grew) {
  if (!TrailerFits(size, trailer, OutputCap(size, max_output_bytes, max_ratio))) return std::optional<std::string>();
  return InflateExpected(next, trailer, grew);
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);  // the output buffer is deflateBound: one call finishes
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace pprof_trend
