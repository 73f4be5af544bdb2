// Alignment: N profiles -> one table of allocation sites with a series each.
//
// Captures of the same program share nothing reliable but names: ids,
// addresses and mappings change with every capture and build. So a frame is
// keyed by what a developer would call it (function name and file, plus the
// line at `lines` granularity, the file alone at `files`), and an allocation
// site is the whole stack of such frames, root to leaf, inlined frames
// expanded; a sample without a stack is the site "(no stack)". A site
// missing from a capture holds 0 there.
//
// Profiles are folded one at a time (Add) and can be released right after,
// so memory grows with the number of distinct sites, not with the number of
// captures. A series that grows while it is analysed (`watch`) appends each
// capture (Append), drops old ones (RemoveCapture) and takes a Snapshot for
// each analysis: no earlier capture is decoded again.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/site_table.h"
#include "base/huge_pages.h"
#include "base/id_span.h"
#include "base/id_table.h"
#include "base/packed_series.h"
#include "base/rare_vector.h"
#include "base/regex.h"
#include "base/status.h"
#include "base/two_stage.h"
#include "model/capture.h"
#include "model/profile.h"

namespace pprof_trend {

enum class Granularity { kFunctions, kLines, kFiles };

// The one frame of the site that holds samples without a call stack: they
// are real memory (a Go process that has just started writes such records),
// so they are kept, as one site of their own.
inline constexpr std::string_view kNoStackName = "(no stack)";

struct AlignOptions {
  Granularity granularity = Granularity::kFunctions;
  // The sample type whose series is ranked ("bytes" below, whatever its unit),
  // and the one counted as objects (empty: none). Empty `value_type` selects
  // the heap in-use pair, inuse_space and inuse_objects.
  std::string value_type;
  std::string objects_type;
  // pprof's -focus / -ignore: keep only samples with a frame whose function
  // or file name matches `focus`; drop samples with a frame matching `ignore`.
  std::optional<Regex> focus;
  std::optional<Regex> ignore;
  // Count each site's samples of the capture folded last (AlignedSite::
  // samples): push stores them beside its rows.
  bool count_samples = false;
};

// A frame as it is aligned across captures.
struct AlignedFrame {
  std::string function;  // at `files` granularity: the file name
  std::string file;
  int64_t line = 0;  // at `lines` granularity; 0 otherwise
};

// Per frame, the distinct source lines samples showed it at, each by its
// index in the order first seen: what a site's example lines hold (a frame
// has few: the lines its function allocates or calls from). A frame's first
// kInline lines are held in its 20-byte entry, where a lookup finds them in
// one cache line; a frame with more keeps the rest in a list of its own.
class FrameLines {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  // One more frame, with no line yet.
  void AddFrame() { entries_.emplace_back(); }
  // How many lines frame `frame` has.
  uint32_t count(uint32_t frame) const { return entries_[frame].count; }
  int32_t Line(uint32_t frame, uint32_t index) const {
    const Entry& e = entries_[frame];
    return index < kInline ? e.lines[index] : more_[e.more][index - kInline];
  }
  // The index of `line` among the frame's lines, or kAbsent: a scan, for a
  // frame of a few lines (Aligner::InternLines).
  uint32_t Find(uint32_t frame, int32_t line) const {
    const Entry& e = entries_[frame];
    const uint32_t held = std::min(e.count, kInline);
    for (uint32_t i = 0; i < held; ++i)
      if (e.lines[i] == line) return i;
    if (e.count <= kInline) return kAbsent;
    const std::vector<int32_t>& list = more_[e.more];
    const auto at = std::find(list.begin(), list.end(), line);
    return at == list.end() ? kAbsent : static_cast<uint32_t>(at - list.begin()) + kInline;
  }
  // Adds `line` (not yet among the frame's) as its next; returns its index.
  uint32_t Add(uint32_t frame, int32_t line) {
    Entry& e = entries_[frame];
    const uint32_t index = e.count++;
    if (index < kInline) {
      e.lines[index] = line;
    } else {
      if (index == kInline) {
        e.more = static_cast<uint32_t>(more_.size());
        more_.emplace_back();
      }
      more_[e.more].push_back(line);
    }
    return index;
  }

