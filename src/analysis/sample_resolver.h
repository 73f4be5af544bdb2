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
#include <span>
#include <string_view>
#include <vector>

#include "analysis/align.h"
#include "analysis/site_table.h"
#include "base/runs.h"
#include "base/two_stage.h"
#include "input/sample_check.h"
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
  // Parallel to frames: each frame's line, as its index among the frame's
  // lines (AlignedProfiles::frame_lines).
  std::vector<uint32_t> lines;
  std::vector<ResolvedSample> samples;
  // When the profile's samples are checked as they are resolved (the
  // loader did not check them all, WireSamples::checked): what the chunk's
  // check of those found. The chunk's samples then end before its first bad one.
  SampleCheck check{0};
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
  // The most samples Aligner::Add resolves and folds on one thread (fewer
  // than RunTwoStage's kTwoStageMinChunks chunks); a larger profile's fold
  // takes two.
  static constexpr size_t kFoldedOnOneThreadUpTo = kChunk * (kTwoStageMinChunks - 1);
  // Interns a frame (function, file, line) into the aligned frame table.
  using Intern = std::function<FrameId(std::string_view function, std::string_view file, int64_t line)>;
  // Interns lines of aligned frames (frames[i] seen at lines[i], each in
  // [0, INT32_MAX]): replaces each line by its index among its frame's lines.
  using InternLines = std::function<void(std::span<const FrameId> frames, std::span<uint32_t> lines)>;

  // Interns every frame `profile` names, at `granularity`, and the lines
  // they are seen at. A profile whose
  // samples were not checked when read is checked chunk by chunk as it is
  // resolved (ResolvedChunk::check), with the decoder's errors.
  SampleResolver(const Profile& profile, Granularity granularity, const Intern& intern, const InternLines& intern_lines,
                 ValueIndices indices);

  size_t num_chunks() const { return (profile_.num_samples() + kChunk - 1) / kChunk; }
  // Resolves chunk `chunk` into `out` (its buffers reused). `filters` must
  // not change while chunks are resolved.
  void Resolve(size_t chunk, const FrameFilters& filters, ResolvedChunk& out) const;

 private:
  // Resolves samples [first, end) read from `samples` (decoded, or on the
  // wire), after those already in `out`.
  template <typename Samples>
  void ResolveFrom(Samples& samples, size_t first, size_t end, const FrameFilters& filters, ResolvedChunk& out) const;

  const Profile& profile_;
  ValueIndices indices_;
  SampleRules rules_;  // what an unchecked profile's samples are checked against
  // The frames a stack may have: an unchecked profile's limit, so that a
  // hostile stack is refused before its frames are written.
  uint64_t max_depth_ = UINT64_MAX;
  // A location's frames: its run (base/runs.h) in run_frames_ and
  // run_lines_, callee first (most runs are one frame, a location with
  // inlined frames has more).
  std::vector<Run> location_runs_;   // per Location
  std::vector<FrameId> run_frames_;  // and kRunWidth - 1 entries of padding
  std::vector<uint32_t> run_lines_;  // parallel to run_frames_: the lines' indexes
  FrameId no_stack_ = UINT32_MAX;    // "(no stack)", when a sample has none
  uint32_t no_stack_line_ = 0;       // its line's index
};

}  // namespace pprof_trend
