// Reading a profile's samples one at a time, wherever they are: decoded into
// Profile's arrays, or left on the wire (Profile::wire, LoadOptions::
// samples_on_wire) and decoded here into buffers reused from sample to
// sample. Both readers give the same parts the same way, so a stage that
// reads each sample once is written once, over either (VisitSamples):
//
//   VisitSamples(profile, [&](auto& samples) {
//     for (size_t i = 0; i < profile.num_samples(); ++i) {
//       samples.Read(i);
//       ... samples.locations(), samples.values(), samples.size(), samples.labels() ...
//     }
//   });
//
// The decoder checked every record on the wire (its location ids exist, one
// value per sample type, label strings in range), so reading one cannot fail;
// unless it left the check to later (records past WireSamples::checked),
// which only a CheckingWireSampleReader reads.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "input/sample_check.h"
#include "input/wire_format.h"
#include "model/profile.h"

namespace pprof_trend {

// The key of the numeric label that gives a sample's object size (Go heap
// profiles key their buckets by stack and size).
inline constexpr std::string_view kSizeLabelKey = "bytes";

// The samples of a decoded profile.
class DecodedSampleReader {
 public:
  explicit DecodedSampleReader(const Profile& profile) : profile_(profile) {}
  bool Read(size_t i) {
    i_ = i;
    return true;  // checked when decoded
  }
  static constexpr bool DepthFits(size_t, uint64_t) { return true; }
  // Indices into Profile::locations, leaf first.
  std::span<const uint32_t> locations() const { return profile_.Stack(profile_.samples[i_]); }
  // One per sample type.
  std::span<const int64_t> values() const { return profile_.Values(i_); }
  std::span<const Label> labels() const { return profile_.Labels(profile_.samples[i_]); }
  // The first numeric label keyed kSizeLabelKey.
  std::optional<int64_t> size() const {
    for (const Label& label : labels())
      if (label.is_numeric && label.key == kSizeLabelKey) return label.num;
    return std::nullopt;
  }

 private:
  const Profile& profile_;
  size_t i_ = 0;
};

// The samples of a profile whose samples stayed on the wire. With kCheck
// (for records past WireSamples::checked, whose check was left to later),
// each record is checked as it is read, as the decoder would have checked it
// (input/sample_check.h), and its values counted into a SampleCheck; Read
// says whether it is good, and a bad one's parts are not to be used.
template <bool kCheck>
class BasicWireSampleReader {
 public:
  explicit BasicWireSampleReader(const WireSamples& samples) requires(!kCheck) : w_(samples) {}
  // `rules` and `check` must outlive the reader.
  BasicWireSampleReader(const WireSamples& samples, const SampleRules& rules, SampleCheck& check) requires kCheck
      : w_(samples),
        rules_(&rules),
        check_(&check) {}

  // Reads sample `i` (in file order); its parts are valid until the next
  // Read. false (kCheck only): the record is bad, and check.error says why.
  bool Read(size_t i) {
    const std::string_view record = w_.records[i];
    // A record of n bytes holds at most n ids and n values: room for them
    // first, so each is stored without a check.
    if (locations_.size() < record.size()) {
      locations_.resize(record.size());
      values_.resize(record.size());
    }
    num_locations_ = num_values_ = 0;
    raw_labels_.clear();
    labels_.clear();
    size_.reset();
    if constexpr (kCheck) {
      faults_ = SampleFaults();
      faults_.corrupt = !wire::ParseSample(record, *this);
      faults_.values = num_values_;
      if (!NoteCheckedSample(*check_, *rules_, i, faults_, num_locations_)) return false;
    } else {
      wire::ParseSample(record, *this);
    }
    return true;
  }
  // After a good Read: false (and check.error says why) when the sample's
  // stack of `depth` frames is over the limit.
  bool DepthFits(size_t i, uint64_t depth) {
    if constexpr (kCheck) {
      if (depth <= rules_->max_stack_depth) return true;
      faults_.depth = depth;
      check_->error = SampleError(*rules_, i, faults_);
      return false;
    }
    return true;
  }
  std::span<const uint32_t> locations() const { return {locations_.data(), num_locations_}; }
  std::span<const int64_t> values() const { return {values_.data(), num_values_}; }
  std::optional<int64_t> size() const { return size_; }
  // Made on the first call after a Read (most stages need only size()).
  std::span<const ::pprof_trend::Label> labels() {
    if (labels_.size() != raw_labels_.size()) {
      namespace lbf = wire::label_field;
      labels_.clear();
      for (const RawLabel& raw : raw_labels_)
        labels_.push_back(::pprof_trend::Label{w_.strings[raw[lbf::kKey]], w_.strings[raw[lbf::kStr]],
                                               static_cast<int64_t>(raw[lbf::kNum]), w_.strings[raw[lbf::kNumUnit]],
                                               raw[lbf::kStr] == 0});
    }
    return labels_;
  }

