#include "analysis/trend.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <span>
#include <thread>

#include "analysis/allocator_frames.h"
#include "analysis/discoveries.h"
#include "analysis/moves.h"
#include "analysis/node_statistics.h"
#include "analysis/processes.h"
#include "analysis/ranking.h"
#include "base/for_each_slice.h"
#include "base/huge_pages.h"
#include "base/thread_errors.h"
#include "base/units.h"

namespace pprof_trend {

namespace {

uint32_t NamingFrame(IdSpan stack, const std::vector<char>& is_allocator) {
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    if (!is_allocator[*it]) return *it;
  return stack.empty() ? 0 : stack.back();
}

}  // namespace

std::optional<double> ObjectsError95(const TrendNode& node, double objects) {
  const double p = node.size.sample_probability;
  if (!node.size.objects_estimated || p >= 1 || p <= 0) return std::nullopt;
  return kInterval95 * std::sqrt(SampledCountVariance(std::fabs(objects), p));
}

std::vector<SizeGrowth> GrowthBySize(const TrendResult& trend, const TrendNode& node) {
  if (!node.size.by_size.empty() || !node.size.single_size) return {node.size.by_size.begin(), node.size.by_size.end()};
  return {SizeGrowth{*node.size.single_size, GrowthObjects(trend, node), Growth(trend, node)}};
}

bool Grew(const TrendNode& node) { return GrewClass(node.stats); }

namespace {
// Growth is counted within each process when some process holds two captures.
bool WithinProcesses(const TrendResult& trend) { return !trend.restarts.empty() && !trend.EachCaptureOwnProcess(); }
}  // namespace

double Growth(const TrendResult& trend, const TrendNode& node) {
  return WithinProcesses(trend) ? node.stats.within : node.stats.delta;
}

double GrowthObjects(const TrendResult& trend, const TrendNode& node) {
  return WithinProcesses(trend) ? node.delta_objects_within : node.delta_objects;
}

std::vector<size_t> TrendResult::DifferentPrograms() const {
  std::vector<size_t> out;
  for (size_t i = 1; i < neighbours.size(); ++i)
    if (neighbours[i].different_programs) out.push_back(i);
  return out;
}

namespace {

// The time axis: capture times in days from the first, or capture numbers
// when a time is missing, out of order or all equal. Fills seconds and span.
std::vector<double> TimeAxis(const AlignedProfiles& aligned, TrendResult& result, bool* timed) {
  const size_t n = aligned.captures.size();
  *timed =
      std::all_of(aligned.captures.begin(), aligned.captures.end(), [](const Capture& c) { return c.time_nanos != 0; });
  if (*timed) {
    for (size_t i = 0; i < n; ++i)
      result.seconds.push_back(NanosToSeconds(aligned.captures[i].time_nanos - aligned.captures[0].time_nanos));
    result.span_seconds = result.seconds.back() - result.seconds.front();
    // Out of order (--keep-order) or identical times give no usable time axis.
    *timed = result.span_seconds > 0 && std::is_sorted(result.seconds.begin(), result.seconds.end());
    // Files' modification times tell when a file was written, which may be a
    // copy's: rates built on them are guesses, and none at all when they lie
    // under a minute apart (saved together).
    const bool from_mtime = std::any_of(aligned.captures.begin(), aligned.captures.end(),
                                        [](const Capture& c) { return c.time_from_mtime; });
    if (*timed && from_mtime) {
      for (size_t i = 1; i < n; ++i)
        if (result.seconds[i] - result.seconds[i - 1] < TrendResult::kMinGuessedGapSeconds) *timed = false;
      result.rates_guessed = *timed;
    }
  }
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = *timed ? SecondsToDays(result.seconds[i]) : static_cast<double>(i);
  if (!*timed) result.seconds.clear();
  return x;
}

// What the site and function nodes share while they are filled.
struct FillContext {
  const AlignedProfiles& aligned;
  const NodeStatistics& statistics;
  std::vector<char> is_allocator;  // per frame
  size_t threads;
};

// The statistics of sites [begin, end), whose nodes exist: independent of
// the other sites'.
void FillSiteRange(const FillContext& ctx, TrendResult& result, size_t begin, size_t end) {
  const AlignedProfiles& aligned = ctx.aligned;
  const size_t n = aligned.captures.size();
  std::vector<int64_t> values(n), objects(n), alloc_values(aligned.has_alloc ? n : 0),
      alloc_objects(aligned.has_alloc ? n : 0);
  std::vector<SizeSeries> by_size;
  for (size_t s = begin; s < end; ++s) {
    const AlignedSite& site = aligned.sites[s];
    TrendNode& node = result.sites[s];
    node.kind = TrendNode::Kind::kSite;
    node.site_index = static_cast<uint32_t>(s);
    node.name_frame = NamingFrame(site.frames, ctx.is_allocator);
    site.values.DecodeTo(values.data());
    site.objects.DecodeTo(objects.data());
    if (aligned.has_alloc) {
      site.alloc_values.DecodeTo(alloc_values.data());
      site.alloc_objects.DecodeTo(alloc_objects.data());
    }
    by_size.resize(site.size_classes.size());
    for (size_t c = 0; c < site.size_classes.size(); ++c) {
      by_size[c].size = site.size_classes[c].size;
      by_size[c].values.resize(n);
      by_size[c].objects.resize(n);
      site.size_classes[c].values.DecodeTo(by_size[c].values.data());
      site.size_classes[c].objects.DecodeTo(by_size[c].objects.data());
    }
    ctx.statistics.Fill(node, NodeBuild{values, objects, site.object_sizes, site.sizes_incomplete, alloc_values,
                                        alloc_objects, by_size});
    SplitBySize(node, site, ctx.statistics.StatSegments());
  }
}

// The sites' statistics, a chunk of sites at a time, claimed by whichever
// thread is free: the one that opens it, and a helper (the thread that
// orders the sites' stacks, once done with them). On a profile of many
// sites the ordering is the longer step, on a long series the statistics:
// either way no more threads run than there are cores, and neither waits
// while the other has work (two equal halves of a growing series' sites
// took unequal times: one thread idled for a tenth of the step). The
// opener goes on once every chunk is filled, while the helper may still be
// ordering, and later lets the helper rank the sites (ReleaseRanking).
class SiteFill {
 public:
  static constexpr size_t kChunk = 256;
  // The nodes exist and `ctx` is ready: chunks may be claimed.
  void Open(const FillContext& ctx, TrendResult& result) {
    std::lock_guard lock(mu_);
    ctx_ = &ctx;
    result_ = &result;
    num_chunks_ = (result.sites.size() + kChunk - 1) / kChunk;
    state_ = State::kOpen;
    changed_.notify_all();
  }
  // The owner is leaving (done, or on an exception): nothing waits for it
  // any more (a fill not opened yet never is, a ranking not released never is).
  void Close() {
    std::lock_guard lock(mu_);
    if (state_ == State::kWaiting) state_ = State::kClosed;
    closed_ = true;
    changed_.notify_all();
  }
  // Fills chunks until none is left to claim (waiting first for Open or Close).
  void Work() {
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return state_ != State::kWaiting; });
      if (state_ == State::kClosed) return;
    }
    const size_t num_sites = result_->sites.size();
    try {
      for (size_t c = next_.fetch_add(1); c < num_chunks_; c = next_.fetch_add(1)) {
        FillSiteRange(*ctx_, *result_, c * kChunk, std::min(num_sites, (c + 1) * kChunk));
        std::lock_guard lock(mu_);
        if (++filled_ == num_chunks_) changed_.notify_all();
      }
    } catch (...) {  // a chunk that will never be filled: WaitFilled stops waiting
      std::lock_guard lock(mu_);
      failed_ = true;
      changed_.notify_all();
      throw;
    }
  }
  // Until every chunk is filled; false when one failed (its thread threw).
  bool WaitFilled() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return filled_ == num_chunks_ || failed_; });
    return !failed_;
  }
  // The sites' nodes are final but for their order: the helper may rank them.
  void ReleaseRanking() {
    std::lock_guard lock(mu_);
    ranking_ = true;
    changed_.notify_all();
  }
  // The helper: true once the ranking is released, false once closed first.
  bool WaitForRanking() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return ranking_ || closed_; });
    return ranking_;
  }

 private:
  enum class State { kWaiting, kOpen, kClosed };
  std::mutex mu_;
  std::condition_variable changed_;
  State state_ = State::kWaiting;
  const FillContext* ctx_ = nullptr;
  TrendResult* result_ = nullptr;
  size_t num_chunks_ = 0;
  std::atomic<size_t> next_{0};
  size_t filled_ = 0;  // chunks done
  bool failed_ = false, ranking_ = false, closed_ = false;
};

