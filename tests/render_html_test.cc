#include "output/render_html.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "base/write_file.h"
#include "input/load.h"
#include "input/profile_reader.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
  return n;
}

TrendResult SaramaTrend() {
  std::vector<std::string> paths = {"testdata/sarama/day1.pb.gz", "testdata/sarama/day2.pb.gz",
                                    "testdata/sarama/day3.pb.gz"};
  Aligner aligner(AlignOptions{}, 3);
  for (size_t i = 0; i < 3; ++i) {
    auto p = LoadProfile(testing::SourcePath(paths[i]), LoadOptions{});
    EXPECT_TRUE(p.ok());
    p->source = paths[i];  // relative, as the golden file has them
    EXPECT_TRUE(aligner.Add(i, *p).ok());
  }
  return ComputeTrends(std::move(aligner).Finish(false));
}

// The data the page renders from, golden. PPROF_TREND_UPDATE_GOLDEN=1 rewrites it.
TEST(RenderHtmlTest, EmbeddedDataMatchesGolden) {
  TrendResult t = SaramaTrend();
  ReportOptions options;
  options.command_line =
      "pprof-trend --html report.html testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz "
      "testdata/sarama/day3.pb.gz";
  std::string data = HtmlData(BuildReport(t, options), HtmlOptions{});
  const std::string golden = testing::SourcePath("testdata/html/sarama.data.json");
  if (std::getenv("PPROF_TREND_UPDATE_GOLDEN") != nullptr) {
    testing::WriteFileOrDie(golden, data);
    GTEST_SKIP() << "golden rewritten";
  }
  EXPECT_EQ(data, testing::ReadFileOrDie(golden));
}

TEST(RenderHtmlTest, PageIsSelfContained) {
  TrendResult t = SaramaTrend();
  std::string page = RenderHtml(BuildReport(t, ReportOptions{}), HtmlOptions{});
  for (const char* id : {"id=\"overview\"", "id=\"sites-body\"", "id=\"search\"", "id=\"detail\"", "id=\"flame\"",
                         "id=\"pprof-trend-data\"", "id=\"inputs\"", "id=\"selftest\""})
    EXPECT_EQ(Count(page, id), 1u) << id;
  EXPECT_EQ(Count(page, "<script"), 2u);  // the data and the code, both inline
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  // Nothing is loaded from anywhere: no src/href attributes, CSS urls or imports, no fetches.
  for (const char* external : {" src=", " href=", "url(", "@import", "fetch(", "XMLHttpRequest", "<link", "<iframe"})
    EXPECT_EQ(Count(page, external), 0u) << external;
  // The only "http"s: the SVG namespace name (never fetched), the CSP meta tag
  // and pprof's -http flag in a command for the reader to copy.
  EXPECT_EQ(Count(page, "http"),
            Count(page, "http://www.w3.org/2000/svg") + Count(page, "http-equiv") + Count(page, "-http=:"));
  for (const char* marker : {"@CSS@", "@JS@", "@DATA@", "@SUMMARY@", "@NOTES@", "@TOOL@"})
    EXPECT_EQ(Count(page, marker), 0u) << marker;
}

