#include "analysis/align.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <numeric>
#include <stop_token>
#include <thread>

#include "base/huge_pages.h"
#include "model/profile_kind.h"

namespace pprof_trend {

std::string_view GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kFunctions: return "functions";
    case Granularity::kLines: return "lines";
    case Granularity::kFiles: return "files";
  }
  return "functions";
}

std::optional<Granularity> ParseGranularity(std::string_view name) {
  if (name == "functions") return Granularity::kFunctions;
  if (name == "lines") return Granularity::kLines;
  if (name == "files") return Granularity::kFiles;
  return std::nullopt;
}

namespace {

uint64_t HashFrames(const uint32_t* frames, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  for (size_t i = 0; i < n; ++i) {
    h ^= frames[i];
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

// Calls f on each of a site's series arrays that exist (one entry per
// capture): values, objects, the alloc_* pair, and each size class's pair.
template <typename F>
void ForEachSeries(AlignedSite& site, bool has_alloc, F f) {
  f(site.values);
  f(site.objects);
  if (has_alloc) {
    f(site.alloc_values);
    f(site.alloc_objects);
  }
  for (auto& c : site.size_classes) {
    f(c.values);
    f(c.objects);
  }
}

std::string TypeList(const Profile& p) {
  std::string s;
  for (const auto& t : p.sample_types) s += fmt::format("{}{}/{}", s.empty() ? "" : ", ", t.type, t.unit);
  return s;
}

}  // namespace

Aligner::Aligner(AlignOptions options, size_t num_captures)
    : options_(std::move(options)),
      num_captures_(num_captures),
      capacity_(num_captures) {
  result_.granularity = options_.granularity;
  result_.captures.resize(num_captures);
  site_slots_.assign(1024, SiteSlot{});
}

Status Aligner::ResolveSampleTypes(const Profile& profile) {
  if (options_.value_type.empty()) {
    const HeapTypes heap = FindHeapTypes(profile);
    value_index_ = heap.space;
    objects_index_ = heap.objects;
    if (value_index_ < 0)
      return Status::InputError(
          fmt::format("{}: not a heap profile (sample types: {}); pick one with --sample-index", profile.source,
                      TypeList(profile)));
  } else {
    value_index_ = profile.FindSampleType(options_.value_type);
    if (value_index_ < 0)
      return Status::UsageError(fmt::format("{}: has no sample type \"{}\" (it has: {})", profile.source,
                                            options_.value_type, TypeList(profile)));
    std::string objects = options_.objects_type.empty() ? ObjectsTypeFor(options_.value_type) : options_.objects_type;
    objects_index_ = objects.empty() ? -1 : profile.FindSampleType(objects);
  }
  const ValueType& v = profile.sample_types[static_cast<size_t>(value_index_)];
  // The cumulative twins of in-use types: inuse_space -> alloc_space.
  auto twin = [&](int index) {
    if (index < 0) return -1;
    std::string_view type = profile.sample_types[static_cast<size_t>(index)].type;
    if (!type.starts_with("inuse_")) return -1;
    return profile.FindSampleType("alloc_" + std::string(type.substr(6)));
  };
  alloc_value_index_ = twin(value_index_);
  alloc_objects_index_ = twin(objects_index_);
  if (alloc_value_index_ < 0 || (objects_index_ >= 0 && alloc_objects_index_ < 0))
    alloc_value_index_ = alloc_objects_index_ = -1;
  result_.has_alloc = alloc_value_index_ >= 0;
  result_.value_type_name = v.type;
  result_.cumulative = v.type.starts_with("alloc_");
  result_.value_unit = v.unit;
  if (objects_index_ >= 0) result_.objects_type_name = profile.sample_types[static_cast<size_t>(objects_index_)].type;
  return Status();
}

// V8's name for an anonymous function: "(anonymous)", or with its position
// "(anonymous:L#16:C#46)".
static bool IsV8Anonymous(std::string_view function) {
  if (function == "(anonymous)") return true;
  if (!function.starts_with("(anonymous:L#") || !function.ends_with(")")) return false;
  return function.find(":C#") != std::string_view::npos;
}

uint32_t Aligner::InternFrame(std::string_view function, std::string_view file, int64_t line) {
  // V8 writes an anonymous function as "(anonymous:L#1:C#1)" in its file
  // while it runs and as "(anonymous)", with no file, once its code is
  // flushed (Node's bootstrap and module wrappers between the first capture
  // and the later ones): one frame, "(anonymous)", or every site under it
  // would split into a false "gone" and a false "new" twin. Anonymous
  // functions called from the same named frames are one site for it; the
  // lines of the largest sample still point at the code.
  if (IsV8Anonymous(function)) {
    function = "(anonymous)";
    file = "";
    line = 0;
  }
  std::string key;
  key.reserve(function.size() + file.size() + 24);
  key.append(function).push_back('\0');
  key.append(file).push_back('\0');
  key.append(std::to_string(line));
  auto [it, inserted] = frame_ids_.try_emplace(std::move(key), static_cast<uint32_t>(result_.frames.size()));
  if (inserted) {
    result_.frames.push_back(AlignedFrame{std::string(function), std::string(file), line});
    const AlignedFrame& frame = result_.frames.back();
    frame_focus_.push_back(options_.focus && FrameMatches(frame, *options_.focus));
    frame_ignore_.push_back(options_.ignore && FrameMatches(frame, *options_.ignore));
  }
  return it->second;
}

uint32_t Aligner::NoStackFrame() {
  if (no_stack_frame_ == UINT32_MAX) {
    no_stack_frame_ = InternFrame(kNoStackName, "", 0);  // FrameMatches never matches it
  }
  return no_stack_frame_;
}

void Aligner::GrowSiteTable(size_t min_sites) {
  size_t size = site_slots_.size();
  while (min_sites * 2 > size) size *= 2;  // keep the load factor under 1/2
  if (size == site_slots_.size()) return;
  std::vector<SiteSlot> grown;
  ReserveHuge(grown, size);
  grown.resize(size);
  const size_t mask = size - 1;
  for (uint32_t s = 0; s < result_.sites.size(); ++s) {
    size_t i = site_hashes_[s] & mask;
    while (grown[i].id_plus_one != 0) i = (i + 1) & mask;
    grown[i] = SiteSlot{s + 1, static_cast<uint32_t>(site_hashes_[s] >> 32)};
  }
  site_slots_ = std::move(grown);
}

uint32_t Aligner::FindOrAddSite(std::span<const uint32_t> leaf_first, uint64_t h) {
  const size_t mask = site_slots_.size() - 1;
  const auto high = static_cast<uint32_t>(h >> 32);
  size_t slot = h & mask;
  while (site_slots_[slot].id_plus_one != 0) {
    if (site_slots_[slot].hash_high == high) {
      uint32_t id = site_slots_[slot].id_plus_one - 1;
      const auto& frames = result_.sites[id].frames;
      // The slot's position and hash_high already agree with h: the frames
      // decide (reading site_hashes_ first would cost a cache miss per hit).
      if (std::equal(frames.begin(), frames.end(), leaf_first.rbegin(), leaf_first.rend())) return id;
    }
    slot = (slot + 1) & mask;
  }
  auto id = static_cast<uint32_t>(result_.sites.size());
  AlignedSite site;
  site.frames = result_.frame_arena.Allocate(leaf_first.size());
  std::copy(leaf_first.rbegin(), leaf_first.rend(), site.frames.begin());
  // Zeros for the captures before this one.
  site.values = PackedSeries::Zeros(folded_, num_captures_);
  site.objects = PackedSeries::Zeros(folded_, num_captures_);
  if (result_.has_alloc) {
    site.alloc_values = PackedSeries::Zeros(folded_, num_captures_);
    site.alloc_objects = PackedSeries::Zeros(folded_, num_captures_);
  }
  site.example_lines = result_.line_arena.Allocate(leaf_first.size());
  result_.sites.push_back(std::move(site));
  site_hashes_.push_back(h);
  if (appending_) presence_.resize(result_.sites.size() * capacity_, 0);
  site_slots_[slot] = SiteSlot{id + 1, high};
  if (result_.sites.size() * 2 > site_slots_.size()) GrowSiteTable(result_.sites.size());
  return id;
}

void Aligner::FoldSize(AlignedSite& site, int64_t size, int64_t value, int64_t objects) {
  if (site.size_classes.empty()) {
    if (site.first_size == AlignedSite::kNoSizeYet || site.first_size == size) {
      site.first_size = size;
      return;  // one size so far: the site's own series are its class
    }
    // A second size: the series so far were all of the first.
    site.size_classes.push_back(
        AlignedSite::SizeClass{site.first_size, site.values, site.objects, site.folding[0], site.folding[1]});
  }
  auto& classes = site.size_classes;
  auto it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.size == size; });
  if (it == classes.end() && classes.size() >= AlignedSite::kMaxSizes) {
    size = -1;  // the rest together
    it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.size == size; });
  }
  if (it == classes.end()) {
    classes.push_back(AlignedSite::SizeClass{size, PackedSeries::Zeros(folded_, num_captures_),
                                             PackedSeries::Zeros(folded_, num_captures_)});
    it = classes.end() - 1;
  }
  it->folding_values += value;
  it->folding_objects += objects;
}

