// pprof's legacy Java heap profile, "--- heapz 1 ---" (legacy_heap.h
// describes it).
#include <fmt/format.h>

#include <unordered_map>
#include <vector>

#include "input/heap_text.h"

namespace pprof_trend {

namespace {

// Attributes, "name = value", until the first record; `line` is left at it.
Status ParseAttributes(TextInput& input, ModelBuilder& model, std::string_view* line) {
  bool java = false, resolution = false;
  while (input.Next(line)) {
    Scanner s(*line);
    if (s.AtEnd()) continue;
    std::string_view text = s.Rest();
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) break;
    const std::string_view name = Trim(text.substr(0, eq)), value = Trim(text.substr(eq + 1));
    if (name == "format") {
      if (value != "java") return input.Error(fmt::format("a \"--- heapz\" profile of format \"{}\", not java", value));
      java = true;
    } else if (name == "resolution") {
      if (value.empty() || value.size() > 32) return input.Error("bad resolution");
      model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", std::string(value)}});
      resolution = true;
    } else {
      return input.Error(fmt::format("unknown attribute \"{}\" of a Java heap profile", name.substr(0, 60)));
    }
  }
  if (!java) return input.Error("no \"format = java\" line: not a Java heap profile pprof-trend knows");
  if (!resolution) return input.Error("no \"resolution = ...\" line: the unit of the sizes is not given");
  return Status();
}

}  // namespace

StatusOr<Profile> ParseJavaHeapz(TextInput& input) {
  std::string_view line;
  ModelBuilder model(input.source());
  RETURN_IF_ERROR(ParseAttributes(input, model, &line));
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
  for (bool have = true; have && in_records; have = input.Next(&line)) {
    Scanner s(line);
    if (s.AtEnd()) continue;
    int64_t bytes = 0, count = 0;
    Scanner probe(line);
    if (!probe.Int(&bytes) || !probe.Int(&count) || !probe.Literal("@")) {
      in_records = false;
      break;
    }
    if (bytes < 0 || count < 0) return input.Error("negative size or count");
    if (count == 0) return input.Error("a record with a count of 0");
    Record r;
    uint64_t a;
    while (probe.Hex(&a)) r.addresses.push_back(a);
    if (!probe.AtEnd() || r.addresses.empty()) return input.Error("expected \"BYTES COUNT @ 0xADDRESS...\"");
    RETURN_IF_ERROR(input.CheckStackDepth(r.addresses.size()));
    RETURN_IF_ERROR(input.CheckCount(records.size() + 1, "samples"));
    r.size = bytes / count;
    if (!Unsample(count, bytes, kJavaHeapzRate, &r.values[0], &r.values[1]))
      return input.Error("values too large once unsampled");
    records.push_back(std::move(r));
  }
  if (records.empty()) return input.Error("no \"BYTES COUNT @ 0xADDRESS...\" record");
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
    RETURN_IF_ERROR(input.CheckName(sym.function));
    RETURN_IF_ERROR(input.CheckName(sym.file));
    wanted->second = sym;
    return Status();
  };
  if (!in_records) RETURN_IF_ERROR(read_symbol(Scanner(line).Rest()));
  while (input.Next(&line)) RETURN_IF_ERROR(read_symbol(Scanner(line).Rest()));
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
  ASSIGN_OR_RETURN(Profile profile, FinishHeapProfile(std::move(model), input));
  profile.runtime = "Java";
  return profile;
}

}  // namespace pprof_trend
