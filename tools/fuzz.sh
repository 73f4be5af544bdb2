#!/usr/bin/env bash
# Builds the libFuzzer targets with clang under ASan+UBSan in build-fuzz/ and
# runs each for SECONDS (default 60), two at a time. Seeds: testdata/ and
# testdata/fuzz/<target>/. A failing input is saved as
# build-fuzz/crash-<target>-*: fix it, then add it to testdata/fuzz/<target>/
# so the normal test suite replays it.
#   tools/fuzz.sh [SECONDS [TARGET...]]     (targets: profile legacy_heap dumpheap rules series long_series)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
./tools/install-deps.sh clang libclang-rt-14-dev
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPPROF_TREND_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_profile fuzz_legacy_heap fuzz_dumpheap fuzz_rules fuzz_series \
  fuzz_long_series
run() {
  local target=$1 corpus=build-fuzz/corpus/$1
  mkdir -p "$corpus"
  case $target in
    profile) cp -n testdata/sarama/*.pb.gz testdata/fuzz/profile/* "$corpus/" 2>/dev/null || true ;;
    legacy_heap) cp -n testdata/sarama/*.heap.txt testdata/fuzz/legacy_heap/* "$corpus/" 2>/dev/null || true ;;
    dumpheap) cp -n testdata/dotnet/*.txt testdata/fuzz/dumpheap/* "$corpus/" 2>/dev/null || true ;;
    rules) cp -n testdata/check/*.rules testdata/fuzz/rules/* "$corpus/" 2>/dev/null || true ;;
    series) cp -n testdata/fuzz/series/* "$corpus/" 2>/dev/null || true ;;
    long_series) cp -n testdata/fuzz/long_series/* "$corpus/" 2>/dev/null || true ;;
  esac
  "build-fuzz/tests/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
    -max_len=1048576 -artifact_prefix="build-fuzz/crash-$target-" "$corpus" > "build-fuzz/fuzz-$target.log" 2>&1
  local status=$?
  local last
  last=$(grep -E '^#[0-9]+' "build-fuzz/fuzz-$target.log" | tail -1)
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "build-fuzz/fuzz-$target.log" | grep -o '[0-9]*$' || echo '?')
  echo "$target: exit $status, $execs executions; last status: $last"
  return $status
}
fail=0
pids=()
targets=(profile legacy_heap dumpheap rules series long_series)
if [ $# -gt 1 ]; then targets=("${@:2}"); fi
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  run "${targets[i]}" & pids+=($!)
  if ((i + 1 < ${#targets[@]})); then run "${targets[i + 1]}" & pids+=($!); fi
  for pid in "${pids[@]}"; do wait "$pid" || fail=1; done
  pids=()
done
ls build-fuzz/crash-* 2>/dev/null && fail=1
exit $fail
