#include "output/profile_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "input/wire_format.h"
#include "model/profile_kind.h"

namespace pprof_trend {
namespace {

// The protobuf wire format, written (the reader is input/wire_format.h;
// proto/profile.proto the field numbers) as libprotobuf writes a proto3
// message: fields in field-number order, scalars that are zero left out,
// repeated integers packed. Each section of a profile is written into its
// own writer and the sections joined in order.
class WireWriter {
 public:
  void Varint(uint64_t v) {
    for (; v >= 0x80; v >>= 7) out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    out_.push_back(static_cast<char>(v));
  }
  // An integer field (int64 as its two's complement, as protobuf does).
  void Int(uint32_t field, int64_t v) { Uint(field, static_cast<uint64_t>(v)); }
  void Uint(uint32_t field, uint64_t v) {
    if (v == 0) return;
    Tag(field, kVarint);
    Varint(v);
  }
  void Bytes(uint32_t field, std::string_view bytes) {
    Tag(field, kLengthDelimited);
    Varint(bytes.size());
    out_.append(bytes);
  }
  void Message(uint32_t field, const WireWriter& message) { Bytes(field, message.out_); }
  // A repeated integer field, packed; left out when empty.
  void Packed(uint32_t field, const std::vector<uint64_t>& values) {
    if (values.empty()) return;
    WireWriter packed;
    for (uint64_t v : values) packed.Varint(v);
    Message(field, packed);
  }
  void Append(const WireWriter& section) { out_ += section.out_; }
  std::string Take() && { return std::move(out_); }

 private:
  static constexpr uint32_t kVarint = 0, kLengthDelimited = 2;
  void Tag(uint32_t field, uint32_t wire_type) { Varint(uint64_t{field} << 3 | wire_type); }
  std::string out_;
};

// Field numbers of proto/profile.proto (the reader's, input/wire_format.h).
namespace profile_field = wire::fields::profile_field;

// A ValueType message.
WireWriter ValueTypeMessage(int64_t type, int64_t unit) {
  WireWriter w;
  w.Int(1, type);
  w.Int(2, unit);
  return w;
}

class StringTable {
 public:
  explicit StringTable(WireWriter& section) : section_(section) { Index(""); }
  int64_t Index(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<int64_t>(ids_.size()));
    if (inserted) section_.Bytes(profile_field::kStringTable, s);
    return it->second;
  }

