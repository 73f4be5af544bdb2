#include "output/profile_writer.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <unordered_map>

#include "model/profile_kind.h"
#include "proto/profile.pb.h"

namespace pprof_trend {
namespace {

namespace pb = perftools::profiles;

class StringTable {
 public:
  explicit StringTable(pb::Profile* p) : p_(p) { Index(""); }
  int64_t Index(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<int64_t>(ids_.size()));
    if (inserted) p_->add_string_table(s);
    return it->second;
  }

 private:
  pb::Profile* p_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace

std::string SerializeGrowthProfile(const TrendResult& trend) {
  const AlignedProfiles& a = trend.aligned;
  pb::Profile p;
  StringTable strings(&p);
  const bool has_objects = !a.objects_type_name.empty();
  if (has_objects) {
    auto* t = p.add_sample_type();
    t->set_type(strings.Index(a.objects_type_name));
    t->set_unit(strings.Index("count"));
  }
  auto* value_type = p.add_sample_type();
  value_type->set_type(strings.Index(a.value_type_name));
  value_type->set_unit(strings.Index(a.value_unit));
  p.set_default_sample_type(strings.Index(a.value_type_name));
  const Capture& first = a.captures.front();
  const Capture& last = a.captures.back();
  p.mutable_period_type()->set_type(strings.Index("space"));
  p.mutable_period_type()->set_unit(strings.Index(first.period_unit.empty() ? "bytes" : first.period_unit));
  p.set_period(first.period);
  p.set_time_nanos(last.time_nanos);
  if (first.time_nanos != 0 && last.time_nanos > first.time_nanos)
    p.set_duration_nanos(last.time_nanos - first.time_nanos);
  p.add_comment(strings.Index(fmt::format("{}{} - {}", kGrowthComment, last.path, first.path)));

  std::unordered_map<uint32_t, uint64_t> function_ids;     // aligned frame -> function id
  std::unordered_map<std::string, uint64_t> location_ids;  // "frame:line" -> location id
  auto function_id = [&](uint32_t frame) {
    auto [it, inserted] = function_ids.try_emplace(frame, function_ids.size() + 1);
    if (inserted) {
      const AlignedFrame& f = a.frames[frame];
      auto* fn = p.add_function();
      fn->set_id(it->second);
      fn->set_name(strings.Index(f.function));
      fn->set_system_name(strings.Index(f.function));
      fn->set_filename(strings.Index(f.file));
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
    if (inserted) {
      auto* loc = p.add_location();
      loc->set_id(it->second);
      const AlignedFrame& f = a.frames[frame];
      if (auto offset = unsymbolized_offset(f)) {
        auto [m, added] = mapping_ids.try_emplace(f.file, mapping_ids.size() + 1);
        if (added) {
          auto* mapping = p.add_mapping();
          mapping->set_id(m->second);
          mapping->set_memory_start(0);
          mapping->set_memory_limit(UINT64_MAX);
          mapping->set_file_offset(0);
          mapping->set_filename(strings.Index(f.file));
        }
        loc->set_mapping_id(m->second);
        loc->set_address(*offset);
        return it->second;
      }
      auto* l = loc->add_line();
      l->set_function_id(function_id(frame));
      l->set_line(line);
    }
    return it->second;
  };
  const int64_t bytes_key = strings.Index("bytes");
  for (const TrendNode& node : trend.sites) {
    const AlignedSite& site = a.sites[node.site_index];
    const int64_t delta_value = site.values.back() - site.values.front();
    const int64_t delta_objects = site.objects.back() - site.objects.front();
    if (delta_value == 0 && delta_objects == 0) continue;
    auto* sample = p.add_sample();
    for (size_t i = site.frames.size(); i-- > 0;) {  // leaf first
      sample->add_location_id(location_id(site.frames[i], SiteFrameLine(a, site, i)));
    }
    if (has_objects) sample->add_value(delta_objects);
    sample->add_value(delta_value);
    if (node.size.exact && !site.object_sizes.empty()) {
      auto* label = sample->add_label();
      label->set_key(bytes_key);
      label->set_num(site.object_sizes.front());
    }
  }
  return p.SerializeAsString();
}

}  // namespace pprof_trend
