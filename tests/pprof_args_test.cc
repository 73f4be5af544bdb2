// pprof's command-line habits: translated where the meaning is ours,
// refused with advice where it is not, and never read as -h.
#include "cli/pprof_args.h"

#include <gtest/gtest.h>

namespace pprof_trend {
namespace {

std::vector<CommandOptions> Commands() {
  CommandOptions trend{"",
                       {"keep-order", "version", "no-symbolize"},
                       {"format", "html", "nodecount", "sample-index", "granularity", "focus", "ignore", "times"},
                       {}};
  CommandOptions inspect{"inspect", {}, {"nodecount", "nodefraction"}, {}};
  CommandOptions check{
      "check", {"keep-order"}, {"max-growth", "forbid", "allow", "focus", "ignore", "sample-index"}, {}};
  CommandOptions export_command{"export", {}, {"output", "sample-index"}, {"o"}};
  return {trend, inspect, check, export_command};
}

std::vector<std::string> Ok(const std::vector<std::string>& args) {
  auto out = TranslatePprofArgs(args, Commands());
  EXPECT_TRUE(out.ok()) << out.status().message();
  return out.ok() ? *out : std::vector<std::string>{};
}

std::string Error(const std::vector<std::string>& args) {
  auto out = TranslatePprofArgs(args, Commands());
  EXPECT_FALSE(out.ok());
  if (out.ok()) return "";
  EXPECT_EQ(out.status().code(), StatusCode::kUsageError);
  return out.status().message();
}

TEST(PprofArgsTest, PprofSpellingsWithOurMeaningAreTranslated) {
  EXPECT_EQ(Ok({"-sample_index=alloc_space", "-nodecount=20", "a", "b"}),
            (std::vector<std::string>{"--sample-index", "alloc_space", "--nodecount", "20", "a", "b"}));
  EXPECT_EQ(Ok({"-focus", "main\\.", "-ignore=runtime", "a"}),
            (std::vector<std::string>{"--focus", "main\\.", "--ignore", "runtime", "a"}));
  EXPECT_EQ(Ok({"-inuse_objects", "-lines", "-top", "a"}),
            (std::vector<std::string>{"--sample-index", "inuse_objects", "--granularity", "lines", "a"}));
  EXPECT_EQ(Ok({"--sample_index", "inuse_space", "a"}),
            (std::vector<std::string>{"--sample-index", "inuse_space", "a"}));
  EXPECT_EQ(Ok({"export", "-output=g.pb.gz", "a"}), (std::vector<std::string>{"export", "--output", "g.pb.gz", "a"}));
  EXPECT_EQ(Ok({"export", "-o", "g.pb.gz", "a"}), (std::vector<std::string>{"export", "-o", "g.pb.gz", "a"}));
  EXPECT_EQ(Ok({"inspect", "-nodefraction=0", "a"}), (std::vector<std::string>{"inspect", "--nodefraction", "0", "a"}));
  // Values are never read as options, even when they start with a dash.
  EXPECT_EQ(Ok({"--focus", "-hide", "a"}), (std::vector<std::string>{"--focus", "-hide", "a"}));
  EXPECT_EQ(Ok({"-", "a"}), (std::vector<std::string>{"-", "a"}));
  EXPECT_EQ(Ok({"--", "-weird-file-name"}), (std::vector<std::string>{"--", "-weird-file-name"}));
  // pprof's -symbolize: none is ours, local is what pprof-trend does anyway.
  EXPECT_EQ(Ok({"-symbolize=none", "a"}), (std::vector<std::string>{"--no-symbolize", "a"}));
  EXPECT_EQ(Ok({"-symbolize=local", "a"}), (std::vector<std::string>{"a"}));
}

TEST(PprofArgsTest, OnlyDashHAndDashDashHelpAskForHelp) {
  EXPECT_EQ(Ok({"-h"}), (std::vector<std::string>{"-h"}));
  EXPECT_EQ(Ok({"check", "--help"}), (std::vector<std::string>{"check", "--help"}));
  for (const char* word : {"-http=:8080", "-hide=x", "-heap", "-http", "-help=1", "-hello"}) {
    SCOPED_TRACE(word);
    EXPECT_FALSE(TranslatePprofArgs({word, "a", "b"}, Commands()).ok());
    EXPECT_FALSE(TranslatePprofArgs({"check", "--max-growth", "1MiB", word, "a", "b"}, Commands()).ok());
  }
}

TEST(PprofArgsTest, PprofOptionsWithoutEquivalentSayWhatToDo) {
  EXPECT_EQ(Error({"-http=:8080", "a"}),
            "-http: pprof-trend serves no web UI; write a report with --html report.html and open it in a browser");
  EXPECT_EQ(Error({"-hide=x", "a"}), "-hide: use --ignore REGEX (samples with a matching frame are dropped)");
  EXPECT_EQ(Error({"-output=out.txt", "a"}),
            "-output: pprof-trend prints to standard output (redirect it: > FILE); --html FILE writes a report");
  EXPECT_EQ(Error({"-diff_base", "a", "b"}),
            "-diff_base: pprof-trend compares every capture in order; give the base first: pprof-trend BASE LATER...");
  EXPECT_EQ(Error({"check", "-top", "a"}), "-top: unknown option for check (--help lists them)");
  EXPECT_EQ(Error({"-symbolize=remote", "a"}),
            "-symbolize=remote: pprof-trend symbolizes from local files only (the mapped paths, or --symbols PATH); "
            "-symbolize=none turns it off");
}

TEST(PprofArgsTest, UrlsAreInputsAndNeverCommandNames) {
  EXPECT_EQ(Ok({"http://127.0.0.1:6060/debug/pprof/heap", "b"}),
            (std::vector<std::string>{"http://127.0.0.1:6060/debug/pprof/heap", "b"}));
  // After a URL, a word that names a command is a file.
  EXPECT_EQ(Ok({"https://h/heap", "inspect"}), (std::vector<std::string>{"https://h/heap", "inspect"}));
}

TEST(PprofArgsTest, UnknownOptionsGetDidYouMean) {
  EXPECT_EQ(Error({"--nodecont", "3", "a"}),
            "--nodecont: unknown option; did you mean --nodecount? (--help lists them)");
  EXPECT_EQ(Error({"check", "--max-grwoth", "1MiB"}),
            "--max-grwoth: unknown option for check; did you mean --max-growth? (--help lists them)");
  EXPECT_EQ(Error({"--sampleindex=x"}),
            "--sampleindex: unknown option; did you mean --sample-index? (--help lists them)");
  EXPECT_EQ(Error({"-heap"}), "-heap: unknown option (--help lists them)");
  EXPECT_EQ(ClosestMatch("frobnicate", {"focus", "ignore"}), "");
  // Issue 28: two letters swapped are one edit; --foucs meant --focus, not
  // --force (two replacements away).
  EXPECT_EQ(Error({"--foucs", "x", "a"}), "--foucs: unknown option; did you mean --focus? (--help lists them)");
  EXPECT_EQ(ClosestMatch("foucs", {"force", "focus"}), "focus");
}

// Issue 28: pprof reads "host:6060/debug/pprof/heap" as a URL when no file
// has that name (its adjustURL); so does pprof-trend.
TEST(PprofArgsTest, HostPortWithoutSchemeIsAUrlAsPprofReadsIt) {
  EXPECT_EQ(Ok({"localhost:6060/debug/pprof/heap", "inspect"}),
            (std::vector<std::string>{"http://localhost:6060/debug/pprof/heap", "inspect"}));
  EXPECT_EQ(Ok({"inspect", "10.0.0.7:6060"}), (std::vector<std::string>{"inspect", "http://10.0.0.7:6060"}));
  EXPECT_EQ(Ok({"[::1]:6060/heap"}), (std::vector<std::string>{"http://[::1]:6060/heap"}));
  // Not host:port: files (or errors) as they are.
  for (const char* file : {"heap.pb.gz", "a:b/heap", "dir/x:6060", "x:123456/heap", ":6060/heap"})
    EXPECT_EQ(Ok({file}), (std::vector<std::string>{file})) << file;
  // Option values are never touched.
  EXPECT_EQ(Ok({"--focus", "host:6060", "a"}), (std::vector<std::string>{"--focus", "host:6060", "a"}));
}

}  // namespace
}  // namespace pprof_trend
