#include "output/inspect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>

#include "base/for_each_slice.h"
#include "base/runs.h"
#include "base/units.h"
#include "base/utf8.h"
#include "input/sample_check.h"
#include "input/sample_reader.h"
#include "model/profile_kind.h"
#include "output/streamed_sums.h"

namespace pprof_trend {

int DefaultSampleIndex(const Profile& profile) {
  if (profile.default_sample_type >= 0) return profile.default_sample_type;
  return static_cast<int>(profile.sample_types.size()) - 1;
}

namespace {

// What a slice of the samples adds up to: per sample type, the sum of the
// values, of their magnitudes (pprof's total) and of the base's (samples
// labelled pprof::base=true, in a -diff_base profile); per node, flat and cum.
// Summed modulo 2^64: a slice's sum may overflow where the whole's does not
// (the whole's are checked: by the decoder, or by CompleteSampleCheck after
// the sum), and the slices' sums add up to it. With the check of the
// slice's samples the decoder left unchecked.
struct SliceSums {
  SliceSums(size_t types, size_t nodes)
      : totals(types, 0), pprof_totals(types, 0), base_totals(types, 0), flat(nodes, 0), cum(nodes), check(types) {}
  void Add(const SliceSums& other) {
    auto add = [](std::vector<uint64_t>& to, const std::vector<uint64_t>& from) {
      for (size_t i = 0; i < to.size(); ++i) to[i] += from[i];
    };
    add(totals, other.totals);
    add(pprof_totals, other.pprof_totals);
    add(base_totals, other.base_totals);
    add(flat, other.flat);
    for (size_t i = 0; i < cum.size(); ++i) cum[i].sum += other.cum[i].sum;
  }
  // A node's cum beside the sample that last added to it (1 + its index):
  // the one cache line a frame touches.
  struct Cum {
    uint64_t sum = 0;
    uint64_t last_sample = 0;
  };
  std::vector<uint64_t> totals, pprof_totals, base_totals, flat;
  std::vector<Cum> cum;
  SampleCheck check;                  // of the samples read with checks
  std::vector<uint32_t> stack_nodes;  // the sample being summed's nodes, leaf first
};

// Each location's nodes (its inlined functions', callee first, or its
// mapping's when it has no lines): its run (base/runs.h) in `nodes`, which
// ends in kRunWidth - 1 entries of padding.
struct LocationNodes {
  std::vector<Run> runs;
  std::vector<uint32_t> nodes;
};

// The label pprof's -diff_base gives the base's samples (pprof::base=true).
constexpr std::string_view kBaseLabelKey = "pprof::base";

// Whether some sample may carry that label: when no string of the profile
// names it, none reads its labels.
bool MayHaveBaseLabel(const Profile& profile) {
  if (profile.wire)
    return std::find(profile.wire->strings.begin(), profile.wire->strings.end(), kBaseLabelKey) !=
           profile.wire->strings.end();
  return std::any_of(profile.labels.begin(), profile.labels.end(),
                     [](const Label& l) { return l.key == kBaseLabelKey; });
}

// What every slice's sum reads.
struct SumInputs {
  size_t index = 0;  // the sample type whose flat and cum are summed
  const LocationNodes& by_location;
  bool may_have_base = false;
};

// Adds samples [begin, end), read from `samples`, into `out`. False at a bad
// record (only a reader with checks finds one; out.check says why): the
// slice ends before it.
template <typename Samples>
bool SumFrom(Samples& samples, size_t begin, size_t end, const SumInputs& in, SliceSums& out) {
  const Run* const runs = in.by_location.runs.data();
  const uint32_t* const nodes = in.by_location.nodes.data();
  uint64_t* const flat = out.flat.data();
  SliceSums::Cum* const cum = out.cum.data();
  for (size_t i = begin; i < end; ++i) {
    if (!samples.Read(i)) [[unlikely]]
      return false;
    const std::span<const uint32_t> stack = samples.locations();
    // Its frames (inlined ones count) are its nodes: checked against the
    // limit (a sample read with checks) before they are gathered.
    size_t depth = 0;
    for (uint32_t loc : stack) depth += runs[loc].count;
    if (!samples.DepthFits(i, depth)) [[unlikely]]
      return false;
    const std::span<const int64_t> values = samples.values();
    bool base = false;
    if (in.may_have_base) {
      const auto labels = samples.labels();
      base = std::any_of(labels.begin(), labels.end(),
                         [](const Label& l) { return !l.is_numeric && l.key == kBaseLabelKey && l.str == "true"; });
    }
    for (size_t t = 0; t < values.size(); ++t) {
      const auto magnitude = static_cast<uint64_t>(std::llabs(values[t]));
      out.totals[t] += static_cast<uint64_t>(values[t]);
      out.pprof_totals[t] += magnitude;
      if (base) out.base_totals[t] += magnitude;
    }
    if (depth == 0) continue;
    if (out.stack_nodes.size() < depth + kRunWidth) out.stack_nodes.resize(2 * depth + kRunWidth);
    uint32_t* const gathered = out.stack_nodes.data();
    uint32_t* to = gathered;
    for (uint32_t loc : stack) to = CopyRun(to, nodes, runs[loc]);
    const auto v = static_cast<uint64_t>(values[in.index]);
    flat[gathered[0]] += v;  // the leaf's first node (callee first)
    const uint64_t seen = i + 1;
    for (const uint32_t* n = gathered; n != to; ++n) {
      SliceSums::Cum& c = cum[*n];
      c.sum += c.last_sample != seen ? v : 0;  // recursion counts once towards cum
      c.last_sample = seen;
    }
  }
  return true;
}

// Sums samples [begin, end) of `profile` into `out`: those the decoder (or
// the loader) left unchecked are checked as they are read, into out.check.
void SumSlice(const Profile& profile, const SumInputs& in, size_t begin, size_t end, SliceSums& out) {
  VisitSampleRange(profile, begin, end, out.check,
                   [&](auto& samples, size_t from, size_t to) { SumFrom(samples, from, to, in, out); });
}

}  // namespace

namespace {

// A node's totals while they are summed and ranked: its name a view of the
// profile's strings (or of NodesOf's `made`), a string only for the rows
// shown.
struct NodeTotals {
  std::string_view name;
  int64_t flat = 0;
  int64_t cum = 0;
};

// Every frame resolved once to a node: functions by name, code without
// symbols by its mapping's file. `nodes` gets one NodeTotals per node.
// `made` keeps the names that are not a function's: "[libfoo.so]" for code
// without symbols, one per mapping, and "<unknown>" (a deque: views of them
// stay valid).
LocationNodes NodesOf(const Profile& profile, std::vector<NodeTotals>& nodes, std::deque<std::string>& made) {
  std::unordered_map<std::string_view, uint32_t> by_name;
  by_name.reserve(profile.functions.size() + profile.mappings.size() + 1);
  auto node_for = [&](std::string_view name) {
    auto [it, inserted] = by_name.try_emplace(name, static_cast<uint32_t>(nodes.size()));
    if (inserted) nodes.push_back(NodeTotals{name, 0, 0});
    return it->second;
  };
  std::vector<uint32_t> function_node(profile.functions.size(), UINT32_MAX);
  std::vector<uint32_t> line_node(profile.lines.size());
  for (size_t l = 0; l < profile.lines.size(); ++l) {
    uint32_t& node = function_node[profile.lines[l].function];
    if (node == UINT32_MAX) node = node_for(profile.functions[profile.lines[l].function].name);
    line_node[l] = node;
  }
  // The node of code without symbols in each mapping (the last: none),
  // made when a location first needs it.
  std::vector<uint32_t> mapping_node(profile.mappings.size() + 1, UINT32_MAX);
  auto unsymbolized_node = [&](uint32_t mapping) {
    const size_t m = mapping == Location::kNoMapping ? profile.mappings.size() : mapping;
    if (mapping_node[m] == UINT32_MAX) {
      std::string_view file = m == profile.mappings.size() ? "" : profile.mappings[m].filename;
      if (size_t slash = file.find_last_of('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
      made.push_back(file.empty() ? std::string("<unknown>") : "[" + std::string(file) + "]");
      mapping_node[m] = node_for(made.back());
    }
    return mapping_node[m];
  };
  LocationNodes by_location;
  by_location.runs.reserve(profile.locations.size());
  by_location.nodes.reserve(profile.lines.size() + profile.locations.size() + kRunWidth);
  for (const Location& loc : profile.locations) {
    const auto first = static_cast<uint32_t>(by_location.nodes.size());
    if (loc.num_lines != 0) {
      for (uint32_t l = loc.first_line; l < loc.first_line + loc.num_lines; ++l)
        by_location.nodes.push_back(line_node[l]);
    } else {
      by_location.nodes.push_back(unsymbolized_node(loc.mapping));
    }
    by_location.runs.push_back({first, static_cast<uint32_t>(by_location.nodes.size()) - first});
  }
  by_location.nodes.resize(by_location.nodes.size() + kRunWidth - 1, 0);
  return by_location;
}

// Every type's totals of a profile's samples.
struct TypeSums {
  std::vector<uint64_t> totals, pprof_totals, base_totals;
};

// Sums `profile`'s samples: every type's totals into `sums`, each node's
// flat and cum of type `index` into `nodes` (made here).
Status SumSamples(Profile& profile, size_t index, std::vector<NodeTotals>& nodes, std::deque<std::string>& made_names,
                  TypeSums& sums) {
  const LocationNodes by_location = NodesOf(profile, nodes, made_names);
  const SumInputs inputs{index, by_location, MayHaveBaseLabel(profile)};
  // The samples in two halves on two threads for a large profile, each
  // summing into its own totals; the sums are of integers, so the result is
  // the one a single pass gives. Samples the decoder left unchecked are
  // checked as they are read, and the profile is then as one it checked.
  const size_t num_samples = profile.num_samples(), num_types = profile.sample_types.size();
  const size_t slices = num_samples > kSummedOnOneThreadUpTo ? 2 : 1;
  std::vector<SliceSums> slice_sums(slices, SliceSums(num_types, nodes.size()));
  ForEachSlice(num_samples, slices, [&](size_t slice, size_t begin, size_t end) {
    SumSlice(profile, inputs, begin, end, slice_sums[slice]);
  });
  if (!profile.SamplesChecked()) {
    std::vector<SampleCheck> checks;
    for (SliceSums& slice : slice_sums) checks.push_back(std::move(slice.check));
    RETURN_IF_ERROR(CompleteSampleCheck(profile, checks));
  }
  for (size_t slice = 1; slice < slices; ++slice) slice_sums[0].Add(slice_sums[slice]);
  SliceSums& all = slice_sums[0];
  for (size_t k = 0; k < nodes.size(); ++k) {
    nodes[k].flat = static_cast<int64_t>(all.flat[k]);
    nodes[k].cum = static_cast<int64_t>(all.cum[k].sum);
  }
  sums.totals = std::move(all.totals);
  sums.pprof_totals = std::move(all.pprof_totals);
  sums.base_totals = std::move(all.base_totals);
  return Status();
}

}  // namespace

StatusOr<InspectSummary> Summarize(Profile& profile, size_t top_n, double node_fraction, StreamedSums* streamed) {
  InspectSummary s;
  s.source = profile.source;
  s.sample_types = profile.sample_types;
  s.default_index = DefaultSampleIndex(profile);
  s.period_type = profile.period_type;
  s.period = profile.period;
  s.time_nanos = profile.time_nanos;
  s.time_from_mtime = profile.time_from_mtime;
  s.free_bytes = profile.free_bytes;
  s.duration_nanos = profile.duration_nanos;
  for (auto c : profile.comments) s.comments.emplace_back(c);
  s.samples = profile.num_samples();
  s.locations = profile.locations.size();
  s.functions = profile.functions.size();
  s.mappings = profile.mappings.size();
  s.totals.assign(profile.sample_types.size(), 0);
  s.pprof_totals.assign(profile.sample_types.size(), 0);

  std::vector<NodeTotals> nodes;
  std::deque<std::string> made_names;
  const auto index = static_cast<size_t>(s.default_index);
  TypeSums sums;
  std::optional<StreamedSums::Sums> streamed_sums;
  // Sums made as the file inflated hold only where the sum below would
  // read no label and check the samples from the first on.
  if (streamed != nullptr && !MayHaveBaseLabel(profile) &&
      (profile.SamplesChecked() || (profile.wire && profile.wire->checked == 0)))
    streamed_sums = streamed->For(profile, index);
  s.summed_while_inflating = streamed_sums.has_value();
  if (streamed_sums) {
    if (!profile.SamplesChecked()) RETURN_IF_ERROR(CompleteSampleCheck(profile, {&streamed_sums->check, 1}));
    sums.totals = std::move(streamed_sums->totals);
    sums.pprof_totals = std::move(streamed_sums->pprof_totals);
    sums.base_totals.assign(sums.totals.size(), 0);
    for (const StreamedSums::Node& n : streamed_sums->nodes) nodes.push_back(NodeTotals{n.name, n.flat, n.cum});
  } else {
    if (streamed != nullptr) streamed->Abandon();  // its core is the sum's
    RETURN_IF_ERROR(SumSamples(profile, index, nodes, made_names, sums));
  }
  if (auto difference = DescribeHeapDifference(profile)) s.difference = difference->what;
  auto to_signed = [](uint64_t v) { return static_cast<int64_t>(v); };
  // pprof's total: the sum of |values|, or, in a -diff_base profile, of
  // the base's samples (labelled pprof::base=true) alone.
  for (size_t t = 0; t < sums.totals.size(); ++t) {
    s.totals[t] = to_signed(sums.totals[t]);
    const int64_t base = to_signed(sums.base_totals[t]);
    s.pprof_totals[t] = base > 0 ? base : to_signed(sums.pprof_totals[t]);
  }
  // pprof leaves out functions that hold nothing of this sample type, and
  // (-nodefraction, 0.005 by default) those whose |cum| is under that share
  // of the total.
  std::erase_if(nodes, [](const NodeTotals& f) { return f.flat == 0 && f.cum == 0; });
  const int64_t total = s.pprof_totals.empty() ? 0 : s.pprof_totals[index];
  s.node_fraction = node_fraction;
  const auto cutoff = static_cast<int64_t>(static_cast<double>(total) * node_fraction);
  const size_t before = nodes.size();
  std::erase_if(nodes, [&](const NodeTotals& f) { return std::llabs(f.cum) < cutoff; });
  s.dropped_nodes = before - nodes.size();
  s.dropped_cutoff = cutoff;
  for (const auto& f : nodes) {
    const int64_t v = std::llabs(f.flat != 0 ? f.flat : f.cum);
    if (v > 0 && (s.min_node_value == 0 || v < s.min_node_value)) s.min_node_value = v;
  }
  std::sort(nodes.begin(), nodes.end(), [](const NodeTotals& a, const NodeTotals& b) {
    if (std::llabs(a.flat) != std::llabs(b.flat)) return std::llabs(a.flat) > std::llabs(b.flat);
    if (a.name != b.name) return a.name < b.name;
    return std::llabs(a.cum) > std::llabs(b.cum);
  });
  if (nodes.size() > top_n) nodes.resize(top_n);
  for (const NodeTotals& n : nodes) s.top.push_back(FunctionTotals{std::string(n.name), n.flat, n.cum});
  return s;
}

namespace {

// pprof -top prints every row in one unit: that of the smallest value it
// shows, moved up when the total is over 100 times larger (report.go,
// selectOutputUnit).
DisplayUnit PprofOutputUnit(const InspectSummary& s, const ValueType& type, int64_t total) {
  int64_t min_value = s.min_node_value;
  const int64_t max_value = std::llabs(total);
  if (min_value == 0) min_value = max_value;
  const DisplayUnit min_unit = PprofUnitFor(static_cast<double>(min_value), type.unit);
  const DisplayUnit max_unit = PprofUnitFor(static_cast<double>(max_value), type.unit);
  if (min_unit.suffix != max_unit.suffix && min_value * 100 < max_value)
    return PprofUnitFor(100.0 * static_cast<double>(min_value), type.unit);
  return min_unit;
}

// pprof's percentage(): two decimals from 1% up, two significant digits
// below, and a flat "100%" near 100.
std::string Percent(int64_t v, int64_t total) {
  double ratio = total != 0 ? std::fabs(static_cast<double>(v) / static_cast<double>(total)) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return "100%";
  if (ratio >= 1.0) return fmt::format("{:.2f}%", ratio);
  return fmt::format("{:.2g}%", ratio);
}

}  // namespace

std::string RenderInspect(const InspectSummary& s) {
  std::string out = fmt::format("{}\n", TerminalSafe(s.source));
  std::string types;
  for (size_t i = 0; i < s.sample_types.size(); ++i) {
    if (i > 0) types += ", ";
    types += TerminalSafe(fmt::format("{}/{}", s.sample_types[i].type, s.sample_types[i].unit));
    if (static_cast<int>(i) == s.default_index) types += " (default)";
  }
  out += fmt::format("  sample types  {}\n", types);
  if (s.period != 0 || !s.period_type.type.empty()) {
    std::string human =
        s.period_type.unit == "bytes" ? fmt::format(" ({})", FormatBytes(static_cast<double>(s.period))) : "";
    out += fmt::format("  period        {} {}{}\n", s.period,
                       TerminalSafe(fmt::format("{}/{}", s.period_type.type, s.period_type.unit)), human);
  }
  // A heap table's time is its file's: shown as what it is, not as the
  // capture's (a trend uses it, with --times to give the real one).
  out += s.time_from_mtime ? "  captured      not recorded in the file (a trend takes its modification time; --times "
                             "gives the real one)"
                           : fmt::format("  captured      {}", FormatTimeUtc(s.time_nanos));
  if (s.duration_nanos != 0) out += fmt::format(", duration {}", FormatSpan(NanosToSeconds(s.duration_nanos)));
  out += "\n";
  out += fmt::format("  contents      {} samples, {} locations, {} functions, {} mappings\n", s.samples, s.locations,
                     s.functions, s.mappings);
  if (!s.difference.empty())
    out += fmt::format("  kind          {}\n                (totals and percentages are pprof's: of |values|)\n",
                       TerminalSafe(s.difference));
  for (size_t i = 0; i < s.sample_types.size(); ++i) {
    const auto& t = s.sample_types[i];
    const int64_t v = s.pprof_totals[i];
    const DisplayUnit unit = PprofUnitFor(static_cast<double>(v), t.unit);
    std::string human = unit.suffix.empty() ? "" : fmt::format("  ({})", FormatIn(static_cast<double>(v), unit));
    if (s.totals[i] != v) human += fmt::format("  net {}", s.totals[i]);
    out += fmt::format("  {:13} {:<14} {:>14}{}\n", i == 0 ? "totals" : "", TerminalSafe(t.type), v, human);
  }
  if (s.free_bytes >= 0)
    out += fmt::format(
        "  free space    {} bytes ({}) in SOS's \"Free\" rows, left out of the totals: gaps between "
        "objects, no type\n",
        s.free_bytes, FormatBytes(static_cast<double>(s.free_bytes)));
  for (const auto& c : s.comments) out += fmt::format("  comment       {}\n", TerminalSafe(c));

  const auto index = static_cast<size_t>(s.default_index);
  const int64_t total = s.pprof_totals[index];
  const ValueType& type = s.sample_types[index];
  const DisplayUnit unit = PprofOutputUnit(s, type, total);
  auto value = [&](int64_t v) { return FormatIn(static_cast<double>(v), unit); };
  out += fmt::format("  top {} functions by flat {} (of {} total; units as go tool pprof -top picks them)\n",
                     s.top.size(), TerminalSafe(type.type), value(total));
  if (s.dropped_nodes > 0)
    out += fmt::format(
        "  ({} {} under {:g}% of the total not shown, as in go tool pprof -top (cum < {}); "
        "--nodefraction 0 shows them)\n",
        s.dropped_nodes, s.dropped_nodes == 1 ? "function" : "functions", 100 * s.node_fraction,
        value(s.dropped_cutoff));
  out += fmt::format("  {:>10} {:>6} {:>6} {:>10} {:>6}  {}\n", "flat", "flat%", "sum%", "cum", "cum%", "function");
  int64_t running = 0;
  for (const auto& f : s.top) {
    running += f.flat;
    out += fmt::format("  {:>10} {:>6} {:>6} {:>10} {:>6}  {}\n", value(f.flat), Percent(f.flat, total),
                       Percent(running, total), value(f.cum), Percent(f.cum, total), TerminalSafe(f.name));
  }
  return out;
}

}  // namespace pprof_trend
