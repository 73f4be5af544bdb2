// The pprof-trend executable: everything lives in the library (cli.h).
#include <cstdlib>
#include <iostream>

#include "cli/cli.h"

namespace {
// The output is written and flushed (cli.h, ExitNow): skip tearing down the
// analysis and the static objects.
[[noreturn]] void ExitNow(int exit_code) {
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(exit_code);
}
}  // namespace

int main(int argc, char** argv) { return pprof_trend::RunCli(argc, argv, std::cout, std::cerr, ExitNow); }