// The sites grouped by leaf frame (a function's flat series, what its
// statistics are computed from), in site order: the sites of frame f are
// sites[offsets[f]] .. sites[offsets[f + 1] - 1].
struct SitesByLeaf {
  std::vector<uint32_t> offsets, sites;
};
SitesByLeaf GroupByLeaf(const AlignedProfiles& aligned) {
  const size_t num_frames = aligned.frames.size(), num_sites = aligned.sites.size();
  SitesByLeaf by_leaf{std::vector<uint32_t>(num_frames + 1, 0), std::vector<uint32_t>(num_sites)};
  for (const AlignedSite& site : aligned.sites)
    if (!site.frames.empty()) ++by_leaf.offsets[site.frames.back() + 1];
  for (size_t f = 0; f < num_frames; ++f) by_leaf.offsets[f + 1] += by_leaf.offsets[f];
  std::vector<uint32_t> next(by_leaf.offsets.begin(), by_leaf.offsets.end() - 1);
  for (uint32_t s = 0; s < num_sites; ++s)
    if (!aligned.sites[s].frames.empty()) by_leaf.sites[next[aligned.sites[s].frames.back()]++] = s;
  return by_leaf;
}

// Functions: a node for every frame in some site's stack; its statistics
// are those of its flat series (where it is the leaf), summed one function
// at a time in buffers of one series each, so memory does not grow with
// frames x captures. (The cum series, for JSON, are ForEachFunctionSeries'.)
void FillFunctions(const FillContext& ctx, TrendResult& result) {
  const AlignedProfiles& aligned = ctx.aligned;
  const size_t n = aligned.captures.size(), num_frames = aligned.frames.size(), num_sites = aligned.sites.size();
  std::vector<uint32_t> function_frames;
  {
    std::vector<char> in_a_stack(num_frames, 0);
    for (const AlignedSite& site : aligned.sites)
      for (uint32_t f : site.frames) in_a_stack[f] = 1;
    for (uint32_t f = 0; f < num_frames; ++f)
      if (in_a_stack[f]) function_frames.push_back(f);
  }
  const SitesByLeaf by_leaf = GroupByLeaf(aligned);
  result.functions.resize(function_frames.size());
  constexpr size_t kSiteAhead = 8;
  const size_t num_functions = function_frames.size();
  ForEachSlice(num_functions, num_functions >= 2000 ? ctx.threads : 1, [&](size_t, size_t begin, size_t end) {
    std::vector<int64_t> values(n), objects(n), alloc_values(aligned.has_alloc ? n : 0),
        alloc_objects(aligned.has_alloc ? n : 0);
    for (size_t k = begin; k < end; ++k) {
      const uint32_t f = function_frames[k];
      std::fill(values.begin(), values.end(), 0);
      std::fill(objects.begin(), objects.end(), 0);
      std::fill(alloc_values.begin(), alloc_values.end(), 0);
      std::fill(alloc_objects.begin(), alloc_objects.end(), 0);
      FunctionSizes sizes;
      for (uint32_t i = by_leaf.offsets[f]; i < by_leaf.offsets[f + 1]; ++i) {
        // The sites are read out of order: the site a few ahead (across
        // functions) is fetched while this one is summed.
        if (i + kSiteAhead < num_sites) {
          const char* ahead = reinterpret_cast<const char*>(&aligned.sites[by_leaf.sites[i + kSiteAhead]]);
          for (size_t line = 0; line < sizeof(AlignedSite); line += 64) __builtin_prefetch(ahead + line);
        }
        const AlignedSite& site = aligned.sites[by_leaf.sites[i]];
        site.values.AddTo(values.data());
        site.objects.AddTo(objects.data());
        if (aligned.has_alloc) {
          site.alloc_values.AddTo(alloc_values.data());
          site.alloc_objects.AddTo(alloc_objects.data());
        }
        MergeSizes(sizes, site);
      }
      TrendNode& node = result.functions[k];
      node.kind = TrendNode::Kind::kFunction;
      node.name_frame = f;
      ctx.statistics.Fill(node, NodeBuild{values, objects, sizes.sizes, sizes.incomplete, alloc_values, alloc_objects});
    }
  });
}

}  // namespace

