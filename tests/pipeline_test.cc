// The pipeline: profiles -> load -> align -> trend, with options of its own.
#include "analysis/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "output/render_json.h"
#include "output/report.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

using testing::SaramaDay;

PipelineOptions Sarama(std::vector<int> days) {
  PipelineOptions options;
  for (int d : days) options.profiles.push_back(SaramaDay(d));
  return options;
}

// Two files of testdata/, given capture times a day apart (heap tables carry none).
PipelineOptions ADayApart(const std::string& first, const std::string& second) {
  PipelineOptions options;
  options.profiles = {testing::SourcePath(first), testing::SourcePath(second)};
  options.times = {int64_t{1700000000} * 1000000000, int64_t{1700086400} * 1000000000};
  return options;
}

TEST(PipelineTest, RanksTheSaramaLeakFirst) {
  auto analysis = Analyze(Sarama({1, 2, 3}));
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  EXPECT_TRUE(analysis->notes.empty());
  const TrendResult& trend = analysis->trend;
  ASSERT_EQ(trend.aligned.captures.size(), 3u);
  ASSERT_FALSE(trend.sites.empty());
  const TrendNode& top = trend.sites.front();
  EXPECT_EQ(trend.aligned.frames[top.name_frame].function,
            "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  EXPECT_EQ(top.delta_objects, 17);
}

TEST(PipelineTest, ReorderingByTimeIsANoteNotAPrint) {
  auto analysis = Analyze(Sarama({3, 1, 2}));
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  ASSERT_EQ(analysis->notes.size(), 1u);
  EXPECT_EQ(Labeled(analysis->notes[0]),
            "note: profiles are ordered by capture time, not as given (--keep-order keeps the argument order)");
  EXPECT_EQ(analysis->trend.aligned.captures.front().path, SaramaDay(1));
}

TEST(PipelineTest, RefusesWhatCannotMakeATrend) {
  auto one = Analyze(Sarama({1}));
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().code(), StatusCode::kUsageError);

  PipelineOptions times = Sarama({1, 2});
  times.times = {1};
  auto mismatch = Analyze(times);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().message(), "--times has 1 time for 2 profiles");

  PipelineOptions regex = Sarama({1, 2});
  regex.focus = "(";
  auto bad = Analyze(regex);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUsageError);
}

// A partial heap table in a series: its warning is a note of the analysis,
// and JSON marks the capture partial with its coverage.
TEST(PipelineTest, APartialTableIsSaidAndMarkedInJson) {
  auto analysis = Analyze(ADayApart("testdata/dumpheap-real/dotnet-docs-33836.txt", "testdata/dotnet/dump1.txt"));
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  ASSERT_FALSE(analysis->notes.empty());
  EXPECT_NE(
      Labeled(analysis->notes[0]).find("dotnet-docs-33836.txt: a partial table: its rows hold 413,807 of the 428,516"),
      std::string::npos)
      << Labeled(analysis->notes[0]);
  const nlohmann::json json =
      nlohmann::json::parse(RenderJson(BuildReport(analysis->trend, ReportOptions{}), JsonOptions{}));
  std::map<std::string, nlohmann::json> by_file;
  for (const auto& p : json["profiles"]) by_file[fs::path(p["path"].get<std::string>()).filename().string()] = p;
  const auto& partial = by_file["dotnet-docs-33836.txt"];
  const auto& whole = by_file["dump1.txt"];
  EXPECT_TRUE(partial["partial"].get<bool>()) << partial.dump();
  EXPECT_NEAR(partial["coverage"].get<double>(), 413807.0 / 428516, 1e-9) << partial.dump();
  EXPECT_EQ(partial["free_bytes"].get<int64_t>(), 116080);  // the docs paste's Free row
  EXPECT_FALSE(whole["partial"].get<bool>()) << whole.dump();
  EXPECT_EQ(whole["coverage"].get<double>(), 1);
  EXPECT_EQ(whole["free_bytes"].get<int64_t>(), 8412330);
}

// Sample types agree between a Java heap and a .NET table (objects and
// bytes), but no program is both: refused, naming both captures and their
// runtimes, unless the user says they are one program; then the trend runs
// and carries the pair.
TEST(PipelineTest, CapturesOfDifferentRuntimesAreRefused) {
  PipelineOptions options = ADayApart("testdata/java/jdk17-jcmd-1.txt", "testdata/dotnet-gcdump/kafka-day1.txt");
  auto analysis = Analyze(options);
  ASSERT_FALSE(analysis.ok());
  EXPECT_EQ(analysis.status().code(), StatusCode::kInputError);
  const std::string& message = analysis.status().message();
  EXPECT_NE(message.find("jdk17-jcmd-1.txt (Java) and "), std::string::npos) << message;
  EXPECT_NE(message.find("kafka-day1.txt (.NET) come from different runtimes: different programs."), std::string::npos)
      << message;
  EXPECT_NE(message.find("--same-program"), std::string::npos) << message;
  options.same_program = true;
  analysis = Analyze(options);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  ASSERT_EQ(analysis->trend.DifferentPrograms(), std::vector<size_t>{1});
  EXPECT_TRUE(analysis->trend.neighbours[1].other_runtime);
  ASSERT_EQ(analysis->trend.restarts.size(), 1u);
  EXPECT_EQ(analysis->trend.restarts[0].cause, TrendResult::RestartCause::kOtherProgram);
}

