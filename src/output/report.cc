#include "output/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analysis/allocator_frames.h"
#include "base/units.h"
#include "base/utf8.h"
#include "model/profile_kind.h"

namespace pprof_trend {

std::string ShortenFunctionName(std::string_view name) {
  // The package path ends at the last '/' before the first '(' or '['
  // (receivers and generic arguments may contain '/').
  size_t limit = name.find_first_of("([");
  std::string_view head = name.substr(0, limit);
  size_t slash = head.rfind('/');
  if (slash == std::string_view::npos) return std::string(name);
  return std::string(name.substr(slash + 1));
}

namespace {
// "Dictionary`2+Node[[Key, A],[Value, B]]" -> "Dictionary`2+Node[...]": generic
// arguments are the first thing to go when a name does not fit. Only
// brackets that close are arguments: a JVM array class
// ("[Lorg.apache.flink.Foo$Bar;", "[[I") keeps its '[' as written.
std::string CollapseBrackets(std::string_view s) {
  std::vector<char> closes(s.size(), 0);  // a '[' at i has its ']'
  std::vector<size_t> open;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') open.push_back(i);
    if (s[i] == ']' && !open.empty()) {
      closes[open.back()] = 1;
      open.pop_back();
    }
  }
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '[' && depth == 0 && i + 1 < s.size() && s[i + 1] == ']') {  // an array type's "[]" stays
      out += "[]";
      ++i;
      continue;
    }
    if (c == '[' && closes[i]) {
      if (depth++ == 0) out += "[...";
      continue;
    }
    if (c == ']' && depth > 0) {
      if (--depth == 0) out += ']';
      continue;
    }
    if (depth == 0) out += c;
  }
  return out;
}
}  // namespace

std::string FitWidth(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s);
  if (s.find('[') != std::string_view::npos) {
    std::string collapsed = CollapseBrackets(s);
    if (collapsed.size() < s.size()) return FitWidth(collapsed, width);
  }
  if (width <= 3) return std::string(s.substr(s.size() - width));
  return "..." + std::string(s.substr(s.size() - (width - 3)));
}

std::string FitRowName(const ReportRow& row, size_t width) {
  if (row.short_name.size() <= width || row.short_qualifier.empty()) return FitWidth(row.short_name, width);
  const std::string_view base =
      std::string_view(row.short_name).substr(0, row.short_name.size() - row.short_qualifier.size());
  std::string qualifier = row.short_qualifier;
  if (qualifier.size() > width / 2) {
    // " (from X)": X keeps its end.
    const size_t open = qualifier.find('(');
    const size_t space = qualifier.find(' ', open);
    const std::string head = qualifier.substr(0, space + 1);
    const std::string inner = qualifier.substr(space + 1, qualifier.size() - space - 2);
    qualifier = head + FitWidth(inner, width / 2 - head.size() - 1) + ")";
  }
  return FitWidth(base, width - qualifier.size()) + qualifier;
}

std::string NodeName(const AlignedProfiles& aligned, const TrendNode& node) {
  const AlignedFrame& f = aligned.frames[node.name_frame];
  if (aligned.granularity == Granularity::kLines) return fmt::format("{}:{}", f.function, f.line);
  return f.function;
}

std::string RowName(const Report& report, const TrendNode& node, bool shorten) {
  const AlignedProfiles& aligned = report.trend->aligned;
  std::string name = NodeName(aligned, node);
  if (shorten) name = ShortenFunctionName(name);
  if (node.kind != TrendNode::Kind::kSite) return name;
  auto it = report.told_apart_by.find(node.site_index);
  if (it == report.told_apart_by.end()) return name;
  const ToldApart& by = it->second;
  if (by.frame == UINT32_MAX) return fmt::format("{} (path {})", name, by.ordinal);
  const AlignedFrame& f = aligned.frames[by.frame];
  std::string frame =
      aligned.granularity == Granularity::kLines ? fmt::format("{}:{}", f.function, f.line) : f.function;
  return fmt::format("{} ({} {})", name, by.below ? "via" : "from", shorten ? ShortenFunctionName(frame) : frame);
}

