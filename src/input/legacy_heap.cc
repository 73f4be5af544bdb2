#include "input/legacy_heap.h"

#include <charconv>
#include <cmath>
#include <unordered_map>
#include <fmt/format.h>

#include "input/model_builder.h"
#include "input/text_scan.h"

namespace pprof_trend {

bool IsLegacyHeapProfile(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) ++i;
  data = data.substr(i);
  return data.starts_with("heap profile:") || data.starts_with("heap_v2/") || data.starts_with("--- heapz 1 ---");
}

namespace {

// A cursor over one line.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (!s_.empty() && (s_.front() == ' ' || s_.front() == '\t')) s_.remove_prefix(1);
  }
  bool Literal(std::string_view lit) {
    SkipSpace();
    if (!s_.starts_with(lit)) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  bool Int(int64_t* v) {
    SkipSpace();
    auto [ptr, ec] = std::from_chars(s_.data(), s_.data() + s_.size(), *v);
    if (ec != std::errc() || ptr == s_.data()) return false;
    s_.remove_prefix(static_cast<size_t>(ptr - s_.data()));
    return true;
  }
  bool Hex(uint64_t* v) {
    SkipSpace();
    if (!s_.starts_with("0x")) return false;
    s_.remove_prefix(2);
    auto [ptr, ec] = std::from_chars(s_.data(), s_.data() + s_.size(), *v, 16);
    if (ec != std::errc() || ptr == s_.data()) return false;
    s_.remove_prefix(static_cast<size_t>(ptr - s_.data()));
    return true;
  }
  std::string_view Word() {
    SkipSpace();
    size_t n = 0;
    while (n < s_.size() && s_[n] != ' ' && s_[n] != '\t') ++n;
    std::string_view w = s_.substr(0, n);
    s_.remove_prefix(n);
    return w;
  }
  std::string_view Rest() {
    SkipSpace();
    std::string_view r = s_;
    while (!r.empty() && (r.back() == ' ' || r.back() == '\t' || r.back() == '\r')) r.remove_suffix(1);
    return r;
  }
  bool AtEnd() {
    SkipSpace();
    return s_.empty() || s_ == "\r";
  }

 private:
  std::string_view s_;
};

// pprof's scaleHeapSample. False when the result does not fit (a hostile
// record: tiny objects at a huge rate scale past 64 bits).
bool Unsample(int64_t count, int64_t bytes, int64_t rate, int64_t* out_count, int64_t* out_bytes) {
  *out_count = count;
  *out_bytes = bytes;
  if (count == 0 || bytes == 0) {
    *out_count = *out_bytes = 0;
    return true;
  }
  if (rate <= 1) return true;
  double average = static_cast<double>(bytes) / static_cast<double>(count);
  double scale = 1 / (1 - std::exp(-average / static_cast<double>(rate)));
  double c = static_cast<double>(count) * scale, b = static_cast<double>(bytes) * scale;
  constexpr double kMax = 4611686018427387904.0;  // 2^62, as ValueTotalsFit
  if (!(c < kMax) || !(b < kMax)) return false;
  *out_count = static_cast<int64_t>(c);
  *out_bytes = static_cast<int64_t>(b);
  return true;
}

// "start-end perms offset dev inode [path]", a /proc/self/maps line. Only
// executable mappings of a file can hold code the stacks point into.
bool AddMapsLine(std::string_view line, ModelBuilder& model) {
  Scanner s(line);
  std::string_view range = s.Word(), perms = s.Word(), offset = s.Word();
  s.Word();  // device
  s.Word();  // inode
  std::string_view path = s.Rest();
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() < 4) return false;
  uint64_t start = 0, limit = 0, off = 0;
  auto hex = [](std::string_view t, uint64_t* v) {
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *v, 16);
    return ec == std::errc() && ptr == t.data() + t.size() && !t.empty();
  };
  if (!hex(range.substr(0, dash), &start) || !hex(range.substr(dash + 1), &limit) || !hex(offset, &off) ||
      limit <= start)
    return false;
  if (perms[2] != 'x' || path.empty() || path.front() == '[') return true;  // a well-formed line, not code of a file
  model.AddMapping(start, limit, off, path);
  return true;
}

