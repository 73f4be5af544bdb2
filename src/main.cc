// The pprof-trend executable: everything lives in the library (cli.h).
#include <iostream>

#include "cli.h"

int main(int argc, char** argv) { return pprof_trend::RunCli(argc, argv, std::cout, std::cerr); }
