#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole
# test suite (unit, golden end-to-end, malformed inputs) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
./tools/build.sh -DPPROF_TREND_BUILD_TESTS=ON -DPPROF_TREND_WERROR=ON
cd build
ctest --output-on-failure -j"$(nproc)"
