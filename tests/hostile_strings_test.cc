// Names a hostile (or just broken) profile may carry: control characters,
// terminal escape sequences, invalid UTF-8, markup, very long names. Every
// output stays well-formed: text lines stay lines, JSON parses, HTML keeps
// its two scripts, JUnit and GitHub annotations stay single records.
#include <gtest/gtest.h>

#include "analysis/check.h"
#include "input/profile_reader.h"
#include "output/render_check.h"
#include "output/render_html.h"
#include "output/render_json.h"
#include "output/render_text.h"
#include "support/json_validator.h"
#include "support/profile_builder.h"

namespace pprof_trend {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

class HostileStringsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<std::string> names = {
        "main.newline\nINJECTED LINE",        "main.escape\x1b[2J\x1b[31mred", "main.invalid\xff\xfe\xc3",
        "</script><script>alert(1)</script>", "main.c1\xc2\x85next",           std::string(100000, 'L'),
    };
    testing::ProfileSpec day1, day2;
    day1.time_nanos = 1000000000;
    day2.time_nanos = 86401000000000;
    int64_t k = 1;
    for (const auto& name : names) {
      // 8 MiB objects: always sampled, so the growth is beyond noise.
      day1.samples.push_back(
          testing::HeapSample({{name, name + ".go", 1}, {"main.main", "m.go", 2}}, k, k << 23, int64_t{1} << 23));
      day2.samples.push_back(testing::HeapSample({{name, name + ".go", 1}, {"main.main", "m.go", 2}}, k * 10,
                                                 (k * 10) << 23, int64_t{1} << 23));
      ++k;
    }
    Aligner aligner(AlignOptions{}, 2);
    ASSERT_TRUE(aligner.Add(0, DecodePprof(testing::BuildProfile(day1), "evil\n1.pb").value()).ok());
    ASSERT_TRUE(aligner.Add(1, DecodePprof(testing::BuildProfile(day2), "evil\x1b[2.pb").value()).ok());
    trend_ = ComputeTrends(std::move(aligner).Finish(false));
  }
  TrendResult trend_;
};

TEST_F(HostileStringsTest, TextStaysOneRecordPerLine) {
  std::string text = RenderText(BuildReport(trend_, ReportOptions{}));
  EXPECT_EQ(text.find("\nINJECTED LINE"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find("\xc2\x85"), std::string::npos);
  for (char c : text) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << static_cast<int>(c);
  EXPECT_NE(text.find("main.newline?INJECTED LINE"), std::string::npos) << text;
}

TEST_F(HostileStringsTest, JsonParses) {
  std::string json = RenderJson(BuildReport(trend_, ReportOptions{}), JsonOptions{});
  EXPECT_EQ(testing::ValidateJson(json), "");
  EXPECT_NE(json.find("main.newline\\nINJECTED LINE"), std::string::npos);  // kept, escaped
  Budgets budgets;
  budgets.max_growth = SizeLimit{1, "1B"};
  budgets.forbid = {"main"};
  auto result = RunCheck(trend_, budgets);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(testing::ValidateJson(RenderCheck(*result, BuildReport(trend_, ReportOptions{}), CheckFormat::kJson)), "");
  std::string github = RenderCheck(*result, BuildReport(trend_, ReportOptions{}), CheckFormat::kGithub);
  // One line per budget (an annotation or a PASS line), one summary.
  EXPECT_EQ(Count(github, "\n"), result->verdicts.size() + 1) << github;
  EXPECT_EQ(Count(github, "::error "), 2u) << github;
  std::string junit = RenderCheck(*result, BuildReport(trend_, ReportOptions{}), CheckFormat::kJunit);
  EXPECT_EQ(junit.find('\x1b'), std::string::npos);
  EXPECT_EQ(Count(junit, "<testcase"), 2u);
}

TEST_F(HostileStringsTest, HtmlKeepsItsStructure) {
  std::string page = RenderHtml(BuildReport(trend_, ReportOptions{}), HtmlOptions{});
  EXPECT_EQ(Count(page, "<script"), 2u);
  EXPECT_EQ(Count(page, "</script>"), 2u);
  EXPECT_EQ(page.find('\x1b'), std::string::npos);
  size_t start = page.find("id=\"pprof-trend-data\">") + std::string("id=\"pprof-trend-data\">").size();
  size_t end = page.find("</script>", start);
  EXPECT_EQ(testing::ValidateJson(page.substr(start, end - start)), "");
}

TEST(JsonValidatorTest, RejectsWhatIsNotJson) {
  EXPECT_EQ(testing::ValidateJson(R"({"a": [1, 2.5e3, -0, true, null, "x\u0041"], "b": {}})"), "");
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "\"\x01\"", "\"\xff\"", "[1] 2", "{'a': 1}", "NaN"})
    EXPECT_NE(testing::ValidateJson(bad), "") << bad;
}

}  // namespace
}  // namespace pprof_trend