namespace {

// One group of sites of one name: callers one level further up at a time,
// then the frames below the naming frame one level further down: a frame
// that only one undecided site has there, and that no site of the group was
// told apart by yet, tells that site apart. What is left is numbered.
void TellApartOneGroup(const AlignedProfiles& aligned, std::vector<const TrendNode*> group,
                       std::unordered_map<uint32_t, ToldApart>& out) {
  constexpr uint32_t kNone = UINT32_MAX;
  struct Undecided {
    const TrendNode* node;
    IdSpan stack;
    size_t position;  // of the naming frame in stack
  };
  std::vector<Undecided> undecided;
  for (const TrendNode* n : group) {
    const IdSpan stack = NodeStack(aligned, *n);
    size_t position = stack.size();
    while (position > 0 && stack[position - 1] != n->name_frame) --position;
    undecided.push_back({n, stack, position > 0 ? position - 1 : 0});
  }
  std::vector<uint32_t> used;
  for (bool below : {false, true}) {
    for (size_t step = 1; !undecided.empty(); ++step) {
      auto frame = [&](const Undecided& u) {
        if (u.stack.empty()) return kNone;
        if (!below) return u.position >= step ? u.stack[u.position - step] : kNone;
        return u.position + step < u.stack.size() ? u.stack[u.position + step] : kNone;
      };
      std::vector<uint32_t> frames;
      for (const Undecided& u : undecided) frames.push_back(frame(u));
      if (std::all_of(frames.begin(), frames.end(), [&](uint32_t f) { return f == kNone; })) break;
      std::sort(frames.begin(), frames.end());
      std::erase_if(undecided, [&](const Undecided& u) {
        const uint32_t f = frame(u);
        auto [lo, hi] = std::equal_range(frames.begin(), frames.end(), f);
        if (f == kNone || hi - lo != 1 || std::find(used.begin(), used.end(), f) != used.end()) return false;
        used.push_back(f);
        out.emplace(u.node->site_index, ToldApart{f, below, 0});
        return true;
      });
    }
  }
  uint32_t ordinal = 0;
  for (const Undecided& u : undecided) out.emplace(u.node->site_index, ToldApart{kNone, false, ++ordinal});
}

}  // namespace

std::unordered_map<uint32_t, ToldApart> TellApartSitesOfOneName(const AlignedProfiles& aligned,
                                                                std::span<const TrendNode* const> sites) {
  std::unordered_map<uint32_t, std::vector<const TrendNode*>> by_name;
  for (const TrendNode* n : sites) by_name[n->name_frame].push_back(n);
  std::unordered_map<uint32_t, ToldApart> out;
  for (auto& [frame, group] : by_name)
    if (group.size() > 1) TellApartOneGroup(aligned, std::move(group), out);
  return out;
}

std::string FrameLocation(const AlignedProfiles& aligned, const AlignedSite& site, size_t i) {
  const AlignedFrame& f = aligned.frames[site.frames[i]];
  if (f.file.empty()) return "";
  const int64_t line = SiteFrameLine(aligned, site, i);
  return TerminalSafe(line > 0 ? fmt::format("{}:{}", f.file, line) : f.file);
}

namespace {

// A 95% half-width to two significant digits: "2,900", "48".
std::string FormatError(double error) {
  if (error <= 0) return "0";
  const double magnitude = std::pow(10.0, std::floor(std::log10(error)) - 1);
  return FormatCount(std::max(1.0, std::round(error / magnitude) * magnitude));
}

std::string ObjectsError(const TrendNode& node) {
  return node.delta_objects_error95 ? " ±" + FormatError(*node.delta_objects_error95) : "";
}

// "+3,981 x 4KiB, +2 x 1.13MiB": the growth of each object size, when a
// site's growth holds more than one; empty otherwise.
// One object far larger than the objects the site adds most of, and one
// more of it: a container's backing array grown (Go's map buckets, a
// slice's array), which Go's heap profile records under the same frames as
// the elements put in it. Said as the guess it is.
bool LooksLikeBackingArray(const TrendNode& node, const SizeGrowth& g) {
  double most = 0;
  int64_t dominant = 0;
  for (const SizeGrowth& other : node.size.by_size)
    if (std::fabs(other.delta_objects) > most) {
      most = std::fabs(other.delta_objects);
      dominant = other.size;
    }
  return std::round(g.delta_objects) == 1 && dominant > 0 && g.size >= 64 * dominant && most >= 100;
}

std::string SizeSplit(const TrendNode& node) {
  std::string out;
  size_t parts = 0;
  for (const SizeGrowth& g : node.size.by_size) {
    const double objects = std::round(g.delta_objects);
    if (objects == 0) continue;
    const std::string each = g.size > 0 ? FormatBytes(static_cast<double>(g.size))
                                        : (g.size == 0 ? std::string("unknown size") : std::string("other sizes"));
    out += fmt::format("{}{}{} x {}{}", out.empty() ? "" : ", ", node.size.objects_estimated ? "~" : "",
                       FormatSignedCount(objects), each,
                       LooksLikeBackingArray(node, g) ? " (a map's or slice's backing array, grown?)" : "");
    ++parts;
  }
  return parts >= 2 ? out : "";
}

std::string ObjectsPhrase(const TrendResult& trend, const TrendNode& node) {
  const auto& size = node.size;
  const double objects = GrowthObjects(trend, node);
  if (!size.exact || !size.bytes_per_object || *size.bytes_per_object <= 0) return "";
  if (objects <= 0) return "";
  if (const std::string split = SizeSplit(node); !split.empty())
    return fmt::format("{}{}{} objects: {}", size.objects_estimated ? "~" : "", FormatSignedCount(objects),
                       ObjectsError(node), split);
  const std::string each = FormatBytes(*size.bytes_per_object);
  if (size.objects_estimated)
    return fmt::format("~{}{} objects of {}", FormatSignedCount(objects), ObjectsError(node), each);
  double whole = std::round(objects);
  if (std::fabs(objects - whole) > 0.01) return "";
  return fmt::format("+{} objects of {}", FormatCount(whole), each);
}

}  // namespace

