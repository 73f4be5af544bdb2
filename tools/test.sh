#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite (unit,
# golden end-to-end, malformed inputs, fuzz regressions, the HTML report in
# headless Chromium, inspect against go tool pprof, the layout of every C++
# file against .clang-format, no function over 120 lines) twice:
#   1. build/       Release, warnings as errors;
#   2. build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer (-O1 -g1), without
#                   the tests labelled `once` (tests/CMakeLists.txt says which and why).
# Ends with one verdict line ("tests: N passed, N failed, N skipped"); a
# skipped test is named loudly. Artifacts (a screenshot of the report) land
# in build/artifacts/.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
echo "test.sh: installing what is missing (chromium for the HTML report, golang-go and curl for go tool pprof and live Go services, gperftools and jemalloc for native profiles, clang-format for the layout check, clickhouse-server for push)"
./tools/install-deps.sh chromium golang-go curl libgoogle-perftools-dev libjemalloc-dev clang-format clickhouse-server || exit 1

passed=0 failed=0 skipped=0
skipped_names=()
# run_suite NAME DIR [CTEST ARGS...]: runs ctest in DIR and adds up its counts.
run_suite() {
  local name=$1 dir=$2 log
  shift 2
  log=$(mktemp)
  echo "test.sh: $((SECONDS - started)) s: == the suite in $dir ($name)"
  # Two slots a core: a test that keeps a core busy takes two (PROCESSORS in
  # tests/CMakeLists.txt), a live test that mostly waits takes one.
  (cd "$dir" && ctest --output-on-failure -j"$((2 * $(nproc)))" "$@") 2>&1 | tee "$log" | grep -E "tests passed|Failed|Not Run|\*\*\*|Skipped" || true
  local total fails notrun
  # On a failure the whole ctest log (--output-on-failure: the failed tests' own output) is shown.
  if ! grep -q " 0 tests failed out of" "$log"; then
    echo "test.sh: the ctest log of $dir, with the failed tests' output:"
    cat "$log"
  fi
  total=$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/p' "$log" | tail -1)
  fails=$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
  if [ -z "$total" ]; then
    echo "test.sh: ctest in $dir printed no summary" >&2
    failed=$((failed + 1))
    rm -f "$log"
    return
  fi
  notrun=$(grep -cE '\*\*\*Skipped|Not Run' "$log" || true)
  while IFS= read -r line; do skipped_names+=("$name: $line"); done < <(grep -E '\*\*\*Skipped|Not Run' "$log" | sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: //; s/ \.+.*//')
  passed=$((passed + total - fails - notrun))
  failed=$((failed + fails))
  skipped=$((skipped + notrun))
  rm -f "$log"
}

echo "test.sh: $((SECONDS - started)) s: building the Release suite (build/)"
once=?
if ./tools/build.sh >/dev/null; then
  # (Counted before the suite runs: ctest -N rewrites the directory's LastTest.log.)
  once=$(cd build && ctest -N -L once | sed -nE 's/^Total Tests: ([0-9]+)/\1/p')
  run_suite Release build
else
  echo "test.sh: the Release build failed" >&2
  failed=$((failed + 1))
fi

echo "test.sh: $((SECONDS - started)) s: building the same suite under AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/)"
# Warnings are errors in the Release build; with sanitizers GCC 12 warns falsely.
# Only what the suite runs: not the benchmark generators, but for
# gen_go_profiles, whose captures the ClickHouse test pushes. (Building it in the
# background while the Release suite ran made the whole slower, 1,026 s
# against 949: the suite is bound by its 2 cores' CPU time.)
asan_log=$(mktemp)
if { cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPROF_TREND_SANITIZE=ON -DPPROF_TREND_WERROR=OFF &&
     cmake --build build-asan -j"$(nproc)" --target pprof-trend pprof_trend_tests gen_go_profiles; } >"$asan_log" 2>&1 ||
   { echo "test.sh: the sanitizer build failed:" >&2; tail -40 "$asan_log" >&2; false; }; then
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
  # Tests labelled `once` test what does not depend on the build (statistical
  # accuracy rates, the page in a browser, the Release package): Release only.
  echo "test.sh: the ${once:-?} tests labelled 'once' (accuracy rates, the page in Chromium, the package) ran in the Release suite only"
  run_suite ASan build-asan -LE once
else
  failed=$((failed + 1))
fi
rm -f "$asan_log"

for name in "${skipped_names[@]}"; do echo "test.sh: SKIPPED (could not run): $name" >&2; done
echo "test.sh: $((SECONDS - started)) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
