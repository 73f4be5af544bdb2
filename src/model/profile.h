// The in-memory model of one profile: what every input format decodes into
// and what every later stage reads. Plain data, no behaviour beyond lookups.
//
// Strings are views into the profile's own string pool (the decoded string
// table, stored once); ids from the file are resolved to vector indices at
// load time, so nothing downstream ever sees a file id. Stacks and values are
// flat arrays sliced per sample to avoid one allocation per sample or frame.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace pprof_trend {

// Owns the bytes of every string in a profile. Views handed out stay valid
// for the pool's lifetime, including across moves of the pool.
class StringPool {
 public:
  // Allocates room for `total_bytes` of string data; views from Add point into it.
  void Reserve(size_t total_bytes) {
    data_ = std::make_unique_for_overwrite<char[]>(total_bytes == 0 ? 1 : total_bytes);
    capacity_ = total_bytes;
    used_ = 0;
  }
  // Copies `s` into the pool. The caller reserved enough room beforehand.
  std::string_view Add(std::string_view s) {
    char* dst = data_.get() + used_;
    s.copy(dst, s.size());
    used_ += s.size();
    return {dst, s.size()};
  }
  size_t size_bytes() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t used_ = 0;
};

struct ValueType {
  std::string_view type;  // e.g. "inuse_space"
  std::string_view unit;  // e.g. "bytes"
  bool operator==(const ValueType&) const = default;
};

struct Mapping {
  uint64_t memory_start = 0;
  uint64_t memory_limit = 0;
  uint64_t file_offset = 0;
  std::string_view filename;
  std::string_view build_id;
};

struct Function {
  std::string_view name;         // e.g. "main.recordSession"
  std::string_view system_name;  // the linker's name; often equal to name
  std::string_view filename;
  int64_t start_line = 0;
};

// One frame of a location: a function and a line in it.
struct Line {
  uint32_t function = 0;  // index into Profile::functions
  int64_t line = 0;
};

// A program counter. With inlining it holds several frames: lines() is
// innermost callee first, the outermost caller last (the format's order).
struct Location {
  static constexpr uint32_t kNoMapping = UINT32_MAX;
  uint64_t address = 0;
  uint32_t mapping = kNoMapping;  // index into Profile::mappings
  uint32_t first_line = 0;        // slice of Profile::lines
  uint32_t num_lines = 0;
  bool is_folded = false;
};

struct Label {
  std::string_view key;
  std::string_view str;       // set for string labels
  int64_t num = 0;            // set for numeric labels
  std::string_view num_unit;  // optional unit of num
  bool is_numeric = false;
};

// 24 bytes (the counts after both offsets: no padding), one per sample.
struct Sample {
  uint64_t first_location = 0;  // slice of Profile::stack_locations, leaf first
  uint64_t first_label = 0;     // slice of Profile::labels
  uint32_t num_locations = 0;
  uint32_t num_labels = 0;
};

// The Go runtime's memory statistics a capture carries (the "# runtime.MemStats"
// block that ends a ?debug=1 heap profile), in bytes; -1 where not given.
struct ProcessMemory {
  int64_t sys = -1, heap_alloc = -1, heap_sys = -1, heap_idle = -1, heap_inuse = -1, heap_released = -1;
  int64_t stack_inuse = -1, stack_sys = -1, mspan_sys = -1, mcache_sys = -1;
  int64_t buckhash_sys = -1, gc_sys = -1, other_sys = -1, next_gc = -1, num_gc = -1;
  // What the kernel counts for the process (watch --pid): its resident set,
  // its memory cgroup's usage and enforced limit.
  int64_t rss = -1, cgroup_current = -1, cgroup_max = -1;
  bool any() const { return sys >= 0 || rss >= 0 || cgroup_current >= 0 || cgroup_max >= 0; }
  // Sys and the parts it is the sum of (HeapSys, StackSys, MSpan, MCache, BuckHash, GC, Other) are all given.
  bool complete() const {
    return sys >= 0 && heap_sys >= 0 && heap_idle >= 0 && heap_inuse >= 0 && heap_released >= 0 && stack_sys >= 0 &&
           mspan_sys >= 0 && mcache_sys >= 0 && buckhash_sys >= 0 && gc_sys >= 0 && other_sys >= 0;
  }
};