std::string FormatNodeValue(const TrendResult& trend, double value, bool with_sign) {
  std::string s = FormatValue(value, trend.aligned.value_unit);
  return (with_sign && value > 0 && s != "0") ? "+" + s : s;
}

RowCells FormatCells(const TrendResult& trend, const TrendNode& n, RateUnit unit) {
  RowCells cells;
  const std::string est = n.size.objects_estimated ? "~" : "";
  // After a restart the growth that matters is the growth within each process.
  cells.growth = est + FormatNodeValue(trend, Growth(trend, n), true);
  cells.rate = n.stats.per_day
                   ? FormatNodeValue(trend, PerUnit(*n.stats.per_day, unit), true) + (trend.rates_guessed ? "?" : "")
                   : "-";
  // A step has no pace (its slope says 0 beside a large growth): when it
  // came. A new site's slope would be one pair's: none.
  if (n.stats.step_capture) cells.rate = fmt::format("step at #{}", *n.stats.step_capture + 1);
  if (n.stats.trend_class == TrendClass::kNew) cells.rate = "-";
  cells.bytes_per_object = "-";
  if (n.size.bytes_per_object && *n.size.bytes_per_object > 0)
    cells.bytes_per_object = (n.size.exact ? "" : "~") + FormatBytes(*n.size.bytes_per_object);
  cells.objects = trend.aligned.objects_type_name.empty()
                      ? "-"
                      : est + FormatSignedCount(std::round(GrowthObjects(trend, n))) + ObjectsError(n);
  return cells;
}

GoroutineStack GoroutineStackBytes(const TrendResult& trend) {
  const Capture& last = trend.aligned.captures.back();
  if (last.process_memory.stack_inuse > 0 && last.total_value > 0)
    return {static_cast<double>(last.process_memory.stack_inuse) / static_cast<double>(last.total_value), "measured"};
  return {static_cast<double>(kGoMinStackBytes), "minimum"};
}

namespace {

// A goroutine stack's row: what it waits on, and its stack bytes (the cells
// a heap site gives its object size and count).
void FillGoroutineRow(const TrendResult& trend, const TrendNode& node, ReportRow& row) {
  std::vector<std::string_view> leaf_first;
  const IdSpan stack = NodeStack(trend.aligned, node);
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) leaf_first.push_back(trend.aligned.frames[*it].function);
  row.wait_reason = std::string(GoroutineWaitReason(leaf_first));
  row.stack_bytes_at_least = std::max(0.0, node.stats.last) * GoroutineStackBytes(trend).bytes_each;
  row.cells.bytes_per_object = FormatBytes(row.stack_bytes_at_least);
  row.cells.objects = row.wait_reason.empty() ? "-" : row.wait_reason;
}

}  // namespace