 private:
  static constexpr uint32_t kInline = 3;
  struct Entry {
    uint32_t count = 0;
    int32_t lines[kInline] = {};
    uint32_t more = 0;  // once count > kInline: its list in more_ (indexes kInline, kInline + 1, ...)
  };
  std::vector<Entry> entries_;
  std::vector<std::vector<int32_t>> more_;
};

// Storage for the sites' arrays: large blocks handed out in pieces, so a
// profile with 300k sites makes a few dozen allocations instead of a million,
// and views into it stay valid as it grows (and when it is moved). Blocks
// double from 256 KiB to 16 MiB, those of 4 MiB and more aligned to and
// marked for huge pages (base/huge_pages.h): the frames of 250k Go-shaped sites are 56 MB,
// 14,000 page faults in 4 KiB pages. A block is not zeroed: every caller
// writes all it takes, and pages never written are never resident.
template <typename T>
class BlockArena {
 public:
  std::span<T> Allocate(size_t n) {
    if (n > free_) {
      const size_t size = std::max(n, next_block_);
      blocks_.push_back(AllocateHugeBlock<T>(size));
      next_ = blocks_.back().get();
      free_ = size;
      next_block_ = std::min(2 * next_block_, kLargestBlock);
    }
    std::span<T> out(next_, n);
    next_ += n;
    free_ -= n;
    return out;
  }

 private:
  static constexpr size_t kFirstBlock = (size_t{256} << 10) / sizeof(T);
  static constexpr size_t kLargestBlock = (size_t{16} << 20) / sizeof(T);
  std::vector<HugeBlock<T>> blocks_;
  T* next_ = nullptr;
  size_t free_ = 0;
  size_t next_block_ = kFirstBlock;
};

// Distinct object sizes in ascending order, in 16 bytes: a single size is
// held inline (most sites have one, and a vector would cost them a heap
// block each); more go to one heap block that starts with their count.
class SizeList {
 public:
  SizeList() = default;
  SizeList(SizeList&&) = default;
  SizeList& operator=(SizeList&&) = default;
  SizeList(const SizeList& other) { *this = other; }
  SizeList& operator=(const SizeList& other) {
    if (this != &other) Assign(std::span<const int64_t>(other));
    return *this;
  }
  size_t size() const {
    if (many_) return static_cast<size_t>(many_[0]);
    return one_ == kEmpty ? 0 : 1;
  }
  bool empty() const { return size() == 0; }
  const int64_t* begin() const { return many_ ? many_.get() + 1 : &one_; }
  const int64_t* end() const { return begin() + size(); }
  int64_t front() const { return *begin(); }
  operator std::span<const int64_t>() const { return {begin(), size()}; }
  std::vector<int64_t> ToVector() const { return {begin(), end()}; }
  // Adds `size` in order; false when it is new and `max` sizes are held.
  bool Insert(int64_t size, size_t max) {
    const int64_t* at = std::lower_bound(begin(), end(), size);
    if (at != end() && *at == size) return true;
    if (this->size() >= max) return false;
    std::vector<int64_t> sizes(begin(), end());
    sizes.insert(sizes.begin() + (at - begin()), size);
    Assign(sizes);
    return true;
  }
  // Replaces the sizes with `sizes`, distinct and in ascending order (as
  // Insert keeps them).
  void Assign(std::span<const int64_t> sizes) {
    many_.reset();
    one_ = kEmpty;
    if (sizes.size() == 1 && sizes[0] != kEmpty) {
      one_ = sizes[0];
    } else if (!sizes.empty()) {
      many_ = std::make_unique<int64_t[]>(sizes.size() + 1);
      many_[0] = static_cast<int64_t>(sizes.size());
      std::copy(sizes.begin(), sizes.end(), many_.get() + 1);
    }
  }

