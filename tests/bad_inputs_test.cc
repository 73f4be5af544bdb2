// testdata/bad/ holds one input per defect class (written by
// tools/gen_bad_inputs.cc); testdata/bad/expected.txt gives, per file, the
// one-line error `pprof-trend FILE FILE` must print (exit code 2). Every file
// in the directory must be listed, and every listed file must exist.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "cli/cli.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

// Every file in testdata/<dir>/ (but expected.txt) is listed there with the
// one-line error that `pprof-trend FILE FILE` must print, with exit code 2.
void ExpectEachFileGetsItsError(const std::string& dir_name) {
  const fs::path dir = testing::SourcePath("testdata/" + dir_name);
  std::map<std::string, std::string> expected;
  std::istringstream lines(testing::ReadFileOrDie((dir / "expected.txt").string()));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    expected[line.substr(0, tab)] = line.substr(tab + 1);
  }
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name == "expected.txt" || name == "README.md") continue;
    ++files;
    EXPECT_TRUE(expected.count(name)) << name << " has no expected error in expected.txt";
  }
  EXPECT_EQ(files, expected.size());
  const fs::path previous = fs::current_path();
  fs::current_path(PPROF_TREND_SOURCE_DIR);
  for (const auto& [name, message] : expected) {
    std::string path = "testdata/" + dir_name + "/" + name;
    const char* argv[] = {"pprof-trend", path.c_str(), path.c_str()};
    std::ostringstream out, err;
    int code = RunCli(3, argv, out, err);
    EXPECT_EQ(code, 2) << name;
    EXPECT_EQ(out.str(), "") << name;
    EXPECT_EQ(err.str(), "pprof-trend: " + message + "\n") << name;
  }
  fs::current_path(previous);
}

TEST(BadInputsTest, EachDefectGetsItsOneLineError) { ExpectEachFileGetsItsError("bad"); }

// Real files that are no heap profile (pprof's own test data, a server's
// pages): the error says what each one is.
TEST(BadInputsTest, EachRealNonHeapFileIsNamedForWhatItIs) { ExpectEachFileGetsItsError("notheap"); }

}  // namespace
}  // namespace pprof_trend
