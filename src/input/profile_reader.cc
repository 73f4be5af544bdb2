#include "input/profile_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "base/for_each_slice.h"
#include "base/huge_pages.h"
#include "input/sample_check.h"
#include "input/wire_format.h"

namespace pprof_trend {
namespace {

// ---------------------------------------------------------------------------
// A purpose-built reader of just the fields pprof-trend needs (wire_format.h:
// no message objects, no per-field allocation), the decoded model written
// straight into Profile's flat arrays. proto/profile.proto defines the field
// numbers used below.
using wire::kFixed32;
using wire::kFixed64;
using wire::kLengthDelimited;
using wire::kVarint;
using wire::ReadRepeated;
using wire::ReadScalar;
using wire::WireReader;

using namespace wire::fields;  // the field numbers (wire_format.h)

// Where each top-level field of a Profile is, found in one pass.
struct ProfileFields {
  std::vector<std::string_view> sample_types, samples, mappings, locations, functions, strings;
  std::string_view period_type;
  bool has_period_type = false;
  uint64_t drop_frames = 0, keep_frames = 0, time_nanos = 0, duration_nanos = 0, period = 0;
  uint64_t default_sample_type = 0;
  std::vector<uint64_t> comments;
  // A field a profile holds once (time_nanos, duration_nanos, period_type,
  // period) met twice: two profiles concatenated in one file (`cat a.pb b.pb`,
  // or two gzip members), which a protobuf reader would silently merge.
  const char* repeated_singular = nullptr;
};

bool ScanProfile(std::string_view bytes, ProfileFields* f) {
  namespace pf = profile_field;
  WireReader r(bytes);
  bool seen[pf::kDefaultSampleType + 1] = {};
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return false;
    if (field <= pf::kDefaultSampleType) {
      const bool singular =
          field == pf::kTimeNanos || field == pf::kDurationNanos || field == pf::kPeriodType || field == pf::kPeriod;
      if (singular && seen[field] && f->repeated_singular == nullptr)
        f->repeated_singular = field == pf::kTimeNanos       ? "time_nanos"
                               : field == pf::kDurationNanos ? "duration_nanos"
                               : field == pf::kPeriodType    ? "period_type"
                                                             : "period";
      seen[field] = true;
    }
    std::vector<std::string_view>* list = nullptr;
    switch (field) {
      case pf::kSampleType: list = &f->sample_types; break;
      case pf::kSample: list = &f->samples; break;
      case pf::kMapping: list = &f->mappings; break;
      case pf::kLocation: list = &f->locations; break;
      case pf::kFunction: list = &f->functions; break;
      case pf::kStringTable: list = &f->strings; break;
      case pf::kDropFrames:
        if (!ReadScalar(r, wire_type, &f->drop_frames)) return false;
        continue;
      case pf::kKeepFrames:
        if (!ReadScalar(r, wire_type, &f->keep_frames)) return false;
        continue;
      case pf::kTimeNanos:
        if (!ReadScalar(r, wire_type, &f->time_nanos)) return false;
        continue;
      case pf::kDurationNanos:
        if (!ReadScalar(r, wire_type, &f->duration_nanos)) return false;
        continue;
      case pf::kPeriodType:
        if (wire_type != kLengthDelimited) {
          if (!r.Skip(wire_type)) return false;
          continue;
        }
        if (!r.Bytes(&f->period_type)) return false;
        f->has_period_type = true;
        continue;
      case pf::kPeriod:
        if (!ReadScalar(r, wire_type, &f->period)) return false;
        continue;
      case pf::kComment:
        if (!ReadRepeated(r, wire_type, [&](uint64_t v) { f->comments.push_back(v); })) return false;
        continue;
      case pf::kDefaultSampleType:
        if (!ReadScalar(r, wire_type, &f->default_sample_type)) return false;
        continue;
      default:
        if (!r.Skip(wire_type)) return false;
        continue;
    }
    if (wire_type != kLengthDelimited) {
      if (!r.Skip(wire_type)) return false;
      continue;
    }
    std::string_view value;
    if (!r.Bytes(&value)) return false;
    list->push_back(value);
  }
  return true;
}

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
  // Whether every id is in the dense table (the ones Go writes, 1..n).
  bool all_dense() const { return sparse_.empty(); }
  size_t dense_size() const { return dense_.size(); }
  std::vector<uint32_t> TakeDense() { return std::move(dense_); }
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
  // `decode_threads`: how many threads may check a large profile's samples.
  Decoder(const ProfileFields& fields, Profile& out, const Limits& limits, unsigned decode_threads = 1)
      : f_(fields), out_(out), limits_(limits), decode_threads_(decode_threads) {}