// Two programs of one runtime (a Go service's captures and another Go
// program's) share almost none of their memory: refused, with the share and
// the programs' names. One program's neighbours, across a restart, are not.
TEST(PipelineTest, CapturesOfDifferentProgramsAreRefused) {
  PipelineOptions options;
  options.profiles = {SaramaDay(1), SaramaDay(2), testing::SourcePath("testdata/real/leaksvc-snap4.pb.gz")};
  auto analysis = Analyze(options);
  ASSERT_FALSE(analysis.ok());
  EXPECT_EQ(analysis.status().message(),
            SaramaDay(2) + " and " + options.profiles[2] +
                " share 0% of their in-use bytes (programs saramaleak and leaksvc): different programs? A trend "
                "compares one program's captures; give those, or --same-program if they are one");
  options.same_program = true;
  analysis = Analyze(options);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  EXPECT_EQ(analysis->trend.DifferentPrograms(), std::vector<size_t>{2});
  EXPECT_EQ(analysis->trend.neighbours[1].shared, 1);
  // One program's captures: nothing refused.
  options = PipelineOptions{};
  options.profiles = {testing::SourcePath("testdata/real/leaksvc-snap1.pb.gz"),
                      testing::SourcePath("testdata/real/leaksvc-snap4.pb.gz")};
  analysis = Analyze(options);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  EXPECT_TRUE(analysis->trend.DifferentPrograms().empty());
}

// A real SOS table pasted cut short: dump1.txt without its MetricKey row (its
// footer still counts every object, so the paste is partial, 81%). The type
// is unknown in that capture, not zero: judged on the captures that list it,
// it grew by dump3 - dump2 (not by dump3 - 0); rows of a table that holds too
// little of its heap are refused.
TEST(PipelineTest, ASiteACutTableDoesNotListIsUnknownNotZero) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("pprof-trend-cut-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string cut;
  {
    std::ifstream in(testing::SourcePath("testdata/dotnet/dump1.txt"));
    for (std::string line; std::getline(in, line);)
      if (!line.ends_with(" Kafka.Client.Metrics.MetricKey")) cut += line + "\n";
  }
  std::ofstream((dir / "dump1-cut.txt").string()) << cut;
  PipelineOptions options;
  options.profiles = {(dir / "dump1-cut.txt").string(), testing::SourcePath("testdata/dotnet/dump2.txt"),
                      testing::SourcePath("testdata/dotnet/dump3.txt")};
  options.times = {int64_t{1700000000} * 1000000000, int64_t{1700086400} * 1000000000,
                   int64_t{1700172800} * 1000000000};
  auto analysis = Analyze(options);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  const TrendResult& t = analysis->trend;
  EXPECT_NEAR(t.aligned.captures[0].coverage, 1 - 120412.0 / 626365, 0.01);
  const TrendNode* key = nullptr;
  for (const TrendNode& n : t.sites)
    if (NodeName(t.aligned, n) == "Kafka.Client.Metrics.MetricKey") key = &n;
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->unknown, 1u);
  EXPECT_EQ(key->stats.delta, 29163200 - 16671264);
  EXPECT_EQ(key->delta_objects, 911350 - 520977);
  EXPECT_EQ(key->stats.trend_class, TrendClass::kGrowing);
  const auto json = nlohmann::json::parse(RenderJson(BuildReport(t, ReportOptions{}), JsonOptions{}));
  for (const auto& node : json["nodes"]) {
    if (node["function"] == "Kafka.Client.Metrics.MetricKey") {
      EXPECT_EQ(node["unknown_captures"], nlohmann::json::array({0})) << node.dump();
    }
  }
  // The same table cut to its first rows: refused.
  std::string thin;
  {
    std::ifstream in(testing::SourcePath("testdata/dotnet/dump1.txt"));
    int rows = 0;
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("Total") || ++rows <= 9) thin += line + "\n";
  }
  std::ofstream((dir / "dump1-thin.txt").string()) << thin;
  options.profiles[0] = (dir / "dump1-thin.txt").string();
  analysis = Analyze(options);
  ASSERT_FALSE(analysis.ok());
  EXPECT_NE(analysis.status().message().find("dump1-thin.txt: its rows hold "), std::string::npos)
      << analysis.status().message();
  EXPECT_NE(analysis.status().message().find("too little of its heap to compare"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(PipelineTest, ALongSeriesOfWarnedCapturesGivesAFewWarningsAndACount) {
  // Ten captures each with a warning of its own (dotnet-gcdump's estimated
  // array bytes): six are shown, then how many more.
  const std::string dir = ::testing::TempDir() + "/warned-series";
  std::filesystem::create_directories(dir);
  std::ifstream in(testing::SourcePath("testdata/dotnet-gcdump/kafka-day1.txt"));
  const std::string table((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  PipelineOptions options;
  for (int i = 0; i < 10; ++i) {
    const std::string path = dir + "/report-" + std::to_string(i) + ".txt";
    std::ofstream(path) << "$ dotnet-gcdump report app-" << i << ".gcdump\n" << table;  // each file its own content
    options.profiles.push_back(path);
    options.times.push_back((int64_t{1700000000} + 3600 * i) * 1000000000);
  }
  auto analysis = Analyze(options);
  ASSERT_TRUE(analysis.ok()) << analysis.status().message();
  ASSERT_EQ(analysis->notes.size(), 8u);
  EXPECT_NE(Labeled(analysis->notes[0]).find("report-0.txt: 2 array and string types"), std::string::npos)
      << Labeled(analysis->notes[0]);
  EXPECT_EQ(Labeled(analysis->notes[6]),
            "warning: 4 more like these about the other captures (pprof-trend inspect FILE shows a file's)");
  // Then, once for the series: its estimated bytes made it ranked by count (issue 28).
  EXPECT_TRUE(Labeled(analysis->notes[7]).starts_with("note: ranked by inuse_objects, the exact object counts"))
      << Labeled(analysis->notes[7]);
}

}  // namespace
}  // namespace pprof_trend
