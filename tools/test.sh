#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite (unit,
# golden end-to-end, malformed inputs, fuzz regressions, the HTML report in
# headless Chromium) twice:
#   1. build/       Release, warnings as errors;
#   2. build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer.
# Artifacts (a screenshot of the report) land in build/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh chromium golang-go   # chromium: the HTML report in a real browser; go: inspect vs go tool pprof, real Go services
./tools/build.sh
(cd build && ctest --output-on-failure -j"$(nproc)")
echo "== the same suite under AddressSanitizer and UndefinedBehaviorSanitizer"
# Warnings are errors in the Release build; with sanitizers GCC 12 warns falsely inside <regex>.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPROF_TREND_SANITIZE=ON -DPPROF_TREND_WERROR=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$(nproc)")
