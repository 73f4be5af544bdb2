// The real binary on bad inputs and bad command lines: a one-line error that
// names the file and the defect, exit code 2, nothing on stdout.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/heap_pages.h"
#include "proto/profile.pb.h"
#include "support/profile_builder.h"
#include "test_paths.h"

namespace pprof_trend {
namespace {

namespace fs = std::filesystem;
using testing::ReadFileOrDie;
using testing::WriteFileOrDie;

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pprof-trend-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& data) const {
    WriteFileOrDie(Path(name), data);
    return Path(name);
  }

  // `env`: variables set (NAME=value) or unset (-u NAME) for the run, as env(1) takes them.
  RunResult Run(const std::string& args, const std::string& env = "") const {
    std::string cmd = std::string("cd '") + dir_.string() + "' && " + (env.empty() ? "" : "env " + env + " ") + "'" +
                      PPROF_TREND_BINARY + "' " + args + " >out.txt 2>err.txt </dev/null";
    int status = std::system(cmd.c_str());
    RunResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = ReadFileOrDie(Path("out.txt"));
    r.err = ReadFileOrDie(Path("err.txt"));
    return r;
  }

  // Asserts the documented input-error behaviour and returns the message.
  void ExpectInputError(const std::string& args, const std::string& message) const {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_EQ(r.err, "pprof-trend: " + message + "\n") << args;
  }

  std::string Day(int n) const {
    std::string p = Path("day" + std::to_string(n) + ".pb.gz");
    fs::copy_file(testing::SaramaDay(n), p, fs::copy_options::overwrite_existing);
    return "day" + std::to_string(n) + ".pb.gz";
  }

  fs::path dir_;
};

TEST_F(CliTest, EmptyFile) {
  Write("empty.pb.gz", "");
  ExpectInputError("inspect empty.pb.gz", "empty.pb.gz: empty file, not a profile");
  ExpectInputError(Day(1) + " empty.pb.gz", "empty.pb.gz: empty file, not a profile");
}

TEST_F(CliTest, OneByteFile) {
  Write("one", "x");
  ExpectInputError("inspect one", "one: text, not a profile; it begins \"x\"");
  Write("nul", std::string(1, '\0'));
  ExpectInputError("inspect nul", "nul: not a pprof profile (corrupt or truncated protobuf)");
}

TEST_F(CliTest, TruncatedGzip) {
  std::string gz = ReadFileOrDie(testing::SaramaDay(2));
  Write("cut.pb.gz", gz.substr(0, gz.size() / 2));
  ExpectInputError(Day(1) + " cut.pb.gz " + Day(3), "cut.pb.gz: truncated gzip stream");
}

TEST_F(CliTest, GzipOfGarbage) {
  Write("garbage.gz", testing::GzipCompress("this is not a protocol buffer at all \xff\xff\xff"));
  ExpectInputError("inspect garbage.gz", "garbage.gz: not a pprof profile (corrupt or truncated protobuf)");
}

TEST_F(CliTest, RandomBytes) {
  std::string bytes;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    bytes.push_back(static_cast<char>(x >> 16));
  }
  Write("random.bin", bytes);
  RunResult r = Run("inspect random.bin");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("pprof-trend: random.bin: ")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// A directory stands for the profiles in it (ADirectoryArgumentIsEveryProfileInIt); an empty one is an error.
TEST_F(CliTest, EmptyDirectoryInsteadOfFile) {
  fs::create_directories(Path("adir"));
  ExpectInputError("inspect adir", "adir: a directory with no profile in it");
}

TEST_F(CliTest, MissingFile) { ExpectInputError(Day(1) + " nope.pb.gz", "nope.pb.gz: no such file"); }

// Issue 28: each mistake gets the message that names it, not "a trend needs
// two or more profiles (got 1)".
TEST_F(CliTest, APathThatNamesNothingIsSaidForWhatItIs) {
  ExpectInputError("'captures/heap-*.pb.gz'",
                   "captures/heap-*.pb.gz: no file matches this pattern (the shell passes a pattern that matches "
                   "nothing on as it is)");
  ExpectInputError("nodir/", "nodir/: no such directory");
  ExpectInputError(Day(1) + " nodir/day2.pb.gz", "nodir/day2.pb.gz: no such file (there is no directory nodir)");
  ExpectInputError("inspect nope.pb.gz", "nope.pb.gz: no such file");
  ExpectInputError("check --max-growth 1MiB 'x-*.pb.gz'",
                   "x-*.pb.gz: no file matches this pattern (the shell passes a pattern that matches nothing on as "
                   "it is)");
  // One profile that exists is still "two or more".
  ExpectInputError(Day(1),
                   "a trend needs two or more profiles (got 1); to look at one profile use: pprof-trend inspect FILE");
}

// Issue 28: JFR live-object profiles (live/count, as Pyroscope exports
// them) were refused as "not a heap profile"; they are read as one, their
// counts ranked and said for what they are.
TEST_F(CliTest, JfrLiveObjectProfilesAreATrendOfCounts) {
  for (int day = 1; day <= 3; ++day) {
    testing::ProfileSpec spec;
    spec.sample_types = {{"live", "count"}};
    spec.time_nanos = (int64_t{1700000000} + day * 86400) * 1000000000;
    spec.samples = {{{{"com.example.SessionCache.put", "SessionCache.java", 42}}, {1000 * day * day}},
                    {{{"com.example.Main.run", "Main.java", 7}}, {50}}};
    Write("live-" + std::to_string(day) + ".pb", testing::BuildProfile(spec));
  }
  RunResult r = Run("live-1.pb live-2.pb live-3.pb");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 profiles, live,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("growing      com.example.SessionCache.put"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("JFR live objects (async-profiler --live)"), std::string::npos) << r.err;
}

