// The command line: flags -> options -> the pipeline -> output and exit code.
//
// Exit codes (a public interface; see README "Exit codes"):
//   0  success
//   1  `check`: a budget was exceeded
//   2  usage error or input error (unreadable, malformed or inconsistent profiles)
#pragma once

#include <ostream>

namespace pprof_trend {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitInputError = 2;

// Runs the program as if invoked with argv, writing to `out` and `err`.
// Tests call this directly; main() only forwards to it.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace pprof_trend
