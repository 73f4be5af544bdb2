#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole
# test suite (unit, golden end-to-end, malformed inputs) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
./tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