struct Frame {
  uint64_t address;
  std::string_view function, file;
  int64_t line;
};

// The lines after "MAPPED_LIBRARIES:". Lines that are not maps lines are
// skipped (they only cost symbols); the count is bounded like samples.
template <typename NextLine, typename Error>
Status ParseMaps(NextLine& next_line, std::string_view* line, ModelBuilder& model, const Limits& limits,
                 Error& error) {
  while (next_line(line)) {
    if (Scanner(*line).AtEnd()) continue;
    if (!AddMapsLine(*line, model)) continue;
    if (model.num_mappings() > limits.max_samples)
      return error(fmt::format("more than {} mapped files (--max-samples raises it)", limits.max_samples));
  }
  return Status();
}

// jemalloc's prof.dump: see the header.
StatusOr<Profile> ParseJemalloc(std::string_view data, const std::string& source, const Limits& limits) {
  Lines next_line{data};
  auto error = [&](std::string what) {
    return Status::InputError(fmt::format("{}:{}: {}", source, next_line.number, what));
  };
  std::string_view line;
  while (next_line(&line) && Scanner(line).AtEnd()) {
  }
  Scanner header(line);
  std::string_view sampling = header.Word();
  int64_t rate = 0;
  {
    std::string_view number = sampling.substr(sampling.find('/') + 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
    if (ec != std::errc() || ptr != number.data() + number.size() || rate < 1 || !header.AtEnd())
      return error(fmt::format("bad sampling rate \"{}\" (expected heap_v2/RATE)", sampling));
  }
  // "t*: N: B [N: B]": the process's totals, then each stack's.
  auto counts = [](Scanner& s, int64_t v[4]) {
    return s.Literal("t*:") && s.Int(&v[0]) && s.Literal(":") && s.Int(&v[1]) && s.Literal("[") && s.Int(&v[2]) &&
           s.Literal(":") && s.Int(&v[3]) && s.Literal("]") && s.AtEnd() && v[0] >= 0 && v[1] >= 0 && v[2] >= 0 &&
           v[3] >= 0 && !(v[0] == 0 && v[1] != 0) && !(v[2] == 0 && v[3] != 0);
  };
  int64_t totals[4];
  while (next_line(&line) && Scanner(line).AtEnd()) {
  }
  Scanner total_line(line);
  if (!counts(total_line, totals)) return error("expected the totals \"t*: N: B [N: B]\"");
  // Accumulated counts only with prof_accum:true; without, they read 0.
  const bool accumulated = totals[2] != 0;
  ModelBuilder model(source);
  if (accumulated)
    model.SetSampleTypes({{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
                          {"inuse_space", "bytes"}});
  else
    model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  model.SetPeriod("space", "bytes", rate);
  std::vector<uint64_t> pcs;
  std::vector<uint32_t> locations;
  bool have_stack = false, have_counts = false;
  while (next_line(&line)) {
    Scanner s(line);
    if (s.AtEnd()) continue;
    std::string_view trimmed = s.Rest();
    if (trimmed.starts_with("MAPPED_LIBRARIES:")) {
      if (have_stack && !have_counts) return error("a stack without its \"t*:\" line");
      RETURN_IF_ERROR(ParseMaps(next_line, &line, model, limits, error));
      break;
    }
    if (trimmed.starts_with("@")) {
      if (have_stack && !have_counts) return error("a stack without its \"t*:\" line");
      Scanner stack(trimmed.substr(1));
      pcs.clear();
      uint64_t pc;
      while (stack.Hex(&pc)) pcs.push_back(pc);
      if (!stack.AtEnd() || pcs.empty()) return error("expected \"@ 0xADDRESS...\"");
      if (pcs.size() > limits.max_stack_depth)
        return error(fmt::format("a stack of {} frames is over the limit of {} (--max-stack-depth raises it)",
                                 pcs.size(), limits.max_stack_depth));
      have_stack = true;
      have_counts = false;
      continue;
    }
    if (trimmed.starts_with("t*:")) {
      int64_t v[4];
      if (!counts(s, v)) return error("expected \"t*: N: B [N: B]\"");
      if (!have_stack || have_counts) return error("a \"t*:\" line without its stack");
      if (model.num_samples() >= limits.max_samples)
        return error(fmt::format("more than {} samples (--max-samples raises it)", limits.max_samples));
      int64_t scaled[4];
      if (!Unsample(v[2], v[3], rate, &scaled[0], &scaled[1]) || !Unsample(v[0], v[1], rate, &scaled[2], &scaled[3]))
        return error("values too large once unsampled");
      locations.clear();
      // Return addresses, as in the other legacy records: the call is the
      // byte before (pprof's rule).
      for (uint64_t pc : pcs) locations.push_back(model.AddressLocation(pc - 1));
      if (accumulated)
        model.AddSample(locations, {scaled[0], scaled[1], scaled[2], scaled[3]}, std::nullopt);
      else
        model.AddSample(locations, {scaled[2], scaled[3]}, std::nullopt);
      have_counts = true;
      continue;
    }
    if (trimmed.starts_with("t") && trimmed.find(':') != std::string_view::npos) continue;  // one thread's counts
    return error(fmt::format("expected \"@ 0x...\", \"t*:\" or MAPPED_LIBRARIES, got \"{}\"",
                             line.substr(0, std::min<size_t>(line.size(), 60))));
  }
  if (have_stack && !have_counts) return error("a stack without its \"t*:\" line (truncated?)");
  Profile profile = std::move(model).Finish();
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", source));
  return profile;
}

// pprof's legacy Java heap profile: see the header.
StatusOr<Profile> ParseJavaHeapz(std::string_view data, const std::string& source, const Limits& limits) {
  Lines next_line{data};
  auto error = [&](std::string what) {
    return Status::InputError(fmt::format("{}:{}: {}", source, next_line.number, what));
  };
  std::string_view line;
  while (next_line(&line) && Scanner(line).AtEnd()) {
  }
  ModelBuilder model(source);
  // Attributes, "name = value", until the first record.
  bool java = false, resolution = false;
  while (next_line(&line)) {
    Scanner s(line);
    if (s.AtEnd()) continue;
    std::string_view text = s.Rest();
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) break;
    const std::string_view name = Trim(text.substr(0, eq)), value = Trim(text.substr(eq + 1));
    if (name == "format") {
      if (value != "java") return error(fmt::format("a \"--- heapz\" profile of format \"{}\", not java", value));
      java = true;
    } else if (name == "resolution") {
      if (value.empty() || value.size() > 32) return error("bad resolution");
      model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", std::string(value)}});
      resolution = true;
    } else {
      return error(fmt::format("unknown attribute \"{}\" of a Java heap profile", name.substr(0, 60)));
    }
  }
  if (!java) return error("no \"format = java\" line: not a Java heap profile pprof-trend knows");
  if (!resolution) return error("no \"resolution = ...\" line: the unit of the sizes is not given");
  constexpr int64_t kJavaHeapzRate = 524288;  // pprof's javaHeapzSamplingRate
  model.SetPeriod("space", "bytes", kJavaHeapzRate);
  // Records, until the first line that is not one; their addresses get
  // locations now and frames from the symbol lines below.
  struct Record {
    std::vector<uint64_t> addresses;
    int64_t values[2];
    int64_t size;
  };
  std::vector<Record> records;
  bool in_records = true;
  for (bool have = true; have && in_records; have = next_line(&line)) {
    Scanner s(line);
    if (s.AtEnd()) continue;
    int64_t bytes = 0, count = 0;
    Scanner probe(line);
    if (!probe.Int(&bytes) || !probe.Int(&count) || !probe.Literal("@")) {
      in_records = false;
      break;
    }
    if (bytes < 0 || count < 0) return error("negative size or count");
    if (count == 0) return error("a record with a count of 0");
    Record r;
    uint64_t a;
    while (probe.Hex(&a)) r.addresses.push_back(a);
    if (!probe.AtEnd() || r.addresses.empty()) return error("expected \"BYTES COUNT @ 0xADDRESS...\"");
    if (r.addresses.size() > limits.max_stack_depth)
      return error(fmt::format("a stack of {} frames is over the limit of {} (--max-stack-depth raises it)",
                               r.addresses.size(), limits.max_stack_depth));
    if (records.size() >= limits.max_samples)
      return error(fmt::format("more than {} samples (--max-samples raises it)", limits.max_samples));
    r.size = bytes / count;
    if (!Unsample(count, bytes, kJavaHeapzRate, &r.values[0], &r.values[1]))
      return error("values too large once unsampled");
    records.push_back(std::move(r));
  }
  if (records.empty()) return error("no \"BYTES COUNT @ 0xADDRESS...\" record");
  // Symbol lines: "0xADDRESS function (File.java:line)" and the other forms.
  struct Symbol {
    std::string_view function, file;
    int64_t line = 0;
  };
  // Only the records' addresses are kept (as pprof does): memory follows the
  // records, not the number of symbol lines.
  std::unordered_map<uint64_t, Symbol> symbols;
  for (const Record& r : records)
    for (uint64_t a : r.addresses) symbols.emplace(a, Symbol{});
  auto read_symbol = [&](std::string_view text) -> Status {
    Scanner s(text);
    uint64_t address;
    if (!s.Hex(&address)) return Status();  // pprof skips what is not a symbol line
    auto wanted = symbols.find(address);
    if (wanted == symbols.end()) return Status();  // no record's (a later line for an address wins, as in pprof)
    std::string_view rest = s.Rest();
    Symbol sym;
    sym.function = rest;
    if (rest.ends_with(")")) {
      if (size_t open = rest.rfind(" ("); open != std::string_view::npos) {
        std::string_view inside = rest.substr(open + 2, rest.size() - open - 3);
        sym.function = Trim(rest.substr(0, open));
        sym.file = inside;
        if (size_t colon = inside.rfind(':'); colon != std::string_view::npos) {
          int64_t n = 0;
          std::string_view digits = inside.substr(colon + 1);
          auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
          if (ec == std::errc() && ptr == digits.data() + digits.size()) {
            sym.file = inside.substr(0, colon);
            sym.line = n > 0 ? n : 0;
          } else {
            sym.file = inside.substr(inside.rfind('/') + 1);  // a library's path: its file name
          }
        } else {
          sym.file = inside.substr(inside.rfind('/') + 1);
        }
      }
    } else if (rest.find("generated stub/JIT") != std::string_view::npos) {
      sym.function = "STUB";
    }
    if (sym.function.size() > limits.max_string_length || sym.file.size() > limits.max_string_length)
      return error(fmt::format("a name over the limit of {} bytes (--max-string-length raises it)",
                               limits.max_string_length));
    wanted->second = sym;
    return Status();
  };
  if (!in_records) RETURN_IF_ERROR(read_symbol(Scanner(line).Rest()));
  while (next_line(&line)) RETURN_IF_ERROR(read_symbol(Scanner(line).Rest()));
  std::vector<uint32_t> locations;
  for (const Record& r : records) {
    locations.clear();
    for (uint64_t a : r.addresses) {
      const Symbol& sym = symbols[a];
      locations.push_back(sym.function.empty() ? model.AddressLocation(a)
                                               : model.FrameLocation(sym.function, sym.file, sym.line));
    }
    model.AddSample(locations, {r.values[0], r.values[1]}, r.size);
  }
  Profile profile = std::move(model).Finish();
  profile.runtime = "Java";
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", source));
  return profile;
}

}  // namespace

