// Go's /debug/pprof/heap?debug=1 text and gperftools' heap profiles
// (legacy_heap.h describes them): a header, then records "N: B [N: B] @
// pcs", each followed by its symbolized frames (Go), and the process's maps
// after "MAPPED_LIBRARIES:" (gperftools).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "base/units.h"
#include "input/heap_text.h"

namespace pprof_trend {
namespace {

struct Sampling {
  int64_t rate = 0;
  // Go's runtime keeps one record per stack and object size, so B/N is an
  // object size there (the `bytes` label, exact); gperftools, jemalloc and
  // the C++ heapz_v2 keep one record per stack: B/N is an average of sizes.
  bool record_per_size = false;
  int64_t header_inuse_objects = 0;  // the header's first N: what the records should add up to
};

// "heap profile: N: B [N: B] @ heap/RATE": the sampling rate pprof reads
// from it.
StatusOr<Sampling> ParseHeader(const TextInput& input, std::string_view line) {
  Scanner header(line);
  int64_t n1, b1, n2, b2;
  if (!header.Literal("heap profile:") || !header.Int(&n1) || !header.Literal(":") || !header.Int(&b1) ||
      !header.Literal("[") || !header.Int(&n2) || !header.Literal(":") || !header.Int(&b2) || !header.Literal("]") ||
      !header.Literal("@"))
    return input.Error("expected a header \"heap profile: N: B [N: B] @ heap/RATE\"");
  std::string_view sampling = header.Word();
  Sampling out;
  out.header_inuse_objects = n1;
  if (sampling.starts_with("heap_v2/") || sampling.starts_with("heapz_v2/") || sampling.starts_with("heap/")) {
    std::string_view number = sampling.substr(sampling.find('/') + 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), out.rate);
    if (ec != std::errc() || ptr != number.data() + number.size() || out.rate < 0)
      return input.Error(fmt::format("bad sampling rate \"{}\"", sampling));
    if (sampling.starts_with("heap/")) out.rate /= 2;  // the early C++ profiler's convention: heap/2*rate
  } else if (sampling == "heapprofile") {
    out.rate = 1;
  } else if (sampling.starts_with("growthz") || sampling.starts_with("fragmentationz")) {
    const bool growth = sampling.starts_with("growthz");
    return input.FileError(
        fmt::format("a heap {} profile (\"{}\": {}), not a profile of what is in use, which pprof-trend reads",
                    growth ? "growth" : "fragmentation", sampling,
                    growth ? "where the heap grew, cumulatively" : "fragmentation of the heap"));
  } else {
    return input.Error(
        fmt::format("unknown sampling \"{}\" (expected heap/RATE, heap_v2/RATE or heapprofile)", sampling));
  }
  out.record_per_size = sampling.starts_with("heap/");
  return out;
}

struct Frame {
  uint64_t address;
  std::string_view function, file;
  int64_t line;
};

// "#	0xADDR	function+0xOFF	file:line" after a record: one of its frames.
// Other comment lines (the runtime.MemStats block) give no frame.
StatusOr<std::optional<Frame>> ParseFrameLine(const TextInput& input, std::string_view comment) {
  Scanner f(comment);
  Frame frame{};
  if (!f.Hex(&frame.address)) return std::optional<Frame>();
  frame.function = f.Word();
  if (size_t plus = frame.function.rfind("+0x"); plus != std::string_view::npos)
    frame.function = frame.function.substr(0, plus);
  std::string_view where = f.Rest();
  frame.file = where;
  if (size_t colon = where.rfind(':'); colon != std::string_view::npos) {
    std::string_view digits = where.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), frame.line);
    if (ec == std::errc() && ptr == digits.data() + digits.size()) {
      frame.file = where.substr(0, colon);
    } else {
      frame.line = 0;
    }
  }
  if (frame.function.empty()) return input.Error("expected \"# 0xADDRESS function+0xOFFSET file:line\"");
  RETURN_IF_ERROR(input.CheckName(frame.function));
  RETURN_IF_ERROR(input.CheckName(frame.file));
  return std::optional<Frame>(frame);
}

