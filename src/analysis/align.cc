#include "analysis/align.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <numeric>

#include "analysis/sample_resolver.h"
#include "base/huge_pages.h"
#include "base/splitmix.h"
#include "base/two_stage.h"
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

// A copy in `arena` of a site's `n` example lines of width T.
template <typename T>
void* CopyLines(BlockArena<T>& arena, const void* from, size_t n) {
  const auto* lines = static_cast<const T*>(from);
  T* out = arena.Allocate(n).data();
  std::copy(lines, lines + n, out);
  return out;
}
// A site's frames, from a sample's (leaf first), root first in `arena`
// (of uint16_t when every id fits: IdSpan::FitsNarrow).
template <typename T>
IdSpan CopyReversed(BlockArena<T>& arena, std::span<const uint32_t> leaf_first) {
  std::span<T> out = arena.Allocate(leaf_first.size());
  std::transform(leaf_first.rbegin(), leaf_first.rend(), out.begin(), [](uint32_t id) { return static_cast<T>(id); });
  return {out.data(), out.size()};
}
// A copy in `arena` of frames of its width.
template <typename T>
IdSpan CopyIds(BlockArena<T>& arena, IdSpan from) {
  std::span<T> out = arena.Allocate(from.size());
  std::transform(from.begin(), from.end(), out.begin(), [](uint32_t id) { return static_cast<T>(id); });
  return {out.data(), out.size()};
}
// Writes a sample's lines' indexes (leaf first) root first, as T, over `to`.
template <typename T>
void WriteReversed(void* to, std::span<const uint32_t> leaf_first) {
  std::transform(leaf_first.rbegin(), leaf_first.rend(), static_cast<T*>(to),
                 [](uint32_t index) { return static_cast<T>(index); });
}

}  // namespace

Aligner::Aligner(AlignOptions options, size_t num_captures)
    : options_(std::move(options)),
      num_captures_(num_captures),
      capacity_(num_captures),
      pends_(num_captures >= kPendingFrom) {
  result_.granularity = options_.granularity;
  result_.captures.resize(num_captures);
}

Status Aligner::ResolveSampleTypes(const Profile& profile) {
  if (options_.value_type.empty()) {
    const HeapTypes heap = FindHeapTypes(profile);
    value_index_ = heap.space;
    objects_index_ = heap.objects;
    // Bytes that are estimates for some types (dotnet-gcdump report's
    // arrays and strings: one object's size times the count) would rank a
    // type whose count rose by 21 first: the exact counts are ranked.
    if (profile.estimated_bytes_types > 0 && heap.objects >= 0) {
      value_index_ = heap.objects;
      objects_index_ = -1;
      result_.ranked_by_count = true;
    }
    // A goroutine profile: its exact counts are ranked (a series of them
    // finds goroutines that leak).
    if (value_index_ < 0) value_index_ = FindGoroutineType(profile);
    if (value_index_ < 0)
      return Status::InputError(fmt::format("{}: not a heap profile (sample types: {}); pick one with --sample-index",
                                            profile.source, TypeList(profile)));
  } else {
    value_index_ = profile.FindSampleType(options_.value_type);
    if (value_index_ < 0)
      return Status::UsageError(fmt::format("{}: has no sample type \"{}\" (it has: {})", profile.source,
                                            options_.value_type, TypeList(profile)));
    std::string objects = options_.objects_type.empty() ? ObjectsTypeFor(options_.value_type) : options_.objects_type;
    objects_index_ = objects.empty() ? -1 : profile.FindSampleType(objects);
  }
  // A goroutine profile's count, chosen or named with --sample-index: the
  // same series either way.
  result_.goroutines = value_index_ == FindGoroutineType(profile);
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
  const std::hash<std::string_view> hash;
  const uint64_t h = SplitMix64(hash(function) ^ SplitMix64(hash(file) + static_cast<uint64_t>(line)));
  const auto next = static_cast<uint32_t>(result_.frames.size());
  const uint32_t id = frame_ids_.FindOrInsert(h, next, [&](uint32_t f) {
    const AlignedFrame& frame = result_.frames[f];
    return frame.line == line && frame.function == function && frame.file == file;
  });
  if (id == next) {
    result_.frames.push_back(AlignedFrame{std::string(function), std::string(file), line});
    const AlignedFrame& frame = result_.frames.back();
    frame_focus_.push_back(options_.focus && FrameMatches(frame, *options_.focus));
    frame_ignore_.push_back(options_.ignore && FrameMatches(frame, *options_.ignore));
    result_.frame_lines.AddFrame();
  }
  return id;
}