  // wire::ParseSample's sink.
  void Location(uint64_t id) {
    if constexpr (kCheck) {
      const uint32_t location = id < w_.location_of_id.size() ? w_.location_of_id[id] : kNoLocation;
      if (location == kNoLocation) [[unlikely]] {
        faults_.MissingLocation(id);
        return;
      }
      locations_[num_locations_++] = location;
    } else {
      locations_[num_locations_++] = w_.location_of_id[id];
    }
  }
  void Value(uint64_t v) {
    if constexpr (kCheck)
      if (num_values_ < rules_->num_types) check_->AddValue(num_values_, static_cast<int64_t>(v));
    values_[num_values_++] = static_cast<int64_t>(v);
  }
  void Label(const uint64_t (&fields)[wire::label_field::kNumUnit + 1]) {
    namespace lbf = wire::label_field;
    if constexpr (kCheck)
      if (!faults_.LabelFits(fields, w_.strings.size())) return;
    if (!size_ && fields[lbf::kStr] == 0 && w_.strings[fields[lbf::kKey]] == kSizeLabelKey)
      size_ = static_cast<int64_t>(fields[lbf::kNum]);
    raw_labels_.push_back(RawLabel{fields[0], fields[1], fields[2], fields[3], fields[4]});
  }

 private:
  static constexpr uint32_t kNoLocation = UINT32_MAX;  // WireSamples::location_of_id's "none"
  using RawLabel = std::array<uint64_t, wire::label_field::kNumUnit + 1>;
  const WireSamples& w_;
  const SampleRules* rules_ = nullptr;  // kCheck
  SampleCheck* check_ = nullptr;        // kCheck
  SampleFaults faults_;                 // kCheck: of the sample read last
  std::vector<uint32_t> locations_;
  std::vector<int64_t> values_;
  size_t num_locations_ = 0, num_values_ = 0;
  std::vector<RawLabel> raw_labels_;
  std::vector<::pprof_trend::Label> labels_;
  std::optional<int64_t> size_;
};
using WireSampleReader = BasicWireSampleReader<false>;
using CheckingWireSampleReader = BasicWireSampleReader<true>;

// Calls `visit(reader)` with the reader of `profile`'s samples: a
// WireSampleReader when they stayed on the wire, else a DecodedSampleReader.
template <typename Visit>
void VisitSamples(const Profile& profile, Visit&& visit) {
  if (!profile.SamplesChecked()) throw std::logic_error(profile.source + ": samples read before they were checked");
  if (profile.wire) {
    WireSampleReader reader(*profile.wire);
    visit(reader);
  } else {
    DecodedSampleReader reader(profile);
    visit(reader);
  }
}

// Calls `visit(reader, from, to)` over samples [begin, end) of `profile`, in
// order, each range with the reader it needs: the samples already checked
// (all of a decoded or decoder-checked profile; on the wire, those before
// WireSamples::checked) with a plain one, the rest with a
// CheckingWireSampleReader that counts them into `check`. A stage that reads
// a profile the decoder left unchecked (LoadOptions::check_samples_in_fold)
// thus checks each record as it reads it, once.
template <typename Visit>
void VisitSampleRange(const Profile& profile, size_t begin, size_t end, SampleCheck& check, Visit&& visit) {
  if (profile.SamplesChecked()) {
    VisitSamples(profile, [&](auto& samples) { visit(samples, begin, end); });
    return;
  }
  const WireSamples& w = *profile.wire;
  const size_t checked = std::clamp(w.checked, begin, end);
  if (begin < checked) {
    WireSampleReader samples(w);
    visit(samples, begin, checked);
  }
  if (checked < end) {
    const SampleRules rules = WireSampleRules(profile);
    CheckingWireSampleReader samples(w, rules, check);
    visit(samples, checked, end);
  }
}

}  // namespace pprof_trend
