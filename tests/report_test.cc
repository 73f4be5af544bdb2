// The Report is every output's only input: the text table, the JSON nodes,
// the HTML data and check's offenders list the same sites in the same order
// with the same figures.
#include "output/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/align.h"
#include "analysis/check.h"
#include "input/profile_reader.h"
#include "output/render_check.h"
#include "output/render_html.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "support/profile_builder.h"

namespace pprof_trend {
namespace {

constexpr int64_t kMiB8 = 8 << 20;  // objects this large are exact: no sampling noise

struct SiteSeries {
  std::string function;
  std::vector<int64_t> inuse;             // objects of 8 MiB per capture
  std::vector<std::string> callers = {};  // above `function`, nearest first
};

// One capture per entry of the series; the allocation counters rise in every
// capture but those at `restarts`, where they start again (a new process).
TrendResult TrendOf(const std::vector<SiteSeries>& sites, size_t captures, const std::vector<size_t>& restarts = {}) {
  Aligner aligner(AlignOptions{}, captures);
  int64_t allocated = 0;
  for (size_t i = 0; i < captures; ++i) {
    if (std::find(restarts.begin(), restarts.end(), i) != restarts.end()) allocated = 0;
    allocated += 10;
    testing::ProfileSpec spec;
    spec.time_nanos = (int64_t{1700000000} + static_cast<int64_t>(i) * 86400) * 1000000000;
    for (const SiteSeries& s : sites) {
      std::vector<testing::TestFrame> stack{{s.function}};
      for (const std::string& caller : s.callers) stack.push_back({caller});
      spec.samples.push_back({stack, {allocated, allocated * kMiB8, s.inuse[i], s.inuse[i] * kMiB8}, kMiB8});
    }
    auto p = DecodePprof(testing::BuildProfile(spec), "c" + std::to_string(i));
    EXPECT_TRUE(p.ok()) << p.status().message();
    EXPECT_TRUE(aligner.Add(i, *p).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

// The site names of the text table's rows, top to bottom.
std::vector<std::string> TextTableOrder(const std::string& text) {
  std::vector<std::string> names;
  const size_t table = text.find("allocation site\n");
  const size_t end = text.find("\n\n", table);
  size_t at = text.find('\n', table) + 1;
  while (at < end && at < text.size()) {
    const size_t eol = text.find('\n', at);
    const std::string line = text.substr(at, eol - at);
    if (line.find("main.") != std::string::npos && line.find('(') == std::string::npos)
      names.push_back(line.substr(line.rfind(' ') + 1));
    at = eol + 1;
  }
  return names;
}

TEST(ReportTest, TextJsonAndHtmlListTheSitesInOneOrder) {
  // Higher scores than the growing sites for the gone and the fluctuating one:
  // the order used to differ between the text (which shows only growth) and
  // JSON and HTML (which listed by score).
  const std::vector<SiteSeries> sites = {
      {"main.went", {1, 4, 8, 12, 0}},    // gone
      {"main.swung", {1, 9, 1, 9, 1}},    // fluctuating, no net change
      {"main.crept", {1, 1, 1, 1, 2}},    // growing a little
      {"main.grew", {1, 2, 3, 4, 5}},     // growing
      {"main.arrived", {0, 0, 0, 0, 3}},  // new
      {"main.fell", {5, 4, 3, 2, 1}},     // shrinking
  };
  TrendResult t = TrendOf(sites, 5);
  ASSERT_EQ(t.restarts.size(), 0u);
  const Report report = BuildReport(t, ReportOptions{});
  std::vector<std::string> classes;
  for (const TrendNode& n : t.sites) classes.push_back(std::string(TrendClassName(n.stats.trend_class)));
  ASSERT_NE(std::find(classes.begin(), classes.end(), "gone"), classes.end());
  ASSERT_NE(std::find(classes.begin(), classes.end(), "fluctuating"), classes.end());
  ASSERT_NE(std::find(classes.begin(), classes.end(), "new"), classes.end());

  const std::vector<std::string> text = TextTableOrder(RenderText(report));
  ASSERT_GE(text.size(), 3u) << RenderText(report);

  const nlohmann::json json = nlohmann::json::parse(RenderJson(report, JsonOptions{}));
  std::vector<std::string> json_sites;
  for (const auto& node : json["nodes"]) {
    if (node["kind"] != "site") continue;
    EXPECT_EQ(node["rank"].get<size_t>(), json_sites.size() + 1) << node.dump();
    json_sites.push_back(node["function"].get<std::string>());
  }
  const nlohmann::json html = nlohmann::json::parse(HtmlData(report, HtmlOptions{}));
  std::vector<std::string> html_sites;
  for (const auto& site : html["sites"]) {
    EXPECT_EQ(site["rank"].get<size_t>(), html_sites.size() + 1) << site.dump();
    html_sites.push_back(site["name"].get<std::string>());
  }
  // JSON and HTML list the same sites in one order; the text table's rows
  // are their first rows, numbered alike.
  EXPECT_EQ(json_sites, html_sites);
  ASSERT_GE(json_sites.size(), text.size());
  for (size_t i = 0; i < text.size(); ++i) EXPECT_EQ(text[i], json_sites[i]) << "rank " << i + 1;
  // The rows that grew come before the others everywhere.
  std::vector<std::string> first(json_sites.begin(), json_sites.begin() + 3);
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<std::string>{"main.arrived", "main.crept", "main.grew"}));
  // And the HTML headline's top site is the table's row 1.
  EXPECT_NE(RenderHtml(report, HtmlOptions{}).find("top growing site</span><b>" + text[0]), std::string::npos);
}

TEST(ReportTest, CheckOffendersPrintTheTableFiguresAfterARestart) {
  // Two processes: the leak grows by 2 objects in each, falls at the restart.
  const std::vector<SiteSeries> sites = {{"main.leak", {1, 2, 3, 1, 2, 3}}, {"main.flat", {4, 4, 4, 4, 4, 4}}};
  TrendResult t = TrendOf(sites, 6, {3});
  ASSERT_EQ(t.restarts.size(), 1u);
  EXPECT_EQ(t.restarts[0].capture, 3u);
  EXPECT_EQ(t.restarts[0].cause, TrendResult::RestartCause::kCountersFell);
  const Report report = BuildReport(t, ReportOptions{});
  ASSERT_FALSE(report.growing.empty());
  const ReportRow& row = report.growing.front();
  ASSERT_EQ(row.short_name, "main.leak");
  EXPECT_EQ(row.cells.growth, "+32MiB");  // within each process: 2 + 2 objects of 8 MiB
  EXPECT_EQ(row.cells.objects, "+4");

  Budgets budgets;
  budgets.max_node_growth = SizeLimit{kMiB8, "8MiB"};
  auto result = RunCheck(t, budgets);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_FALSE(result->passed);
  const std::string text = RenderCheck(*result, BuildReport(t, ReportOptions{}), CheckFormat::kText);
  EXPECT_NE(text.find(row.cells.growth + " main.leak (+4 objects"), std::string::npos) << text;
  EXPECT_NE(text.find("measured +32MiB"), std::string::npos) << text;
  const nlohmann::json json =
      nlohmann::json::parse(RenderCheck(*result, BuildReport(t, ReportOptions{}), CheckFormat::kJson));
  const auto& offender = json["budgets"][0]["offenders"][0];
  EXPECT_EQ(offender["growth_bytes"].get<double>(), row.growth);
  EXPECT_EQ(offender["growth_objects"].get<double>(), row.growth_objects);
  EXPECT_EQ(offender["rank"].get<int>(), row.rank);
}

// Issue 28: a stripped binary with jemalloc linked in (tests/native_test.sh
// runs the real one): every stack ends in the profiler's frames, and the
// allocator's entry points (malloc, calloc) above them have no names
// either. Sites are named by the program's frame, not "app+0x9e10f".
TEST(ReportTest, TheProfilersOwnLeafFramesNameNoSite) {
  const std::vector<std::string> profiler = {"app+0x9e800", "app+0x919d3", "app+0x22fb8"};
  auto stack = [&](std::string entry, std::vector<std::string> program) {
    std::vector<std::string> callers(profiler.begin() + 1, profiler.end());
    callers.push_back(entry);
    callers.insert(callers.end(), program.begin(), program.end());
    return callers;
  };
  TrendResult t = TrendOf({{"app+0x9e10f", {1, 2, 3, 4}, stack("app+0x1000", {"app+0x17abd", "app+0x179b0"})},
                           {"app+0x9e10f", {1, 1, 2, 3}, stack("app+0x1000", {"app+0x17b1a", "app+0x179b0"})},
                           {"app+0x9e10f", {2, 2, 2, 3}, stack("app+0x2000", {"app+0x17bc9", "app+0x179b0"})},
                           {"app+0x9e10f", {1, 1, 1, 2}, stack("app+0x2000", {"app+0x17abd", "app+0x179b0"})}},
                          4);
  std::vector<std::string> names;
  for (const TrendNode& n : t.sites) names.push_back(t.aligned.frames[n.name_frame].function);
  std::sort(names.begin(), names.end());
  // app+0x17abd allocates through both entry points: two sites of one name.
  EXPECT_EQ(names, (std::vector<std::string>{"app+0x17abd", "app+0x17abd", "app+0x17b1a", "app+0x17bc9"}));
  // Their callers agree: the rows tell them apart by the entry below.
  const Report report = BuildReport(t, ReportOptions{});
  std::vector<std::string> rows;
  for (const ReportRow& row : report.growing) rows.push_back(row.name);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"app+0x17abd (via app+0x1000)", "app+0x17abd (via app+0x2000)",
                                            "app+0x17b1a", "app+0x17bc9"}));
  // Not so where the shared leaf is named as an allocator's (Go's runtime):
  // the frame above it is the program's, even when two sites share it.
  TrendResult go = TrendOf({{"runtime.makeslice", {1, 2, 3}, {"main.a", "main.x"}},
                            {"runtime.makeslice", {1, 2, 3}, {"main.a", "main.y"}},
                            {"runtime.makeslice", {1, 2, 3}, {"main.b", "main.y"}}},
                           3);
  names.clear();
  for (const TrendNode& n : go.sites) names.push_back(go.aligned.frames[n.name_frame].function);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"main.a", "main.a", "main.b"}));
}