void Aligner::InternLines(std::span<const uint32_t> frames, std::span<uint32_t> lines) {
  // A frame of a few lines (most: the lines its function allocates or calls
  // from) is searched by a scan of its own list, which stays in the caches;
  // one of many in line_ids_, which holds every line of every frame.
  constexpr uint32_t kScanned = 16;
  FrameLines& known = result_.frame_lines;
  for (size_t i = 0; i < frames.size(); ++i) {
    const uint32_t frame = frames[i];
    const auto line = static_cast<int32_t>(lines[i]);
    if (known.count(frame) <= kScanned) {
      const uint32_t index = known.Find(frame, line);
      if (index != FrameLines::kAbsent) {
        lines[i] = index;
        continue;
      }
    }
    const uint64_t h = SplitMix64((uint64_t{frame} << 32) ^ static_cast<uint32_t>(line));
    const auto next = static_cast<uint32_t>(line_keys_.size());
    const uint32_t id = line_ids_.FindOrInsert(
        h, next, [&](uint32_t k) { return line_keys_[k].frame == frame && line_keys_[k].line == line; });
    if (id == next) line_keys_.push_back(LineKey{frame, line, known.Add(frame, line)});
    lines[i] = line_keys_[id].index;
  }
}

uint32_t Aligner::FindOrAddSite(std::span<const uint32_t> leaf_first, uint64_t h) {
  size_t slot = 0;
  const SiteId found = site_table_.Find(
      leaf_first, h, [&](SiteId id) { return result_.sites[id].frames; }, &slot);
  if (found != SiteTable::kNotFound) return found;
  auto id = static_cast<uint32_t>(result_.sites.size());
  AlignedSite site;
  site.frames = IdSpan::FitsNarrow(leaf_first) ? CopyReversed(result_.narrow_frame_arena, leaf_first)
                                               : CopyReversed(result_.frame_arena, leaf_first);
  // Zeros for the captures before this one (those pending: as pending_'s
  // rows end before it). Cumulative counters are stored along their rate
  // (base/packed_series.h).
  const size_t zeros = folded_ - num_pending_;
  site.values = PackedSeries::Zeros(zeros, num_captures_, result_.cumulative);
  site.objects = PackedSeries::Zeros(zeros, num_captures_, result_.cumulative);
  if (result_.has_alloc) {
    site.alloc_values = PackedSeries::Zeros(zeros, num_captures_, true);
    site.alloc_objects = PackedSeries::Zeros(zeros, num_captures_, true);
  }
  result_.sites.push_back(std::move(site));
  folding_.emplace_back();
  if (appending_) presence_.resize(result_.sites.size() * capacity_, 0);
  site_table_.Insert(slot, id, h);
  return id;
}

void Aligner::FoldSize(AlignedSite& site, int64_t size, int64_t value, int64_t objects) {
  if (site.size_classes.empty()) {
    if (site.first_size == AlignedSite::kNoSizeYet || site.first_size == size) {
      site.first_size = size;
      if (options_.count_samples) ++site.samples;
      return;  // one size so far: the site's own series are its class
    }
    // A second size: the series so far were all of the first.
    const auto id = static_cast<size_t>(&site - result_.sites.data());
    site.size_classes.push_back(AlignedSite::SizeClass{site.first_size, WithPending(site, 0), WithPending(site, 1),
                                                       folding_[id][0], folding_[id][1], site.samples});
    if (pends_) sites_with_classes_.push_back(static_cast<uint32_t>(id));
  }
  auto& classes = site.size_classes;
  auto it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.size == size; });
  if (it == classes.end() && classes.size() >= AlignedSite::kMaxSizes) {
    size = -1;  // the rest together
    it = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.size == size; });
  }
  if (it == classes.end()) {
    classes.push_back(AlignedSite::SizeClass{size, PackedSeries::Zeros(folded_, num_captures_, result_.cumulative),
                                             PackedSeries::Zeros(folded_, num_captures_, result_.cumulative)});
    it = classes.end() - 1;
  }
  it->folding_values += value;
  it->folding_objects += objects;
  if (options_.count_samples) ++it->samples;
}

