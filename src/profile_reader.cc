#include "profile_reader.h"

#include <fmt/format.h>
#include <google/protobuf/arena.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "profile.pb.h"

namespace pprof_trend {
namespace {

namespace pb = perftools::profiles;

// Maps file ids (arbitrary, non-zero, unique) to vector indices. Go and most
// producers number ids 1..n, so a dense table is the common fast path; sparse
// ids (addresses used as ids, say) fall back to a hash map.
class IdIndex {
 public:
  static constexpr uint32_t kMissing = std::numeric_limits<uint32_t>::max();

  // Returns false when `id` was already added.
  bool Add(uint64_t id, uint32_t index) {
    if (id < kDenseLimit) {
      if (id >= dense_.size()) dense_.resize(std::max<uint64_t>(id + 1, dense_.size() * 2), kMissing);
      if (dense_[id] != kMissing) return false;
      dense_[id] = index;
      return true;
    }
    return sparse_.emplace(id, index).second;
  }
  uint32_t Find(uint64_t id) const {
    if (id < dense_.size()) return dense_[id];
    if (id < kDenseLimit) return kMissing;
    auto it = sparse_.find(id);
    return it == sparse_.end() ? kMissing : it->second;
  }

 private:
  static constexpr uint64_t kDenseLimit = 1u << 24;
  std::vector<uint32_t> dense_;
  std::unordered_map<uint64_t, uint32_t> sparse_;
};

class Decoder {
 public:
  Decoder(const pb::Profile& msg, Profile& out, const Limits& limits) : msg_(msg), out_(out), limits_(limits) {}

  Status Run() {
    RETURN_IF_ERROR(CheckCounts());
    RETURN_IF_ERROR(DecodeStrings());
    RETURN_IF_ERROR(DecodeHeader());
    RETURN_IF_ERROR(DecodeMappings());
    RETURN_IF_ERROR(DecodeFunctions());
    RETURN_IF_ERROR(DecodeLocations());
    return DecodeSamples();
  }

 private:
  Status Error(std::string what) const { return Status::InputError(fmt::format("{}: {}", out_.source, what)); }

  // Resolves a string index, or records why it cannot.
  bool Str(int64_t index, std::string_view* out, std::string_view field) {
    if (index < 0 || static_cast<uint64_t>(index) >= strings_.size()) {
      if (bad_string_.empty())
        bad_string_ = fmt::format("string index {} in {} is out of range (string table has {} entries)", index, field,
                                  strings_.size());
      return false;
    }
    *out = strings_[static_cast<size_t>(index)];
    return true;
  }
  Status StringError() { return Error(bad_string_); }

  Status OverLimit(uint64_t value, std::string_view what, uint64_t limit, std::string_view flag) const {
    return Error(fmt::format("{} {} exceed the limit of {} ({} raises it)", value, what, limit, flag));
  }

  Status CheckCounts() const {
    if (static_cast<uint64_t>(msg_.sample_size()) > limits_.max_samples)
      return OverLimit(static_cast<uint64_t>(msg_.sample_size()), "samples", limits_.max_samples, "--max-samples");
    if (static_cast<uint64_t>(msg_.location_size()) > limits_.max_locations)
      return OverLimit(static_cast<uint64_t>(msg_.location_size()), "locations", limits_.max_locations,
                       "--max-locations");
    for (const auto& s : msg_.string_table())
      if (s.size() > limits_.max_string_length)
        return OverLimit(s.size(), "bytes in one string", limits_.max_string_length, "--max-string-length");
    return Status();
  }

  Status DecodeStrings() {
    const auto& table = msg_.string_table();
    if (table.empty()) {
      if (msg_.sample_type_size() == 0 && msg_.sample_size() == 0) return Error("not a pprof profile (no sample types, no string table)");
      return Error("string table is empty (string_table[0] must be \"\")");
    }
    if (!table[0].empty()) return Error("string_table[0] must be empty");
    size_t total = 0;
    for (const auto& s : table) total += s.size();
    out_.pool.Reserve(total);
    strings_.reserve(table.size());
    for (const auto& s : table) strings_.push_back(out_.pool.Add(s));
    return Status();
  }

