#include "fuzz/fuzz_targets.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "analysis/align.h"
#include "analysis/check.h"
#include "analysis/trend.h"
#include "input/dumpheap.h"
#include "input/legacy_heap.h"
#include "input/load.h"
#include "output/inspect.h"
#include "output/profile_writer.h"
#include "output/render_check.h"
#include "output/render_html.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "output/report.h"

namespace pprof_trend::fuzz {
namespace {

// Small limits keep each execution fast; the limits themselves are tested elsewhere.
Limits FuzzLimits() {
  Limits limits;
  limits.max_decompressed_bytes = 16 << 20;
  limits.max_samples = 100000;
  limits.max_locations = 100000;
  limits.max_stack_depth = 10000;
  limits.max_string_length = 1 << 16;
  return limits;
}

}  // namespace

void RunDownstream(const std::vector<Profile*>& captures) {
  const Profile& first = *captures.front();
  for (Profile* p : captures) {
    auto summary = Summarize(*p, 10);
    if (!summary.ok()) abort();  // decoded and checked: nothing left to refuse
    RenderInspect(*summary);
  }
  AlignOptions options;
  if (first.FindSampleType("inuse_space") < 0) {
    if (first.sample_types.empty()) return;
    options.value_type = std::string(first.sample_types.back().type);
  }
  Aligner aligner(options, captures.size());
  for (size_t i = 0; i < captures.size(); ++i)
    if (!aligner.Add(i, *captures[i]).ok()) return;
  TrendResult trend = ComputeTrends(std::move(aligner).Finish(false));
  Report report = BuildReport(trend, ReportOptions{});
  RenderText(report);
  RenderJson(report, JsonOptions{});
  RenderHtml(report, HtmlOptions{});
  SerializeGrowthProfile(trend);
  Budgets budgets;
  budgets.max_growth = SizeLimit{1, "1B"};
  budgets.max_node_growth = SizeLimit{1, "1B"};
  budgets.forbid = {"main"};
  budgets.allow = {"runtime"};
  auto result = RunCheck(trend, budgets);
  if (result.ok()) {
    for (auto format : {CheckFormat::kText, CheckFormat::kJson, CheckFormat::kJunit, CheckFormat::kGithub})
      RenderCheck(*result, BuildReport(trend, ReportOptions{}), format);
  }
}

namespace {

template <typename Parse>
int RunParser(const uint8_t* data, size_t size, Parse parse) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto first = parse(bytes);
  if (!first.ok()) return 0;
  auto second = parse(bytes);
  if (second.ok()) RunDownstream(*first, *second);
  return 0;
}

}  // namespace

int FuzzProfile(const uint8_t* data, size_t size) {
  LoadOptions options;
  options.limits = FuzzLimits();
  options.samples_on_wire = false;
  // Samples left on the wire are checked as decoded ones are: the same
  // verdict, the same message, and a series of them folds.
  LoadOptions on_wire = options;
  on_wire.samples_on_wire = true;
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto decoded = DecodeInput(InputBytes{input, 0}, "fuzz", options);
  auto wire = DecodeInput(InputBytes{input, 0}, "fuzz", on_wire);
  if (decoded.ok() != wire.ok() || (!decoded.ok() && decoded.status().message() != wire.status().message())) abort();
  // Samples whose check is left to the stage that reads them (inspect's
  // sum: LoadOptions::check_samples_in_fold) get the decoder's verdict, in
  // its words, and the same summary.
  LoadOptions deferred = on_wire;
  deferred.check_samples_in_fold = true;
  auto unchecked = DecodeInput(InputBytes{input, 0}, "fuzz", deferred);
  StatusOr<InspectSummary> summary = unchecked.ok() ? Summarize(*unchecked, 10) : unchecked.status();
  if (summary.ok() != wire.ok() || (!wire.ok() && summary.status().message() != wire.status().message())) abort();
  if (wire.ok()) {
    auto checked_summary = Summarize(*wire, 10);
    if (!checked_summary.ok() || RenderInspect(*checked_summary) != RenderInspect(*summary)) abort();
  }
  if (wire.ok()) {
    auto second = DecodeInput(InputBytes{input, 0}, "fuzz", on_wire);
    if (second.ok()) RunDownstream(*wire, *second);
  }
  return RunParser(data, size, [&](const std::string& bytes) {
    return DecodeInput(InputBytes{bytes, 0}, "fuzz", options);
  });
}