// One record being read: its counts (unsampled), addresses and frames.
struct Record {
  bool open = false;
  int64_t values[4] = {0, 0, 0, 0};  // alloc objects, alloc bytes, in-use objects, in-use bytes
  int64_t block_size = 0;
  int64_t raw_inuse_objects = 0;  // as the file counts them (sampled), summed over every record read
  std::vector<uint64_t> pcs;
  std::vector<Frame> frames;
};

// "N: B [N: B] @ 0xADDRESS...": a record's first line.
Status ParseRecordLine(const TextInput& input, std::string_view line, int64_t rate, Record& r) {
  Scanner s(line);
  int64_t in_n, in_b, al_n, al_b;
  if (!s.Int(&in_n) || !s.Literal(":") || !s.Int(&in_b) || !s.Literal("[") || !s.Int(&al_n) || !s.Literal(":") ||
      !s.Int(&al_b) || !s.Literal("]") || !s.Literal("@"))
    return input.Error(fmt::format("expected a record \"N: B [N: B] @ 0xADDRESS...\", got \"{}\"",
                                   line.substr(0, std::min<size_t>(line.size(), 60))));
  if (in_n < 0 || in_b < 0 || al_n < 0 || al_b < 0) return input.Error("negative count or size");
  if (__builtin_add_overflow(r.raw_inuse_objects, in_n, &r.raw_inuse_objects))
    return input.Error("in-use counts too large in sum");
  if ((in_n == 0 && in_b != 0) || (al_n == 0 && al_b != 0)) return input.Error("a count of 0 with a non-zero size");
  r.pcs.clear();
  r.frames.clear();
  uint64_t pc;
  while (s.Hex(&pc)) r.pcs.push_back(pc);
  if (!s.AtEnd()) return input.Error("expected hexadecimal addresses after \"@\"");
  r.block_size = 0;
  if (al_n != 0) r.block_size = al_b / al_n;
  if (in_n != 0) r.block_size = in_b / in_n;
  if (!Unsample(al_n, al_b, rate, &r.values[0], &r.values[1]) ||
      !Unsample(in_n, in_b, rate, &r.values[2], &r.values[3]))
    return input.Error("values too large once unsampled");
  r.open = true;
  return Status();
}

// The record, read whole, becomes a sample.
Status AddRecord(const TextInput& input, const Sampling& sampling, Record& r, ModelBuilder& model) {
  if (!r.open) return Status();
  r.open = false;
  RETURN_IF_ERROR(input.CheckStackDepth(r.frames.empty() ? r.pcs.size() : r.frames.size()));
  RETURN_IF_ERROR(input.CheckCount(model.num_samples() + 1, "samples"));
  std::vector<uint32_t> locations;
  if (!r.frames.empty()) {
    for (const Frame& f : r.frames) locations.push_back(model.FrameLocation(f.function, f.file, f.line, f.address));
  } else {
    // No symbols: the addresses (return addresses - 1, as pprof does) name the frames.
    for (uint64_t pc : r.pcs) locations.push_back(model.AddressLocation(pc - 1));
  }
  model.AddSample(locations, {r.values[0], r.values[1], r.values[2], r.values[3]},
                  sampling.record_per_size ? std::optional<int64_t>(r.block_size) : std::nullopt);
  return Status();
}

}  // namespace

