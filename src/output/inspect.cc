#include "output/inspect.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <unordered_map>

#include "base/units.h"
#include "base/utf8.h"

namespace pprof_trend {

int DefaultSampleIndex(const Profile& profile) {
  if (profile.default_sample_type >= 0) return profile.default_sample_type;
  return static_cast<int>(profile.sample_types.size()) - 1;
}

InspectSummary Summarize(const Profile& profile, size_t top_n) {
  InspectSummary s;
  s.source = profile.source;
  s.sample_types = profile.sample_types;
  s.default_index = DefaultSampleIndex(profile);
  s.period_type = profile.period_type;
  s.period = profile.period;
  s.time_nanos = profile.time_nanos;
  s.duration_nanos = profile.duration_nanos;
  for (auto c : profile.comments) s.comments.emplace_back(c);
  s.samples = profile.samples.size();
  s.locations = profile.locations.size();
  s.functions = profile.functions.size();
  s.mappings = profile.mappings.size();
  s.totals.assign(profile.sample_types.size(), 0);

  const auto index = static_cast<size_t>(s.default_index);
  std::unordered_map<std::string_view, size_t> slot;  // function name -> index in s.top
  std::vector<uint32_t> last_seen;                    // per slot: 1 + the sample that last added cum
  auto slot_for = [&](std::string_view name) {
    auto [it, inserted] = slot.try_emplace(name, s.top.size());
    if (inserted) {
      s.top.push_back(FunctionTotals{name, 0, 0});
      last_seen.push_back(0);
    }
    return it->second;
  };
  for (size_t i = 0; i < profile.samples.size(); ++i) {
    auto values = profile.Values(i);
    for (size_t t = 0; t < values.size(); ++t) s.totals[t] += values[t];
    const int64_t v = values[index];
    bool leaf = true;
    for (uint32_t loc : profile.Stack(profile.samples[i])) {
      for (const Line& line : profile.Lines(profile.locations[loc])) {
        size_t k = slot_for(profile.functions[line.function].name);
        if (leaf) s.top[k].flat += v;
        leaf = false;
        if (last_seen[k] != i + 1) {  // recursion counts once towards cum
          s.top[k].cum += v;
          last_seen[k] = static_cast<uint32_t>(i + 1);
        }
      }
    }
  }
  // pprof leaves out functions that hold nothing of this sample type.
  std::erase_if(s.top, [](const FunctionTotals& f) { return f.flat == 0 && f.cum == 0; });
  std::sort(s.top.begin(), s.top.end(), [](const FunctionTotals& a, const FunctionTotals& b) {
    if (std::llabs(a.flat) != std::llabs(b.flat)) return std::llabs(a.flat) > std::llabs(b.flat);
    if (a.name != b.name) return a.name < b.name;
    return std::llabs(a.cum) > std::llabs(b.cum);
  });
  if (s.top.size() > top_n) s.top.resize(top_n);
  return s;
}

namespace {

// pprof -top prints every row in one unit: that of the smallest non-zero
// value, moved up when the total is over 100 times larger (report.go,
// selectOutputUnit). Returns the power of 1024 for byte profiles.
int PprofByteUnit(const InspectSummary& s, int64_t total) {
  int64_t min_value = 0;
  for (const auto& f : s.top) {
    int64_t v = std::llabs(f.flat != 0 ? f.flat : f.cum);
    if (v > 0 && (min_value == 0 || v < min_value)) min_value = v;
  }
  int64_t max_value = std::llabs(total);
  if (min_value == 0) min_value = max_value;
  int min_unit = ByteUnitFor(static_cast<double>(min_value));
  int max_unit = ByteUnitFor(static_cast<double>(max_value));
  if (min_unit != max_unit && min_value * 100 < max_value) return ByteUnitFor(100.0 * static_cast<double>(min_value));
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
    std::string human = s.period_type.unit == "bytes" ? fmt::format(" ({})", FormatBytes(static_cast<double>(s.period))) : "";
    out += fmt::format("  period        {} {}{}\n", s.period,
                       TerminalSafe(fmt::format("{}/{}", s.period_type.type, s.period_type.unit)), human);
  }
  out += fmt::format("  captured      {}", FormatTimeUtc(s.time_nanos));
  if (s.duration_nanos != 0) out += fmt::format(", duration {}", FormatSpan(static_cast<double>(s.duration_nanos) / 1e9));
  out += "\n";
  out += fmt::format("  contents      {} samples, {} locations, {} functions, {} mappings\n", s.samples, s.locations,
                     s.functions, s.mappings);
  for (size_t i = 0; i < s.sample_types.size(); ++i) {
    const auto& t = s.sample_types[i];
    std::string human = t.unit == "bytes" ? fmt::format("  ({})", FormatBytes(static_cast<double>(s.totals[i]))) : "";
    out += fmt::format("  {:13} {:<14} {:>14}{}\n", i == 0 ? "totals" : "", TerminalSafe(t.type), s.totals[i], human);
  }
  for (const auto& c : s.comments) out += fmt::format("  comment       {}\n", TerminalSafe(c));

  const auto index = static_cast<size_t>(s.default_index);
  const int64_t total = s.totals[index];
  const ValueType& type = s.sample_types[index];
  const bool bytes = type.unit == "bytes";
  const int unit = bytes ? PprofByteUnit(s, total) : 0;
  auto value = [&](int64_t v) {
    if (v == 0) return std::string("0");
    return bytes ? FormatBytesIn(static_cast<double>(v), unit) : fmt::format("{}", v);
  };
  out += fmt::format("  top {} functions by flat {} (of {} total; units as go tool pprof -top picks them)\n",
                     s.top.size(), TerminalSafe(type.type), value(total));
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
