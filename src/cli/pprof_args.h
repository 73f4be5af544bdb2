// pprof's command-line habits, made safe before the command line is parsed.
//
// pprof users write single-dash words (`-sample_index=alloc_space`,
// `-nodecount=20`, `-http=:8080`, `-top`) and URLs. A parser of POSIX short
// options reads `-hide` as `-h` plus letters and prints the help (under
// `check`, a CI job would pass with nothing checked). So every argument is
// looked at first: pprof spellings whose meaning is ours become our
// options; those with no equivalent, unknown options and URLs are refused
// with what to do instead. Only `-h` and `--help` ask for help.
#pragma once

#include <string>
#include <vector>

#include "base/closest_name.h"  // ClosestMatch, for "did you mean"
#include "base/status.h"

namespace pprof_trend {

// The options one command takes, by long name without dashes.
struct CommandOptions {
  std::string name;                       // "" for the trend command; "inspect", "check", ...
  std::vector<std::string> flags;         // take no value: "keep-order"
  std::vector<std::string> valued;        // take a value: "sample-index", "output"
  std::vector<std::string> short_valued;  // single-letter options taking a value: "o"
};

// Rewrites `args` (argv without the program name) into our spellings, or
// fails with a usage error that says what to write. `commands[0]` is the
// trend command; a first argument naming another command selects it.
StatusOr<std::vector<std::string>> TranslatePprofArgs(const std::vector<std::string>& args,
                                                      const std::vector<CommandOptions>& commands);

}  // namespace pprof_trend