Status Aligner::CheckSampleTypes(const Profile& profile) {
  if (auto difference = DescribeHeapDifference(profile))
    return Status::InputError(fmt::format(
        "{}: {}, not a snapshot of the heap; a trend needs snapshots ({})", profile.source, difference->what,
        difference->advice));
  if (first_types_.empty()) {
    RETURN_IF_ERROR(ResolveSampleTypes(profile));  // only then is it the first
    for (const auto& t : profile.sample_types) first_types_.push_back(fmt::format("{}/{}", t.type, t.unit));
    first_source_ = profile.source;
    first_view_ = profile.view_filter;
  } else {
    // A filtered table (dumpheap -stat -type X, finalizequeue) beside the
    // whole heap's would make growth of what the filter left out.
    if (profile.view_filter != first_view_) {
      auto view = [](const std::string& v) { return v.empty() ? std::string("the whole heap") : "\"" + v + "\""; };
      return Status::InputError(fmt::format(
          "{}: its table is {}, {}'s is {}: a series compares one view of the heap (give whole-heap \"dumpheap "
          "-stat\" tables)",
          profile.source, view(profile.view_filter), first_source_, view(first_view_)));
    }
    bool same = profile.sample_types.size() == first_types_.size();
    for (size_t i = 0; same && i < first_types_.size(); ++i)
      same = fmt::format("{}/{}", profile.sample_types[i].type, profile.sample_types[i].unit) == first_types_[i];
    if (!same) {
      std::string first;
      for (const auto& t : first_types_) first += (first.empty() ? "" : ", ") + t;
      return Status::InputError(fmt::format("{}: sample types ({}) differ from those of {} ({})", profile.source,
                                            TypeList(profile), first_source_, first));
    }
  }
  return Status();
}