 private:
  // Empty: no block, one_ == kEmpty. One size (other than kEmpty): no
  // block, one_. Otherwise the block: the count, then the sizes.
  static constexpr int64_t kEmpty = INT64_MIN;
  int64_t one_ = kEmpty;
  std::unique_ptr<int64_t[]> many_;
};

struct AlignedSite {
  // Indices into AlignedProfiles::frames, root first: a view into its
  // arenas, 2 bytes a frame while the stack's frame ids fit (base/id_span.h).
  IdSpan frames;
  // One value per capture, in series order, each series packed (a site that
  // never changes holds no bytes per capture; src/analysis/README.md "Long series").
  PackedSeries values;
  PackedSeries objects;  // zeros when there is no objects type
  // The cumulative allocations of the same kind (alloc_space and
  // alloc_objects beside inuse_*): what was allocated between two captures
  // of one process, which is where the sampling noise of a change comes
  // from. Empty when the profiles have no such types.
  PackedSeries alloc_values;
  PackedSeries alloc_objects;
  // The lines (parallel to frames, as many) of the largest sample folded
  // into the site, each as its index among its frame's lines
  // (AlignedProfiles::frame_lines; SiteFrameLine reads them): at `functions`
  // granularity a frame has no line of its own, and these show a reader
  // where to look. In an arena of AlignedProfiles, 1 byte a line while every
  // index of the site is below 256 (narrow_lines: a function is seen at a
  // few lines), else 4. Null until a sample is folded.
  void* example_lines = nullptr;
  uint32_t ExampleLineIndex(size_t i) const {
    return narrow_lines ? static_cast<const uint8_t*>(example_lines)[i]
                        : static_cast<const uint32_t*>(example_lines)[i];
  }
  int64_t example_value = -1;
  // Distinct object sizes from the samples' numeric `bytes` label (Go heap
  // profiles key buckets by stack and object size). Up to kMaxSizes kept.
  SizeList object_sizes;
  bool sizes_incomplete = false;  // a sample had no label, or there were too many sizes
  bool narrow_lines = false;      // example_lines holds uint8_t, not uint32_t
  // With AlignOptions::count_samples: the samples of the capture folded last
  // that hold in-use memory or objects (a Go heap profile's buckets of this
  // stack), while the site has one size (else each SizeClass has its own).
  // (In the bool's padding: no site grows for it.)
  uint32_t samples = 0;
  static constexpr size_t kMaxSizes = 16;
  // The series split by object size, kept only once a site has folded
  // samples of two sizes (most sites have one: no copy of their arrays).
  // Size 0: samples without a `bytes` label; -1: sizes past kMaxSizes.
  struct SizeClass {
    int64_t size = 0;
    PackedSeries values, objects;
    int64_t folding_values = 0, folding_objects = 0;  // the capture being folded's sums (the Aligner's)
    uint32_t samples = 0;                             // as AlignedSite::samples, of this size
  };
  RareVector<SizeClass> size_classes;
  static constexpr int64_t kNoSizeYet = INT64_MIN;
  int64_t first_size = kNoSizeYet;  // the size of every sample so far, while size_classes is empty
};

struct AlignedProfiles {
  Granularity granularity = Granularity::kFunctions;
  std::string value_type_name, value_unit;
  std::string objects_type_name;  // empty: no objects series
  // The ranked type counts every allocation since the process started
  // (alloc_space, alloc_objects): it only grows, and its growth is the
  // allocation rate, not memory held.
  bool cumulative = false;
  // The profiles' bytes are estimates for some types, so their exact
  // counts are ranked (dotnet-gcdump report; --sample-index overrides).
  bool ranked_by_count = false;
  // Go goroutine profiles (goroutine/count): the sites are stacks of
  // goroutines, their values exact counts of goroutines that exist.
  bool goroutines = false;
  bool has_alloc = false;              // sites carry alloc_values/alloc_objects
  std::vector<Capture> captures;       // in series order
  std::vector<size_t> argument_index;  // per capture: its position on the command line
  bool ordered_by_time = false;
  bool order_differs_from_arguments = false;
  std::vector<AlignedFrame> frames;
  FrameLines frame_lines;  // what the sites' example lines index
  std::vector<AlignedSite> sites;
  // What the sites' views point into.
  BlockArena<uint32_t> frame_arena;
  BlockArena<uint16_t> narrow_frame_arena;
  BlockArena<uint32_t> line_arena;
  BlockArena<uint8_t> narrow_line_arena;
};

struct ResolvedChunk;  // analysis/sample_resolver.h

class Aligner {
 public:
  // A table for `num_captures` profiles, each given once to Add.
  Aligner(AlignOptions options, size_t num_captures);
  // A table that grows by Append.
  explicit Aligner(AlignOptions options) : Aligner(std::move(options), 0) {}
  Aligner(const Aligner&) = delete;
  Aligner& operator=(const Aligner&) = delete;
  ~Aligner();