// Issue 28: two rows never print the same name; where two sites' names
// agree, each adds the first caller that tells it apart, in every output.
TEST(ReportTest, SitesOfOneNameAreToldApartByTheirFirstDifferingCaller) {
  TrendResult t = TrendOf({{"main.alloc", {1, 2, 3, 4}, {"main.decode", "main.serveA"}},
                           {"main.alloc", {1, 2, 3, 5}, {"main.decode", "main.serveB"}},
                           {"main.alloc", {1, 2, 4, 6}, {"main.encode", "main.serveA"}},
                           {"main.other", {1, 2, 3, 4}, {"main.decode"}}},
                          4);
  const Report report = BuildReport(t, ReportOptions{});
  std::vector<std::string> rows;
  for (const ReportRow& row : report.growing) rows.push_back(row.name);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"main.alloc (from main.encode)", "main.alloc (from main.serveA)",
                                            "main.alloc (from main.serveB)", "main.other"}));
  // JSON keeps the frame's name in "function" and adds the row's.
  const nlohmann::json json = nlohmann::json::parse(RenderJson(report, JsonOptions{}));
  size_t told = 0;
  for (const auto& node : json["nodes"]) {
    if (node["kind"] != "site") continue;
    if (node["function"] == "main.alloc") {
      ++told;
      EXPECT_EQ(node["name"], "main.alloc (from " + node["told_apart_by"].get<std::string>() + ")");
    } else {
      EXPECT_FALSE(node.contains("told_apart_by"));
      EXPECT_FALSE(node.contains("name"));  // only where names agree: else the name is "function"
    }
  }
  EXPECT_EQ(told, 3u);
  // check's offenders and the text table print the same names.
  const std::string text = RenderText(report);
  EXPECT_NE(text.find("main.alloc (from main.serveB)"), std::string::npos) << text;
}

// Issue 28: a JVM array class has a '[' that never closes: kept as written,
// its tail shown where it does not fit (as long .NET names), never "[...".
TEST(ReportTest, ALongJavaArrayClassKeepsItsTail) {
  const std::string flink =
      "[Lorg.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue$ConditionAndFlag;";
  EXPECT_EQ(FitWidth(flink, 40), "...letingBlockingQueue$ConditionAndFlag;");
  EXPECT_EQ(FitWidth("[[I", 40), "[[I");
  // Generic arguments still go first.
  EXPECT_EQ(FitWidth("System.Collections.Generic.Dictionary`2+Entry[[System.String],[System.Object]][]", 50),
            "...m.Collections.Generic.Dictionary`2+Entry[...][]");
}

}  // namespace
}  // namespace pprof_trend
