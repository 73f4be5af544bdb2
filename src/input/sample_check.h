// Checking a pprof profile's sample records: what the decoder refuses in a
// sample, said the same way wherever the check runs (in the decoder; or,
// left to later by LoadOptions::check_samples_in_fold, by the loader while it
// waits for its turn and by the fold of a series, which reads each record
// anyway), and what later stages ask of the values as a whole (SampleCheck).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "input/wire_format.h"
#include "model/profile.h"

namespace pprof_trend {

// "not a pprof profile (corrupt or truncated protobuf)": a record that does
// not parse.
inline constexpr std::string_view kCorruptProtobuf = "not a pprof profile (corrupt or truncated protobuf)";

// Why string index `index` in `field` cannot be resolved.
std::string BadStringIndex(int64_t index, std::string_view field, size_t num_strings);

// What one sample record held that a profile may not: each fault's first
// instance. SampleError says the one a decoder says.
struct SampleFaults {
  bool corrupt = false;           // the record does not parse
  bool bad_label = false;         // a label's string index is out of range
  int64_t bad_string = 0;         // the first such index
  uint64_t values = 0;            // how many values it has
  bool missing_location = false;  // it names a location id that does not exist
  uint64_t bad_location = 0;      // the first such id
  uint64_t depth = 0;             // its frames, inlined ones included

  // Notes label string index `raw`; false (the first bad one kept) when it
  // is not below `num_strings`.
  bool StringIndexFits(uint64_t raw, size_t num_strings) {
    if (raw < num_strings) return true;
    if (!bad_label) bad_string = static_cast<int64_t>(raw);
    bad_label = true;
    return false;
  }
  // Notes a label's string indices (key, str, num_unit); false when one is
  // out of range (the first bad one kept).
  bool LabelFits(const uint64_t (&fields)[wire::label_field::kNumUnit + 1], size_t num_strings) {
    namespace lbf = wire::label_field;
    return StringIndexFits(fields[lbf::kKey], num_strings) && StringIndexFits(fields[lbf::kStr], num_strings) &&
           StringIndexFits(fields[lbf::kNumUnit], num_strings);
  }
  void MissingLocation(uint64_t id) {
    if (!missing_location) bad_location = id;
    missing_location = true;
  }
};

// The shape a profile's sample records must have.
struct SampleRules {
  std::string_view source;  // the profile's name, which starts every error
  size_t num_types = 0;     // values per sample
  size_t num_strings = 0;   // the string table's size
  uint64_t max_stack_depth = 0;
};

// The rules of a profile whose samples stayed on the wire (Profile::wire).
inline SampleRules WireSampleRules(const Profile& profile) {
  return SampleRules{profile.source, profile.sample_types.size(), profile.wire->strings.size(),
                     profile.wire->max_stack_depth};
}

// Sample `index`'s error (ok when it has none), in the decoder's order:
// corrupt, a bad label string, a value count other than the types', a
// missing location, a stack deeper than the limit.
Status SampleError(const SampleRules& rules, size_t index, const SampleFaults& faults);

// Notes checked sample `index` in `check`: its error, or whether it has no
// stack (`locations`: how many location ids it names). False on an error.
inline bool NoteCheckedSample(SampleCheck& check, const SampleRules& rules, size_t index, const SampleFaults& faults,
                              size_t locations) {
  if (Status error = SampleError(rules, index, faults); !error.ok()) {
    check.error = std::move(error);
    return false;
  }
  if (locations == 0) check.any_without_stack = true;
  return true;
}

// Checks sample records on the wire as the decoder checks them, keeping
// nothing of them but what `check` counts: the decoder's check, and the
// loader's of what the decoder left (CheckMoreSamples).
class WireSampleChecker {
 public:
  // `frames_of_id`: per location id, its frames (inlined ones count), 0 for
  // an id that is none. All three must outlive the checker.
  WireSampleChecker(const SampleRules& rules, std::span<const uint32_t> frames_of_id, SampleCheck& check)
      : rules_(rules), frames_of_id_(frames_of_id), check_(check) {}

  // Checks record `index`: false (check.error says why) when it is bad.
  bool Check(std::string_view record, size_t index) {
    faults_ = SampleFaults();
    locations_ = 0;
    faults_.corrupt = !wire::ParseSample(record, *this);
    return NoteCheckedSample(check_, rules_, index, faults_, locations_);
  }

  // wire::ParseSample's sink.
  void Location(uint64_t id) {
    const uint32_t frames = id < frames_of_id_.size() ? frames_of_id_[id] : 0;
    if (frames == 0) [[unlikely]] {
      faults_.MissingLocation(id);
      return;
    }
    faults_.depth += frames;
    ++locations_;
  }
  void Value(uint64_t raw) {
    if (faults_.values < rules_.num_types) check_.AddValue(faults_.values, static_cast<int64_t>(raw));  // more: refused
    ++faults_.values;
  }
  void Label(const uint64_t (&fields)[wire::label_field::kNumUnit + 1]) {
    faults_.LabelFits(fields, rules_.num_strings);
  }

 private:
  const SampleRules& rules_;
  std::span<const uint32_t> frames_of_id_;
  SampleCheck& check_;
  SampleFaults faults_;
  uint64_t locations_ = 0;
};

// The error of a profile's samples once every range is added up in `check`:
// the first bad sample's, else totals that overflow.
Status SampleCheckResult(const SampleCheck& check, std::string_view source);

// Checks up to `count` more of the samples a decoder left unchecked
// (WireSamples::checked, from the first unchecked one on), into
// WireSamples::check; once every one is, the profile is as one the decoder
// checked. The first bad sample's error, or the totals' overflow once all
// are checked.
Status CheckMoreSamples(Profile& profile, size_t count);

// Completes the check of a profile whose samples past WireSamples::checked
// were checked by a stage reading them, range by range: `ranges`' checks in
// record order, together covering every record from WireSamples::checked
// on (a range that met a bad record ends there). Every sample is then
// checked, as the decoder would have: the first bad sample's error, else
// the totals' overflow.
Status CompleteSampleCheck(Profile& profile, std::span<const SampleCheck> ranges);

}  // namespace pprof_trend
