// The command line: flags -> options -> the pipeline -> output and exit code
// (base/exit_codes.h).
#pragma once

#include <ostream>

#include "base/exit_codes.h"

namespace pprof_trend {

// Called once the output of an analysis is written and flushed, with the
// exit code, while the analysis is still in memory; it does not return.
// main() exits there: freeing hundreds of thousands of nodes one by one
// takes longer than printing them, and the process is ending anyway.
using ExitNow = void (*)(int exit_code);

// Runs the program as if invoked with argv, writing to `out` and `err`.
// Tests call this directly (without exit_now); main() only forwards to it.
// An output that cannot be written (a full disk, say) is an error:
// exit code 2, and a line on `err`.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, ExitNow exit_now = nullptr);

}  // namespace pprof_trend