 private:
  WireWriter& section_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace

std::string SerializeGrowthProfile(const TrendResult& trend) {
  namespace pf = profile_field;
  const AlignedProfiles& a = trend.aligned;
  WireWriter sample_types, samples, mappings, locations, functions, string_table;
  StringTable strings(string_table);
  const bool has_objects = !a.objects_type_name.empty();
  // A type and unit, interned in that order (the string table's order is
  // the order of first use).
  auto value_type = [&](const std::string& type, const std::string& unit) {
    const int64_t type_index = strings.Index(type);
    return ValueTypeMessage(type_index, strings.Index(unit));
  };
  if (has_objects) sample_types.Message(pf::kSampleType, value_type(a.objects_type_name, "count"));
  sample_types.Message(pf::kSampleType, value_type(a.value_type_name, a.value_unit));
  const int64_t default_sample_type = strings.Index(a.value_type_name);
  const Capture& first = a.captures.front();
  const Capture& last = a.captures.back();
  const WireWriter period_type = value_type("space", first.period_unit.empty() ? "bytes" : first.period_unit);
  const int64_t duration_nanos =
      first.time_nanos != 0 && last.time_nanos > first.time_nanos ? last.time_nanos - first.time_nanos : 0;
  const auto comment =
      static_cast<uint64_t>(strings.Index(fmt::format("{}{} - {}", kGrowthComment, last.path, first.path)));

  std::unordered_map<uint32_t, uint64_t> function_ids;     // aligned frame -> function id
  std::unordered_map<std::string, uint64_t> location_ids;  // "frame:line" -> location id
  auto function_id = [&](uint32_t frame) {
    auto [it, inserted] = function_ids.try_emplace(frame, function_ids.size() + 1);
    if (inserted) {
      const AlignedFrame& f = a.frames[frame];
      WireWriter fn;
      fn.Uint(1, it->second);                // id
      fn.Int(2, strings.Index(f.function));  // name
      fn.Int(3, strings.Index(f.function));  // system_name
      fn.Int(4, strings.Index(f.file));      // filename
      functions.Message(pf::kFunction, fn);
    }
    return it->second;
  };
  // A frame left unsymbolized ("leaker+0x149d" in /path/leaker) is written
  // as what it is: an address in a mapping of its file, with no line, so
  // go tool pprof can symbolize it with the binary. The address is the
  // offset in the file (the mapping starts at 0 with offset 0).
  std::unordered_map<std::string_view, uint64_t> mapping_ids;  // file -> mapping id
  auto unsymbolized_offset = [](const AlignedFrame& f) -> std::optional<uint64_t> {
    const std::string_view base = std::string_view(f.file).substr(f.file.rfind('/') + 1);
    const std::string_view name = f.function;
    if (f.file.empty() || !name.starts_with(base) || name.substr(base.size()).substr(0, 3) != "+0x")
      return std::nullopt;
    const std::string_view hex = name.substr(base.size() + 3);
    uint64_t offset = 0;
    auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), offset, 16);
    if (ec != std::errc() || ptr != hex.data() + hex.size()) return std::nullopt;
    return offset;
  };
  auto location_id = [&](uint32_t frame, int64_t line) {
    auto [it, inserted] = location_ids.try_emplace(fmt::format("{}:{}", frame, line), location_ids.size() + 1);
    if (!inserted) return it->second;
    WireWriter loc;
    loc.Uint(1, it->second);  // id
    const AlignedFrame& f = a.frames[frame];
    if (auto offset = unsymbolized_offset(f)) {
      auto [m, added] = mapping_ids.try_emplace(f.file, mapping_ids.size() + 1);
      if (added) {
        WireWriter mapping;
        mapping.Uint(1, m->second);             // id; memory_start and file_offset 0
        mapping.Uint(3, UINT64_MAX);            // memory_limit
        mapping.Int(5, strings.Index(f.file));  // filename
        mappings.Message(pf::kMapping, mapping);
      }
      loc.Uint(2, m->second);  // mapping_id
      loc.Uint(3, *offset);    // address
    } else {
      WireWriter l;
      l.Uint(1, function_id(frame));  // function_id
      l.Int(2, line);                 // line
      loc.Message(4, l);              // line
    }
    locations.Message(pf::kLocation, loc);
    return it->second;
  };
  const int64_t bytes_key = strings.Index("bytes");
  std::vector<uint64_t> stack, values;
  for (const TrendNode& node : trend.sites) {
    const AlignedSite& site = a.sites[node.site_index];
    const int64_t delta_value = site.values.back() - site.values.front();
    const int64_t delta_objects = site.objects.back() - site.objects.front();
    if (delta_value == 0 && delta_objects == 0) continue;
    stack.clear();
    for (size_t i = site.frames.size(); i-- > 0;)  // leaf first
      stack.push_back(location_id(site.frames[i], SiteFrameLine(a, site, i)));
    values.clear();
    if (has_objects) values.push_back(static_cast<uint64_t>(delta_objects));
    values.push_back(static_cast<uint64_t>(delta_value));
    WireWriter sample;
    sample.Packed(1, stack);   // location_id
    sample.Packed(2, values);  // value
    if (node.size.exact && !site.object_sizes.empty()) {
      WireWriter label;
      label.Int(1, bytes_key);                  // key
      label.Int(3, site.object_sizes.front());  // num
      sample.Message(3, label);
    }
    samples.Message(pf::kSample, sample);
  }
  WireWriter out;
  for (const WireWriter* section : {&sample_types, &samples, &mappings, &locations, &functions, &string_table})
    out.Append(*section);
  out.Int(pf::kTimeNanos, last.time_nanos);
  out.Int(pf::kDurationNanos, duration_nanos);
  out.Message(pf::kPeriodType, period_type);
  out.Int(pf::kPeriod, first.period);
  out.Packed(pf::kComment, {comment});
  out.Int(pf::kDefaultSampleType, default_sample_type);
  return std::move(out).Take();
}

}  // namespace pprof_trend
