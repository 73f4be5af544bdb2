// The protobuf wire format, read in place: the primitives the pprof reader
// is made of (profile_reader.cc), and the one message read again after
// decoding, Sample, for a profile whose samples stay on the wire
// (sample_reader.h). No message objects, no per-field allocation.
// proto/profile.proto defines the field numbers.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace pprof_trend::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

namespace sample_field {  // message Sample
enum : uint32_t { kLocationId = 1, kValue = 2, kLabel = 3 };
}
namespace label_field {  // message Label
enum : uint32_t { kKey = 1, kStr = 2, kNum = 3, kNumUnit = 4 };
}

// Field numbers of the other messages of proto/profile.proto, one enum each
// (the decoder's, profile_reader.cc, and those inspect reads while a file
// inflates, output/streamed_sums.cc).
namespace fields {
namespace profile_field {  // message Profile
enum : uint32_t {
  kSampleType = 1,         // repeated ValueType sample_type
  kSample = 2,             // repeated Sample sample
  kMapping = 3,            // repeated Mapping mapping
  kLocation = 4,           // repeated Location location
  kFunction = 5,           // repeated Function function
  kStringTable = 6,        // repeated string string_table
  kDropFrames = 7,         // int64 drop_frames (string index)
  kKeepFrames = 8,         // int64 keep_frames (string index)
  kTimeNanos = 9,          // int64 time_nanos
  kDurationNanos = 10,     // int64 duration_nanos
  kPeriodType = 11,        // ValueType period_type
  kPeriod = 12,            // int64 period
  kComment = 13,           // repeated int64 comment (string indices)
  kDefaultSampleType = 14  // int64 default_sample_type (string index)
};
}  // namespace profile_field
namespace value_type_field {  // message ValueType
enum : uint32_t { kType = 1, kUnit = 2 };
}
namespace mapping_field {  // message Mapping (has_* flags after build_id are not read)
enum : uint32_t { kId = 1, kMemoryStart = 2, kMemoryLimit = 3, kFileOffset = 4, kFilename = 5, kBuildId = 6 };
}
namespace location_field {  // message Location
enum : uint32_t { kId = 1, kMappingId = 2, kAddress = 3, kLine = 4, kIsFolded = 5 };
}
namespace line_field {  // message Line (column = 3 is not read)
enum : uint32_t { kFunctionId = 1, kLine = 2 };
}
namespace function_field {  // message Function
enum : uint32_t { kId = 1, kName = 2, kSystemName = 3, kFilename = 4, kStartLine = 5 };
}
}  // namespace fields

class WireReader {
 public:
  explicit WireReader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }
  // Where the next read starts.
  const char* position() const { return reinterpret_cast<const char*>(p_); }

  bool Varint(uint64_t* v) {
    // Most varints of a profile are one byte (ids, small values): taken at
    // once. With 10 bytes left (a varint's most), no bounds check per byte.
    if (p_ != end_ && *p_ < 0x80) {
      *v = *p_++;
      return true;
    }
    // Two bytes: a Go profile's location ids past 127 (thousands of them).
    if (end_ - p_ >= 2 && p_[1] < 0x80) {
      *v = (p_[0] & 0x7fu) | (static_cast<uint64_t>(p_[1]) << 7);
      p_ += 2;
      return true;
    }
    if (end_ - p_ >= 10) {
      const uint8_t* p = p_;
      uint64_t result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        const uint8_t b = *p++;
        if (shift == 63 && b > 1) return false;  // more than 64 bits
        result |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          *v = result;
          p_ = p;
          return true;
        }
      }
      return false;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = *p_++;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  // Reads a field's tag; false at a malformed tag (field 0, groups, bad type).
  bool Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag;
    if (!Varint(&tag)) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    if (*field == 0 || (tag >> 3) > std::numeric_limits<uint32_t>::max()) return false;
    return *wire_type == kVarint || *wire_type == kFixed64 || *wire_type == kLengthDelimited || *wire_type == kFixed32;
  }

  bool Bytes(std::string_view* out) {
    uint64_t len;
    if (!Varint(&len) || len > static_cast<uint64_t>(end_ - p_)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(len));
    p_ += len;
    return true;
  }

  bool Skip(uint32_t wire_type) {
    uint64_t v;
    std::string_view s;
    switch (wire_type) {
      case kVarint: return Varint(&v);
      case kFixed64: return Advance(8);
      case kFixed32: return Advance(4);
      case kLengthDelimited: return Bytes(&s);
    }
    return false;
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

// A scalar field: the last occurrence wins (proto3). Only varints are valid
// for the integer and bool fields pprof uses.
inline bool ReadScalar(WireReader& r, uint32_t wire_type, uint64_t* out) {
  if (wire_type != kVarint) return r.Skip(wire_type);
  return r.Varint(out);
}

// A message of integer fields (a Line, a Label, a Mapping, a Function):
// values[n] is field n's value for n in 1 .. N-1, the last occurrence of each
// (0 when absent); other fields are skipped. False at malformed bytes.
template <size_t N>
bool ReadScalarFields(std::string_view bytes, uint64_t (&values)[N]) {
  WireReader r(bytes);
  while (!r.done()) {
    uint32_t number, wire_type;
    if (!r.Tag(&number, &wire_type)) return false;
    if (!(number < N ? ReadScalar(r, wire_type, &values[number]) : r.Skip(wire_type))) return false;
  }
  return true;
}

// A repeated integer field, packed (one length-delimited run) or not.
template <typename Sink>
bool ReadRepeated(WireReader& r, uint32_t wire_type, Sink&& sink) {
  uint64_t v;
  if (wire_type == kVarint) {
    if (!r.Varint(&v)) return false;
    sink(v);
    return true;
  }
  if (wire_type != kLengthDelimited) return r.Skip(wire_type);
  std::string_view packed;
  if (!r.Bytes(&packed)) return false;
  WireReader inner(packed);
  while (!inner.done()) {
    if (!inner.Varint(&v)) return false;
    sink(v);
  }
  return true;
}

// The fields of one Sample message, in wire order, handed to `sink`:
//   sink.Location(id)       each location id, leaf first
//   sink.Value(v)           each value, in sample-type order
//   sink.Label(fields)      each Label, fields[label_field::kKey .. kNumUnit]
//                           (the last occurrence of each wins; 0 when absent)
// Other fields are skipped. False at malformed bytes.
template <typename Sink>
bool ParseSample(std::string_view record, Sink& sink) {
  WireReader r(record);
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return false;
    bool ok = true;
    if (field == sample_field::kLocationId) {
      ok = ReadRepeated(r, wire_type, [&](uint64_t id) { sink.Location(id); });
    } else if (field == sample_field::kValue) {
      ok = ReadRepeated(r, wire_type, [&](uint64_t v) { sink.Value(v); });
    } else if (field == sample_field::kLabel && wire_type == kLengthDelimited) {
      std::string_view label_bytes;
      uint64_t fields[label_field::kNumUnit + 1] = {};
      if (!r.Bytes(&label_bytes) || !ReadScalarFields(label_bytes, fields)) return false;
      sink.Label(fields);
    } else {
      ok = r.Skip(wire_type);
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace pprof_trend::wire