// Issue 28: profiles with in-use bytes only have no object counts: check
// printed "(0 objects)" and JSON 0. Unknown is nothing in text, null in JSON.
TEST_F(CliTest, ObjectCountsOfProfilesWithoutAnObjectsTypeAreUnknownNotZero) {
  for (int day = 1; day <= 3; ++day) {
    testing::ProfileSpec spec;
    spec.sample_types = {{"inuse_space", "bytes"}};
    spec.time_nanos = (int64_t{1700000000} + day * 86400) * 1000000000;
    spec.samples = {{{{"main.leak"}}, {int64_t{8} << (20 + day)}}, {{{"main.steady"}}, {4096}}};
    Write("b-" + std::to_string(day) + ".pb", testing::BuildProfile(spec));
  }
  RunResult check = Run("check --max-growth 1MiB b-1.pb b-2.pb b-3.pb");
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_NE(check.out.find("+48MiB main.leak\n"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("objects"), std::string::npos) << check.out;
  RunResult json = Run("b-1.pb b-2.pb b-3.pb --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["total"]["delta_objects"].is_null());
  ASSERT_FALSE(j["nodes"].empty());
  for (const auto& node : j["nodes"]) {
    EXPECT_TRUE(node["delta_objects"].is_null()) << node;
    EXPECT_TRUE(node["objects"].is_null()) << node;
  }
  RunResult check_json = Run("check --max-growth 1MiB --format json b-1.pb b-2.pb b-3.pb");
  const nlohmann::json c = nlohmann::json::parse(check_json.out);
  ASSERT_FALSE(c["budgets"][0]["offenders"].empty());
  EXPECT_TRUE(c["budgets"][0]["offenders"][0]["growth_objects"].is_null());
  EXPECT_TRUE(c["budgets"][0]["offenders"][0]["delta_objects"].is_null());
}

// Issue 28: dotnet-gcdump report prints one object's size per type, so an
// array type's bytes are that size times the count: a type whose count rose
// by 21 ranked first with +9.63MiB (~469.68KiB/object). Such a series is
// ranked by its exact counts, and no size per object comes from the
// estimated bytes.
TEST_F(CliTest, AGcdumpSeriesIsRankedByItsExactCounts) {
  const int64_t arrays[] = {100, 110, 121}, sessions[] = {10000, 20000, 30000};
  for (int day = 0; day < 3; ++day) {
    const int64_t objects = arrays[day] + sessions[day];
    Write("gc-" + std::to_string(day + 1) + ".txt",
          fmt::format("{:>15}  GC Heap bytes\n{:>15}  GC Heap objects\n\n   Object Bytes     Count  Type\n"
                      "{:>15} {:>9}  System.Byte[]  [System.Private.CoreLib.dll]\n"
                      "{:>15} {:>9}  MyApp.Session  [MyApp.dll]\n",
                      480950 * arrays[day] + 24 * sessions[day], objects, 480950, arrays[day], 24, sessions[day]));
  }
  RunResult r = Run("--times 2024-01-01,2024-01-02,2024-01-03 gc-1.txt gc-2.txt gc-3.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string table = r.out.substr(r.out.find("rank "));
  EXPECT_NE(table.find("   1     +20,000     +10,000        24B                 -  "), std::string::npos) << r.out;
  EXPECT_NE(table.find("growing      MyApp.Session"), std::string::npos) << r.out;
  EXPECT_LT(table.find("MyApp.Session"), table.find("System.Byte[]")) << r.out;
  EXPECT_EQ(table.find("KiB"), std::string::npos) << r.out;  // no size from estimated bytes
  EXPECT_NE(r.err.find("ranked by inuse_objects, the exact object counts"), std::string::npos) << r.err;
  // --sample-index still ranks the bytes.
  RunResult bytes =
      Run("--times 2024-01-01,2024-01-02,2024-01-03 --sample-index inuse_space gc-1.txt gc-2.txt gc-3.txt");
  EXPECT_NE(bytes.out.find("3 profiles, inuse_space"), std::string::npos) << bytes.out;
}

// Issue 28: a bare pprof-trend prints its usage (stderr, exit 2, as pprof);
// `help` and `help COMMAND` are --help.
TEST_F(CliTest, ABareCommandShowsUsageAndHelpIsAWord) {
  RunResult bare = Run("");
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_EQ(bare.out, "");
  EXPECT_TRUE(bare.err.starts_with("pprof-trend: finds memory leaks")) << bare.err;
  EXPECT_NE(bare.err.find("pprof-trend check [budgets] PROFILE..."), std::string::npos);
  RunResult help = Run("help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, Run("--help").out);
  RunResult check = Run("help check");
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_EQ(check.out, Run("check --help").out);
  EXPECT_NE(check.out.find("--forbid"), std::string::npos);
  // A file called help is a file.
  Write("help", "x");
  ExpectInputError("help " + Day(1), "help: text, not a profile; it begins \"x\"");
}

TEST_F(CliTest, ValidationRuleReachesTheUser) {
  perftools::profiles::Profile p;
  p.ParseFromString(testing::BuildProfile({}));
  p.mutable_sample_type(0)->set_type(999);
  Write("bad.pb", p.SerializeAsString());
  ExpectInputError("inspect bad.pb",
                   "bad.pb: string index 999 in sample_type is out of range (string table has 9 entries)");
}

TEST_F(CliTest, WrongProfileKind) {
  testing::ProfileSpec cpu;
  cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  Write("cpu.pb", testing::BuildProfile(cpu));
  ExpectInputError("cpu.pb " + Day(1),
                   "cpu.pb: not a heap profile (sample types: samples/count, cpu/nanoseconds); pick one with "
                   "--sample-index");
}

TEST_F(CliTest, MismatchedSampleTypes) {
  testing::ProfileSpec cpu;
  cpu.sample_types = {{"samples", "count"}, {"cpu", "nanoseconds"}};
  Write("cpu.pb", testing::BuildProfile(cpu));
  ExpectInputError(Day(1) + " cpu.pb",
                   "cpu.pb: sample types (samples/count, cpu/nanoseconds) differ from those of day1.pb.gz "
                   "(alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes)");
}

TEST_F(CliTest, OneProfilePointsToInspect) {
  ExpectInputError(Day(1),
                   "a trend needs two or more profiles (got 1); to look at one profile use: pprof-trend inspect FILE");
}

TEST_F(CliTest, UnknownSampleIndex) {
  ExpectInputError(Day(1) + " " + Day(2) + " --sample-index nope",
                   "day1.pb.gz: has no sample type \"nope\" (it has: alloc_objects/count, alloc_space/bytes, "
                   "inuse_objects/count, inuse_space/bytes)");
}

TEST_F(CliTest, BadRegex) {
  ExpectInputError(Day(1) + " " + Day(2) + " --focus '('",
                   "--focus \"(\" is not a valid regular expression: missing ): (");
  // Go's RE2 has no backreferences; pprof would refuse this too.
  ExpectInputError(Day(1) + " " + Day(2) + " --ignore '(a)\\1'",
                   "--ignore \"(a)\\1\" is not a valid regular expression: invalid escape sequence: \\1");
}

// Patterns as Go users write them for pprof (RE2): flags and classes.
TEST_F(CliTest, RegexesAreRe2AsInPprof) {
  RunResult r = Run(Day(1) + " " + Day(2) + " " + Day(3) + " --focus '(?i)NEWPARTITIONPRODUCER' --format json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json json = nlohmann::json::parse(r.out);
  ASSERT_FALSE(json["nodes"].empty());
  for (const auto& node : json["nodes"]) {  // every node kept has the focused frame
    bool focused = false;
    for (const auto& frame : node["stack"])
      focused = focused || frame["function"].get<std::string>().find("newPartitionProducer") != std::string::npos;
    EXPECT_TRUE(focused) << node["function"];
  }
  r = Run("check --forbid '(?i)^github\\.com/shopify/SARAMA\\.' " + Day(1) + " " + Day(2) + " " + Day(3));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("newPartitionProducer"), std::string::npos) << r.out;
  // POSIX classes; case matters unless (?i) says otherwise.
  const std::string days = " " + Day(1) + " " + Day(2) + " " + Day(3);
  // (Case-sensitive, it matches no function: since issue 28 that fails the
  // check as a pattern that can hold nothing, and says so.)
  r = Run("check --forbid '[[:upper:]]\\w+Session'" + days);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("matches no function or file in any capture"), std::string::npos) << r.out;
  r = Run("check --forbid '(?i)[[:upper:]]\\w+Session'" + days);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("measured 1 growing site"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("recordSession"), std::string::npos) << r.out;
}

// Profiles whose every sample lacks a stack (a Go process right after
// start): every output and check's offender lines, without a crash.
TEST_F(CliTest, ProfilesOfStacklessSamplesOnlyGoThroughEveryOutput) {
  const std::string inputs = " --times 2024-01-01,2024-01-02 '" +
                             testing::SourcePath("testdata/edge/stackless-only-1.heap.txt") + "' '" +
                             testing::SourcePath("testdata/edge/stackless-only-2.heap.txt") + "'";
  for (const std::string& args : {std::string(""), std::string("--format json"), std::string("--html r.html"),
                                  std::string("export -o growth.pb.gz")}) {
    RunResult r = Run(args + inputs);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    if (!args.starts_with("export")) {
      EXPECT_NE(r.out.find("(no stack)"), std::string::npos) << args << "\n" << r.out;
    }
  }
  RunResult r = Run("check --max-node-growth 1MiB --format junit" + inputs);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("(no stack)"), std::string::npos) << r.out;
}

// inspect A B with B bad: A is printed, then B's error, exit 2.
TEST_F(CliTest, InspectPrintsWhatItCouldReadBeforeTheError) {
  Write("bad.pb.gz", "<html><title>502 Bad Gateway</title></html>");
  RunResult r = Run("inspect " + Day(1) + " bad.pb.gz " + Day(2));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.starts_with("day1.pb.gz\n")) << r.out;
  EXPECT_NE(r.out.find("newPartitionProducer"), std::string::npos);
  EXPECT_EQ(r.out.find("day2.pb.gz"), std::string::npos);
  EXPECT_EQ(r.err,
            "pprof-trend: bad.pb.gz: an HTML page (\"502 Bad Gateway\"), not a profile (an error or index page from a "
            "server?)\n");
}

// A single-dash word starting with h used to print the help and exit 0:
// under check, a CI gate that checked nothing.
TEST_F(CliTest, PprofStyleWordsNeverPrintHelpOrPassACheck) {
  const std::string days = " " + Day(1) + " " + Day(2) + " " + Day(3);
  for (const char* word : {"-http=:8080", "-hide=sarama", "-heap", "-hz"}) {
    for (const std::string& command : {std::string(""), std::string("check --max-growth 1GiB ")}) {
      RunResult r = Run(command + word + days);
      EXPECT_EQ(r.exit_code, 2) << command << word << "\n" << r.out;
      EXPECT_EQ(r.out, "") << command << word;
      EXPECT_TRUE(r.err.starts_with("pprof-trend: -h")) << r.err;
    }
  }
  // Flags at the end, and before a pprof spelling, stay flags.
  EXPECT_EQ(Run(days + " --keep-order").exit_code, 0);
  EXPECT_EQ(Run("--keep-order -inuse_objects" + days).exit_code, 0);
  RunResult help = Run("check -h");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--max-growth"), std::string::npos);
  // pprof's spelling of what we do: the same result as ours.
  RunResult pprof_style = Run("-sample_index=inuse_objects -nodecount=1 --format json" + days);
  RunResult ours = Run("--sample-index inuse_objects --nodecount 1 --format json" + days);
  EXPECT_EQ(pprof_style.exit_code, 0) << pprof_style.err;
  EXPECT_EQ(pprof_style.out, ours.out);
}

// `--html heap-*.pb.gz` and `export -o heap-*.pb.gz` make the first capture
// the output's name: it must survive, whatever the arguments.
TEST_F(CliTest, AnOutputNeverReplacesAProfileOrAnInput) {
  const std::string days = Day(1) + " " + Day(2) + " " + Day(3);
  const std::string day1 = ReadFileOrDie(Path("day1.pb.gz"));
  for (const std::string& args : {"--html " + days, "export -o " + days, "--format json --html " + days,
                                  std::string("--html ./day1.pb.gz day2.pb.gz day3.pb.gz"), "-output=" + days}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_EQ(ReadFileOrDie(Path("day1.pb.gz")), day1) << args;
  }
  EXPECT_EQ(Run("--html " + days).err,
            "pprof-trend: --html day1.pb.gz: is a profile (a capture?); refusing to overwrite it (name the output "
            "elsewhere: --html report.html)\n");
  // A legacy text capture is a profile too, and so is one named again elsewhere.
  fs::copy_file(testing::SourcePath("testdata/sarama/day1.heap.txt"), Path("day1.heap.txt"));
  EXPECT_EQ(Run("--html day1.heap.txt " + days).exit_code, 2);
  EXPECT_EQ(Run("export -o new.pb.gz new.pb.gz " + days).err,
            "pprof-trend: export -o new.pb.gz: is also named as an input; refusing to overwrite it (name the output "
            "elsewhere: export -o growth.pb.gz)\n");
  EXPECT_EQ(Run(days + " --html").err, "pprof-trend: --html: needs a file name: --html report.html\n");
}

TEST_F(CliTest, EarlierOutputsAreReplacedOtherFilesOnlyWithForce) {
  const std::string days = " " + Day(1) + " " + Day(2) + " " + Day(3);
  EXPECT_EQ(Run("--html report.html" + days).exit_code, 0);
  EXPECT_EQ(Run("--html report.html" + days).exit_code, 0);  // its own earlier report
  EXPECT_EQ(Run("export -o growth.pb.gz" + days).exit_code, 0);
  EXPECT_EQ(Run("export -o growth.pb.gz" + days).exit_code, 0);  // its own earlier export
  Write("notes.txt", "my notes\n");
  RunResult r = Run("--html notes.txt" + days);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "pprof-trend: --html notes.txt: exists and is not an earlier pprof-trend report; --force replaces it\n");
  EXPECT_EQ(ReadFileOrDie(Path("notes.txt")), "my notes\n");
  EXPECT_EQ(Run("--force --html notes.txt" + days).exit_code, 0);
  EXPECT_NE(ReadFileOrDie(Path("notes.txt")).find("<!DOCTYPE html>"), std::string::npos);
  // --force never lets an output replace a profile.
  EXPECT_EQ(Run("--force --html growth.pb.gz" + days).exit_code, 2);
}