ReportRow MakeRow(const Report& report, const TrendNode& node) {
  const TrendResult& trend = *report.trend;
  ReportRow row;
  row.node = &node;
  row.rank = node.rank;
  row.name = TerminalSafe(RowName(report, node, false));
  row.short_name = TerminalSafe(RowName(report, node, true));
  if (node.kind == TrendNode::Kind::kSite && report.told_apart_by.count(node.site_index) > 0) {
    const std::string base = TerminalSafe(ShortenFunctionName(NodeName(trend.aligned, node)));
    if (row.short_name.starts_with(base)) row.short_qualifier = row.short_name.substr(base.size());
  }
  row.objects_phrase = ObjectsPhrase(trend, node);
  row.cells = FormatCells(trend, node, report.rate_unit);
  row.by_size = GrowthBySize(trend, node);
  row.growth = Growth(trend, node);
  row.growth_objects = GrowthObjects(trend, node);
  auto rank = [&](const std::optional<uint32_t>& site) {
    return site && *site < report.rank_of_site.size() ? report.rank_of_site[*site] : 0;
  };
  row.moved_with_rank = rank(node.moved_with);
  row.continued_by_rank = rank(node.continued_by);
  row.continues_rank = rank(node.continues);
  if (trend.aligned.goroutines && node.kind == TrendNode::Kind::kSite) FillGoroutineRow(trend, node, row);
  return row;
}

void ForEachListedSeries(const Report& report, std::span<const TrendNode* const> nodes,
                         const std::function<void(const TrendNode&, NodeSeries&&)>& consume) {
  if (nodes.empty()) return;
  if (nodes.front()->kind == TrendNode::Kind::kFunction) {
    ForEachFunctionSeries(*report.trend, nodes, consume);
    return;
  }
  for (const TrendNode* n : nodes) consume(*n, SeriesOf(*report.trend, *n));
}

// "an object stays ~1.61 s -> ... -> ~4.29 s (±0.87 s at most): rising, it
// keeps what it allocates (a leak)": Little's law, where it holds
// (analysis/residence.h).
std::string ResidencePhrase(const TrendNode& n, const std::optional<Residence>& residence) {
  if (!residence) return "";
  std::vector<std::string> shown;
  double widest = 0;
  const std::string est = n.size.objects_estimated ? "~" : "";
  for (size_t k = 0; k < residence->seconds.size(); ++k) {
    if (!residence->seconds[k]) continue;
    shown.push_back(est + FormatSpan(*residence->seconds[k]));
    widest = std::max(widest, *residence->error95[k]);
  }
  std::string list;
  if (shown.size() <= 4) {
    for (const std::string& s : shown) list += (list.empty() ? "" : " -> ") + s;
  } else {
    list = shown.front() + " -> ... -> " + shown.back();
  }
  if (widest > 0) list += fmt::format(" (±{} at most)", FormatSpan(widest));
  std::string verdict;
  if (residence->trend == Residence::Trend::kRising) verdict = ": rising, it keeps what it allocates (a leak)";
  if (residence->trend == Residence::Trend::kLevel) verdict = ": level, it grows with its allocations (cache, load)";
  if (residence->trend == Residence::Trend::kFalling) verdict = ": falling";
  return "an object stays " + list + verdict;
}

std::optional<std::vector<double>> ObjectsErrors95(const TrendNode& node, const NodeSeries& series) {
  if (!ObjectsError95(node, 0)) return std::nullopt;
  std::vector<double> errors;
  errors.reserve(series.objects.size());
  for (double objects : series.objects) errors.push_back(*ObjectsError95(node, objects));
  return errors;
}

std::vector<FlameNode> BuildFlame(const TrendResult& t, double min_share) {
  std::vector<FlameNode> nodes(1);
  double total = 0;
  for (const TrendNode& s : t.sites) total += std::fabs(s.stats.delta);
  std::unordered_map<uint64_t, int> children;  // (parent << 32 | frame) -> node
  for (const TrendNode& s : t.sites) {
    const double d = s.stats.delta;
    if (d == 0 || std::fabs(d) < min_share * total) continue;
    int at = 0;
    auto add = [&](FlameNode& n) { (d > 0 ? n.grew : n.shrank) += d; };
    add(nodes[0]);
    for (uint32_t f : NodeStack(t.aligned, s)) {
      uint64_t key = (static_cast<uint64_t>(at) << 32) | f;
      auto [it, inserted] = children.try_emplace(key, static_cast<int>(nodes.size()));
      if (inserted) nodes.push_back(FlameNode{f, at, 0, 0});
      at = it->second;
      add(nodes[static_cast<size_t>(at)]);
    }
  }
  return nodes;
}

