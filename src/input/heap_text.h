// What the legacy heap text formats share (input/ only): Go's and
// gperftools' "heap profile:" text (go_heap_text.cc), jemalloc's prof.dump
// (jemalloc_heap.cc) and pprof's Java heapz (java_heapz.cc); the formats
// themselves are described in legacy_heap.h, which dispatches to them.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "input/model_builder.h"
#include "input/text_input.h"
#include "model/profile.h"

namespace pprof_trend {

// A cursor over one line.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (!s_.empty() && (s_.front() == ' ' || s_.front() == '\t')) s_.remove_prefix(1);
  }
  bool Literal(std::string_view lit) {
    SkipSpace();
    if (!s_.starts_with(lit)) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  bool Int(int64_t* v) {
    SkipSpace();
    auto [ptr, ec] = std::from_chars(s_.data(), s_.data() + s_.size(), *v);
    if (ec != std::errc() || ptr == s_.data()) return false;
    s_.remove_prefix(static_cast<size_t>(ptr - s_.data()));
    return true;
  }
  bool Hex(uint64_t* v) {
    SkipSpace();
    if (!s_.starts_with("0x")) return false;
    s_.remove_prefix(2);
    auto [ptr, ec] = std::from_chars(s_.data(), s_.data() + s_.size(), *v, 16);
    if (ec != std::errc() || ptr == s_.data()) return false;
    s_.remove_prefix(static_cast<size_t>(ptr - s_.data()));
    return true;
  }
  std::string_view Word() {
    SkipSpace();
    size_t n = 0;
    while (n < s_.size() && s_[n] != ' ' && s_[n] != '\t') ++n;
    std::string_view w = s_.substr(0, n);
    s_.remove_prefix(n);
    return w;
  }
  std::string_view Rest() {
    SkipSpace();
    std::string_view r = s_;
    while (!r.empty() && (r.back() == ' ' || r.back() == '\t' || r.back() == '\r')) r.remove_suffix(1);
    return r;
  }
  bool AtEnd() {
    SkipSpace();
    return s_.empty() || s_ == "\r";
  }

 private:
  std::string_view s_;
};

// pprof's scaleHeapSample. False when the result does not fit (a hostile
// record: tiny objects at a huge rate scale past 64 bits).
bool Unsample(int64_t count, int64_t bytes, int64_t rate, int64_t* out_count, int64_t* out_bytes);

// "start-end perms offset dev inode [path]", a /proc/self/maps line. Only
// executable mappings of a file can hold code the stacks point into.
bool AddMapsLine(std::string_view line, ModelBuilder& model);

// The lines after "MAPPED_LIBRARIES:" (or "--- Memory map:"), to the end.
// Lines that are not maps lines are skipped (they only cost symbols); the
// count is bounded like samples.
Status ParseMaps(TextInput& input, ModelBuilder& model);

// The profile built, its totals checked to fit 64 bits.
StatusOr<Profile> FinishHeapProfile(ModelBuilder&& model, const TextInput& input);

// Each format's reader, from the line after its header `header` (the first
// line that is not blank).
StatusOr<Profile> ParseGoHeapText(TextInput& input, std::string_view header);
StatusOr<Profile> ParseJemallocHeap(TextInput& input, std::string_view header);
StatusOr<Profile> ParseJavaHeapz(TextInput& input);

}  // namespace pprof_trend
