#include "cli/heap_pages.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

TEST(HeapPagesTest, ReadsTheHugetlbTunableLastOneWins) {
  EXPECT_EQ(HugetlbTunable(nullptr), std::nullopt);
  EXPECT_EQ(HugetlbTunable(""), std::nullopt);
  EXPECT_EQ(HugetlbTunable("glibc.malloc.arena_max=1"), std::nullopt);
  EXPECT_EQ(HugetlbTunable("glibc.malloc.hugetlb=1"), "1");
  EXPECT_EQ(HugetlbTunable("glibc.malloc.arena_max=1:glibc.malloc.hugetlb=0"), "0");
  EXPECT_EQ(HugetlbTunable("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0:x=y"), "0");
  EXPECT_EQ(HugetlbTunable("xglibc.malloc.hugetlb=1"), std::nullopt);  // another name
}

class InputsAtLeastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pprof-trend-heap-pages-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "series");
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A file of `bytes` bytes (sparse: only its size matters).
  std::string File(const fs::path& path, uintmax_t bytes) const {
    { std::ofstream(path, std::ios::binary).put('x'); }
    fs::resize_file(path, bytes);
    return path.string();
  }
  bool AtLeast(std::vector<std::string> args, uintmax_t bytes) const {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return InputsAtLeast(argv, bytes);
  }
  fs::path dir_;
};

TEST_F(InputsAtLeastTest, AddsUpFilesAndTheFilesOfDirectories) {
  const std::string a = File(dir_ / "a.pb.gz", 6 << 20), b = File(dir_ / "b.pb.gz", 6 << 20);
  File(dir_ / "series" / "1.pb.gz", 5 << 20);
  File(dir_ / "series" / "2.pb.gz", 5 << 20);
  const std::string series = (dir_ / "series").string();
  EXPECT_FALSE(AtLeast({a, b}, 16 << 20));
  EXPECT_TRUE(AtLeast({a, b}, 12 << 20));
  EXPECT_TRUE(AtLeast({a, series}, 16 << 20));
  EXPECT_FALSE(AtLeast({series}, 16 << 20));
  // Flags, standard input, URLs and missing files count for nothing.
  EXPECT_FALSE(AtLeast({"--format", "json", "-", "-sample_index=alloc_space", "http://localhost:6060/x", a}, 7 << 20));
  EXPECT_FALSE(AtLeast({(dir_ / "missing.pb.gz").string(), a}, 7 << 20));
  EXPECT_TRUE(AtLeast({"inspect", a, "-nodecount=3", b}, 12 << 20));
}

}  // namespace
}  // namespace pprof_trend