  // Folds profile number `argument_index` (its command-line position) into
  // the table; profiles come in that order, 0, 1, 2, ... Fails when its
  // sample types differ from the first profile's or the requested sample
  // type is missing.
  Status Add(size_t argument_index, const Profile& profile);
  // The same for a profile no one reads after: the memory of its samples
  // left on the wire (Profile::wire) is given back to the system as they
  // are folded, not once the whole profile is (on three Go-shaped profiles
  // of 29 MB each, the load's peak was the aligned table beside two such).
  // The profile is left without its samples.
  Status Add(size_t argument_index, Profile&& profile);

  // Orders captures by capture time when every one has one (unless
  // `keep_argument_order`), and hands the table over.
  AlignedProfiles Finish(bool keep_argument_order) &&;

  // Folds `profile` as one more capture, after the others. On an error
  // nothing is folded.
  Status Append(const Profile& profile);
  // Drops capture `index` (in the order they were added) from every series,
  // and the sites that no remaining capture has. (What describes a site
  // rather than its series, its example lines and object sizes, keeps what
  // the removed capture added.) A table grows by Append or is filled by Add,
  // never both.
  void RemoveCapture(size_t index);
  size_t num_captures() const { return num_captures_; }
  const Capture& capture(size_t index) const { return result_.captures[index]; }
  // A copy of the table so far, ordered as Finish orders it.
  AlignedProfiles Snapshot(bool keep_argument_order) const;
  // The table as folded so far, captures in the order they were added (the
  // last one folded last): what push stores of a growing series' newest
  // capture without copying the table.
  const AlignedProfiles& table() const {
    if (num_pending_ != 0) throw std::logic_error("Aligner::table of a table filled by Add before Finish");
    return result_;
  }

 private:
  // Add's; `release`: give back the memory of samples folded (Add(Profile&&)).
  Status Fold(size_t argument_index, const Profile& profile, bool release);
  Status ResolveSampleTypes(const Profile& profile);
  Status CheckSampleTypes(const Profile& profile);
  // Gives presence_ room for `capacity` captures.
  void GrowCaptures(size_t capacity);
  // Appends every site's folded sums (or zeros) as the next capture; in a
  // table filled by Add, to pending_, flushed every kPendingCaptures.
  void EndCapture();
  // Appends the pending captures' points to every site's series.
  void FlushPending();
  // The site's series `which` (0: values, 1: objects) with its pending points.
  PackedSeries WithPending(const AlignedSite& site, int which) const;
  uint32_t InternFrame(std::string_view function, std::string_view file, int64_t line);
  // Each of `lines` (frames[i]'s) replaced by its index among its frame's
  // lines (result_.frame_lines), added when new.
  void InternLines(std::span<const uint32_t> frames, std::span<uint32_t> lines);
  // Adds one sample to the site's series by object size (size_classes).
  void FoldSize(AlignedSite& site, int64_t size, int64_t value, int64_t objects);
  uint32_t FindOrAddSite(std::span<const uint32_t> frames_leaf_first, uint64_t hash);
  // Whether `leaf_first` (a sample's lines' indexes), root first, come
  // before the site's example lines (by line number).
  bool LinesBefore(std::span<const uint32_t> leaf_first, const AlignedSite& site) const;
  // Stores `leaf_first` (a sample's lines' indexes) as the site's example lines.
  void SetExampleLines(AlignedSite& site, std::span<const uint32_t> leaf_first);
  // Folds resolved samples into their sites (and the capture's totals).
  void FoldChunk(const ResolvedChunk& chunk, Capture& capture, size_t argument_index);

