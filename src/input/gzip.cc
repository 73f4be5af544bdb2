#include "input/gzip.h"

#include <fmt/format.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
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
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + data.size() - 4);
  uint64_t isize = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint64_t>(p[3]) << 24);
  // A liar cannot make us reserve more than a generous multiple of the input.
  uint64_t plausible = std::min<uint64_t>(isize, static_cast<uint64_t>(data.size()) * 1032);
  return std::min(plausible, max_output_bytes);
}

// One gzip member that fills the whole input and inflates to exactly the
// size its trailer says: inflated by libdeflate in one call, about three
// times as fast as zlib's stream. None for anything else (several members,
// trailing bytes, a trailer that lies, a size over `cap`, corrupt or
// truncated data): zlib then reads it as a stream, with its checks and its
// messages.
std::optional<std::string> InflateWhole(std::string_view data, uint64_t cap) {
  if (data.size() < 18) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + data.size() - 4);
  const uint64_t isize = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint64_t>(p[3]) << 24);
  // The buffer is sized by the trailer, so it is trusted only as far as the
  // stream path trusts its hint: a bomb's trailer cannot make us allocate.
  if (isize == 0 || isize > cap || isize > std::max<uint64_t>(kRatioGraceBytes, 16 * data.size())) return std::nullopt;
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) return std::nullopt;
  std::string out;
  ReserveHuge(out, isize);  // before the pages are first written
  out.resize(isize);
  size_t in_used = 0, out_size = 0;
  const libdeflate_result rc =
      libdeflate_gzip_decompress_ex(d, data.data(), data.size(), out.data(), out.size(), &in_used, &out_size);
  libdeflate_free_decompressor(d);
  if (rc != LIBDEFLATE_SUCCESS || in_used != data.size() || out_size != isize) return std::nullopt;
  return out;
}

}  // namespace

StatusOr<std::string> Gunzip(std::string_view data, std::string_view source, uint64_t max_output_bytes,
                             uint64_t max_ratio) {
  // The most output the ratio allows for the whole input: the buffer never
  // grows past it (nor past max_output_bytes).
  const uint64_t ratio_cap =
      max_ratio == 0 ? UINT64_MAX : std::max<uint64_t>(kRatioGraceBytes, max_ratio * data.size());
  const uint64_t cap = std::min(max_output_bytes, ratio_cap);
  if (std::optional<std::string> whole = InflateWhole(data, cap)) return std::move(*whole);
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
