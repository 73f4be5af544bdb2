#include "analysis/sample_resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <stdexcept>

#include "input/sample_reader.h"

namespace pprof_trend {
namespace {

// Lines beyond 32 bits are not real source lines.
int32_t ClampLine(int64_t line) { return line >= 0 && line <= INT32_MAX ? static_cast<int32_t>(line) : 0; }

}  // namespace

SampleResolver::SampleResolver(const Profile& profile, Granularity granularity, const Intern& intern,
                               const InternLines& intern_lines, ValueIndices indices)
    : profile_(profile), indices_(indices) {
  if (!profile.SamplesChecked()) {
    rules_ = WireSampleRules(profile);
    max_depth_ = rules_.max_stack_depth;
  }
  // The aligned frame of every Line of this profile, resolved once.
  std::vector<FrameId> function_frame(profile.functions.size(), UINT32_MAX);
  std::vector<FrameId> line_frame(profile.lines.size());
  for (size_t i = 0; i < profile.lines.size(); ++i) {
    const Line& line = profile.lines[i];
    const Function& fn = profile.functions[line.function];
    switch (granularity) {
      case Granularity::kFunctions:
        if (function_frame[line.function] == UINT32_MAX)
          function_frame[line.function] = intern(fn.name, fn.filename, 0);
        line_frame[i] = function_frame[line.function];
        break;
      case Granularity::kLines: line_frame[i] = intern(fn.name, fn.filename, line.line); break;
      case Granularity::kFiles:
        if (function_frame[line.function] == UINT32_MAX)
          function_frame[line.function] = intern(fn.filename, fn.filename, 0);
        line_frame[i] = function_frame[line.function];
        break;
    }
  }
  // Every location's frames as a run in two flat arrays, so resolving a
  // location reads its run and copies it. Runs are indexed by 32 bits,
  // checked: four billion frames would have run out of memory long before,
  // and are said as that.
  location_runs_.resize(profile.locations.size());
  run_frames_.reserve(profile.locations.size() + profile.lines.size() + kRunWidth);
  run_lines_.reserve(run_frames_.capacity());
  auto add_run = [&](size_t location, uint32_t count) {
    if (run_frames_.size() + count + kRunWidth >= UINT32_MAX) throw std::bad_alloc();
    location_runs_[location] = Run{static_cast<uint32_t>(run_frames_.size()), count};
  };
  auto push = [&](FrameId f, int64_t line) {
    run_frames_.push_back(f);
    run_lines_.push_back(static_cast<uint32_t>(ClampLine(line)));
  };
  for (size_t i = 0; i < profile.locations.size(); ++i) {
    const Location& loc = profile.locations[i];
    if (loc.num_lines >= 1) {
      add_run(i, loc.num_lines);
      for (uint32_t l = loc.first_line; l < loc.first_line + loc.num_lines; ++l)
        push(line_frame[l], profile.lines[l].line);
    } else if (loc.mapping != Location::kNoMapping && !profile.mappings[loc.mapping].filename.empty() &&
               loc.address >= profile.mappings[loc.mapping].memory_start) {
      // A location without symbols is named by its file and the offset in
      // it ("leaker+0x149d"), which stay the same when the process restarts
      // and its addresses move (ASLR); without a mapping, by its address.
      const Mapping& m = profile.mappings[loc.mapping];
      std::string_view base = m.filename.substr(m.filename.rfind('/') + 1);
      add_run(i, 1);
      push(intern(fmt::format("{}+0x{:x}", base, loc.address - m.memory_start + m.file_offset), m.filename, 0), 0);
    } else {
      add_run(i, 1);
      push(intern(fmt::format("0x{:x}", loc.address), "", 0), 0);
    }
  }
  // The lines as their indexes among their frames' lines, all at once.
  intern_lines(run_frames_, run_lines_);
  // Room for the last run's full-width copy.
  run_frames_.resize(run_frames_.size() + kRunWidth - 1, 0);
  run_lines_.resize(run_lines_.size() + kRunWidth - 1, 0);
  // A sample with no call stack folds into the "(no stack)" frame, interned
  // here: resolving must not change the frame table.
  if (profile.AnyWithoutStack()) {
    no_stack_ = intern(kNoStackName, "", 0);
    intern_lines(std::span<const FrameId>(&no_stack_, 1), std::span<uint32_t>(&no_stack_line_, 1));
  }
}

void SampleResolver::Resolve(size_t chunk, const FrameFilters& filters, ResolvedChunk& out) const {
  out.samples.clear();
  const size_t begin = chunk * kChunk, end = std::min(profile_.num_samples(), (chunk + 1) * kChunk);
  // Samples the loader left unchecked are checked as they are resolved.
  if (!profile_.SamplesChecked()) out.check.Reset(rules_.num_types);
  VisitSampleRange(profile_, begin, end, out.check,
                   [&](auto& samples, size_t from, size_t to) { ResolveFrom(samples, from, to, filters, out); });
}

template <typename Samples>
void SampleResolver::ResolveFrom(Samples& samples, size_t first, size_t end, const FrameFilters& filters,
                                 ResolvedChunk& out) const {
  // The tables in locals: the frames written below could alias their vectors.
  const Run* const runs = location_runs_.data();
  const FrameId* const run_frames = run_frames_.data();
  const uint32_t* const run_lines = run_lines_.data();
  const auto vi = static_cast<size_t>(indices_.value);
  const bool has_objects = indices_.objects >= 0, has_alloc = indices_.alloc_value >= 0;
  const auto oi = static_cast<size_t>(indices_.objects), avi = static_cast<size_t>(indices_.alloc_value);
  const int aoi = indices_.alloc_objects;
  // The frames are written through plain pointers (push_back would store
  // the vectors' ends back to memory after every frame); `room` frames fit
  // before the buffers grow.
  // After the frames of the samples already resolved into `out`.
  const size_t start = out.samples.empty() ? 0 : out.samples.back().end;
  FrameId* frame_out = out.frames.data() + start;
  uint32_t* line_out = out.lines.data() + start;
  size_t room = out.frames.size() - start;
  auto written = [&] { return static_cast<size_t>(frame_out - out.frames.data()); };
  auto make_room = [&](size_t n) {
    if (n <= room) return;
    const size_t used = written();
    const size_t size = std::max(used + n, 2 * out.frames.size() + 1024);
    out.frames.resize(size);
    out.lines.resize(size);
    frame_out = out.frames.data() + used;
    line_out = out.lines.data() + used;
    room = size - used;
  };
  for (size_t s = first; s < end; ++s) {
    if (!samples.Read(s)) [[unlikely]]
      return;  // a bad record (an unchecked profile's): the chunk ends before it
    const std::span<const int64_t> values = samples.values();
    ResolvedSample& r = out.samples.emplace_back();
    r.values = {values[vi], has_objects ? values[oi] : 0, has_alloc ? values[avi] : 0,
                has_alloc && aoi >= 0 ? values[static_cast<size_t>(aoi)] : 0};
    const std::span<const uint32_t> locations = samples.locations();
    // Each location writes kRunWidth frames and keeps `count` of them; a
    // longer run asks for its own room (+1: "(no stack)").
    make_room(kRunWidth * locations.size() + 1);
    const size_t begin = written();
    for (size_t at = 0; at < locations.size(); ++at) {
      const Run run = runs[locations[at]];
      if (run.count > kRunWidth) [[unlikely]] {
        // An unchecked profile's stack past the limit is refused before its
        // frames are written (a few long runs repeated could be billions).
        if (written() - begin + run.count > max_depth_) [[unlikely]] {
          uint64_t depth = 0;
          for (uint32_t location : locations) depth += runs[location].count;
          samples.DepthFits(s, depth);
          out.samples.pop_back();
          return;
        }
        // Room for its frames, and still kRunWidth for each location after it.
        make_room(run.count + kRunWidth * (locations.size() - at - 1) + 1);
      }
      frame_out = CopyRun(frame_out, run_frames, run);
      line_out = CopyRun(line_out, run_lines, run);
      room -= run.count;
    }
    if (!samples.DepthFits(s, written() - begin)) [[unlikely]] {
      out.samples.pop_back();
      return;
    }
    if (written() == begin) {  // real memory with no call stack (e.g. a Go process that has just started)
      if (no_stack_ == UINT32_MAX) [[unlikely]]  // Profile::AnyWithoutStack said none
        throw std::logic_error(profile_.source + ": a sample without a stack, unforeseen");
      *frame_out++ = no_stack_;
      *line_out++ = no_stack_line_;
      --room;
    }
    r.end = static_cast<uint32_t>(written());
    const std::span<const FrameId> stack(out.frames.data() + begin, r.end - begin);
    r.folded = true;
    if (filters.focus != nullptr || filters.ignore != nullptr) {
      bool focused = filters.focus == nullptr, ignored = false;
      for (FrameId f : stack) {
        focused = focused || (*filters.focus)[f];
        ignored = ignored || (filters.ignore != nullptr && (*filters.ignore)[f]);
      }
      r.folded = focused && !ignored;
    }
    r.size.reset();
    r.hash = 0;
    if (!r.folded) continue;
    r.size = samples.size();
    r.hash = HashFrames(stack.data(), stack.size());
  }
}

}  // namespace pprof_trend