  // Decodes everything; with `on_wire` (and location ids Go's way, dense), the
  // samples are left for out.wire, which the caller fills with the bytes and
  // records: checked here, or (`check_samples` false) by the stage that reads
  // them, the fold (input/sample_check.h says how).
  Status Run(bool on_wire, bool check_samples) {
    RETURN_IF_ERROR(CheckCounts());
    RETURN_IF_ERROR(DecodeStrings());
    RETURN_IF_ERROR(DecodeHeader());
    RETURN_IF_ERROR(DecodeMappings());
    RETURN_IF_ERROR(DecodeFunctions());
    RETURN_IF_ERROR(DecodeLocations());
    if (!on_wire || !location_ids_.all_dense()) return DecodeSamples<true>();
    out_.wire = std::make_unique<WireSamples>();
    WireSamples& w = *out_.wire;
    w.max_stack_depth = limits_.max_stack_depth;
    if (check_samples) {
      RETURN_IF_ERROR(DecodeSamples<false>());
      w.checked = f_.samples.size();
    } else {
      w.check = SampleCheck(out_.sample_types.size());
      w.frames_of_id = FramesOfId(FramesAt());
      w.any_without_stack = AnyRecordWithoutStack();
    }
    w.location_of_id = location_ids_.TakeDense();
    w.strings = std::move(strings_);
    return Status();
  }