// Heap tables carry no capture time: their files' modification times stand
// in, and when those are seconds apart (copies made together) the user is
// told to give the real ones.
TEST_F(CliTest, ModificationTimesSecondsApartGetAWarning) {
  for (int i = 1; i <= 3; ++i)
    fs::copy_file(testing::SourcePath("testdata/dotnet/dump" + std::to_string(i) + ".txt"),
                  Path("dump" + std::to_string(i) + ".txt"));
  auto set_mtime = [&](int i, int64_t seconds) {
    fs::last_write_time(Path("dump" + std::to_string(i) + ".txt"),
                        fs::file_time_type::clock::now() - std::chrono::seconds(seconds));
  };
  set_mtime(1, 3);
  set_mtime(2, 2);
  set_mtime(3, 1);
  RunResult r = Run("dump1.txt dump2.txt dump3.txt");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: the capture times of dump1.txt, dump2.txt, dump3.txt are their files' modification "
                       "times, as little as 1 s apart"),
            std::string::npos)
      << r.err;
  set_mtime(1, 3 * 86400);
  set_mtime(2, 2 * 86400);
  set_mtime(3, 86400);
  r = Run("dump1.txt dump2.txt dump3.txt");
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  r = Run("--times 2024-01-01,2024-01-02,2024-01-03 dump1.txt dump2.txt dump3.txt");
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