// "# HeapInuse = 208756736", "# Stack = 425984 / 425984" (in use / from the
// OS): a line of the runtime.MemStats block, into `memory`. Other lines
// (PauseNs arrays, flags) and values that are no counts are left out.
void ParseMemStatsLine(std::string_view line, ProcessMemory& memory) {
  const size_t eq = line.find(" = ");
  if (eq == std::string_view::npos) return;
  std::string_view name = line.substr(0, eq), value = line.substr(eq + 3);
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  auto number = [](std::string_view text) -> int64_t {
    int64_t v = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && v >= 0 ? v : -1;
  };
  const size_t slash = value.find(" / ");
  const int64_t first = number(value.substr(0, slash));
  const int64_t second = slash == std::string_view::npos ? -1 : number(value.substr(slash + 3));
  struct Field {
    std::string_view name;
    int64_t* target;
    bool second;  // "in use / from the OS": the second number
  };
  const Field fields[] = {{"Sys", &memory.sys, false},
                          {"HeapAlloc", &memory.heap_alloc, false},
                          {"HeapSys", &memory.heap_sys, false},
                          {"HeapIdle", &memory.heap_idle, false},
                          {"HeapInuse", &memory.heap_inuse, false},
                          {"HeapReleased", &memory.heap_released, false},
                          {"BuckHashSys", &memory.buckhash_sys, false},
                          {"GCSys", &memory.gc_sys, false},
                          {"OtherSys", &memory.other_sys, false},
                          {"NextGC", &memory.next_gc, false},
                          {"NumGC", &memory.num_gc, false},
                          {"MSpan", &memory.mspan_sys, true},
                          {"MCache", &memory.mcache_sys, true}};
  for (const Field& f : fields)
    if (name == f.name) *f.target = f.second ? second : first;
  if (name == "Stack") {
    memory.stack_inuse = first;
    memory.stack_sys = second;
  }
}

StatusOr<Profile> ParseGoHeapText(TextInput& input, std::string_view header) {
  ASSIGN_OR_RETURN(const Sampling sampling, ParseHeader(input, header));
  ModelBuilder model(input.source());
  model.SetSampleTypes(
      {{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  model.SetPeriod("space", "bytes", sampling.rate);
  Record record;
  ProcessMemory memory;
  std::string_view line;
  while (input.Next(&line)) {
    Scanner s(line);
    if (s.AtEnd()) {
      RETURN_IF_ERROR(AddRecord(input, sampling, record, model));
      continue;
    }
    if (line.find("MAPPED_LIBRARIES:") != std::string_view::npos ||
        line.find("--- Memory map:") != std::string_view::npos) {
      RETURN_IF_ERROR(AddRecord(input, sampling, record, model));
      RETURN_IF_ERROR(ParseMaps(input, model));
      break;
    }
    std::string_view trimmed = s.Rest();
    if (trimmed.starts_with("#")) {
      if (!record.open) {
        ParseMemStatsLine(trimmed.substr(1), memory);
        continue;
      }
      ASSIGN_OR_RETURN(std::optional<Frame> frame, ParseFrameLine(input, trimmed.substr(1)));
      if (frame) record.frames.push_back(*frame);
      continue;
    }
    RETURN_IF_ERROR(AddRecord(input, sampling, record, model));
    RETURN_IF_ERROR(ParseRecordLine(input, line, sampling.rate, record));
  }
  RETURN_IF_ERROR(AddRecord(input, sampling, record, model));
  ASSIGN_OR_RETURN(Profile profile, FinishHeapProfile(std::move(model), input));
  profile.process_memory = memory;
  // The header counts every record's in-use objects: records that hold
  // fewer are a file cut short (a paste, a truncated copy), partial as a
  // cut table is.
  if (record.raw_inuse_objects < sampling.header_inuse_objects) {
    profile.coverage =
        static_cast<double>(record.raw_inuse_objects) / static_cast<double>(sampling.header_inuse_objects);
    profile.warnings.push_back(fmt::format(
        "a partial heap profile: its records hold {} of the {} in-use objects its header counts ({:.1f}%); the "
        "sites left out are missing from the series",
        FormatGrouped(record.raw_inuse_objects), FormatGrouped(sampling.header_inuse_objects), 100 * profile.coverage));
  }
  return profile;
}

}  // namespace pprof_trend