 private:
  Status Error(std::string what) const { return Status::InputError(fmt::format("{}: {}", out_.source, what)); }
  Status Corrupt() const { return Error(std::string(kCorruptProtobuf)); }
  // Resolves a string index, or records why it cannot.
  bool Str(uint64_t raw_index, std::string_view* out, std::string_view field) {
    const auto index = static_cast<int64_t>(raw_index);
    if (index < 0 || static_cast<uint64_t>(index) >= strings_.size()) {
      if (bad_string_.empty()) bad_string_ = BadStringIndex(index, field, strings_.size());
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
    if (f_.samples.size() > limits_.max_samples)
      return OverLimit(f_.samples.size(), "samples", limits_.max_samples, "--max-samples");
    if (f_.locations.size() > limits_.max_locations)
      return OverLimit(f_.locations.size(), "locations", limits_.max_locations, "--max-locations");
    for (std::string_view s : f_.strings)
      if (s.size() > limits_.max_string_length)
        return OverLimit(s.size(), "bytes in one string", limits_.max_string_length, "--max-string-length");
    return Status();
  }

  Status DecodeStrings() {
    const auto& table = f_.strings;
    if (table.empty()) {
      if (f_.sample_types.empty() && f_.samples.empty())
        return Error("not a pprof profile (no sample types, no string table)");
      return Error("string table is empty (string_table[0] must be \"\")");
    }
    if (!table[0].empty()) return Error("string_table[0] must be empty");
    size_t total = 0;
    for (std::string_view s : table) total += s.size();
    out_.pool.Reserve(total);
    strings_.reserve(table.size());
    for (std::string_view s : table) strings_.push_back(out_.pool.Add(s));
    return Status();
  }

  // ValueType { type = 1; unit = 2; }
  bool ReadValueType(std::string_view bytes, uint64_t* type, uint64_t* unit) {
    WireReader r(bytes);
    while (!r.done()) {
      uint32_t field, wire_type;
      if (!r.Tag(&field, &wire_type)) return false;
      bool ok = field == value_type_field::kType   ? ReadScalar(r, wire_type, type)
                : field == value_type_field::kUnit ? ReadScalar(r, wire_type, unit)
                                                   : r.Skip(wire_type);
      if (!ok) return false;
    }
    return true;
  }

  Status DecodeHeader() {
    if (f_.sample_types.empty()) return Error("not a pprof profile (no sample types)");
    for (std::string_view bytes : f_.sample_types) {
      uint64_t type = 0, unit = 0;
      if (!ReadValueType(bytes, &type, &unit)) return Corrupt();
      ValueType t;
      if (!Str(type, &t.type, "sample_type") || !Str(unit, &t.unit, "sample_type")) return StringError();
      out_.sample_types.push_back(t);
    }
    if (f_.has_period_type) {
      uint64_t type = 0, unit = 0;
      if (!ReadValueType(f_.period_type, &type, &unit)) return Corrupt();
      if (!Str(type, &out_.period_type.type, "period_type") || !Str(unit, &out_.period_type.unit, "period_type"))
        return StringError();
    }
    out_.period = static_cast<int64_t>(f_.period);
    out_.time_nanos = static_cast<int64_t>(f_.time_nanos);
    // Before 1970 is no capture time; refused, so that no difference of two
    // capture times (both in [0, 2^63)) can overflow.
    if (out_.time_nanos < 0) return Error(fmt::format("time_nanos {} is before 1970", out_.time_nanos));
    out_.duration_nanos = static_cast<int64_t>(f_.duration_nanos);
    for (uint64_t c : f_.comments) {
      std::string_view s;
      if (!Str(c, &s, "comment")) return StringError();
      out_.comments.push_back(s);
    }
    if (!Str(f_.drop_frames, &out_.drop_frames, "drop_frames") ||
        !Str(f_.keep_frames, &out_.keep_frames, "keep_frames"))
      return StringError();
    std::string_view default_type;
    if (!Str(f_.default_sample_type, &default_type, "default_sample_type")) return StringError();
    if (!default_type.empty()) {
      out_.default_sample_type = out_.FindSampleType(default_type);
      if (out_.default_sample_type < 0)
        return Error(fmt::format("default_sample_type \"{}\" is not one of the sample types", default_type));
    }
    return Status();
  }

  // Mapping: the fields up to build_id, v[field number].
  Status DecodeMappings() {
    namespace mf = mapping_field;
    out_.mappings.reserve(f_.mappings.size());
    for (std::string_view bytes : f_.mappings) {
      uint64_t v[mf::kBuildId + 1] = {};
      if (!wire::ReadScalarFields(bytes, v)) return Corrupt();
      const uint64_t id = v[mf::kId];
      if (id == 0) return Error("mapping id 0 is not allowed");
      if (!mapping_ids_.Add(id, static_cast<uint32_t>(out_.mappings.size())))
        return Error(fmt::format("duplicate mapping id {}", id));
      Mapping mapping{v[mf::kMemoryStart], v[mf::kMemoryLimit], v[mf::kFileOffset], {}, {}};
      if (!Str(v[mf::kFilename], &mapping.filename, "mapping") || !Str(v[mf::kBuildId], &mapping.build_id, "mapping"))
        return StringError();
      out_.mappings.push_back(mapping);
    }
    return Status();
  }

  // Function: v[field number].
  Status DecodeFunctions() {
    namespace ff = function_field;
    out_.functions.reserve(f_.functions.size());
    for (std::string_view bytes : f_.functions) {
      uint64_t v[ff::kStartLine + 1] = {};
      if (!wire::ReadScalarFields(bytes, v)) return Corrupt();
      const uint64_t id = v[ff::kId];
      if (id == 0) return Error("function id 0 is not allowed");
      if (!function_ids_.Add(id, static_cast<uint32_t>(out_.functions.size())))
        return Error(fmt::format("duplicate function id {}", id));
      Function fn;
      if (!Str(v[ff::kName], &fn.name, "function") || !Str(v[ff::kSystemName], &fn.system_name, "function") ||
          !Str(v[ff::kFilename], &fn.filename, "function"))
        return StringError();
      fn.start_line = static_cast<int64_t>(v[ff::kStartLine]);
      out_.functions.push_back(fn);
    }
    return Status();
  }

  // Location, with its Lines (inlined frames, callee first).
  Status DecodeLocations() {
    namespace lf = location_field;
    out_.locations.reserve(f_.locations.size());
    out_.lines.reserve(f_.locations.size() + f_.locations.size() / 4);
    struct PendingLine {
      uint64_t function_id;
      int64_t line;
    };
    std::vector<PendingLine> lines;
    for (std::string_view bytes : f_.locations) {
      uint64_t id = 0, mapping_id = 0, address = 0, folded = 0;
      lines.clear();
      WireReader r(bytes);
      while (!r.done()) {
        uint32_t field, wire_type;
        if (!r.Tag(&field, &wire_type)) return Corrupt();
        bool ok = true;
        switch (field) {
          case lf::kId: ok = ReadScalar(r, wire_type, &id); break;
          case lf::kMappingId: ok = ReadScalar(r, wire_type, &mapping_id); break;
          case lf::kAddress: ok = ReadScalar(r, wire_type, &address); break;
          case lf::kIsFolded: ok = ReadScalar(r, wire_type, &folded); break;
          case lf::kLine: {
            if (wire_type != kLengthDelimited) {
              ok = r.Skip(wire_type);
              break;
            }
            std::string_view line_bytes;
            if (!r.Bytes(&line_bytes)) return Corrupt();
            uint64_t lv[line_field::kLine + 1] = {};
            if (!wire::ReadScalarFields(line_bytes, lv)) return Corrupt();
            lines.push_back(PendingLine{lv[line_field::kFunctionId], static_cast<int64_t>(lv[line_field::kLine])});
            break;
          }
          default: ok = r.Skip(wire_type);
        }
        if (!ok) return Corrupt();
      }
      if (id == 0) return Error("location id 0 is not allowed");
      if (!location_ids_.Add(id, static_cast<uint32_t>(out_.locations.size())))
        return Error(fmt::format("duplicate location id {}", id));
      Location loc;
      loc.address = address;
      loc.is_folded = folded != 0;
      if (mapping_id != 0) {
        loc.mapping = mapping_ids_.Find(mapping_id);
        if (loc.mapping == IdIndex::kMissing)
          return Error(fmt::format("location {} refers to mapping id {}, which does not exist", id, mapping_id));
      }
      loc.first_line = static_cast<uint32_t>(out_.lines.size());
      loc.num_lines = static_cast<uint32_t>(lines.size());
      for (const PendingLine& line : lines) {
        uint32_t fn = function_ids_.Find(line.function_id);
        if (line.function_id == 0 || fn == IdIndex::kMissing)
          return Error(fmt::format("location {} refers to function id {}, which does not exist", id, line.function_id));
        out_.lines.push_back(Line{fn, line.line});
      }
      out_.locations.push_back(loc);
    }
    return Status();
  }

  // Samples at least this many are checked in slices on decode_threads_.
  static constexpr size_t kParallelCheck = 1 << 16;

  // Samples, with their Labels: stored in out_'s arrays (kStore), or only
  // checked the same way, in slices on threads when there are many, with
  // what later stages ask of the values kept in out_.wire. Either way the
  // values' totals must fit (ValueTotalsCheck).
  template <bool kStore>
  Status DecodeSamples() {
    const size_t num_types = out_.sample_types.size(), num_samples = f_.samples.size();
    if constexpr (kStore) {
      size_t sample_bytes = 0;
      for (std::string_view s : f_.samples) sample_bytes += s.size();
      ReserveHuge(out_.samples, num_samples);
      ReserveHuge(out_.values, num_samples * num_types);
      ReserveHuge(out_.stack_locations, sample_bytes / 3);  // ids take 1-3 bytes each
      ReserveHuge(out_.labels, num_samples);
    }
    // Frames per location (by id when only checked), in a small array the
    // loop below reads once per stack entry.
    std::vector<uint32_t> frames_at = FramesAt();
    if constexpr (!kStore) frames_at = FramesOfId(frames_at);
    const size_t slices = !kStore && decode_threads_ > 1 && num_samples >= kParallelCheck ? 2 : 1;
    std::vector<SampleCheck> checks(slices, SampleCheck(num_types));
    if constexpr (kStore) {
      StoreSamples(frames_at, checks[0]);
    } else {
      ForEachSlice(num_samples, slices,
                   [&](size_t slice, size_t begin, size_t end) { CheckSamples(begin, end, frames_at, checks[slice]); });
    }
    for (size_t slice = 1; slice < slices; ++slice) checks[0].AddAfter(checks[slice]);
    SampleCheck& all = checks[0];
    RETURN_IF_ERROR(SampleCheckResult(all, out_.source));
    if constexpr (!kStore) {
      out_.wire->any_without_stack = all.any_without_stack;
      out_.wire->check = std::move(all);
    }
    return Status();
  }

  // Per location, its frames (inlined ones count).
  std::vector<uint32_t> FramesAt() const {
    std::vector<uint32_t> frames_at(out_.locations.size());
    for (size_t l = 0; l < out_.locations.size(); ++l)
      frames_at[l] = std::max<uint32_t>(1, out_.locations[l].num_lines);
    return frames_at;
  }
  // The same by location id (ids are dense here), 0 for an id that is none.
  std::vector<uint32_t> FramesOfId(const std::vector<uint32_t>& frames_at) const {
    std::vector<uint32_t> by_id(location_ids_.dense_size(), 0);
    for (size_t id = 1; id < by_id.size(); ++id)
      if (const uint32_t loc = location_ids_.Find(id); loc != IdIndex::kMissing) by_id[id] = frames_at[loc];
    return by_id;
  }

  // Checks samples [begin, end) into `c`. Reads only what the tables made,
  // so ranges may be checked on threads at once.
  void CheckSamples(size_t begin, size_t end, const std::vector<uint32_t>& frames_of_id, SampleCheck& c) const {
    const SampleRules rules{out_.source, out_.sample_types.size(), strings_.size(), limits_.max_stack_depth};
    WireSampleChecker checker(rules, frames_of_id, c);
    for (size_t i = begin; i < end; ++i)
      if (!checker.Check(f_.samples[i], i)) return;
  }

  // Checks every sample into `c` and stores it in out_'s arrays.
  void StoreSamples(const std::vector<uint32_t>& frames_at, SampleCheck& c) {
    const SampleRules rules{out_.source, out_.sample_types.size(), strings_.size(), limits_.max_stack_depth};
    // What one sample holds, as ParseSample hands it over.
    struct Sink {
      Decoder& d;
      const std::vector<uint32_t>& frames_at;
      SampleCheck& c;
      const SampleRules& rules;
      SampleFaults faults;
      uint64_t locations = 0, labels = 0;
      void Location(uint64_t id) {
        if (const uint32_t loc = d.location_ids_.Find(id); id != 0 && loc != IdIndex::kMissing) {
          d.out_.stack_locations.push_back(loc);
          faults.depth += frames_at[loc];
          ++locations;
          return;
        }
        faults.MissingLocation(id);
      }
      void Value(uint64_t raw) {
        const auto v = static_cast<int64_t>(raw);
        d.out_.values.push_back(v);
        if (faults.values < rules.num_types) c.AddValue(faults.values, v);  // more: the sample is refused
        ++faults.values;
      }
      void Label(const uint64_t (&lv)[wire::label_field::kNumUnit + 1]) {
        namespace lbf = wire::label_field;
        if (!faults.LabelFits(lv, rules.num_strings)) return;
        d.out_.labels.push_back(::pprof_trend::Label{d.strings_[lv[lbf::kKey]], d.strings_[lv[lbf::kStr]],
                                                     static_cast<int64_t>(lv[lbf::kNum]), d.strings_[lv[lbf::kNumUnit]],
                                                     lv[lbf::kStr] == 0});
        ++labels;
      }
    };
    for (size_t i = 0; i < f_.samples.size(); ++i) {
      Sample sample;
      sample.first_location = out_.stack_locations.size();
      sample.first_label = out_.labels.size();
      Sink sink{*this, frames_at, c, rules, SampleFaults()};
      sink.faults.corrupt = !wire::ParseSample(f_.samples[i], sink);
      c.error = SampleError(rules, i, sink.faults);
      if (!c.error.ok()) return;
      sample.num_locations = static_cast<uint32_t>(sink.locations);
      sample.num_labels = static_cast<uint32_t>(sink.labels);
      out_.samples.push_back(sample);
    }
  }

  // Whether a sample record has no location, read from the records' first
  // bytes where they say (Go writes a sample's location ids first, packed):
  // so that a fold that checks the samples itself knows before it starts
  // whether a "(no stack)" frame is needed. A record that does not parse
  // counts as having one; the fold refuses it.
  bool AnyRecordWithoutStack() const {
    struct Counter {
      bool any = false;
      void Location(uint64_t) { any = true; }
      void Value(uint64_t) {}
      void Label(const uint64_t (&)[wire::label_field::kNumUnit + 1]) {}
    };
    for (std::string_view record : f_.samples) {
      WireReader r(record);
      uint32_t field, wire_type;
      uint64_t packed_bytes = 0;
      if (r.Tag(&field, &wire_type) && field == wire::sample_field::kLocationId &&
          (wire_type == kVarint || (wire_type == kLengthDelimited && r.Varint(&packed_bytes) && packed_bytes > 0)))
        continue;
      Counter counter;
      if (wire::ParseSample(record, counter) && !counter.any) return true;
    }
    return false;
  }

  const ProfileFields& f_;
  Profile& out_;
  const Limits& limits_;
  const unsigned decode_threads_;
  std::vector<std::string_view> strings_;
  std::string bad_string_;
  IdIndex mapping_ids_, function_ids_, location_ids_;
};

}  // namespace