// Rates built on files' modification times are guesses: marked so when the
// times lie a day apart, none at all when they lie seconds apart, and check
// refuses a rate budget on them (exit 2) until --times gives capture times.
TEST_F(CliTest, RatesOnModificationTimesAreGuessesAndCheckRefusesThem) {
  // SOS tables: no capture time in the format.
  for (int i = 1; i <= 3; ++i)
    fs::copy_file(testing::SourcePath("testdata/dotnet/dump" + std::to_string(i) + ".txt"),
                  Path("dump" + std::to_string(i) + ".txt"));
  auto set_mtimes = [&](int64_t apart) {
    for (int i = 1; i <= 3; ++i)
      fs::last_write_time(Path("dump" + std::to_string(i) + ".txt"),
                          fs::file_time_type::clock::now() - std::chrono::seconds(apart * (4 - i)));
  };
  const std::string days = " dump1.txt dump2.txt dump3.txt";
  set_mtimes(86400);
  RunResult r = Run(days);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(+42.70MiB/day?)"), std::string::npos) << r.out;  // the total's rate
  EXPECT_NE(r.out.find("  +18.10MiB?  "), std::string::npos) << r.out;    // the top row's
  EXPECT_NE(r.out.find("? guessed: some capture times are files' modification times"), std::string::npos) << r.out;
  EXPECT_TRUE(nlohmann::json::parse(Run("--format json" + days).out)["rates_guessed"].get<bool>());
  RunResult check = Run("check --max-rate 1GiB/day" + days);
  EXPECT_EQ(check.exit_code, 2) << check.err;
  EXPECT_NE(check.err.find("pprof-trend: --max-rate needs capture times: --times T1,T2,... (dump1.txt and 2 more have "
                           "only their files' modification times"),
            std::string::npos)
      << check.err;
  // Seconds apart (copied together): no rate at all, and no rate budget.
  set_mtimes(2);
  r = Run("--format json" + days);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_TRUE(json["total"]["bytes_per_day"].is_null()) << json["total"].dump();
  EXPECT_TRUE(json["nodes"][0]["bytes_per_day"].is_null());
  EXPECT_FALSE(json["rates_guessed"].get<bool>());
  EXPECT_EQ(Run("check --max-rate 1GiB/day" + days).exit_code, 2);
  // With capture times: real rates, and the budget is judged.
  const std::string times = " --times 2024-01-01,2024-01-02,2024-01-03";
  r = Run(times + days);
  EXPECT_EQ(r.out.find("?"), std::string::npos) << r.out;
  EXPECT_EQ(Run("check --max-rate 1GiB/day" + times + days).exit_code, 0);
}

// Two captures of two processes (a restart between them): no growth lies
// within a process, so they are compared as independent samples, and JSON's
// growth within processes is null, not a copy of the change across them.
TEST_F(CliTest, EachCaptureItsOwnProcessIsComparedAsIndependentSamples) {
  // jemalloc's in-use counts (no cumulative counters): the moved mappings tell.
  const std::string two = " " + testing::SourcePath("testdata/restarts/je-build1-run1.phase1.heap") + " " +
                          testing::SourcePath("testdata/restarts/je-build1-run2.phase2.heap");
  RunResult r = Run(two);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  each capture is a process of its own (every mapping moved at every capture): compared as "
                       "independent samples\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("   1  +468.75KiB"), std::string::npos) << r.out;  // 5,000 x 96 B more in the second
  const auto json = nlohmann::json::parse(Run("--format json" + two).out);
  EXPECT_TRUE(json["each_capture_own_process"].get<bool>());
  EXPECT_EQ(json["restarts"], nlohmann::json::array({1}));
  EXPECT_EQ(json["restart_causes"], nlohmann::json::array({"new_process"}));
  ASSERT_FALSE(json["nodes"].empty());
  for (const auto& node : json["nodes"]) EXPECT_TRUE(node["delta_within_processes"].is_null()) << node.dump();
}

