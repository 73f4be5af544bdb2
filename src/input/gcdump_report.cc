#include "input/gcdump_report.h"

#include <fmt/format.h>

#include <map>

#include "base/units.h"
#include "input/model_builder.h"
#include "input/text_input.h"
#include "input/text_scan.h"

namespace pprof_trend {
namespace {

bool IsHeader(std::string_view line) {
  std::string_view s = line;
  return NextWord(s) == "Object" && NextWord(s) == "Bytes" && NextWord(s) == "Count" && NextWord(s) == "Type" &&
         Trim(s).empty();
}

// "System.Byte[] (Bytes > 10K)" -> "System.Byte[]": PerfView's size buckets.
std::string_view WithoutBucket(std::string_view type, bool* bucketed) {
  *bucketed = false;
  if (!type.ends_with(")")) return type;
  const size_t open = type.rfind(" (Bytes > ");
  if (open == std::string_view::npos) return type;
  *bucketed = true;
  return Trim(type.substr(0, open));
}

// Arrays and strings: objects of one type but many sizes.
bool VariableSize(std::string_view type) { return type.ends_with("]") || type == "System.String"; }

struct TypeRow {
  int64_t objects = 0, bytes = 0;
  int64_t size = -1;  // the one object size, while every row of the type agrees; -2 when they do not
  bool variable = false;
};

}  // namespace

bool IsGcdumpReport(std::string_view data) { return AnyOfFirstLines(data, 20000, IsHeader); }  // as the other tables

StatusOr<Profile> ParseGcdumpReport(std::string_view data, const std::string& source, const Limits& limits) {
  TextInput input(data, source, limits);
  std::string_view line;
  int64_t heap_bytes = -1, heap_objects = -1;
  bool header = false;
  std::map<std::string_view, TypeRow> types;  // by name: one site per type, in name order
  int64_t rows = 0, elided = 0;
  while (input.Next(&line)) {
    auto error = [&](std::string_view what) { return input.Error(what); };
    std::string_view t = Trim(line);
    if (t.empty()) continue;
    if (!header) {
      if (IsHeader(t)) {
        header = true;
        continue;
      }
      std::string_view rest = t;
      int64_t v = 0;
      if (!ParseGroupedCount(NextWord(rest), &v)) continue;  // the command line, a banner
      rest = Trim(rest);
      if (rest == "GC Heap bytes") heap_bytes = v;
      if (rest == "GC Heap objects") heap_objects = v;
      continue;
    }
    if (IsElision(t)) {  // rows left out: the objects' shortfall below says how many
      ++elided;
      continue;
    }
    std::string_view rest = t;
    int64_t size = 0, count = 0;
    if (!ParseGroupedCount(NextWord(rest), &size) || !ParseGroupedCount(NextWord(rest), &count))
      return error(fmt::format("expected a row \"OBJECT-BYTES COUNT TYPE\", got \"{}\"",
                               t.substr(0, std::min<size_t>(t.size(), 60))));
    std::string_view type = Trim(rest);
    if (type.ends_with("]")) {  // "  [System.Private.CoreLib.dll]": the module
      const size_t open = type.rfind("  [");
      if (open != std::string_view::npos) type = Trim(type.substr(0, open));
    }
    if (type.empty()) return error("a row without a type");
    RETURN_IF_ERROR(input.CheckName(type, "type name"));
    RETURN_IF_ERROR(input.CheckCount(static_cast<size_t>(++rows), "rows"));
    if (size > 0 && count > INT64_MAX / size) return error("a row's bytes overflow 64 bits");
    bool bucketed = false;
    type = WithoutBucket(type, &bucketed);
    TypeRow& r = types[type];
    r.objects += count;
    r.bytes += size * count;
    r.variable = r.variable || bucketed || VariableSize(type);
    r.size = r.size == -1 || r.size == size ? size : -2;
  }
  if (!header) return Status::InputError(fmt::format("{}: no \"Object Bytes  Count  Type\" header found", source));
  if (types.empty())
    return Status::InputError(fmt::format("{}: a \"dotnet-gcdump report\" table without rows", source));
  ModelBuilder model(source);
  model.ReserveFrames(types.size());
  model.SetSampleTypes({{"inuse_objects", "count"}, {"inuse_space", "bytes"}});
  int64_t objects = 0, estimated_types = 0;
  for (const auto& [type, r] : types) {
    objects += r.objects;
    estimated_types += r.variable ? 1 : 0;
    const bool exact_size = !r.variable && r.size >= 0;
    model.AddSample({model.FrameLocation(type, "", 0)}, {r.objects, r.bytes},
                    exact_size ? std::optional<int64_t>(r.size) : std::nullopt);
  }
  Profile profile = std::move(model).Finish();
  profile.runtime = ".NET";
  profile.estimated_bytes_types = estimated_types;
  if (heap_bytes >= 0) profile.stated_bytes = heap_bytes;
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", source));
  if (estimated_types > 0) {
    int64_t bytes = 0;
    for (const auto& [type, r] : types) bytes += r.bytes;
    const std::string against = heap_bytes > 0 ? fmt::format("; the rows add up to {} bytes, the heap holds {}",
                                                             FormatGrouped(bytes), FormatGrouped(heap_bytes))
                                               : "";
    profile.warnings.push_back(fmt::format(
        "{} array and string type{}: \"dotnet-gcdump report\" prints one object's size per type, so their bytes are "
        "that size times the count (estimates; the counts are exact){}",
        estimated_types, estimated_types == 1 ? "" : "s", against));
  }
  // A few objects are always missing (types without a name or a size are not
  // listed); a larger shortfall means rows were left out of the paste.
  if (heap_objects > 0 && static_cast<double>(objects) < 0.99 * static_cast<double>(heap_objects)) {
    profile.coverage = static_cast<double>(objects) / static_cast<double>(heap_objects);
    profile.warnings.push_back(
        fmt::format("the rows hold {} of the {} GC heap objects ({:.1f}%); the rest are not listed",
                    FormatGrouped(objects), FormatGrouped(heap_objects), 100 * profile.coverage));
  } else if (elided > 0) {
    profile.warnings.push_back(fmt::format("{} elision line{} skipped", elided, elided == 1 ? "" : "s"));
  }
  return profile;
}

}  // namespace pprof_trend