  Status DecodeHeader() {
    if (msg_.sample_type_size() == 0) return Error("not a pprof profile (no sample types)");
    for (const auto& vt : msg_.sample_type()) {
      ValueType t;
      if (!Str(vt.type(), &t.type, "sample_type") || !Str(vt.unit(), &t.unit, "sample_type")) return StringError();
      out_.sample_types.push_back(t);
    }
    if (msg_.has_period_type()) {
      if (!Str(msg_.period_type().type(), &out_.period_type.type, "period_type") ||
          !Str(msg_.period_type().unit(), &out_.period_type.unit, "period_type"))
        return StringError();
    }
    out_.period = msg_.period();
    out_.time_nanos = msg_.time_nanos();
    out_.duration_nanos = msg_.duration_nanos();
    for (int64_t c : msg_.comment()) {
      std::string_view s;
      if (!Str(c, &s, "comment")) return StringError();
      out_.comments.push_back(s);
    }
    if (!Str(msg_.drop_frames(), &out_.drop_frames, "drop_frames") ||
        !Str(msg_.keep_frames(), &out_.keep_frames, "keep_frames"))
      return StringError();
    std::string_view default_type;
    if (!Str(msg_.default_sample_type(), &default_type, "default_sample_type")) return StringError();
    if (!default_type.empty()) {
      out_.default_sample_type = out_.FindSampleType(default_type);
      if (out_.default_sample_type < 0)
        return Error(fmt::format("default_sample_type \"{}\" is not one of the sample types", default_type));
    }
    return Status();
  }

  Status DecodeMappings() {
    out_.mappings.reserve(static_cast<size_t>(msg_.mapping_size()));
    for (const auto& m : msg_.mapping()) {
      if (m.id() == 0) return Error("mapping id 0 is not allowed");
      if (!mapping_ids_.Add(m.id(), static_cast<uint32_t>(out_.mappings.size())))
        return Error(fmt::format("duplicate mapping id {}", m.id()));
      Mapping mapping{m.memory_start(), m.memory_limit(), m.file_offset(), {}, {}};
      if (!Str(m.filename(), &mapping.filename, "mapping") || !Str(m.build_id(), &mapping.build_id, "mapping"))
        return StringError();
      out_.mappings.push_back(mapping);
    }
    return Status();
  }

  Status DecodeFunctions() {
    out_.functions.reserve(static_cast<size_t>(msg_.function_size()));
    for (const auto& f : msg_.function()) {
      if (f.id() == 0) return Error("function id 0 is not allowed");
      if (!function_ids_.Add(f.id(), static_cast<uint32_t>(out_.functions.size())))
        return Error(fmt::format("duplicate function id {}", f.id()));
      Function fn;
      if (!Str(f.name(), &fn.name, "function") || !Str(f.system_name(), &fn.system_name, "function") ||
          !Str(f.filename(), &fn.filename, "function"))
        return StringError();
      fn.start_line = f.start_line();
      out_.functions.push_back(fn);
    }
    return Status();
  }

  Status DecodeLocations() {
    out_.locations.reserve(static_cast<size_t>(msg_.location_size()));
    size_t total_lines = 0;
    for (const auto& l : msg_.location()) total_lines += static_cast<size_t>(l.line_size());
    out_.lines.reserve(total_lines);
    for (const auto& l : msg_.location()) {
      if (l.id() == 0) return Error("location id 0 is not allowed");
      if (!location_ids_.Add(l.id(), static_cast<uint32_t>(out_.locations.size())))
        return Error(fmt::format("duplicate location id {}", l.id()));
      Location loc;
      loc.address = l.address();
      loc.is_folded = l.is_folded();
      if (l.mapping_id() != 0) {
        loc.mapping = mapping_ids_.Find(l.mapping_id());
        if (loc.mapping == IdIndex::kMissing)
          return Error(fmt::format("location {} refers to mapping id {}, which does not exist", l.id(), l.mapping_id()));
      }
      loc.first_line = static_cast<uint32_t>(out_.lines.size());
      loc.num_lines = static_cast<uint32_t>(l.line_size());
      for (const auto& line : l.line()) {
        uint32_t fn = function_ids_.Find(line.function_id());
        if (line.function_id() == 0 || fn == IdIndex::kMissing)
          return Error(fmt::format("location {} refers to function id {}, which does not exist", l.id(),
                                   line.function_id()));
        out_.lines.push_back(Line{fn, line.line()});
      }
      out_.locations.push_back(loc);
    }
    return Status();
  }