namespace {

// Refuses a heap profile that is a difference, not a snapshot;
// `any_negative` as DescribeHeapDifference's.
template <typename AnyNegative>
Status RefuseHeapDifference(const Profile& profile, AnyNegative&& any_negative) {
  if (auto difference = DescribeHeapDifference(profile, any_negative))
    return Status::InputError(fmt::format("{}: {}, not a snapshot of the heap; a trend needs snapshots ({})",
                                          profile.source, difference->what, difference->advice));
  return Status();
}

}  // namespace

Status Aligner::CheckSampleTypes(const Profile& profile) {
  // Unchecked samples: their negative values are known once folded (Add).
  RETURN_IF_ERROR(RefuseHeapDifference(
      profile, [&](size_t type) { return profile.SamplesChecked() && profile.AnyNegative(type); }));
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
    if (!same && (result_.goroutines ? FindHeapTypes(profile).space >= 0 : FindGoroutineType(profile) >= 0))
      return Status::InputError(fmt::format(
          "{}: a {} profile, and {} a {} profile: a series is of one kind; give the goroutine profiles and the heap "
          "profiles as two series (watch --goroutines keeps its goroutine captures in a goroutines/ folder)",
          profile.source, result_.goroutines ? "heap" : "goroutine", first_source_,
          result_.goroutines ? "goroutine" : "heap"));
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
  // On an error nothing may be folded: a bad sample must be found first.
  if (!profile.SamplesChecked()) throw std::logic_error(profile.source + ": appended with its samples unchecked");
  RETURN_IF_ERROR(CheckSampleTypes(profile));
  appending_ = true;
  pends_ = false;  // a table that grows is read between captures
  if (num_captures_ == capacity_) GrowCaptures(std::max<size_t>(4, capacity_ * 2));
  ++num_captures_;
  result_.captures.emplace_back();
  return Add(num_captures_ - 1, profile);
}

void Aligner::EndCapture() {
  auto end_classes = [](AlignedSite& site) {
    for (auto& c : site.size_classes) {
      c.values.push_back(c.folding_values);
      c.objects.push_back(c.folding_objects);
      c.folding_values = c.folding_objects = 0;
    }
  };
  folding_.resize(result_.sites.size());
  if (pends_) {
    if (pending_.size() <= num_pending_) pending_.resize(num_pending_ + 1);
    std::swap(pending_[num_pending_], folding_);
    folding_.assign(result_.sites.size(), Sums{});
    for (uint32_t s : sites_with_classes_) end_classes(result_.sites[s]);
    ++folded_;
    if (++num_pending_ == kPendingCaptures || num_pending_ * folding_.size() * sizeof(Sums) >= kPendingBytes)
      FlushPending();
    return;
  }
  for (size_t s = 0; s < result_.sites.size(); ++s) {
    AlignedSite& site = result_.sites[s];
    Sums& sums = folding_[s];
    site.values.push_back(sums[0]);
    site.objects.push_back(sums[1]);
    if (result_.has_alloc) {
      site.alloc_values.push_back(sums[2]);
      site.alloc_objects.push_back(sums[3]);
    }
    sums = {};
    end_classes(site);
  }
  ++folded_;
}

void Aligner::FlushPending() {
  if (num_pending_ == 0) return;
  const bool has_alloc = result_.has_alloc;
  // A site's points of each series, appended as one batch (most sites' are
  // on their series' line, and counted at once).
  std::array<std::array<int64_t, kPendingCaptures>, 4> points;
  // Each series' block is elsewhere in the heap: those of the site kAhead
  // later are fetched while this one's are appended to.
  constexpr size_t kAhead = 4;
  for (size_t s = 0; s < result_.sites.size(); ++s) {
    if (s + kAhead < result_.sites.size()) {
      const AlignedSite& ahead = result_.sites[s + kAhead];
      ahead.values.Prefetch();
      ahead.objects.Prefetch();
      ahead.alloc_values.Prefetch();
      ahead.alloc_objects.Prefetch();
    }
    for (size_t k = 0; k < num_pending_; ++k) {
      const auto& row = pending_[k];
      const Sums sums = s < row.size() ? row[s] : Sums{};
      for (size_t j = 0; j < 4; ++j) points[j][k] = sums[j];
    }
    AlignedSite& site = result_.sites[s];
    site.values.Append({points[0].data(), num_pending_});
    site.objects.Append({points[1].data(), num_pending_});
    if (has_alloc) {
      site.alloc_values.Append({points[2].data(), num_pending_});
      site.alloc_objects.Append({points[3].data(), num_pending_});
    }
  }
  num_pending_ = 0;
}

