#include "analysis/sample_resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <new>

#include "input/sample_reader.h"

namespace pprof_trend {
namespace {

// Lines beyond 32 bits are not real source lines.
int32_t ClampLine(int64_t line) { return line >= 0 && line <= INT32_MAX ? static_cast<int32_t>(line) : 0; }

}  // namespace

SampleResolver::SampleResolver(const Profile& profile, Granularity granularity, const Intern& intern,
                               ValueIndices indices)
    : profile_(profile), indices_(indices) {
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
  // Every location's frames, packed by location, so resolving a frame reads
  // one small array (and a location of inlined frames one more run). Frame
  // ids and runs stay below kInlined, checked: two billion frames would
  // have run out of memory long before, and are said as that.
  auto frame = [](FrameId f, int64_t line) {
    if ((f & kInlined) != 0) throw std::bad_alloc();
    return FrameAndLine{f, ClampLine(line)};
  };
  location_frames_.resize(profile.locations.size());
  for (size_t i = 0; i < profile.locations.size(); ++i) {
    const Location& loc = profile.locations[i];
    if (loc.num_lines == 1) {
      location_frames_[i] = frame(line_frame[loc.first_line], profile.lines[loc.first_line].line);
    } else if (loc.num_lines > 1) {
      if (inlined_.size() + loc.num_lines >= kInlined) throw std::bad_alloc();
      location_frames_[i] =
          FrameAndLine{kInlined | static_cast<FrameId>(inlined_.size()), static_cast<int32_t>(loc.num_lines)};
      for (uint32_t l = loc.first_line; l < loc.first_line + loc.num_lines; ++l)
        inlined_.push_back(frame(line_frame[l], profile.lines[l].line));
    } else if (loc.mapping != Location::kNoMapping && !profile.mappings[loc.mapping].filename.empty() &&
               loc.address >= profile.mappings[loc.mapping].memory_start) {
      // A location without symbols is named by its file and the offset in
      // it ("leaker+0x149d"), which stay the same when the process restarts
      // and its addresses move (ASLR); without a mapping, by its address.
      const Mapping& m = profile.mappings[loc.mapping];
      std::string_view base = m.filename.substr(m.filename.rfind('/') + 1);
      location_frames_[i] =
          frame(intern(fmt::format("{}+0x{:x}", base, loc.address - m.memory_start + m.file_offset), m.filename, 0), 0);
    } else {
      location_frames_[i] = frame(intern(fmt::format("0x{:x}", loc.address), "", 0), 0);
    }
  }
  // A sample with no call stack folds into the "(no stack)" frame, interned
  // here: resolving must not change the frame table.
  if (profile.AnyWithoutStack()) no_stack_ = intern(kNoStackName, "", 0);
}

void SampleResolver::Resolve(size_t chunk, const FrameFilters& filters, ResolvedChunk& out) const {
  out.samples.clear();
  const size_t begin = chunk * kChunk, end = std::min(profile_.num_samples(), (chunk + 1) * kChunk);
  VisitSamples(profile_, [&](auto& samples) { ResolveFrom(samples, begin, end, filters, out); });
}

template <typename Samples>
void SampleResolver::ResolveFrom(Samples& samples, size_t first, size_t end, const FrameFilters& filters,
                                 ResolvedChunk& out) const {
  // The tables in locals: the frames written below could alias their vectors.
  const FrameAndLine* const location_frames = location_frames_.data();
  const FrameAndLine* const inlined = inlined_.data();
  const auto vi = static_cast<size_t>(indices_.value);
  const bool has_objects = indices_.objects >= 0, has_alloc = indices_.alloc_value >= 0;
  const auto oi = static_cast<size_t>(indices_.objects), avi = static_cast<size_t>(indices_.alloc_value);
  const int aoi = indices_.alloc_objects;
  // The frames are written through plain pointers (push_back would store
  // the vectors' ends back to memory after every frame); `room` frames fit
  // before the buffers grow.
  FrameId* frame_out = out.frames.data();
  int32_t* line_out = out.lines.data();
  size_t room = out.frames.size();
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
    samples.Read(s);
    const std::span<const int64_t> values = samples.values();
    ResolvedSample& r = out.samples.emplace_back();
    r.values = {values[vi], has_objects ? values[oi] : 0, has_alloc ? values[avi] : 0,
                has_alloc && aoi >= 0 ? values[static_cast<size_t>(aoi)] : 0};
    const std::span<const uint32_t> locations = samples.locations();
    make_room(locations.size() + 1);  // one frame a location (+1: "(no stack)"); inlined ones ask for more
    const size_t begin = written();
    for (size_t at = 0; at < locations.size(); ++at) {
      const FrameAndLine packed = location_frames[locations[at]];
      if ((packed.frame & kInlined) == 0) {  // the common case: one access per frame
        *frame_out++ = packed.frame;
        *line_out++ = packed.line;
        --room;
        continue;
      }
      // Room for its frames, and still one for each location after it.
      const auto n = static_cast<size_t>(packed.line);
      make_room(n + (locations.size() - at));
      for (const FrameAndLine *f = inlined + (packed.frame & ~kInlined), *last = f + n; f != last; ++f) {
        *frame_out++ = f->frame;
        *line_out++ = f->line;
      }
      room -= n;
    }
    if (written() == begin) {  // real memory with no call stack (e.g. a Go process that has just started)
      *frame_out++ = no_stack_;
      *line_out++ = 0;
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