  Status DecodeSamples() {
    const size_t num_types = out_.sample_types.size();
    size_t total_frames = 0, total_labels = 0;
    for (const auto& s : msg_.sample()) {
      total_frames += static_cast<size_t>(s.location_id_size());
      total_labels += static_cast<size_t>(s.label_size());
    }
    out_.samples.reserve(static_cast<size_t>(msg_.sample_size()));
    out_.stack_locations.reserve(total_frames);
    out_.labels.reserve(total_labels);
    out_.values.reserve(static_cast<size_t>(msg_.sample_size()) * num_types);
    for (int i = 0; i < msg_.sample_size(); ++i) {
      const auto& s = msg_.sample(i);
      if (static_cast<size_t>(s.value_size()) != num_types)
        return Error(fmt::format("sample {} has {} values but the profile has {} sample types", i, s.value_size(),
                                 num_types));
      Sample sample;
      sample.first_location = out_.stack_locations.size();
      sample.num_locations = static_cast<uint32_t>(s.location_id_size());
      uint64_t depth = 0;
      for (uint64_t id : s.location_id()) {
        uint32_t loc = location_ids_.Find(id);
        if (id == 0 || loc == IdIndex::kMissing)
          return Error(fmt::format("sample {} refers to location id {}, which does not exist", i, id));
        out_.stack_locations.push_back(loc);
        depth += std::max<uint32_t>(1, out_.locations[loc].num_lines);
      }
      if (depth > limits_.max_stack_depth)
        return Error(fmt::format("sample {} has a stack of {} frames, over the limit of {} (--max-stack-depth raises it)",
                                 i, depth, limits_.max_stack_depth));
      out_.values.insert(out_.values.end(), s.value().begin(), s.value().end());
      sample.first_label = out_.labels.size();
      sample.num_labels = static_cast<uint32_t>(s.label_size());
      for (const auto& l : s.label()) {
        Label label;
        if (!Str(l.key(), &label.key, "label") || !Str(l.str(), &label.str, "label") ||
            !Str(l.num_unit(), &label.num_unit, "label"))
          return StringError();
        label.num = l.num();
        label.is_numeric = l.str() == 0;
        out_.labels.push_back(label);
      }
      out_.samples.push_back(sample);
    }
    return Status();
  }

  const pb::Profile& msg_;
  Profile& out_;
  const Limits& limits_;
  std::vector<std::string_view> strings_;
  std::string bad_string_;
  IdIndex mapping_ids_, function_ids_, location_ids_;
};

}  // namespace

StatusOr<Profile> DecodePprof(std::string_view bytes, std::string source, const Limits& limits) {
  Profile profile;
  profile.source = std::move(source);
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return Status::InputError(fmt::format("{}: profile is {} bytes; protobuf messages over 2 GiB are not supported",
                                          profile.source, bytes.size()));
  google::protobuf::Arena arena;
  auto* msg = google::protobuf::Arena::CreateMessage<pb::Profile>(&arena);
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::InputError(fmt::format("{}: not a pprof profile (corrupt or truncated protobuf)", profile.source));
  RETURN_IF_ERROR(Decoder(*msg, profile, limits).Run());
  if (!ValueTotalsFit(profile))
    return Status::InputError(fmt::format("{}: sample values too large (their totals overflow 64 bits)", profile.source));
  return profile;
}

}  // namespace pprof_trend