PackedSeries Aligner::WithPending(const AlignedSite& site, int which) const {
  PackedSeries series = which == 0 ? site.values : site.objects;
  const auto s = static_cast<size_t>(&site - result_.sites.data());
  for (size_t k = 0; k < num_pending_; ++k)
    series.push_back(s < pending_[k].size() ? pending_[k][s][static_cast<size_t>(which)] : 0);
  return series;
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
  for (AlignedSite& site : result_.sites)
    ForEachSeries(site, result_.has_alloc, [&](PackedSeries& v) { v.Erase(index); });
  // The sites only the removed capture had go, so the table is the one the
  // remaining captures alone would give (and memory follows the sites alive).
  std::vector<bool> keep(result_.sites.size());
  size_t kept = 0;
  for (size_t s = 0; s < result_.sites.size(); ++s) {
    uint8_t* present = presence_.data() + s * capacity_;
    std::copy(present + index + 1, present + num_captures_, present + index);
    present[num_captures_ - 1] = 0;
    keep[s] = std::any_of(present, present + num_captures_ - 1, [](uint8_t p) { return p != 0; });
    if (!keep[s]) continue;
    if (kept != s) {
      result_.sites[kept] = std::move(result_.sites[s]);
      std::copy_n(present, capacity_, presence_.data() + kept * capacity_);
    }
    ++kept;
  }
  if (kept != result_.sites.size()) {
    result_.sites.resize(kept);
    folding_.resize(kept);  // zeros between captures
    presence_.resize(kept * capacity_);
    site_table_.Compact(keep);
  }
  result_.captures.erase(result_.captures.begin() + static_cast<ptrdiff_t>(index));
  --num_captures_;
  --folded_;
}

AlignedProfiles Aligner::Snapshot(bool keep_argument_order) const {
  if (num_pending_ != 0) throw std::logic_error("Aligner::Snapshot of a table filled by Add before Finish");
  AlignedProfiles copy;
  copy.granularity = result_.granularity;
  copy.value_type_name = result_.value_type_name;
  copy.value_unit = result_.value_unit;
  copy.objects_type_name = result_.objects_type_name;
  copy.cumulative = result_.cumulative;
  copy.ranked_by_count = result_.ranked_by_count;
  copy.goroutines = result_.goroutines;
  copy.has_alloc = result_.has_alloc;
  copy.captures = result_.captures;
  copy.frames = result_.frames;
  copy.frame_lines = result_.frame_lines;
  copy.sites.reserve(result_.sites.size());
  for (const AlignedSite& from : result_.sites) {
    AlignedSite site = from;  // every field; the two views then point into the copy's arenas
    site.frames =
        from.frames.narrow() ? CopyIds(copy.narrow_frame_arena, from.frames) : CopyIds(copy.frame_arena, from.frames);
    if (from.example_lines != nullptr) {
      const size_t n = from.frames.size();
      site.example_lines = from.narrow_lines ? CopyLines(copy.narrow_line_arena, from.example_lines, n)
                                             : CopyLines(copy.line_arena, from.example_lines, n);
    }
    copy.sites.push_back(std::move(site));
  }
  OrderCaptures(copy, keep_argument_order);
  return copy;
}

Aligner::~Aligner() = default;

// A profile is folded in five steps (Append adds a capture first).
Status Aligner::Add(size_t argument_index, const Profile& profile) { return Fold(argument_index, profile, false); }

Status Aligner::Add(size_t argument_index, Profile&& profile) {
  Status folded = Fold(argument_index, profile, true);
  profile.wire.reset();  // its bytes, part of them given back
  return folded;
}

