// Measures the trend engine's classification on simulated series with known
// truth (tests/support/heap_simulator.h) and prints the table in the
// README's "Accuracy" section.
//   build/tools/sim_accuracy [SERIES [FIRST_SEED [NULL_SERIES]]]
//   (default 3000 series, seed 1, and 20 series of 20,000 sites in which nothing leaks)
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "support/accuracy.h"

int main(int argc, char** argv) {
  const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 3000;
  const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  std::cout << pprof_trend::sim::MeasureAccuracy(seed, count).Table();
  const size_t null_series = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20;
  if (null_series > 0) std::cout << "\n" << pprof_trend::sim::MeasureNull(seed, null_series, 20000).Table();
  return 0;
}
