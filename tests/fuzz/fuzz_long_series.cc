// libFuzzer entry point; the body is in fuzz_targets.cc.
#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return pprof_trend::fuzz::FuzzLongSeries(data, size);
}