Status Aligner::Fold(size_t argument_index, const Profile& profile, bool release) {
  // Step 1: the profile fits the series (its sample types, its view of the
  // heap), and comes in its turn.
  RETURN_IF_ERROR(CheckSampleTypes(profile));
  if (argument_index != folded_ || argument_index >= num_captures_)
    return Status::InputError(fmt::format("{}: profile {} folded out of order (next is {} of {})", profile.source,
                                          argument_index, folded_, num_captures_));
  // Step 2: what the series keeps of it besides its samples.
  Capture& capture = result_.captures[argument_index];
  capture = CaptureOf(profile);
  // Step 3: every frame it names, interned once; the site table sized for it.
  const SampleResolver resolver(
      profile, options_.granularity,
      [this](std::string_view function, std::string_view file, int64_t line) {
        return InternFrame(function, file, line);
      },
      [this](std::span<const uint32_t> frames, std::span<uint32_t> lines) { InternLines(frames, lines); },
      ValueIndices{value_index_, objects_index_, alloc_value_index_, result_.has_alloc ? alloc_objects_index_ : -1});
  if (options_.count_samples)
    for (AlignedSite& site : result_.sites) {
      site.samples = 0;
      for (auto& c : site.size_classes) c.samples = 0;
    }
  GrowHuge(result_.sites, profile.num_samples());
  GrowHuge(folding_, profile.num_samples());
  site_table_.Reserve(profile.num_samples());
  // Step 4: its samples, a chunk at a time: resolved (on a second thread for
  // a large profile) and folded into their sites, in sample order. Samples
  // the loader left unchecked are checked as they are resolved; the chunks'
  // checks are added up in order after the loader's, and no chunk is folded
  // once one has failed or the totals overflow (every sum stays below 2^62).
  const FrameFilters filters{options_.focus ? &frame_focus_ : nullptr, options_.ignore ? &frame_ignore_ : nullptr};
  if (!chunk_slots_) chunk_slots_ = std::make_unique<std::array<ResolvedChunk, kTwoStageSlots>>();
  const bool checks = !profile.SamplesChecked();
  SampleCheck check = checks ? profile.wire->check : SampleCheck(0);  // of those the loader checked
  // With `release`, once chunk c is folded the bytes before chunk c + 1's
  // first record are read no more (records are in file order, and the
  // strings were copied out when decoded; chunks past c may be resolving).
  const std::vector<std::string_view>* records = release && profile.wire ? &profile.wire->records : nullptr;
  const void* released = records != nullptr ? profile.wire->bytes.data() : nullptr;
  size_t folded_chunks = 0;
  RunTwoStage<ResolvedChunk>(
      resolver.num_chunks(), *chunk_slots_,
      [&](size_t chunk, ResolvedChunk& out) { resolver.Resolve(chunk, filters, out); },
      [&](const ResolvedChunk& in) {
        const size_t next = ++folded_chunks * SampleResolver::kChunk;
        if (checks) {
          if (!check.error.ok()) return;  // said: the first bad sample's
          check.AddAfter(in.check);
          if (!check.error.ok() || !check.totals_fit) return;
        }
        FoldChunk(in, capture, argument_index);
        if (records != nullptr && next < records->size()) released = ReleasePages(released, (*records)[next].data());
      });
  if (checks) {
    RETURN_IF_ERROR(SampleCheckResult(check, profile.source));
    capture.type_totals = std::move(check.type_totals);
    RETURN_IF_ERROR(RefuseHeapDifference(profile, [&](size_t type) { return check.type_has_negative[type] != 0; }));
  }
  if (alloc_value_index_ >= 0) capture.total_alloc_value = capture.type_totals[static_cast<size_t>(alloc_value_index_)];
  if (alloc_objects_index_ >= 0)
    capture.total_alloc_objects = capture.type_totals[static_cast<size_t>(alloc_objects_index_)];
  // Step 5: every site's sums of this capture become its next point.
  EndCapture();
  return Status();
}