namespace {

// The non-stable nodes of a ranked list, at most `cap`.
std::vector<const TrendNode*> Listed(const std::vector<TrendNode>& nodes, size_t cap) {
  std::vector<const TrendNode*> listed;
  for (const TrendNode& n : nodes) {
    if (listed.size() >= cap) break;
    if (n.stats.trend_class != TrendClass::kStable) listed.push_back(&n);
  }
  return listed;
}

}  // namespace

Report BuildReport(const TrendResult& trend, ReportOptions options) {
  Report report;
  report.trend = &trend;
  report.options = std::move(options);
  report.rate_unit = RateUnitForSpan(trend.span_seconds);
  // JSON lists listed_per_kind of each kind, HTML html_sites sites: both
  // prefixes of these. Names are told apart among them: a site no output
  // lists (stable) makes no other site's name longer.
  const size_t cap = report.options.listed_per_kind;
  report.listed_sites = Listed(trend.sites, std::max(cap, report.options.html_sites));
  report.listed_functions = Listed(trend.functions, cap);
  report.told_apart_by = TellApartSitesOfOneName(trend.aligned, report.listed_sites);
  if (std::any_of(trend.sites.begin(), trend.sites.end(),
                  [](const TrendNode& n) { return n.moved_with || n.continued_by || n.continues; })) {
    report.rank_of_site.assign(trend.sites.size(), 0);
    for (const TrendNode& n : trend.sites)
      if (n.site_index < report.rank_of_site.size()) report.rank_of_site[n.site_index] = n.rank;
  }
  // The sites are ranked with those that grew first: the table is the
  // first node_count of them.
  for (const TrendNode& node : trend.sites) {
    if (!Grew(node)) {
      // A rising trend, or a change that is large against the heap's.
      const double heap_change = std::fabs(trend.total.delta);
      if (node.stats.score > 0 || (node.stats.delta > 0 && node.stats.delta >= 0.1 * heap_change)) {
        auto& counts = report.rising_not_shown;
        auto it = std::find_if(counts.begin(), counts.end(),
                               [&](const auto& c) { return c.first == node.stats.trend_class; });
        if (it == counts.end()) {
          counts.emplace_back(node.stats.trend_class, 1);
        } else {
          ++it->second;
        }
      }
      continue;
    }
    ++report.growing_total;
    if (report.growing.size() < report.options.node_count) report.growing.push_back(MakeRow(report, node));
  }
  for (const ReportRow& row : report.growing) report.growing_series.push_back(SeriesOf(trend, *row.node));
  std::sort(report.rising_not_shown.begin(), report.rising_not_shown.end());
  std::vector<const TrendNode*> lost;
  for (const TrendNode& node : trend.sites) {
    auto c = node.stats.trend_class;
    if (c == TrendClass::kShrinking || c == TrendClass::kGone) lost.push_back(&node);
  }
  std::stable_sort(lost.begin(), lost.end(),
                   [&](const TrendNode* a, const TrendNode* b) { return Growth(trend, *a) < Growth(trend, *b); });
  report.shrinking_total = lost.size();
  lost.resize(std::min(lost.size(), report.options.shrinking_count));
  for (const TrendNode* node : lost) report.shrinking.push_back(MakeRow(report, *node));
  for (const auto& row : report.growing) report.any_estimate = report.any_estimate || row.node->size.objects_estimated;
  if (report.options.memory_limit) report.projection = ProjectToLimit(trend, *report.options.memory_limit);
  report.memory = AccountMemory(trend);
  return report;
}

std::string_view ProjectionOutcomeName(Projection::Outcome outcome) {
  switch (outcome) {
    case Projection::Outcome::kReaches: return "reaches";
    case Projection::Outcome::kOver: return "over";
    case Projection::Outcome::kNotGrowing: return "not_growing";
    case Projection::Outcome::kPlateau: return "plateau";
    case Projection::Outcome::kNoTimes: return "no_times";
    case Projection::Outcome::kTooFew: return "too_few";
  }
  return "too_few";
}