// Every sample type's sum of |values| must stay below 2^62, so that totals,
// sums over sites and differences between captures cannot overflow int64.
// Real profiles are many orders of magnitude below; a hostile one is refused.
class ValueTotalsCheck {
 public:
  explicit ValueTotalsCheck(size_t types) : totals_(types, 0) {}
  // Counts value `v` of sample type `type`; false once a total is too large.
  bool Add(size_t type, int64_t v) {
    const uint64_t magnitude = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    if (magnitude > kMaxTotal) return false;
    uint64_t& total = totals_[type];
    total += magnitude;  // both <= 2^62: cannot wrap
    return total <= kMaxTotal;
  }
  // Adds the totals of another range of the same types; false once a total
  // is too large (the two checks' own Adds must have fitted).
  bool Merge(const ValueTotalsCheck& other) {
    bool fit = true;
    for (size_t t = 0; t < totals_.size(); ++t) {
      totals_[t] += other.totals_[t];  // both <= 2^62: cannot wrap
      fit = fit && totals_[t] <= kMaxTotal;
    }
    return fit;
  }

 private:
  static constexpr uint64_t kMaxTotal = uint64_t{1} << 62;
  std::vector<uint64_t> totals_;
};

// What checking a range of a profile's samples finds (input/sample_check.h
// checks them): the first bad sample's error, and what later stages ask of
// the values as a whole. Ranges are checked on their own and added up in
// order (AddAfter).
struct SampleCheck {
  explicit SampleCheck(size_t types) : totals(types), type_totals(types, 0), type_has_negative(types, 0) {}
  Status error;  // of the range's first bad sample
  ValueTotalsCheck totals;
  bool totals_fit = true;
  std::vector<int64_t> type_totals;  // while totals_fit
  std::vector<uint8_t> type_has_negative;
  bool any_without_stack = false;

  // Counts value `v` of sample type `type` (< the number of types).
  void AddValue(size_t type, int64_t v) {
    totals_fit = totals.Add(type, v) && totals_fit;
    if (totals_fit) type_totals[type] += v;  // |sum| <= 2^62: no overflow
    if (v < 0) type_has_negative[type] = 1;
  }
  // The check of the samples before this range, then `next`'s.
  void AddAfter(const SampleCheck& next) {
    if (error.ok()) error = next.error;
    totals_fit = totals_fit && next.totals_fit && totals.Merge(next.totals);
    for (size_t t = 0; t < type_totals.size(); ++t) {
      if (totals_fit) type_totals[t] += next.type_totals[t];  // |sum| <= 2^62: no overflow
      type_has_negative[t] |= next.type_has_negative[t];
    }
    any_without_stack = any_without_stack || next.any_without_stack;
  }
  // As a new check of `types` types.
  void Reset(size_t types) { *this = SampleCheck(types); }
};

// A pprof protobuf's samples left as they are on the wire (LoadOptions::
// samples_on_wire): folding a series reads each sample once, straight from
// these bytes (input/sample_reader.h), so no per-sample arrays are made (on a
// Go heap profile they take twice the bytes of the protobuf itself). The
// decoder validated every record as it would have decoded it, and keeps what
// later stages ask of the values as a whole; or left the check to later
// (LoadOptions::check_samples_in_fold): the loader checks what it can while
// it waits for its turn to fold, and the fold checks the rest as it reads it.
struct WireSamples {
  std::string bytes;                      // the decompressed profile
  std::vector<std::string_view> records;  // each Sample message, in file order (into bytes)
  std::vector<uint32_t> location_of_id;   // location id -> index into Profile::locations; UINT32_MAX: none
  std::vector<std::string_view> strings;  // the string table (views into Profile::pool)
  // The first `checked` records are checked, and `check` says what they
  // hold (every record, unless the check was left to later).
  size_t checked = 0;
  SampleCheck check{0};
  // For the records left to check: the frames a stack may have, and per
  // location id its frames (inlined ones count; 0: no such location).
  uint64_t max_stack_depth = 0;
  std::vector<uint32_t> frames_of_id;
  bool any_without_stack = false;  // a sample with no location (known before every record is checked)
};