void Aligner::FoldChunk(const ResolvedChunk& in, Capture& capture, size_t argument_index) {
  // The site table is far larger than the caches: the slot of the sample
  // kAhead later is prefetched, or every sample would wait for its slot.
  constexpr size_t kAhead = 8;
  const bool has_alloc = result_.has_alloc;
  const size_t count = in.samples.size();
  for (size_t i = 0; i < count; ++i) {
    if (i + kAhead < count) site_table_.Prefetch(in.samples[i + kAhead].hash);
    const ResolvedSample& r = in.samples[i];
    const auto [value, objects, alloc_value, alloc_objects] = r.values;
    capture.total_value += value;
    capture.total_objects += objects;
    if (!r.folded) continue;
    const size_t begin = i == 0 ? 0 : in.samples[i - 1].end;
    const std::span<const uint32_t> stack(in.frames.data() + begin, r.end - begin);
    const std::span<const uint32_t> lines(in.lines.data() + begin, r.end - begin);
    const uint32_t site_id = FindOrAddSite(stack, r.hash);
    AlignedSite& site = result_.sites[site_id];
    if (appending_) presence_[site_id * capacity_ + argument_index] = 1;
    if (value != 0 || objects != 0) FoldSize(site, r.size.value_or(0), value, objects);
    Sums& sums = folding_[site_id];
    sums[0] += value;
    sums[1] += objects;
    if (has_alloc) {
      sums[2] += alloc_value;
      sums[3] += alloc_objects;
    }
    // The largest sample names the lines; ties go to the smallest lines, so
    // the choice does not depend on the order samples come in.
    const int64_t magnitude = std::llabs(value);
    if (magnitude > site.example_value || (magnitude == site.example_value && LinesBefore(lines, site))) {
      site.example_value = magnitude;
      SetExampleLines(site, lines);
    }
    if (value == 0 && objects == 0) continue;
    if (!r.size) {
      site.sizes_incomplete = true;
      continue;
    }
    if (!site.object_sizes.Insert(*r.size, AlignedSite::kMaxSizes)) site.sizes_incomplete = true;
  }
}

bool Aligner::LinesBefore(std::span<const uint32_t> leaf_first, const AlignedSite& site) const {
  const size_t n = leaf_first.size();  // the site's frames' count
  // The first frame whose line differs (most ties have none: the same
  // sample's lines capture after capture), at the example's width.
  auto first_difference = [&](const auto* example) {
    size_t i = 0;
    while (i < n && leaf_first[n - 1 - i] == example[i]) ++i;
    return i;
  };
  const size_t i = site.narrow_lines ? first_difference(static_cast<const uint8_t*>(site.example_lines))
                                     : first_difference(static_cast<const uint32_t*>(site.example_lines));
  if (i == n) return false;
  const uint32_t frame = site.frames[i];
  return result_.frame_lines.Line(frame, leaf_first[n - 1 - i]) <
         result_.frame_lines.Line(frame, site.ExampleLineIndex(i));
}

void Aligner::SetExampleLines(AlignedSite& site, std::span<const uint32_t> leaf_first) {
  const size_t n = leaf_first.size();
  const bool fit = std::all_of(leaf_first.begin(), leaf_first.end(), [](uint32_t i) { return i <= UINT8_MAX; });
  // A site's first lines choose the width; an index that does not fit moves
  // it to 4 bytes for good (the 1-byte copy is left in its arena).
  if (site.example_lines == nullptr || (site.narrow_lines && !fit)) {
    site.narrow_lines = fit;
    site.example_lines = fit ? static_cast<void*>(result_.narrow_line_arena.Allocate(n).data())
                             : static_cast<void*>(result_.line_arena.Allocate(n).data());
  }
  if (site.narrow_lines) {
    WriteReversed<uint8_t>(site.example_lines, leaf_first);
  } else {
    WriteReversed<uint32_t>(site.example_lines, leaf_first);
  }
}

AlignedProfiles Aligner::Finish(bool keep_argument_order) && {
  while (folded_ < num_captures_) EndCapture();  // profiles never added hold zeros
  FlushPending();
  OrderCaptures(result_, keep_argument_order);
  return std::move(result_);
}

void OrderCaptures(AlignedProfiles& aligned, bool keep_argument_order) {
  const size_t n = aligned.captures.size();
  aligned.order_differs_from_arguments = false;
  aligned.ordered_by_time = false;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  bool all_timed =
      std::all_of(aligned.captures.begin(), aligned.captures.end(), [](const Capture& c) { return c.time_nanos != 0; });
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