Status Aligner::Append(const Profile& profile) {
  RETURN_IF_ERROR(CheckSampleTypes(profile));
  appending_ = true;
  if (num_captures_ == capacity_) GrowCaptures(std::max<size_t>(4, capacity_ * 2));
  ++num_captures_;
  result_.captures.emplace_back();
  return Add(num_captures_ - 1, profile);
}

void Aligner::EndCapture() {
  for (AlignedSite& site : result_.sites) {
    site.values.push_back(site.folding[0]);
    site.objects.push_back(site.folding[1]);
    if (result_.has_alloc) {
      site.alloc_values.push_back(site.folding[2]);
      site.alloc_objects.push_back(site.folding[3]);
    }
    site.folding = {};
    for (auto& c : site.size_classes) {
      c.values.push_back(c.folding_values);
      c.objects.push_back(c.folding_objects);
      c.folding_values = c.folding_objects = 0;
    }
  }
  ++folded_;
}

void Aligner::GrowCaptures(size_t capacity) {
  std::vector<uint8_t> presence(result_.sites.size() * capacity, 0);
  for (size_t s = 0; s < result_.sites.size(); ++s)
    std::copy_n(presence_.begin() + static_cast<ptrdiff_t>(s * capacity_), num_captures_,
                presence.begin() + static_cast<ptrdiff_t>(s * capacity));
  presence_ = std::move(presence);
  capacity_ = capacity;
}

