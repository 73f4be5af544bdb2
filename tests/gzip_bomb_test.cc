// A gzip bomb stops early, in bounded memory: the real binary on a ~2 MB
// file that inflates to 384 MiB, its peak RSS measured with getrusage (the
// build before this check held the whole output: 400+ MB and seconds).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "support/profile_builder.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;

// `mebibytes` MiB of zeros, gzipped as a stream (never whole in memory) at
// the fastest level: ~230:1, over the limit of 100:1.
void WriteBomb(const std::string& path, int mebibytes) {
  gzFile out = gzopen(path.c_str(), "wb1");
  ASSERT_NE(out, nullptr);
  const std::string zeros(1 << 20, '\0');
  for (int i = 0; i < mebibytes; ++i)
    ASSERT_EQ(gzwrite(out, zeros.data(), static_cast<unsigned>(zeros.size())), static_cast<int>(zeros.size()));
  ASSERT_EQ(gzclose(out), Z_OK);
}

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long peak_rss_kib = 0;
  std::string err;
};

ChildRun RunBinary(const std::vector<std::string>& args, const std::string& err_path) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* err = freopen(err_path.c_str(), "w", stderr);
    (void)err;
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  ChildRun r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.peak_rss_kib = usage.ru_maxrss;
  r.err = testing::ReadFileOrDie(err_path);
  return r;
}

TEST(GzipBombTest, StopsWithinTwoSecondsAnd256MiB) {
  const fs::path dir = fs::temp_directory_path() / ("pprof-trend-bomb-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string bomb = (dir / "bomb.pb.gz").string();
  WriteBomb(bomb, 384);
  EXPECT_LT(fs::file_size(bomb), 2u << 20);
  ChildRun r = RunBinary({PPROF_TREND_BINARY, "inspect", bomb}, (dir / "err.txt").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("decompresses to more than 100 times its compressed size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--max-compression-ratio"), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 2.0);
  EXPECT_LT(r.peak_rss_kib, 256 * 1024) << "peak RSS " << r.peak_rss_kib << " KiB";
  // The flag that allows it: with a higher ratio the same file inflates
  // (and then is no profile).
  ChildRun allowed =
      RunBinary({PPROF_TREND_BINARY, "inspect", "--max-compression-ratio", "2000", bomb}, (dir / "err2.txt").string());
  EXPECT_EQ(allowed.exit_code, 2);
  EXPECT_EQ(allowed.err.find("gzip bomb"), std::string::npos) << allowed.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pprof_trend
