// Reading the samples of a profile whose samples stayed on the wire
// (Profile::wire, LoadOptions::samples_on_wire), one at a time, into buffers
// reused from sample to sample. The decoder checked every record (its
// location ids exist, one value per sample type, label strings in range), so
// reading one cannot fail.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "input/wire_format.h"
#include "model/profile.h"

namespace pprof_trend {

class WireSampleReader {
 public:
  explicit WireSampleReader(const WireSamples& samples) : w_(samples) {}

  // Reads sample `i` (in file order); its parts are valid until the next Read.
  void Read(size_t i) {
    locations_.clear();
    values_.clear();
    size_.reset();
    wire::ParseSample(w_.records[i], *this);
  }
  // Indices into Profile::locations, leaf first, as Profile::Stack gives them.
  std::span<const uint32_t> locations() const { return locations_; }
  // One per sample type, as Profile::Values gives them.
  std::span<const int64_t> values() const { return values_; }
  // The first numeric label keyed "bytes" (a Go heap profile's object size).
  std::optional<int64_t> size() const { return size_; }

  // wire::ParseSample's sink.
  void Location(uint64_t id) { locations_.push_back(w_.location_of_id[id]); }
  void Value(uint64_t v) { values_.push_back(static_cast<int64_t>(v)); }
  void Label(const uint64_t (&fields)[wire::label_field::kNumUnit + 1]) {
    namespace lbf = wire::label_field;
    if (!size_ && fields[lbf::kStr] == 0 && w_.size_key[fields[lbf::kKey]] != 0)
      size_ = static_cast<int64_t>(fields[lbf::kNum]);
  }

 private:
  const WireSamples& w_;
  std::vector<uint32_t> locations_;
  std::vector<int64_t> values_;
  std::optional<int64_t> size_;
};

}  // namespace pprof_trend