void Aligner::RemoveCapture(size_t index) {
  if (index >= num_captures_) return;
  for (AlignedSite& site : result_.sites) ForEachSeries(site, result_.has_alloc, [&](PackedSeries& v) { v.Erase(index); });
  // The sites only the removed capture had go, so the table is the one the
  // remaining captures alone would give (and memory follows the sites alive).
  size_t kept = 0;
  for (size_t s = 0; s < result_.sites.size(); ++s) {
    uint8_t* present = presence_.data() + s * capacity_;
    std::copy(present + index + 1, present + num_captures_, present + index);
    present[num_captures_ - 1] = 0;
    if (std::none_of(present, present + num_captures_ - 1, [](uint8_t p) { return p != 0; })) continue;
    if (kept != s) {
      result_.sites[kept] = std::move(result_.sites[s]);
      site_hashes_[kept] = site_hashes_[s];
      std::copy_n(present, capacity_, presence_.data() + kept * capacity_);
    }
    ++kept;
  }
  if (kept != result_.sites.size()) {
    result_.sites.resize(kept);
    site_hashes_.resize(kept);
    presence_.resize(kept * capacity_);
    std::fill(site_slots_.begin(), site_slots_.end(), SiteSlot{});
    const size_t mask = site_slots_.size() - 1;
    for (uint32_t s = 0; s < kept; ++s) {
      size_t i = site_hashes_[s] & mask;
      while (site_slots_[i].id_plus_one != 0) i = (i + 1) & mask;
      site_slots_[i] = SiteSlot{s + 1, static_cast<uint32_t>(site_hashes_[s] >> 32)};
    }
  }
  result_.captures.erase(result_.captures.begin() + static_cast<ptrdiff_t>(index));
  --num_captures_;
  --folded_;
}

AlignedProfiles Aligner::Snapshot(bool keep_argument_order) const {
  AlignedProfiles copy;
  copy.granularity = result_.granularity;
  copy.value_type_name = result_.value_type_name;
  copy.value_unit = result_.value_unit;
  copy.objects_type_name = result_.objects_type_name;
  copy.cumulative = result_.cumulative;
  copy.has_alloc = result_.has_alloc;
  copy.captures = result_.captures;
  copy.frames = result_.frames;
  copy.sites.reserve(result_.sites.size());
  for (const AlignedSite& from : result_.sites) {
    AlignedSite site = from;  // every field; the two views then point into the copy's arenas
    site.frames = copy.frame_arena.Allocate(from.frames.size());
    std::copy(from.frames.begin(), from.frames.end(), site.frames.begin());
    site.example_lines = copy.line_arena.Allocate(from.example_lines.size());
    std::copy(from.example_lines.begin(), from.example_lines.end(), site.example_lines.begin());
    copy.sites.push_back(std::move(site));
  }
  OrderCaptures(copy, keep_argument_order);
  return copy;
}