TrendResult ComputeTrends(AlignedProfiles aligned) {
  TrendResult result;
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  const bool parallel = threads > 1 && aligned.sites.size() >= 10000;  // below that, threads cost more
  // The order of the sites' stacks (the ranking's last tie-break) reads only
  // the aligned table (which nothing changes until the end): on a large
  // table it is found on a thread of its own, beside step 1, which then
  // helps with step 2 and ranks the sites (step 3).
  const std::vector<uint32_t> frame_order = FrameOrder(aligned);
  ThreadErrors rank_errors;
  std::vector<uint32_t> site_positions;
  SiteFill fill;
  std::jthread order_sites;
  auto order = [&] { site_positions = SiteStackPositions(aligned, frame_order); };
  if (parallel) {
    order_sites = std::jthread(rank_errors.Guard([&] {
      order();
      fill.Work();
      if (fill.WaitForRanking()) Rank(result.sites, site_positions, threads);
    }));
  } else {
    order();
  }
  // On every way out, `fill` is closed (a helper waiting for it stops
  // waiting) and the helper joined before what it reads is destroyed: one
  // guard now, one once `ctx` exists (destroyed before it).
  struct FinishFill {
    SiteFill& fill;
    std::jthread& helper;
    ~FinishFill() {
      fill.Close();
      if (helper.joinable()) helper.join();
    }
  } finish_early{fill, order_sites};
  // Step 1: the time axis, and which process each capture comes from.
  bool timed = false;
  const std::vector<double> x = TimeAxis(aligned, result, &timed);
  DetectProcesses(aligned, result);
  const NodeStatistics statistics(aligned, x, timed, result.segments);
  FillContext ctx{aligned, statistics, std::vector<char>(aligned.frames.size()), threads};
  FinishFill finish{fill, order_sites};
  for (size_t f = 0; f < aligned.frames.size(); ++f)
    ctx.is_allocator[f] = aligned.goroutines ? IsGoroutineWaitFrame(aligned.frames[f].function)
                                             : IsAllocatorFrame(aligned.frames[f].function, aligned.frames[f].file);
  // Goroutine stacks share runtime.goexit or runtime.main at the root, not
  // a profiler's frames at the leaf.
  if (!aligned.goroutines) MarkProfilerFrames(aligned, ctx.is_allocator);
  // Step 2: the sites' statistics (with the ordering thread, once it is done).
  ReserveHuge(result.sites, aligned.sites.size());
  result.sites.resize(aligned.sites.size());
  fill.Open(ctx, result);
  fill.Work();
  // (The helper may still be ordering: what follows needs the statistics only.)
  if (parallel && !fill.WaitFilled()) {
    fill.Close();
    order_sites.join();
    rank_errors.Rethrow();
  }
  result.site_discoveries = ControlFalseDiscoveries(result.sites);
  FindMoves(result.sites);
  FindContinuations(result.sites, aligned);
  // Step 3: the sites' ranking, the longest step left, on the helper once it
  // has ordered them, beside the function nodes' statistics (step 4), which
  // only read the aligned table; then their ranking.
  if (parallel) {
    fill.ReleaseRanking();
  } else {
    Rank(result.sites, site_positions, 1);
  }
  FillFunctions(ctx, result);
  result.function_discoveries = ControlFalseDiscoveries(result.functions);
  Rank(result.functions, aligned, frame_order, ctx.threads);
  if (order_sites.joinable()) order_sites.join();
  rank_errors.Rethrow();
  // Step 5: the captures' totals.
  std::vector<double> totals, total_objects;
  for (const auto& c : aligned.captures) {
    totals.push_back(static_cast<double>(c.total_value));
    total_objects.push_back(static_cast<double>(c.total_objects));
  }
  const NoiseModel total_noise{statistics.rate()};
  result.total = ComputeSeriesStats(
      totals, x, timed, [&](size_t i, size_t j) { return total_noise.Tolerance(totals[i], totals[j]); },
      statistics.StatSegments());
  result.total_delta_objects = total_objects.back() - total_objects.front();
  result.aligned = std::move(aligned);
  return result;
}

}  // namespace pprof_trend