TEST(RenderHtmlTest, HostileNamesCannotInjectMarkup) {
  using testing::HeapSample;
  const std::string evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>\"'&\x01\xff";
  testing::ProfileSpec day1, day2;
  day1.samples = {HeapSample({{evil, evil, 1}}, 1, 1 << 20, 1 << 20)};
  day2.samples = {HeapSample({{evil, evil, 1}}, 4, 4 << 20, 1 << 20)};
  Aligner aligner(AlignOptions{}, 2);
  ASSERT_TRUE(aligner.Add(0, DecodePprof(testing::BuildProfile(day1), evil).value()).ok());
  ASSERT_TRUE(aligner.Add(1, DecodePprof(testing::BuildProfile(day2), "b").value()).ok());
  TrendResult t = ComputeTrends(std::move(aligner).Finish(false));
  ReportOptions options;
  options.command_line = "pprof-trend " + evil;
  std::string page = RenderHtml(BuildReport(t, options), HtmlOptions{});
  EXPECT_EQ(Count(page, "<script"), 2u);
  EXPECT_EQ(Count(page, "</script>"), 2u);
  EXPECT_EQ(Count(page, "<img"), 0u);
  EXPECT_EQ(page.find('\x01'), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>\\u003cscript>alert(1)"), std::string::npos);  // in the JSON, inert
  // In the summary (the short name drops everything up to the last '/'), escaped.
  EXPECT_NE(page.find("script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x"), std::string::npos);
}

TEST(WriteFileTest, WritesAtomicallyAndLeavesNothingOnFailure) {
  fs::path dir = fs::temp_directory_path() / ("pprof-trend-write-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "report.html").string();
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), "second");
  Status s = WriteFileAtomically((dir / "missing" / "report.html").string(), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.message().starts_with((dir / "missing" / "report.html").string() + ": cannot create: ")) << s.message();
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  fs::remove_all(dir);
}

TEST(WriteFileTest, StreamsLargeContentAndLeavesNothingWhenTheProducerThrows) {
  fs::path dir = fs::temp_directory_path() / ("pprof-trend-write-stream-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "report.html").string();
  // Many small pieces, well past the writer's buffer.
  std::string expected;
  for (int i = 0; i < 100000; ++i) expected += "piece " + std::to_string(i) + "\n";
  ASSERT_TRUE(WriteFileAtomically(path, [](std::ostream& out) {
                for (int i = 0; i < 100000; ++i) out << "piece " << i << "\n";
              }).ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), expected);
  // A producer that fails halfway leaves the previous file as it was.
  EXPECT_THROW(WriteFileAtomically(path,
                                   [](std::ostream& out) {
                                     out << std::string(200000, 'x');
                                     throw std::runtime_error("producer failed");
                                   }),
               std::runtime_error);
  EXPECT_EQ(testing::ReadFileOrDie(path), expected);
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  fs::remove_all(dir);
}

// While an output is written it has no name in the directory (O_TMPFILE), so
// a run killed mid-write (SIGKILL, a power cut) leaves no temporary behind;
// the name appears with the rename.
TEST(WriteFileTest, AnOutputHasNoNameWhileItIsWritten) {
  fs::path dir = fs::temp_directory_path() / ("pprof-trend-write-unnamed-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int probe = ::open(dir.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0) GTEST_SKIP() << "SKIPPED: the file system of " << dir << " has no O_TMPFILE";
  ::close(probe);
  std::string path = (dir / "report.html").string();
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  size_t entries_while_writing = 0;
  ASSERT_TRUE(WriteFileAtomically(path, [&](std::ostream& out) {
                out << std::string(300000, 'x');
                out.flush();
                for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries_while_writing;
              }).ok());
  EXPECT_EQ(entries_while_writing, 1u);  // report.html (the previous one) only
  EXPECT_EQ(testing::ReadFileOrDie(path), std::string(300000, 'x'));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  fs::remove_all(dir);
}

// The data is streamed into the page where its marker was, whole, once.
TEST(RenderHtmlTest, PageEmbedsTheDataOnceWhereItsMarkerWas) {
  TrendResult t = SaramaTrend();
  Report report = BuildReport(t, ReportOptions{});
  const std::string page = RenderHtml(report, HtmlOptions{});
  const std::string data = HtmlData(report, HtmlOptions{});
  const std::string script = "<script type=\"application/json\" id=\"pprof-trend-data\">\n";
  const size_t at = page.find(script + data);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(page.find(data, at + script.size() + 1), std::string::npos);
  EXPECT_TRUE(page.compare(at + script.size() + data.size(), 10, "\n</script>") == 0);
  EXPECT_EQ(page.find("@DATA@"), std::string::npos);
  EXPECT_TRUE(page.ends_with("</html>\n"));
}

}  // namespace
}  // namespace pprof_trend