  AlignOptions options_;
  size_t num_captures_;
  size_t capacity_;    // presence_'s room per site (>= num_captures_)
  size_t folded_ = 0;  // captures every series holds
  AlignedProfiles result_;
  std::vector<std::string> first_types_;  // "type/unit" of the first profile
  std::string first_source_;
  std::string first_view_;  // the first profile's view_filter
  int value_index_ = -1, objects_index_ = -1;
  int alloc_value_index_ = -1, alloc_objects_index_ = -1;

  IdTable frame_ids_;  // frames by (function, file, line): ids into result_.frames
  // Every frame's lines, by (frame, line): ids into line_keys_ (found there
  // once a frame has more than a scan's worth, Aligner::InternLines).
  IdTable line_ids_;
  struct LineKey {
    uint32_t frame;
    int32_t line;
    uint32_t index;  // among the frame's lines
  };
  std::vector<LineKey> line_keys_;
  std::vector<int8_t> frame_focus_;   // per frame: matches focus
  std::vector<int8_t> frame_ignore_;  // per frame: matches ignore
  SiteTable site_table_;              // sites by stack
  // Per site, per capture (capacity_ a site): 1 when a sample of the capture
  // folded into the site. Kept only for appended tables, where a capture can
  // be removed and its sites with it.
  std::vector<uint8_t> presence_;
  bool appending_ = false;
  // Per site, the sums of the capture being folded (values, objects, alloc
  // values, alloc objects), appended to its series once the whole capture
  // is in. One dense row, not a field of each site: ending a capture then
  // reads 32 bytes a site, not the site.
  using Sums = std::array<int64_t, 4>;
  std::vector<Sums> folding_;
  // A long table filled by Add (kPendingFrom captures or more): the rows of
  // the last captures ended (sites past a row's end hold zeros there), not
  // yet in the sites' series. Appended up to kPendingCaptures at a time (and
  // as soon as the rows hold kPendingBytes), a series' buffer is touched
  // once a batch, not once a capture: appending each capture's point to
  // 60,000 series, each in its own block, was a quarter of a growing
  // month's fold. Sites' own series hold folded_ - num_pending_ points
  // (their size classes hold folded_, and are ended capture by capture:
  // sites_with_classes_).
  static constexpr size_t kPendingFrom = 64;
  static constexpr size_t kPendingCaptures = 8;
  static constexpr size_t kPendingBytes = size_t{8} << 20;
  bool pends_ = false;
  std::vector<std::vector<Sums>> pending_;
  size_t num_pending_ = 0;
  std::vector<uint32_t> sites_with_classes_;  // while pends_
  // The resolved samples' buffers (RunTwoStage's), kept from capture to
  // capture: a month of small captures grew new ones 720 times, on two
  // threads' heaps.
  std::unique_ptr<std::array<ResolvedChunk, kTwoStageSlots>> chunk_slots_;
};

// Whether `re` matches the frame's function or file name (pprof's rule for
// -focus and -ignore; check's --forbid and --allow too). Never the
// "(no stack)" frame: it is no part of the program.
inline bool FrameMatches(const AlignedFrame& frame, const Regex& re) {
  if (frame.function == kNoStackName && frame.file.empty()) return false;
  return re.Matches(frame.function) || re.Matches(frame.file);
}

// The line frame `i` of `site` is shown with: its own at `lines`
// granularity, else the line of the site's largest sample (0 if unknown).
inline int64_t SiteFrameLine(const AlignedProfiles& aligned, const AlignedSite& site, size_t i) {
  const int64_t own = aligned.frames[site.frames[i]].line;
  if (own != 0) return own;
  if (site.example_lines == nullptr || i >= site.frames.size()) return 0;  // no sample folded
  return aligned.frame_lines.Line(site.frames[i], site.ExampleLineIndex(i));
}

// Puts the captures in time order when every one has a time (unless
// `keep_argument_order`), permuting every series to match.
void OrderCaptures(AlignedProfiles& aligned, bool keep_argument_order);

std::string_view GranularityName(Granularity g);
std::optional<Granularity> ParseGranularity(std::string_view name);

}  // namespace pprof_trend