int FuzzSeries(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t n = 2 + (data[0] & 1);
  size_t at = 1;
  std::vector<size_t> lengths;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (at + 4 > size) return 0;
    lengths.push_back(size_t{data[at]} | size_t{data[at + 1]} << 8 | size_t{data[at + 2]} << 16 |
                      size_t{data[at + 3]} << 24);
    at += 4;
  }
  LoadOptions options;
  options.limits = FuzzLimits();
  options.samples_on_wire = (data[0] & 2) != 0;  // the fold reads samples from the wire as the pipeline does
  std::vector<Profile> profiles;
  for (size_t i = 0; i < n; ++i) {
    const size_t length = i + 1 < n ? std::min(lengths[i], size - at) : size - at;
    std::string bytes(reinterpret_cast<const char*>(data + at), length);
    at += length;
    auto profile = DecodeInput(InputBytes{std::move(bytes), static_cast<int64_t>(i + 1) * 1000000000}, "fuzz", options);
    if (!profile.ok()) return 0;
    profiles.push_back(std::move(profile).value());
  }
  std::vector<Profile*> series;
  for (Profile& p : profiles) series.push_back(&p);
  RunDownstream(series);
  return 0;
}

int FuzzLongSeries(const uint8_t* data, size_t size) {
  if (size < 2 + kLongSeriesPattern) return 0;
  const size_t n = 3 + (size_t{data[0]} | size_t{data[1]} << 8) % 400;  // past the all-pairs methods' 128
  const uint8_t* pattern = data + 2;
  LoadOptions options;
  options.limits = FuzzLimits();
  options.samples_on_wire = false;  // its sample arrays are copied below
  const size_t at = 2 + kLongSeriesPattern;
  auto base = DecodeInput(InputBytes{std::string(reinterpret_cast<const char*>(data + at), size - at), 1000000000},
                          "fuzz", options);
  if (!base.ok() || base->samples.size() > 2000) return 0;  // a few thousand sites x 400 captures at most
  // Capture i keeps sample j when a bit of the pattern says so (sites in some
  // captures only), its values scaled by a small factor (growth, noise), at
  // times the pattern spaces (some equal).
  std::vector<Profile> profiles(n);
  int64_t time = 1000000000;
  for (size_t i = 0; i < n; ++i) {
    Profile& p = profiles[i];
    p.source = "fuzz" + std::to_string(i);
    p.sample_types = base->sample_types;
    p.period_type = base->period_type;
    p.period = base->period;
    p.mappings = base->mappings;
    p.functions = base->functions;
    p.lines = base->lines;
    p.locations = base->locations;
    p.stack_locations = base->stack_locations;
    p.labels = base->labels;
    time += int64_t{pattern[i % kLongSeriesPattern] % 4} * 3600 * 1000000000;
    p.time_nanos = time;
    const size_t types = base->sample_types.size();
    for (size_t j = 0; j < base->samples.size(); ++j) {
      const uint8_t bits = pattern[(i * 7 + j) % kLongSeriesPattern];
      if (((bits >> (i % 8)) & 1) == 0) continue;
      p.samples.push_back(base->samples[j]);
      const int64_t scale = 1 + static_cast<int64_t>((i * bits) % 5);
      for (size_t k = 0; k < types; ++k) {
        const int64_t v = base->values[j * types + k];
        p.values.push_back(v > INT64_MAX / 8 || v < INT64_MIN / 8 ? v : v * scale);
      }
    }
    if (!ValueTotalsFit(p)) return 0;
  }
  std::vector<Profile*> series;
  for (Profile& p : profiles) series.push_back(&p);
  RunDownstream(series);
  return 0;
}

std::string SeriesInput(const std::vector<std::string>& captures) {
  std::string out(1, static_cast<char>(captures.size() == 3 ? 1 : 0));
  for (size_t i = 0; i + 1 < captures.size(); ++i) {
    const auto length = static_cast<uint32_t>(captures[i].size());
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((length >> (8 * b)) & 0xff));
  }
  for (const std::string& c : captures) out += c;
  return out;
}

int FuzzLegacyHeap(const uint8_t* data, size_t size) {
  return RunParser(data, size, [](const std::string& bytes) { return ParseLegacyHeap(bytes, "fuzz", FuzzLimits()); });
}

int FuzzDumpheap(const uint8_t* data, size_t size) {
  return RunParser(data, size, [](const std::string& bytes) { return ParseDumpheapStat(bytes, "fuzz", FuzzLimits()); });
}

int FuzzRules(const uint8_t* data, size_t size) {
  Budgets budgets;
  (void)ParseRules(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.rules", &budgets);
  return 0;
}

const std::vector<Target>& Targets() {
  static const std::vector<Target> targets = {{"profile", FuzzProfile},   {"legacy_heap", FuzzLegacyHeap},
                                              {"dumpheap", FuzzDumpheap}, {"rules", FuzzRules},
                                              {"series", FuzzSeries},     {"long_series", FuzzLongSeries}};
  return targets;
}

}  // namespace pprof_trend::fuzz
