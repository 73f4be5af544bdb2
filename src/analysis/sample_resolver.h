// The resolve stage of folding a profile: each sample's stack as aligned
// frames (leaf first, inlined frames expanded), its source lines, values,
// `bytes` label and hash, a chunk of samples at a time. It reads only the
// profile and tables made when it is constructed (every frame the profile
// names is interned then), so chunks can be resolved on another thread while
// the aligner folds earlier ones into the sites.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "analysis/align.h"
#include "analysis/site_table.h"
#include "model/profile.h"

namespace pprof_trend {

struct ResolvedSample {
  uint32_t end;                   // where its frames end in the chunk's frames
  bool folded;                    // not dropped by focus/ignore
  std::optional<int64_t> size;    // the numeric `bytes` label
  uint64_t hash;                  // of its frames, when folded
  std::array<int64_t, 4> values;  // value, objects, alloc value, alloc objects
};

struct ResolvedChunk {
  std::vector<FrameId> frames;  // leaf first, sample after sample
  std::vector<int32_t> lines;   // parallel to frames
  std::vector<ResolvedSample> samples;
};

// Which sample types fill ResolvedSample::values (-1: none; zeros).
struct ValueIndices {
  int value = -1, objects = -1, alloc_value = -1, alloc_objects = -1;
};

// Per aligned frame: matches -focus / -ignore (null: no such option).
struct FrameFilters {
  const std::vector<int8_t>* focus = nullptr;
  const std::vector<int8_t>* ignore = nullptr;
};

class SampleResolver {
 public:
  static constexpr size_t kChunk = 2048;  // samples a chunk
  // Interns a frame (function, file, line) into the aligned frame table.
  using Intern = std::function<FrameId(std::string_view function, std::string_view file, int64_t line)>;

  // Interns every frame `profile` names, at `granularity`.
  SampleResolver(const Profile& profile, Granularity granularity, const Intern& intern, ValueIndices indices);

  size_t num_chunks() const { return (profile_.num_samples() + kChunk - 1) / kChunk; }
  // Resolves chunk `chunk` into `out` (its buffers reused). `filters` must
  // not change while chunks are resolved.
  void Resolve(size_t chunk, const FrameFilters& filters, ResolvedChunk& out) const;

 private:
  // A location's frames: its one frame and line (most locations), or, with
  // kInlined set, where its inlined frames start in `inlined_` and how many.
  struct FrameAndLine {
    FrameId frame;
    int32_t line;
  };
  static constexpr FrameId kInlined = 0x80000000u;
  // Resolves samples [first, end) read from `samples` (decoded, or on the wire).
  template <typename Samples>
  void ResolveFrom(Samples& samples, size_t first, size_t end, const FrameFilters& filters, ResolvedChunk& out) const;

  const Profile& profile_;
  ValueIndices indices_;
  std::vector<FrameAndLine> location_frames_;  // per Location: its frame, or its inlined frames in inlined_
  std::vector<FrameAndLine> inlined_;          // the frames of locations of two or more lines, callee first
  FrameId no_stack_ = UINT32_MAX;              // "(no stack)", when a sample has none
};

}  // namespace pprof_trend