// A partial capture's header row shows the heap its file states beside the
// rows' sum: a real GC log's histogram of 3 rows (88.5% of its instances)
// states 1.37GiB where its rows hold 1.29GiB. (Two programs: --same-program.)
TEST_F(CliTest, APartialCapturesHeaderRowShowsTheHeapItsFileStates) {
  const std::string args = " --same-program --times 2024-01-01,2024-01-02 " +
                           testing::SourcePath("testdata/java/jdk17-jcmd-1.txt") + " " +
                           testing::SourcePath("testdata/java/garbagecat-50-gclog.txt");
  RunResult r = Run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inuse_objects   file states\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1.29GiB        18.79M       1.37GiB\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  partial: capture 2 lists 88% of the objects"), std::string::npos) << r.out;
  const auto json = nlohmann::json::parse(Run("--format json" + args).out);
  EXPECT_EQ(json["profiles"][1]["stated_bytes"], 1476369432) << json["profiles"][1].dump();
  EXPECT_TRUE(json["profiles"][1]["partial"].get<bool>());
}

// A debugger session that printed the whole heap's statistics three times
// (here the three real SOS tables of testdata/dotnet, one after the other in
// one log) is a series by itself; --times counts its tables.
TEST_F(CliTest, AFileOfSeveralHeapTablesIsASeries) {
  std::string session;
  for (int i = 1; i <= 3; ++i)
    session += testing::ReadFileOrDie(testing::SourcePath("testdata/dotnet/dump" + std::to_string(i) + ".txt")) + "\n";
  Write("session.log", session);
  RunResult r = Run("--times 2022-11-10,2022-11-11,2022-11-12 --format json session.log");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json["profiles"].size(), 3u);
  EXPECT_EQ(json["profiles"][0]["path"], "session.log#1");
  EXPECT_EQ(json["profiles"][2]["path"], "session.log#3");
  EXPECT_EQ(json["nodes"][0]["function"],
            "System.Collections.Concurrent.ConcurrentDictionary`2+Node[[Kafka.Client.Metrics.MetricKey, "
            "Kafka.Client],[Kafka.Client.Common.NoOpTimer, Kafka.Client]]");
  r = Run("--times 2022-11-10,2022-11-11 session.log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "pprof-trend: --times has 2 times for 3 captures (a file of heap tables taken over time holds one per "
            "table)\n");
  // inspect reads one capture: the last table, as before.
  r = Run("inspect session.log");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("3 tables of heap statistics; read the one at line"), std::string::npos) << r.err;
}

// A FIFO nobody writes to never hangs a run: after a short wait it is an
// error naming it (exit 2); one whose writer comes a moment later is read.
TEST_F(CliTest, AFifoWithoutAWriterIsAnErrorNotAHang) {
  ASSERT_EQ(::mkfifo(Path("empty.fifo").c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  RunResult r = Run(Day(1) + " empty.fifo");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err, "pprof-trend: empty.fifo: a FIFO that no process wrote to within 5 s: nothing to read\n");
  ASSERT_EQ(::mkfifo(Path("late.fifo").c_str(), 0600), 0);
  const std::string day2 = ReadFileOrDie(Path(Day(2)));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    // Without blocking, so that a run that never opens it cannot hang the
    // test; a run that stops reading early is an EPIPE, not a SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    for (int tries = 0; tries < 100; ++tries) {
      const int fd = ::open(Path("late.fifo").c_str(), O_WRONLY | O_NONBLOCK);
      if (fd < 0) {  // ENXIO: no reader yet
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      ::fcntl(fd, F_SETFL, 0);
      for (size_t done = 0; done < day2.size();) {
        const ssize_t n = ::write(fd, day2.data() + done, day2.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::close(fd);
      return;
    }
  });
  r = Run("--format json " + Day(1) + " late.fifo");
  writer.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("late.fifo"), std::string::npos) << r.out;
}

// Capture times at the ends of int64: before 1970 is refused (exit 2); the
// latest time int64 holds beside the earliest after 1970 makes a trend with
// no signed overflow (UBSan watches the differences in the ASan build).
TEST_F(CliTest, ExtremeCaptureTimesNeverOverflow) {
  auto write = [&](const std::string& name, int64_t time_nanos, int64_t objects) {
    testing::ProfileSpec spec;
    spec.time_nanos = time_nanos;
    spec.samples.push_back(testing::HeapSample({{"main.leak"}, {"main.main"}}, objects, objects * 4096, 4096));
    Write(name, testing::BuildProfile(spec));
  };
  write("early.pb", 1, 1000);
  write("late.pb", INT64_MAX, 2000);
  write("before1970.pb", INT64_MIN, 2000);
  RunResult r = Run("--format json early.pb late.pb");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["span_seconds"].get<double>(), static_cast<double>(INT64_MAX - 1) / 1e9);
  EXPECT_EQ(Run("--keep-order late.pb early.pb").exit_code, 0);
  ExpectInputError("early.pb before1970.pb", "before1970.pb: time_nanos -9223372036854775808 is before 1970");
  r = Run("--times 1969-12-31,2024-01-01 early.pb late.pb");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "pprof-trend: --times: \"1969-12-31\" is not after 1970\n");
}

// A directory stands for the profiles in it; what is no profile is named and skipped.
TEST_F(CliTest, ADirectoryArgumentIsEveryProfileInIt) {
  fs::create_directories(Path("month"));
  for (int d = 1; d <= 3; ++d) fs::copy_file(testing::SaramaDay(d), Path("month/day" + std::to_string(d) + ".pb.gz"));
  Write("month/README.md", "# captures of the sarama service\n");
  Write("month/index.html", "<html><title>x</title></html>");
  RunResult r = Run("month --format json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["nodes"][0]["function"],
            "github.com/Shopify/sarama.(*asyncProducer).newPartitionProducer");
  EXPECT_EQ(nlohmann::json::parse(r.out)["profiles"].size(), 3u);
  EXPECT_EQ(r.err, "pprof-trend: note: month: 3 profiles read; skipped 2 that are no profile: README.md, index.html\n");
  // The same ranking as the files named one by one (the header's paths differ).
  const std::string by_dir = Run("month").out, by_files = Run(Day(1) + " " + Day(2) + " " + Day(3)).out;
  ASSERT_NE(by_dir.find("rank "), std::string::npos) << by_dir;
  EXPECT_EQ(by_dir.substr(by_dir.find("rank ")), by_files.substr(by_files.find("rank ")));
  RunResult inspect = Run("inspect month");
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("month/day3.pb.gz"), std::string::npos);
  // Numbered files are listed in number order (day9 before day10), which is
  // their time order: no note that the order was changed.
  fs::create_directories(Path("hourly"));
  for (int d = 1; d <= 3; ++d)
    fs::copy_file(testing::SaramaDay(d), Path("hourly/day" + std::to_string(8 + d) + ".pb.gz"));
  RunResult numbered = Run("hourly");
  EXPECT_EQ(numbered.exit_code, 0) << numbered.err;
  EXPECT_EQ(numbered.err, "");
  EXPECT_LT(numbered.out.find("hourly/day9.pb.gz"), numbered.out.find("hourly/day10.pb.gz")) << numbered.out;
  fs::create_directories(Path("empty"));
  Write("empty/notes.txt", "nothing here\n");
  ExpectInputError("empty " + Day(1), "empty: a directory with no profile in it");
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  RunResult r = Run("--no-such-flag a b");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("pprof-trend: ")) << r.err;
  r = Run("--format xml " + Day(1) + " " + Day(2));
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(CliTest, HelpAndVersionExitZero) {
  RunResult r = Run("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Exit codes: 0 success, 1 check failed, 2 usage, input or output error."), std::string::npos);
  r = Run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "pprof-trend 0.1.0\n");
}

