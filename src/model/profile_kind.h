// What kind of heap profile a decoded profile is, from its sample types and
// values: which pair of types is the in-use heap, and whether it is a
// snapshot or a difference (a delta over some seconds, or a -diff_base).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/units.h"
#include "model/profile.h"

namespace pprof_trend {

// The in-use heap's sample types, by index (-1: absent): Go's inuse_space
// with inuse_objects; else space with objects (gperftools/tcmalloc in
// protobuf form, Node's `pprof` package).
struct HeapTypes {
  int space = -1;
  int objects = -1;
};
//
// A JFR live-object profile (async-profiler --live, as Pyroscope and
// jfr-parser export it: one type, live/count) is a heap profile of counts
// only: its count is ranked (`space` names it, `objects` is -1).
inline HeapTypes FindHeapTypes(const Profile& p) {
  HeapTypes t{p.FindSampleType("inuse_space"), p.FindSampleType("inuse_objects")};
  if (t.space < 0) t = HeapTypes{p.FindSampleType("space"), p.FindSampleType("objects")};
  if (t.space < 0) {
    const int live = p.FindSampleType("live");
    if (live >= 0 && p.sample_types[static_cast<size_t>(live)].unit == "count") return HeapTypes{live, -1};
  }
  if (t.space >= 0 && p.sample_types[static_cast<size_t>(t.space)].unit != "bytes") return HeapTypes{};
  return t;
}

// Go's goroutine profile (/debug/pprof/goroutine, protobuf): one type,
// goroutine/count, a sample per distinct stack of the goroutines that exist
// at the capture, counted exactly (not sampled). Its index, or -1.
inline int FindGoroutineType(const Profile& p) {
  const int i = p.FindSampleType("goroutine");
  return i >= 0 && p.sample_types[static_cast<size_t>(i)].unit == "count" ? i : -1;
}

// The smallest stack a goroutine has (Go's _StackMin since Go 1.4): what
// each goroutine holds at least, where the runtime's StackInuse is unknown.
inline constexpr int64_t kGoMinStackBytes = 2048;

// The note a series of JFR live-object profiles gets: what its counts are.
inline constexpr std::string_view kJfrLiveNote =
    "live/count: JFR live objects (async-profiler --live): counts of the sampled allocations still alive, "
    "not of every object, and no sizes: ranked by that count";

// The objects type that counts what `type` measures in bytes: alloc_space
// -> alloc_objects, inuse_space -> inuse_objects, space -> objects; empty
// when there is no such rule.
inline std::string ObjectsTypeFor(std::string_view type) {
  if (type == "space") return "objects";
  if (type.ends_with("_space")) return std::string(type.substr(0, type.size() - 6)) + "_objects";
  return "";
}

// The comment `pprof-trend export` writes first into a growth profile:
// "pprof-trend growth: LAST - FIRST".
inline constexpr std::string_view kGrowthComment = "pprof-trend growth: ";

// Whether `pprof-trend export` wrote `p`.
inline bool IsGrowthExport(const Profile& p) {
  for (std::string_view comment : p.comments)
    if (comment.starts_with(kGrowthComment)) return true;
  return false;
}

// A heap profile that is a difference, not a snapshot: Go's delta profile
// (/debug/pprof/heap?seconds=N: a duration, and in-use values that can be
// negative) or a difference of two profiles (negative in-use values, as
// pprof -diff_base and `pprof-trend export` write). Returns what it is, in
// words with what to give instead, or none for a snapshot (Go's heap
// snapshots carry no duration).
struct HeapDifference {
  std::string what;    // "a delta heap profile: the change over 30 s, ..."
  std::string advice;  // "capture /debug/pprof/heap without ?seconds="
};
// `any_negative(type)`: whether a value of sample type `type` is below 0
// (Profile::AnyNegative, or what the fold that checked the samples found).
template <typename AnyNegative>
std::optional<HeapDifference> DescribeHeapDifference(const Profile& p, AnyNegative&& any_negative) {
  const std::string captures = "give the captures it was made from";
  const HeapTypes heap = FindHeapTypes(p);
  if (heap.space < 0) return std::nullopt;
  if (IsGrowthExport(p)) return HeapDifference{"a growth profile written by pprof-trend export", captures};
  const int64_t seconds = p.duration_nanos / kNanosPerSecond;
  if (seconds >= 1)
    return HeapDifference{"a delta heap profile: the change over " + std::to_string(seconds) +
                              " s, as /debug/pprof/heap?seconds=N writes it",
                          "capture /debug/pprof/heap without ?seconds="};
  if (any_negative(static_cast<size_t>(heap.space)))
    return HeapDifference{
        "a difference of heap profiles (it holds negative in-use values, as pprof -diff_base "
        "writes them)",
        captures};
  return std::nullopt;
}
inline std::optional<HeapDifference> DescribeHeapDifference(const Profile& p) {
  return DescribeHeapDifference(p, [&](size_t type) { return p.AnyNegative(type); });
}

}  // namespace pprof_trend