std::string ProjectionLine(const Report& report) {
  if (!report.projection) return "";
  const Projection& p = *report.projection;
  const std::string measured = p.measure == Projection::Measure::kCgroup ? "the cgroup's memory"
                               : p.measure == Projection::Measure::kRss  ? "the process's RSS"
                                                                         : "the in-use total";
  const std::string head = fmt::format("limit {}{}: ", report.options.memory_limit_text,
                                       p.measure == Projection::Measure::kInUse ? "" : fmt::format(" ({})", measured));
  const std::string guessed = p.times_guessed ? " (times from the files' modification times: a guess)" : "";
  switch (p.outcome) {
    case Projection::Outcome::kNoTimes: return head + "no projection: the captures have no times (--times gives them)";
    case Projection::Outcome::kTooFew:
      return head + fmt::format("no projection: {} of the last process (at least {} are needed)",
                                Plural(static_cast<int64_t>(p.captures), "capture"), Projection::kMinCaptures);
    case Projection::Outcome::kOver:
      return head + fmt::format("already reached: {} is {} at the last capture", measured, FormatBytes(p.level));
    case Projection::Outcome::kNotGrowing:
      return head + fmt::format("not reached at the current trend (the total does not grow: {}/{})",
                                FormatSignedBytes(PerUnit(p.rate * kSecondsPerDay, report.rate_unit)),
                                report.rate_unit.name);
    case Projection::Outcome::kPlateau:
      return head + fmt::format("not reached at the current trend (its growth stopped: no rise over the last {})",
                                Plural(static_cast<int64_t>(p.plateau_captures), "capture"));
    case Projection::Outcome::kReaches: break;
  }
  // The interval: "95%: 3.90 days - 7.80 days"; open above when the rate's
  // interval reaches 0; not bounded at all with too few captures.
  const std::string interval = p.seconds_high
                                   ? fmt::format("95%: {} - {}", FormatSpan(p.seconds_low), FormatSpan(*p.seconds_high))
                               : p.seconds_low > 0 ? fmt::format("95%: {} or later", FormatSpan(p.seconds_low))
                                                   : "no bounded 95% interval: too few captures, or too much scatter";
  std::string out = head + fmt::format("reached in ~{} ({}), on {}, at {}/{} from {}{}", FormatSpan(p.seconds),
                                       interval, FormatTimeUtc(p.reaches_at_nanos),
                                       FormatSignedBytes(PerUnit(p.rate * kSecondsPerDay, report.rate_unit)),
                                       report.rate_unit.name, FormatBytes(p.level), guessed);
  for (size_t i = 0; i < p.contributors.size(); ++i)
    out += fmt::format("{} {:.0f}% of the growth is {}", i == 0 ? ";" : ",", 100 * p.contributors[i].share,
                       MakeRow(report, *p.contributors[i].site).short_name);
  if (p.first_capture > 0 || !p.whole_process)
    out += fmt::format(" (from the last {})", Plural(static_cast<int64_t>(p.captures), "capture"));
  return out;
}

std::string MemoryLine(const Report& report) {
  if (!report.memory) return "";
  const MemoryAccount& m = *report.memory;
  std::string out = fmt::format(
      "process memory (runtime.MemStats, captures {} -> {}): held from the OS (Sys - HeapReleased) {} -> {} ({})",
      m.first + 1, m.last + 1, FormatBytes(m.held_first), FormatBytes(m.held_last), FormatSignedBytes(m.held));
  if (m.held > 0) {
    out += fmt::format("; the sampled heap explains ~{} ({:.0f}%)", FormatSignedBytes(m.sampled),
                       100 * std::clamp(m.sampled / m.held, -9.99, 9.99));
  } else {
    out += fmt::format("; the sampled heap ~{}", FormatSignedBytes(m.sampled));
  }
  out += fmt::format(
      "; the rest: heap spans beyond the sampled objects {}, free heap not returned to the OS {}, goroutine stacks "
      "{}, runtime metadata {}",
      FormatSignedBytes(m.heap_beyond_sampled), FormatSignedBytes(m.idle_not_released), FormatSignedBytes(m.stacks),
      FormatSignedBytes(m.metadata));
  // RSS against what Go holds: more is memory outside Go's runtime; less is
  // memory Go holds but never touched (fresh pages of large objects).
  if (m.outside_go)
    out += fmt::format(
        "; RSS {} -> {} ({}), {} {}", FormatBytes(*m.rss_first), FormatBytes(*m.rss_last),
        FormatSignedBytes(*m.rss_last - *m.rss_first),
        *m.outside_go >= 0 ? "of which outside Go's runtime (cgo, mmap)" : "less than Go's by (held but never touched)",
        *m.outside_go >= 0 ? FormatSignedBytes(*m.outside_go) : FormatBytes(-*m.outside_go));
  return out;
}

}  // namespace pprof_trend
