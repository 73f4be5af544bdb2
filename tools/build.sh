#!/usr/bin/env bash
# Configures and builds pprof-trend (Release, warnings as errors) in build/.
# Arguments are build targets (default: everything, tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPPROF_TREND_BUILD_TESTS=ON -DPPROF_TREND_WERROR=ON >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j"$(nproc)" "${targets[@]}"