TEST_F(CliTest, StandardInputIsAProfile) {
  std::string cmd =
      "cd '" + dir_.string() + "' && cat " + Day(1) + " | '" + PPROF_TREND_BINARY + "' inspect - > out.txt 2> err.txt";
  int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFileOrDie(Path("err.txt"));
  EXPECT_TRUE(ReadFileOrDie(Path("out.txt")).starts_with("<stdin>\n"));
}

// Large inputs are read with glibc's heap in huge pages (cli/heap_pages.h):
// the program executes itself again, once, with the tunable set. The
// decision is made by the inputs' sizes before anything is read, so a large
// file that is no profile shows it, and still gets its one-line error.
TEST_F(CliTest, LargeInputsAreReadWithTheHeapInHugePages) {
  {
    std::ofstream(Path("big.pb"), std::ios::binary).put('x');
    fs::resize_file(Path("big.pb"), kHugeHeapFromBytes);  // zeros after the 'x': not a profile
  }
  auto run = [&](const std::string& env, const std::string& args) {
    const RunResult r = Run(args, env + " PPROF_TREND_TIMING=1");
    return std::pair{r.exit_code, r.err};
  };
  auto heap_line = [](const std::string& err) {
    const std::string key = "pprof-trend: timing: heap in huge pages: ";
    const size_t at = err.find(key);
    if (at == std::string::npos || err.find(key, at + 1) != std::string::npos) return std::string("(not once)");
    return err.substr(at + key.size(), err.find('\n', at) - at - key.size());
  };
  // Where the heap cannot be in huge pages at all, that is said whatever the inputs.
  std::optional<std::string> not_here;
#if defined(__SANITIZE_ADDRESS__)
  not_here = "off (not glibc's allocator)";
#else
  std::string thp;
  std::getline(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"), thp);
  if (thp.find('[') == std::string::npos || thp.find("[never]") != std::string::npos)
    not_here = "off (the kernel's transparent huge pages are off)";
#endif
  const auto [small_exit, small_err] = run("-u GLIBC_TUNABLES", "inspect " + Day(1));
  EXPECT_EQ(small_exit, 0) << small_err;
  EXPECT_EQ(heap_line(small_err), not_here.value_or("off (inputs under 512 KiB)"));
  const std::string expected = not_here.value_or("on (GLIBC_TUNABLES glibc.malloc.hugetlb)");
  const auto [big_exit, big_err] = run("-u GLIBC_TUNABLES", "inspect big.pb");
  EXPECT_EQ(big_exit, 2) << big_err;
  EXPECT_EQ(heap_line(big_err), expected) << big_err;
  EXPECT_NE(big_err.find("big.pb: "), std::string::npos) << big_err;
  // The user's own setting stands.
#if !defined(__SANITIZE_ADDRESS__)
  const auto [off_exit, off_err] = run("GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "inspect big.pb");
  EXPECT_EQ(off_exit, 2) << off_err;
  EXPECT_EQ(heap_line(off_err), "off (GLIBC_TUNABLES sets glibc.malloc.hugetlb=0)");
#endif
}

// inspect of one Go capture sums its samples while the file inflates
// (output/streamed_sums.h): what it prints is what it prints when the file
// is one of two (each then summed once decoded), and a capture written in
// pprof's order (samples first) is summed once decoded.
TEST_F(CliTest, InspectOfOneGoCaptureSumsItAsItInflates) {
  fs::copy_file(testing::SourcePath("testdata/goroutines/heap-5.pb.gz"), Path("go.pb.gz"));
  Day(1);
  auto run = [&](const std::string& args) {
    RunResult r = Run("inspect " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  // Each timing line's way of summing, a line each.
  auto timing = [&](const std::string& args) {
    const std::string err = Run("inspect " + args, "PPROF_TREND_TIMING=1").err;
    const std::string key = "the samples summed ";
    std::string out;
    for (size_t at = err.find(key); at != std::string::npos; at = err.find(key, at + 1))
      out += err.substr(at, err.find(':', at) - at) + "\n";
    return out;
  };
  EXPECT_EQ(timing("go.pb.gz"), "the samples summed while the file inflated\n");
  EXPECT_EQ(timing("day1.pb.gz"), "the samples summed once decoded\n");
  const std::string one = run("go.pb.gz").out, two = run("go.pb.gz go.pb.gz").out;
  EXPECT_EQ(two, one + "\n" + one);
  EXPECT_EQ(run("--nodefraction 0 --nodecount 1000 go.pb.gz").out.size() * 2 + 1,
            run("--nodefraction 0 --nodecount 1000 go.pb.gz go.pb.gz").out.size());
}

TEST_F(CliTest, SucceedsOnTheBundledCaptures) {
  RunResult r = Run(Day(1) + " " + Day(2) + " " + Day(3));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("sarama.(*asyncProducer).newPartitionProducer"), std::string::npos);
}

// A full disk must not pass for success: each command that prints checks
// its output was written.
TEST_F(CliTest, AnOutputThatCannotBeWrittenIsAnError) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string days = Day(1) + " " + Day(2) + " " + Day(3);
  for (const std::string& args :
       {days, "--format json " + days, "check --max-growth 1GiB " + days, "inspect " + Day(1)}) {
    std::string cmd = "cd '" + dir_.string() + "' && '" + PPROF_TREND_BINARY + "' " + args + " >/dev/full 2>err.txt";
    int status = std::system(cmd.c_str());
    EXPECT_EQ(WEXITSTATUS(status), 2) << args;
    EXPECT_EQ(ReadFileOrDie(Path("err.txt")),
              "pprof-trend: cannot write the output to standard output (is the disk full?)\n")
        << args;
  }
}

// Notes name files as errors do: terminal-safe. Two copies of a capture,
// one named with an ANSI escape, used to print the raw escape in the "same
// content" warning while an error for the same name was escaped.
TEST_F(CliTest, NotesNameFilesTerminalSafe) {
  const std::string days = " " + Day(1) + " " + Day(2);
  fs::copy_file(Path("day2.pb.gz"), Path("\x1b[2Jcopy.pb.gz"));
  RunResult r = Run(days + " \"$(printf '\\033[2Jcopy.pb.gz')\"");
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pprof-trend: warning: day2.pb.gz and ?[2Jcopy.pb.gz have the same content"), std::string::npos)
      << r.err;
}

// Repeated notes of one kind are one line: four copies of a capture are
// three pairs, said once, numbered as in the table.
TEST_F(CliTest, RepeatedPairsAreOneLine) {
  for (const char* copy : {"b.pb.gz", "c.pb.gz", "d.pb.gz"}) fs::copy_file(Path(Day(1)), Path(copy));
  RunResult r = Run("--keep-order day1.pb.gz b.pb.gz c.pb.gz d.pb.gz");
  EXPECT_NE(r.err.find("pprof-trend: warning: 3 pairs of captures have the same content: 1=2, 1=3, 1=4 (capture "
                       "numbers in series order; 1 is day1.pb.gz): the same capture twice; give each once\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("b.pb.gz and"), std::string::npos) << r.err;
}

// An input that cannot be read is an error: a file of a directory argument
// that cannot be opened was skipped as "no profile", and a check passed
// without the capture. (Root reads any file: the run is as nobody then.)
TEST_F(CliTest, AnUnreadableFileInADirectoryIsAnError) {
  fs::create_directories(Path("month"));
  for (int d = 1; d <= 3; ++d) fs::copy_file(testing::SaramaDay(d), Path("month/day" + std::to_string(d) + ".pb.gz"));
  fs::permissions(Path("month/day2.pb.gz"), fs::perms::none);
  fs::permissions(dir_, fs::perms::all);
  fs::permissions(Path("month"), fs::perms::all);
  std::string as_user;
  if (::geteuid() == 0) {
    if (std::system("command -v setpriv >/dev/null 2>&1") != 0) GTEST_SKIP() << "SKIPPED: root without setpriv";
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const std::string cmd = "cd '" + dir_.string() + "' && " + as_user + "'" + PPROF_TREND_BINARY +
                          "' check --max-growth 1GiB month >/dev/null 2>err.txt";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
  EXPECT_EQ(ReadFileOrDie(Path("err.txt")), "pprof-trend: month/day2.pb.gz: cannot read: Permission denied\n");
}

// A schedule of nanoseconds spun at 100% CPU for ever: refused.
TEST_F(CliTest, WatchEveryHasAFloor) {
  ExpectInputError("watch http://127.0.0.1:1/debug/pprof/heap --every 0.000000001s --for 1s",
                   "--every 0.000000001s: under the floor of 100ms between captures");
}

// watch's on-call options refuse what they cannot mean, before any fetch.
TEST_F(CliTest, WatchOnCallOptionsAreChecked) {
  const std::string url = "watch http://127.0.0.1:1/debug/pprof/heap --for 1s ";
  ExpectInputError(url + "--on-high-water --high-water-margin lots",
                   "--high-water-margin: \"lots\" is not a margin (10%, 0.25)");
  ExpectInputError(url + "--on-high-water --keep-highest 0",
                   "--keep-highest 0: keep at least one capture (or leave out --on-high-water)");
  ExpectInputError(url + "--on-high-water --poll 1ms", "--poll: \"1ms\" is not a duration of 100ms or more");
  ExpectInputError(url + "--pid -3", "--pid -3: not a process id");
  // A process that does not exist: said before the first capture.
  ExpectInputError(url + "--pid 2147483647 --dir " + Path("cap"),
                   "watch: --pid 2147483647: no such process (cannot read /proc/2147483647/status)");
  // --goroutines needs the heap URL to find the goroutine profile beside it.
  ExpectInputError("watch http://127.0.0.1:1/custom --for 1s --goroutines --dir " + Path("cap"),
                   "watch --goroutines: http://127.0.0.1:1/custom does not end in /heap, so the goroutine profile "
                   "beside it is unknown (give .../debug/pprof/heap)");
}

TEST_F(CliTest, WatchClickHouseOptionsAreChecked) {
  const std::string url = "watch http://127.0.0.1:1/debug/pprof/heap --for 1s ";
  ExpectInputError(url + "--clickhouse 127.0.0.1:8123 --service s",
                   "--clickhouse 127.0.0.1:8123: not a URL (the server's HTTP interface: http://127.0.0.1:8123)");
  ExpectInputError(url + "--clickhouse http://127.0.0.1:1", "watch --clickhouse needs --service NAME");
  ExpectInputError(url + "--service s",
                   "--service, --instance and --version name what watch pushes: give "
                   "--clickhouse URL with them");
  ExpectInputError(url + "http://127.0.0.1:2/debug/pprof/heap --clickhouse http://127.0.0.1:1 --service s --instance i",
                   "watch --instance names one instance: give it with one URL (each of several URLs is named after "
                   "its host, port and path)");
  // A server that does not answer: said before the first capture, which is not taken.
  RunResult r = Run(url + "--clickhouse http://127.0.0.1:1 --service s --dir " + Path("cap"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("pprof-trend: watch --clickhouse: http://127.0.0.1:1")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(!std::filesystem::exists(Path("cap")) || std::filesystem::is_empty(Path("cap")));
}

// An earlier report is recognised by its whole shape, not by one string a
// note could quote.
TEST_F(CliTest, AFileQuotingTheReportTagIsNoReport) {
  const std::string days = " " + Day(1) + " " + Day(2);
  Write("quoted.html", "<p>reports carry <meta name=\"generator\" content=\"pprof-trend\"> in their head</p>\n");
  RunResult r = Run("--html quoted.html" + days);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(ReadFileOrDie(Path("quoted.html")).find("<p>reports carry"), std::string::npos);
  // A real earlier report is still replaced without --force.
  EXPECT_EQ(Run("--force --html quoted.html" + days).exit_code, 0);
  EXPECT_EQ(Run("--html quoted.html" + days).exit_code, 0);
}

// Reads are bounded while they read: an endless standard input stops at the
// limit with a message, at once.
TEST_F(CliTest, AnEndlessStandardInputStopsAtTheLimit) {
  const std::string cmd = "cd '" + dir_.string() + "' && yes | '" + PPROF_TREND_BINARY +
                          "' inspect --max-decompressed 1MiB - >out.txt 2>err.txt";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
  EXPECT_EQ(ReadFileOrDie(Path("err.txt")),
            "pprof-trend: <stdin>: more than 1048576 bytes while reading (--max-decompressed raises it)\n");
}

#if !defined(__SANITIZE_ADDRESS__)
// Memory that runs out is a message and exit 2, never an abort (134), on
// the main thread and on the loading threads alike. (Not in the sanitizer
// build: AddressSanitizer reserves more address space than the cap allows.)
TEST_F(CliTest, OutOfMemoryIsAMessageNotAnAbort) {
  const std::string zeros = "head -c 400000000 /dev/zero | gzip -1 > zeros.gz && cp zeros.gz zeros2.gz";
  ASSERT_EQ(std::system(("cd '" + dir_.string() + "' && " + zeros).c_str()), 0);
  for (const std::string& args : {std::string("inspect zeros.gz"), std::string("zeros.gz zeros2.gz")}) {
    const std::string cmd = "cd '" + dir_.string() + "' && ulimit -v 300000 && '" + PPROF_TREND_BINARY + "' " + args +
                            " --max-decompressed 1GiB --max-compression-ratio 1000000 >out.txt 2>err.txt";
    const int status = std::system(("sh -c \"" + cmd + "\"").c_str());
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2) << args << ": " << ReadFileOrDie(Path("err.txt"));
    EXPECT_NE(ReadFileOrDie(Path("err.txt")).find("out of memory"), std::string::npos)
        << args << ": " << ReadFileOrDie(Path("err.txt"));
  }
}
#endif

// --limit: when the in-use total reaches it, in text and JSON, on a live
// leak's 17 captures (testdata/long-leak: +5.7MiB/s, 52.6MiB at the last).
TEST_F(CliTest, LimitProjectsWhenTheInUseTotalReachesIt) {
  const std::string dir = testing::SourcePath("testdata/long-leak/");
  RunResult text = Run("--limit 64MiB " + dir);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("  limit 64MiB: reached in ~1.99 s (95%: 1.84 s - 2.15 s), on "), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("at +5.74MiB/s from 52.60MiB; 50% of the growth is main.leakRequest, 50% of the growth is "
                          "main.cacheResponse\n"),
            std::string::npos)
      << text.out;
  RunResult json = Run("--limit 64MiB --format json " + dir);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  for (const char* field : {"\"projection\": {", "\"limit_bytes\": 67108864", "\"outcome\": \"reaches\"",
                            "\"seconds_to_limit_95\": [", "\"reaches_limit_at\": \"", "\"top_contributors\": ["})
    EXPECT_NE(json.out.find(field), std::string::npos) << field;
  // Without --limit, no projection.
  EXPECT_EQ(Run("--format json " + dir).out.find("\"projection\""), std::string::npos);
  // Already over it; not a size; a cumulative type.
  EXPECT_NE(Run("--limit 10MiB " + dir).out.find("limit 10MiB: already reached: the in-use total is "),
            std::string::npos);
  RunResult bad = Run("--limit lots " + dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "pprof-trend: --limit: \"lots\" is not a size (examples: 64MiB, 500KB, 1.5GiB)\n");
  RunResult alloc = Run("--limit 1GiB --sample-index alloc_space " + dir);
  EXPECT_EQ(alloc.exit_code, 2);
  EXPECT_NE(alloc.err.find("--limit projects the memory in use; alloc_space counts every allocation"),
            std::string::npos)
      << alloc.err;
}

// check --limit SIZE --min-time-to-limit DURATION fails (exit 1) when the
// projection's interval begins sooner, and says the projection.
TEST_F(CliTest, CheckFailsWhenTheLimitMayBeReachedSooner) {
  const std::string dir = testing::SourcePath("testdata/long-leak/");
  RunResult soon = Run("check --limit 64MiB --min-time-to-limit 1m " + dir);
  EXPECT_EQ(soon.exit_code, 1) << soon.out << soon.err;
  EXPECT_NE(soon.out.find("FAIL  min-time-to-limit 1m"), std::string::npos) << soon.out;
  EXPECT_NE(soon.out.find("measured limit 64MiB: reached in ~1.99 s"), std::string::npos) << soon.out;
  EXPECT_NE(soon.out.find("main.leakRequest"), std::string::npos) << soon.out;  // an offender
  RunResult later = Run("check --limit 64MiB --min-time-to-limit 1s " + dir);
  EXPECT_EQ(later.exit_code, 0) << later.out << later.err;
  RunResult json = Run("check --limit 64MiB --min-time-to-limit 1m --format json " + dir);
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find("\"budget\": \"min-time-to-limit\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"reaches_limit_at\""), std::string::npos) << json.out;
  RunResult github = Run("check --limit 64MiB --min-time-to-limit 1m --format github " + dir);
  EXPECT_NE(github.out.find("::error title=pprof-trend min-time-to-limit::measured limit 64MiB: reached in"),
            std::string::npos)
      << github.out;
  // In a rules file too; without --limit it cannot hold: a usage error.
  Write("rules.txt", "limit 64MiB\nmin-time-to-limit 1m\n");
  EXPECT_EQ(Run("check --rules rules.txt " + dir).exit_code, 1);
  // Times that are only files' modification times (heap text has none of
  // its own; the copies are written an hour apart): refused, as --max-rate refuses them.
  for (int day = 1; day <= 3; ++day) {
    const std::string name = "day" + std::to_string(day) + ".heap.txt";
    Write(name, testing::ReadFileOrDie(testing::SourcePath("testdata/sarama/" + name)));
    const auto when = fs::file_time_type::clock::now() - std::chrono::hours(4 - day);
    fs::last_write_time(Path(name), when);
  }
  RunResult guessed = Run("check --limit 2GiB --min-time-to-limit 7d day1.heap.txt day2.heap.txt day3.heap.txt");
  EXPECT_EQ(guessed.exit_code, 2) << guessed.out << guessed.err;
  EXPECT_NE(guessed.err.find("--min-time-to-limit needs a capture time in every profile"), std::string::npos)
      << guessed.err;
  RunResult no_limit = Run("check --min-time-to-limit 7d " + dir);
  EXPECT_EQ(no_limit.exit_code, 2);
  EXPECT_EQ(no_limit.err, "pprof-trend: --min-time-to-limit needs --limit SIZE (the memory limit)\n");
}

}  // namespace
}  // namespace pprof_trend
