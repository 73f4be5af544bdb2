#include "fuzz/fuzz_targets.h"

#include <string>

#include "analysis/align.h"
#include "analysis/check.h"
#include "input/dumpheap.h"
#include "output/inspect.h"
#include "input/legacy_heap.h"
#include "input/load.h"
#include "output/profile_writer.h"
#include "output/render_check.h"
#include "output/render_html.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "output/report.h"
#include "analysis/trend.h"

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

void RunDownstream(const Profile& first, const Profile& second) {
  RenderInspect(Summarize(first, 10));
  AlignOptions options;
  if (first.FindSampleType("inuse_space") < 0) {
    if (first.sample_types.empty()) return;
    options.value_type = std::string(first.sample_types.back().type);
  }
  Aligner aligner(options, 2);
  if (!aligner.Add(0, first).ok() || !aligner.Add(1, second).ok()) return;
  TrendResult trend = ComputeTrends(std::move(aligner).Finish(false), TrendOptions{});
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
      RenderCheck(*result, trend, format);
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
  return RunParser(data, size, [&](const std::string& bytes) {
    return DecodeInput(InputBytes{bytes, 0}, "fuzz", options);
  });
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
  static const std::vector<Target> targets = {
      {"profile", FuzzProfile}, {"legacy_heap", FuzzLegacyHeap}, {"dumpheap", FuzzDumpheap}, {"rules", FuzzRules}};
  return targets;
}

}  // namespace pprof_trend::fuzz