StatusOr<Profile> ParseLegacyHeap(std::string_view data, const std::string& source, const Limits& limits) {
  ModelBuilder model(source);
  model.SetSampleTypes({{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
                        {"inuse_space", "bytes"}});
  Lines next_line{data};
  auto error = [&](std::string what) {
    return Status::InputError(fmt::format("{}:{}: {}", source, next_line.number, what));
  };

  std::string_view line;
  while (next_line(&line) && Scanner(line).AtEnd()) {
  }
  if (Scanner(line).Rest().starts_with("heap_v2/")) return ParseJemalloc(data, source, limits);
  if (Scanner(line).Rest() == "--- heapz 1 ---") return ParseJavaHeapz(data, source, limits);
  // Header: heap profile: N: B [N: B] @ heap/RATE
  Scanner header(line);
  int64_t n1, b1, n2, b2;
  if (!header.Literal("heap profile:") || !header.Int(&n1) || !header.Literal(":") || !header.Int(&b1) ||
      !header.Literal("[") || !header.Int(&n2) || !header.Literal(":") || !header.Int(&b2) || !header.Literal("]") ||
      !header.Literal("@"))
    return error("expected a header \"heap profile: N: B [N: B] @ heap/RATE\"");
  std::string_view sampling = header.Word();
  int64_t rate = 0;
  if (sampling.starts_with("heap_v2/") || sampling.starts_with("heapz_v2/") || sampling.starts_with("heap/")) {
    std::string_view number = sampling.substr(sampling.find('/') + 1);
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
    if (ec != std::errc() || ptr != number.data() + number.size() || rate < 0)
      return error(fmt::format("bad sampling rate \"{}\"", sampling));
    if (sampling.starts_with("heap/")) rate /= 2;  // the early C++ profiler's convention: heap/2*rate
  } else if (sampling == "heapprofile") {
    rate = 1;
  } else if (sampling.starts_with("growthz") || sampling.starts_with("fragmentationz")) {
    return Status::InputError(fmt::format(
        "{}: a heap {} profile (\"{}\": {}), not a profile of what is in use, which pprof-trend reads", source,
        sampling.starts_with("growthz") ? "growth" : "fragmentation", sampling,
        sampling.starts_with("growthz") ? "where the heap grew, cumulatively" : "fragmentation of the heap"));
  } else {
    return error(fmt::format("unknown sampling \"{}\" (expected heap/RATE, heap_v2/RATE or heapprofile)", sampling));
  }
  model.SetPeriod("space", "bytes", rate);
  // Go's runtime keeps one record per stack and object size, so B/N is an
  // object size there (the `bytes` label, exact); gperftools, jemalloc and
  // the C++ heapz_v2 keep one record per stack: B/N is an average of sizes.
  const bool record_per_size = sampling.starts_with("heap/");

  std::vector<uint32_t> locations;
  std::vector<Frame> frames;
  std::vector<uint64_t> pcs;
  bool in_record = false;
  int64_t values[4] = {0, 0, 0, 0};
  int64_t block_size = 0;
  Status limit_error;
  auto flush = [&]() {
    if (!in_record || !limit_error.ok()) return;
    const size_t depth = frames.empty() ? pcs.size() : frames.size();
    if (depth > limits.max_stack_depth) {
      limit_error = error(fmt::format("a stack of {} frames is over the limit of {} (--max-stack-depth raises it)",
                                      depth, limits.max_stack_depth));
      return;
    }
    if (model.num_samples() >= limits.max_samples) {
      limit_error = error(fmt::format("more than {} samples (--max-samples raises it)", limits.max_samples));
      return;
    }
    locations.clear();
    if (!frames.empty()) {
      for (const Frame& f : frames) locations.push_back(model.FrameLocation(f.function, f.file, f.line, f.address));
    } else {
      // No symbols: the addresses (return addresses - 1, as pprof does) name the frames.
      for (uint64_t pc : pcs) locations.push_back(model.AddressLocation(pc - 1));
    }
    model.AddSample(locations, {values[0], values[1], values[2], values[3]},
                    record_per_size ? std::optional<int64_t>(block_size) : std::nullopt);
    in_record = false;
  };
  while (next_line(&line)) {
    if (!limit_error.ok()) return limit_error;
    Scanner s(line);
    if (s.AtEnd()) {
      flush();
      continue;
    }
    if (line.find("MAPPED_LIBRARIES:") != std::string_view::npos ||
        line.find("--- Memory map:") != std::string_view::npos) {
      flush();
      RETURN_IF_ERROR(limit_error);
      RETURN_IF_ERROR(ParseMaps(next_line, &line, model, limits, error));
      break;
    }
    std::string_view trimmed = s.Rest();
    if (trimmed.starts_with("#")) {
      // A frame of the current record: "#	0xADDR	function+0xOFF	file:line"; other comments
      // (the runtime.MemStats block) are skipped.
      Scanner f(trimmed.substr(1));
      uint64_t address;
      if (!in_record || !f.Hex(&address)) continue;
      std::string_view function = f.Word();
      if (size_t plus = function.rfind("+0x"); plus != std::string_view::npos) function = function.substr(0, plus);
      std::string_view where = f.Rest();
      int64_t line_in_file = 0;
      std::string_view file = where;
      if (size_t colon = where.rfind(':'); colon != std::string_view::npos) {
        std::string_view digits = where.substr(colon + 1);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), line_in_file);
        if (ec == std::errc() && ptr == digits.data() + digits.size()) file = where.substr(0, colon);
        else line_in_file = 0;
      }
      if (function.empty()) return error("expected \"# 0xADDRESS function+0xOFFSET file:line\"");
      if (function.size() > limits.max_string_length || file.size() > limits.max_string_length)
        return error(fmt::format("a name over the limit of {} bytes (--max-string-length raises it)",
                                 limits.max_string_length));
      frames.push_back(Frame{address, function, file, line_in_file});
      continue;
    }
    flush();
    int64_t in_n, in_b, al_n, al_b;
    if (!s.Int(&in_n) || !s.Literal(":") || !s.Int(&in_b) || !s.Literal("[") || !s.Int(&al_n) || !s.Literal(":") ||
        !s.Int(&al_b) || !s.Literal("]") || !s.Literal("@"))
      return error(fmt::format("expected a record \"N: B [N: B] @ 0xADDRESS...\", got \"{}\"",
                               line.substr(0, std::min<size_t>(line.size(), 60))));
    if (in_n < 0 || in_b < 0 || al_n < 0 || al_b < 0) return error("negative count or size");
    if ((in_n == 0 && in_b != 0) || (al_n == 0 && al_b != 0)) return error("a count of 0 with a non-zero size");
    pcs.clear();
    frames.clear();
    uint64_t pc;
    while (s.Hex(&pc)) pcs.push_back(pc);
    if (!s.AtEnd()) return error("expected hexadecimal addresses after \"@\"");
    block_size = 0;
    if (al_n != 0) block_size = al_b / al_n;
    if (in_n != 0) block_size = in_b / in_n;
    if (!Unsample(al_n, al_b, rate, &values[0], &values[1]) || !Unsample(in_n, in_b, rate, &values[2], &values[3]))
      return error("values too large once unsampled");
    in_record = true;
  }
  flush();
  if (!limit_error.ok()) return limit_error;
  Profile profile = std::move(model).Finish();
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", source));
  return profile;
}

}  // namespace pprof_trend