namespace {

// The decode; with `records`, the samples are left on the wire and their
// records handed back (the caller then hands the bytes over).
StatusOr<Profile> Decode(std::string_view bytes, std::string source, const Limits& limits,
                         std::vector<std::string_view>* records, unsigned threads = 1, bool check_samples = true) {
  Profile profile;
  profile.source = std::move(source);
  ProfileFields fields;
  if (!ScanProfile(bytes, &fields))
    return Status::InputError(fmt::format("{}: not a pprof profile (corrupt or truncated protobuf)", profile.source));
  if (fields.repeated_singular != nullptr)
    return Status::InputError(fmt::format(
        "{}: two or more profiles concatenated in one file ({} occurs twice; pprof says \"concatenated profiles "
        "detected\"): give each capture as its own file",
        profile.source, fields.repeated_singular));
  RETURN_IF_ERROR(Decoder(fields, profile, limits, threads).Run(records != nullptr, check_samples));
  if (records != nullptr) *records = std::move(fields.samples);
  return profile;
}

}  // namespace

StatusOr<Profile> DecodePprof(std::string_view bytes, std::string source, const Limits& limits) {
  return Decode(bytes, std::move(source), limits, nullptr);
}

StatusOr<Profile> DecodePprofOnWire(std::string bytes, std::string source, const Limits& limits, unsigned threads,
                                    bool check_samples) {
  return DecodePprofOnWireFrom(bytes, std::move(source), limits, threads, check_samples);
}

StatusOr<Profile> DecodePprofOnWireFrom(std::string& bytes, std::string source, const Limits& limits, unsigned threads,
                                        bool check_samples) {
  std::vector<std::string_view> records;
  ASSIGN_OR_RETURN(Profile profile, Decode(bytes, std::move(source), limits, &records, threads, check_samples));
  if (!profile.wire) return profile;  // decoded whole (ids not Go's 1..n)
  const char* const before = bytes.data();
  WireSamples& w = *profile.wire;
  w.bytes = std::move(bytes);
  // A move keeps a long string's buffer; were it copied, the records move with it.
  if (w.bytes.data() != before)
    for (std::string_view& r : records) r = std::string_view(w.bytes.data() + (r.data() - before), r.size());
  w.records = std::move(records);
  return profile;
}

}  // namespace pprof_trend