Status Aligner::Add(size_t argument_index, const Profile& profile) {
  RETURN_IF_ERROR(CheckSampleTypes(profile));
  if (argument_index != folded_ || argument_index >= num_captures_)
    return Status::InputError(fmt::format("{}: profile {} folded out of order (next is {} of {})", profile.source,
                                          argument_index, folded_, num_captures_));
  Capture& capture = result_.captures[argument_index];
  capture.path = profile.source;
  capture.time_nanos = profile.time_nanos;
  capture.period = profile.period;
  capture.period_unit = profile.period_type.unit;
  capture.time_from_mtime = profile.time_from_mtime;
  capture.content_hash = profile.content_hash;
  capture.type_totals.assign(profile.sample_types.size(), 0);
  for (size_t i = 0; i < profile.values.size(); ++i) capture.type_totals[i % profile.sample_types.size()] += profile.values[i];
  capture.cumulative_types = profile.FindSampleType("alloc_space") >= 0;
  if (alloc_value_index_ >= 0) capture.total_alloc_value = capture.type_totals[static_cast<size_t>(alloc_value_index_)];
  if (alloc_objects_index_ >= 0)
    capture.total_alloc_objects = capture.type_totals[static_cast<size_t>(alloc_objects_index_)];
  if (!profile.mappings.empty()) capture.build_id = std::string(profile.mappings.front().build_id);
  capture.warnings = profile.warnings;
  capture.coverage = profile.coverage;
  capture.free_bytes = profile.free_bytes;
  capture.runtime = profile.runtime;
  capture.view_filter = profile.view_filter;

  // Aligned frame of every Line of this profile, resolved once.
  std::vector<uint32_t> function_frame(profile.functions.size(), UINT32_MAX);
  std::vector<uint32_t> line_frame(profile.lines.size());
  for (size_t i = 0; i < profile.lines.size(); ++i) {
    const Line& line = profile.lines[i];
    const Function& fn = profile.functions[line.function];
    switch (options_.granularity) {
      case Granularity::kFunctions:
        if (function_frame[line.function] == UINT32_MAX)
          function_frame[line.function] = InternFrame(fn.name, fn.filename, 0);
        line_frame[i] = function_frame[line.function];
        break;
      case Granularity::kLines:
        line_frame[i] = InternFrame(fn.name, fn.filename, line.line);
        break;
      case Granularity::kFiles:
        if (function_frame[line.function] == UINT32_MAX)
          function_frame[line.function] = InternFrame(fn.filename, fn.filename, 0);
        line_frame[i] = function_frame[line.function];
        break;
    }
  }
  // A location without symbols is named by its file and the offset in it
  // ("leaker+0x149d"), which stay the same when the process restarts and
  // its addresses move (ASLR); without a mapping, by its address.
  std::vector<uint32_t> address_frame(profile.locations.size(), UINT32_MAX);
  for (size_t i = 0; i < profile.locations.size(); ++i) {
    const Location& loc = profile.locations[i];
    if (loc.num_lines != 0) continue;
    if (loc.mapping != Location::kNoMapping && !profile.mappings[loc.mapping].filename.empty() &&
        loc.address >= profile.mappings[loc.mapping].memory_start) {
      const Mapping& m = profile.mappings[loc.mapping];
      std::string_view base = m.filename.substr(m.filename.rfind('/') + 1);
      address_frame[i] =
          InternFrame(fmt::format("{}+0x{:x}", base, loc.address - m.memory_start + m.file_offset), m.filename, 0);
    } else {
      address_frame[i] = InternFrame(fmt::format("0x{:x}", loc.address), "", 0);
    }
  }

  // Most locations hold one frame: their aligned frame and line, packed by
  // location, so the loop below touches one small array per frame.
  struct FrameAndLine {
    uint32_t frame;
    int32_t line;
  };
  constexpr uint32_t kNotSingle = UINT32_MAX;
  auto clamp_line = [](int64_t line) {  // lines beyond 32 bits are not real source lines
    return line >= 0 && line <= INT32_MAX ? static_cast<int32_t>(line) : 0;
  };
  std::vector<FrameAndLine> single_frame(profile.locations.size(), FrameAndLine{kNotSingle, 0});
  for (size_t i = 0; i < profile.locations.size(); ++i) {
    const Location& loc = profile.locations[i];
    if (loc.num_lines == 1)
      single_frame[i] = FrameAndLine{line_frame[loc.first_line], clamp_line(profile.lines[loc.first_line].line)};
  }

  const auto vi = static_cast<size_t>(value_index_);
  const bool has_objects = objects_index_ >= 0;
  const auto oi = static_cast<size_t>(objects_index_);
  const bool has_alloc = result_.has_alloc;
  const auto avi = static_cast<size_t>(alloc_value_index_);
  const int aoi = alloc_objects_index_;
  std::string_view size_key = "bytes";
  // Most sites of a capture are in the next one too: size the table for
  // this profile once instead of growing it sample by sample.
  if (result_.sites.capacity() < profile.samples.size()) {
    ReserveHuge(result_.sites, profile.samples.size());
    ReserveHuge(site_hashes_, profile.samples.size());
  }
  GrowSiteTable(profile.samples.size());
  // A sample with no call stack folds into the "(no stack)" frame, interned
  // here: the resolve stage below must not change the frame table.
  const uint32_t no_stack = std::any_of(profile.samples.begin(), profile.samples.end(),
                                        [](const Sample& s) { return s.num_locations == 0; })
                                ? NoStackFrame()
                                : UINT32_MAX;

  // Samples go through two stages, a chunk of them at a time. Resolve: a
  // sample's stack as aligned frames, its hash, values and size label. It
  // reads only this profile and the tables built above. Fold: into its site,
  // in sample order. On a large profile a second thread resolves the next
  // chunk while this one folds the last (the core that would wait for this
  // profile's turn otherwise); the result is the same either way.
  struct ResolvedSample {
    uint32_t end;                  // where its frames end in the chunk's frames
    bool folded;                   // not dropped by focus/ignore
    std::optional<int64_t> size;   // the numeric `bytes` label
    uint64_t hash;                 // of its frames, when folded
    std::array<int64_t, 4> values; // value, objects, alloc value, alloc objects
  };
  struct ResolvedChunk {
    std::vector<uint32_t> frames;  // leaf first, sample after sample
    std::vector<int32_t> lines;    // parallel to frames
    std::vector<ResolvedSample> samples;
  };
  constexpr size_t kChunk = 2048;
  const size_t num_samples = profile.samples.size();
  const size_t num_chunks = (num_samples + kChunk - 1) / kChunk;
  auto resolve = [&](size_t chunk, ResolvedChunk& out) {
    out.samples.clear();
    // The frames are written through plain pointers (push_back would store
    // the vectors' ends back to memory after every frame); `room` frames
    // fit before the buffers grow.
    uint32_t* frame_out = out.frames.data();
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
    const size_t end = std::min(num_samples, (chunk + 1) * kChunk);
    for (size_t s = chunk * kChunk; s < end; ++s) {
      const Sample& sample = profile.samples[s];
      auto values = profile.Values(s);
      ResolvedSample& r = out.samples.emplace_back();
      r.values = {values[vi], has_objects ? values[oi] : 0, has_alloc ? values[avi] : 0,
                  has_alloc && aoi >= 0 ? values[static_cast<size_t>(aoi)] : 0};
      const std::span<const uint32_t> locations = profile.Stack(sample);
      make_room(locations.size() + 1);  // one frame a location (+1: "(no stack)"); inlined ones ask for more
      const size_t begin = written();
      for (size_t at = 0; at < locations.size(); ++at) {
        const uint32_t loc_index = locations[at];
        const FrameAndLine packed = single_frame[loc_index];
        if (packed.frame != kNotSingle) {  // the common case: one access per frame
          *frame_out++ = packed.frame;
          *line_out++ = packed.line;
          --room;
          continue;
        }
        const Location& loc = profile.locations[loc_index];
        if (loc.num_lines == 0) {
          *frame_out++ = address_frame[loc_index];
          *line_out++ = 0;
          --room;
        } else {
          // Room for its frames, and still one for each location after it.
          make_room(loc.num_lines + (locations.size() - at));
          for (uint32_t l = loc.first_line; l < loc.first_line + loc.num_lines; ++l) {
            *frame_out++ = line_frame[l];
            *line_out++ = clamp_line(profile.lines[l].line);
          }
          room -= loc.num_lines;
        }
      }
      if (written() == begin) {  // real memory with no call stack (e.g. a Go process that has just started)
        *frame_out++ = no_stack;
        *line_out++ = 0;
        --room;
      }
      r.end = static_cast<uint32_t>(written());
      const std::span<const uint32_t> stack(out.frames.data() + begin, r.end - begin);
      r.folded = true;
      if (options_.focus || options_.ignore) {
        bool focused = !options_.focus.has_value(), ignored = false;
        for (uint32_t f : stack) {
          focused = focused || frame_focus_[f];
          ignored = ignored || frame_ignore_[f];
        }
        r.folded = focused && !ignored;
      }
      r.size.reset();
      r.hash = 0;
      if (!r.folded) continue;
      for (const Label& label : profile.Labels(sample)) {
        if (label.is_numeric && label.key == size_key) {
          r.size = label.num;
          break;
        }
      }
      r.hash = HashFrames(stack.data(), stack.size());
    }
  };
  // The site table is far larger than the caches: the slot of the sample
  // kAhead later is prefetched, or every sample would wait for its slot.
  constexpr size_t kAhead = 8;
  auto fold = [&](const ResolvedChunk& in) {
    const size_t count = in.samples.size();
    for (size_t i = 0; i < count; ++i) {
      if (i + kAhead < count)
        __builtin_prefetch(&site_slots_[in.samples[i + kAhead].hash & (site_slots_.size() - 1)]);
      const ResolvedSample& r = in.samples[i];
      const auto [value, objects, alloc_value, alloc_objects] = r.values;
      capture.total_value += value;
      capture.total_objects += objects;
      if (!r.folded) continue;
      const size_t begin = i == 0 ? 0 : in.samples[i - 1].end;
      const std::span<const uint32_t> stack(in.frames.data() + begin, r.end - begin);
      const std::span<const int32_t> lines(in.lines.data() + begin, r.end - begin);
      const uint32_t site_id = FindOrAddSite(stack, r.hash);
      AlignedSite& site = result_.sites[site_id];
      if (appending_) presence_[site_id * capacity_ + argument_index] = 1;
      if (value != 0 || objects != 0) FoldSize(site, r.size.value_or(0), value, objects);
      site.folding[0] += value;
      site.folding[1] += objects;
      if (has_alloc) {
        site.folding[2] += alloc_value;
        site.folding[3] += alloc_objects;
      }
      // The largest sample names the lines; ties go to the smallest lines, so
      // the choice does not depend on the order samples come in.
      const int64_t magnitude = std::llabs(value);
      if (magnitude > site.example_value ||
          (magnitude == site.example_value && std::lexicographical_compare(lines.rbegin(), lines.rend(),
                                                                           site.example_lines.begin(),
                                                                           site.example_lines.end()))) {
        site.example_value = magnitude;
        std::copy(lines.rbegin(), lines.rend(), site.example_lines.begin());
      }
      if (value == 0 && objects == 0) continue;
      if (!r.size) {
        site.sizes_incomplete = true;
        continue;
      }
      if (!site.object_sizes.Insert(*r.size, AlignedSite::kMaxSizes)) site.sizes_incomplete = true;
    }
  };
  if (num_chunks < 4) {  // a small profile: a second thread would cost more than it saves
    ResolvedChunk chunk;
    for (size_t c = 0; c < num_chunks; ++c) {
      resolve(c, chunk);
      fold(chunk);
    }
  } else {
    // Two chunk buffers: the helper resolves chunk c into slot c % 2 once
    // chunk c - 2 is folded; this thread folds chunk c once it is resolved.
    std::array<ResolvedChunk, 2> slots;
    std::mutex mu;
    std::condition_variable_any changed;
    size_t resolved = 0, folded_chunks = 0;
    std::jthread helper([&](std::stop_token stop) {
      for (size_t c = 0; c < num_chunks; ++c) {
        {
          std::unique_lock lock(mu);
          if (!changed.wait(lock, stop, [&] { return c < folded_chunks + slots.size(); })) return;
        }
        resolve(c, slots[c % slots.size()]);
        {
          std::lock_guard lock(mu);
          resolved = c + 1;
        }
        changed.notify_all();
      }
    });
    for (size_t c = 0; c < num_chunks; ++c) {
      {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return resolved > c; });
      }
      fold(slots[c % slots.size()]);
      {
        std::lock_guard lock(mu);
        folded_chunks = c + 1;
      }
      changed.notify_all();
    }
  }  // on any way out, the helper is asked to stop and joined
  EndCapture();
  return Status();
}

