// Golden end-to-end tests: each directory testdata/golden/<case>/ holds
//   args       the command-line arguments, one per line (paths relative to the repo)
//   stdout     the expected standard output, byte for byte
//   stderr     the expected standard error
//   exit_code  the expected exit code
// run through the real CLI entry point. To accept a change in output, run
// with PPROF_TREND_UPDATE_GOLDEN=1 and review the diff in the commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("testdata/golden")))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadOrEmpty(const fs::path& p) {
  if (!fs::exists(p)) return "";
  return testing::ReadFileOrDie(p.string());
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, OutputMatches) {
  const fs::path dir = testing::SourcePath("testdata/golden/" + GetParam());
  std::vector<std::string> args = {"pprof-trend"};
  std::istringstream lines(testing::ReadFileOrDie((dir / "args").string()));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) args.push_back(line);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());

  const fs::path previous = fs::current_path();
  fs::current_path(PPROF_TREND_SOURCE_DIR);  // paths in args and outputs are relative to the repo
  std::ostringstream out, err;
  int code = RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  fs::current_path(previous);

  if (std::getenv("PPROF_TREND_UPDATE_GOLDEN") != nullptr) {
    testing::WriteFileOrDie((dir / "stdout").string(), out.str());
    testing::WriteFileOrDie((dir / "stderr").string(), err.str());
    testing::WriteFileOrDie((dir / "exit_code").string(), std::to_string(code) + "\n");
    GTEST_SKIP() << "golden files rewritten";
  }
  EXPECT_EQ(out.str(), ReadOrEmpty(dir / "stdout"));
  EXPECT_EQ(err.str(), ReadOrEmpty(dir / "stderr"));
  EXPECT_EQ(std::to_string(code) + "\n", ReadOrEmpty(dir / "exit_code"));
}

INSTANTIATE_TEST_SUITE_P(Testdata, GoldenTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace pprof_trend
