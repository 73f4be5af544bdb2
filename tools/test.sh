#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole
# test suite (unit, golden end-to-end, malformed inputs, the HTML report in
# headless Chromium) with ctest. Artifacts (a screenshot of the report) land
# in build/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh chromium   # chromium: the HTML report's real-browser test
./tools/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