struct Profile {
  std::string source;  // the path the profile was read from ("-" for stdin)
  StringPool pool;
  // Strings added after decoding (the names symbolization finds); a deque,
  // so views into it stay valid as it grows and when the profile is moved.
  std::deque<std::string> added_strings;
  std::vector<ValueType> sample_types;
  int default_sample_type = -1;  // index into sample_types; -1 when not set
  ValueType period_type;
  int64_t period = 0;
  int64_t time_nanos = 0;        // capture time, Unix nanoseconds; 0 when unknown
  bool time_from_mtime = false;  // time_nanos is the file's modification time (the format has none)
  uint64_t content_hash = 0;     // of the input's bytes as read (gzipped or not): tells copies apart
  int64_t duration_nanos = 0;
  std::vector<std::string_view> comments;
  // What a reader should know about the input itself (a table with rows left
  // out), one line each, without the file's name.
  std::vector<std::string> warnings;
  // Heap tables: the share of the footer's objects the rows hold (1 when
  // whole), and the view when it is not the whole heap ("dumpheap -stat
  // -type Foo", "finalizequeue"); empty for the whole heap.
  double coverage = 1;
  // Heap tables: the heap's bytes as the file states them (a footer's byte
  // total, "GC Heap bytes"); -1 when it states none. Free space included
  // where the tool counts it (SOS), so it can exceed the rows' sum.
  int64_t stated_bytes = -1;
  // .NET heap tables: the bytes of SOS's "Free" row (gaps between objects,
  // counted by the footer, no type), left out of the samples; -1: none.
  int64_t free_bytes = -1;
  // Heap tables whose bytes per type are estimates for some types
  // (`dotnet-gcdump report`: one object's size times the count for arrays
  // and strings): how many such types; the series is then ranked by its
  // exact counts unless --sample-index says otherwise.
  int64_t estimated_bytes_types = 0;
  // The runtime the format belongs to ("Java", ".NET") when the format says
  // (heap tables, Java heap profiles); empty for pprof and legacy profiles.
  std::string runtime;
  ProcessMemory process_memory;  // Go's ?debug=1 heap text: its MemStats
  std::string view_filter;
  std::string_view drop_frames;
  std::string_view keep_frames;
  std::vector<Mapping> mappings;
  std::vector<Function> functions;
  std::vector<Line> lines;
  std::vector<Location> locations;
  std::vector<uint32_t> stack_locations;  // indices into locations
  std::vector<int64_t> values;            // samples.size() * sample_types.size()
  std::vector<Label> labels;
  std::vector<Sample> samples;
  // Set instead of samples, stack_locations, values and labels when the
  // samples stayed on the wire; null otherwise.
  std::unique_ptr<WireSamples> wire;

  size_t num_samples() const { return wire ? wire->records.size() : samples.size(); }
  // Whether every sample is checked (else the loader and the fold check
  // the rest: WireSamples::checked). The two figures below need them all.
  bool SamplesChecked() const { return !wire || wire->checked == wire->records.size(); }
  // Per sample type, the sum of its values.
  std::vector<int64_t> TypeTotals() const {
    if (wire) return RequireChecked().check.type_totals;
    std::vector<int64_t> totals(sample_types.size(), 0);
    for (size_t i = 0; i < values.size(); ++i) totals[i % sample_types.size()] += values[i];
    return totals;
  }
  // Whether a sample has no location (no call stack).
  bool AnyWithoutStack() const {
    if (wire) return wire->any_without_stack;
    return std::any_of(samples.begin(), samples.end(), [](const Sample& s) { return s.num_locations == 0; });
  }
  // Whether a value of sample type `type` is below 0.
  bool AnyNegative(size_t type) const {
    if (wire) return type < RequireChecked().check.type_has_negative.size() && wire->check.type_has_negative[type] != 0;
    for (size_t i = type; i < values.size(); i += sample_types.size())
      if (values[i] < 0) return true;
    return false;
  }

  std::span<const uint32_t> Stack(const Sample& s) const {
    return {stack_locations.data() + s.first_location, s.num_locations};
  }
  std::span<const int64_t> Values(size_t sample_index) const {
    return {values.data() + sample_index * sample_types.size(), sample_types.size()};
  }
  std::span<const Line> Lines(const Location& loc) const { return {lines.data() + loc.first_line, loc.num_lines}; }
  std::span<const Label> Labels(const Sample& s) const { return {labels.data() + s.first_label, s.num_labels}; }

  // Index of the sample type named `type`, or -1.
  int FindSampleType(std::string_view type) const {
    for (size_t i = 0; i < sample_types.size(); ++i)
      if (sample_types[i].type == type) return static_cast<int>(i);
    return -1;
  }

 private:
  // The checked samples' figures; asking before they are known is a bug
  // (they would be silently zero), so it throws.
  const WireSamples& RequireChecked() const {
    if (!SamplesChecked()) throw std::logic_error(source + ": samples' totals asked for before they were checked");
    return *wire;
  }
};

inline bool ValueTotalsFit(const Profile& p) {
  const size_t types = p.sample_types.size();
  if (types == 0) return p.values.empty();
  ValueTotalsCheck check(types);
  for (size_t i = 0; i < p.values.size(); ++i)
    if (!check.Add(i % types, p.values[i])) return false;
  return true;
}

}  // namespace pprof_trend