AlignedProfiles Aligner::Finish(bool keep_argument_order) && {
  while (folded_ < num_captures_) EndCapture();  // profiles never added hold zeros
  OrderCaptures(result_, keep_argument_order);
  return std::move(result_);
}

void OrderCaptures(AlignedProfiles& aligned, bool keep_argument_order) {
  const size_t n = aligned.captures.size();
  aligned.order_differs_from_arguments = false;
  aligned.ordered_by_time = false;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  bool all_timed = std::all_of(aligned.captures.begin(), aligned.captures.end(),
                               [](const Capture& c) { return c.time_nanos != 0; });
  if (all_timed) {
    std::vector<size_t> by_time = order;
    std::stable_sort(by_time.begin(), by_time.end(), [&](size_t a, size_t b) {
      return aligned.captures[a].time_nanos < aligned.captures[b].time_nanos;
    });
    aligned.order_differs_from_arguments = by_time != order;
    if (!keep_argument_order) {
      order = by_time;
      aligned.ordered_by_time = true;
    }
  }
  {
    auto copy = aligned.captures;
    for (size_t i = 0; i < n; ++i) aligned.captures[i] = std::move(copy[order[i]]);
  }
  if (!std::is_sorted(order.begin(), order.end())) {
    std::vector<int64_t> scratch(n);
    for (auto& site : aligned.sites) {
      ForEachSeries(site, aligned.has_alloc, [&](PackedSeries& v) {
        for (size_t i = 0; i < n; ++i) scratch[i] = v[order[i]];
        v.Assign(scratch);
      });
    }
  }
  aligned.argument_index = order;
}

}  // namespace pprof_trend
