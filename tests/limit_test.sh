#!/usr/bin/env bash
# --limit against a real Go service on 127.0.0.1 (tests/go/leaksvc) that
# leaks at a known rate: 100 buffers of 4 KiB every 100 ms, 4,096,000 bytes
# a second, every allocation profiled (-memprofilerate 1), into a map sized
# beforehand (-presize: no bucket arrays join the leak). Ten captures a
# second apart; the limit is the last capture's total plus 30 s of the leak.
# The true time to it (30 s) must lie inside the projection's 95% interval
# (of one of two series),
# and check --min-time-to-limit must fail below it and pass well above it.
# Exit 77 (skipped, loudly) without Go.
#   tests/limit_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$1 source=$2 work=$3
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): --limit was not tested on a live service" >&2
  exit 77
fi
mkdir -p "$work"
rm -f "$work"/capture-*.pb.gz
. "$source/tests/leaksvc.sh"
build_leaksvc "$source" "$work"
start_leaksvc leak -size 4096 -per-tick 100 -tick 100ms -memprofilerate 1 -max 40000 -presize
base="http://127.0.0.1:$(cat "$work/leak.port")"
status=0
fail() { echo "FAIL: $*"; status=1; }

rate=4096000  # bytes a second
# One series of ten captures and its projection: sets json, outcome, seconds, low, high, limit.
project() {
  rm -f "$work"/capture-*.pb.gz
  for i in $(seq -w 1 10); do
    curl -sf -o "$work/capture-$i.pb.gz" "$base/debug/pprof/heap?gc=1" || { echo "FAIL: curl could not save capture $i"; exit 1; }
    sleep 1
  done
  last=$("$binary" inspect "$work/capture-10.pb.gz" | sed -nE 's/^ +inuse_space +([0-9]+).*/\1/p')
  [ -n "$last" ] || { echo "FAIL: no inuse_space total in the last capture"; exit 1; }
  limit=$((last + 30 * rate))
  json=$("$binary" --limit "${limit}B" --format json "$work"/capture-*.pb.gz 2>"$work/err.txt") ||
    { echo "FAIL: pprof-trend --limit: $(cat "$work/err.txt")"; exit 1; }
  read -r outcome seconds low high < <(python3 -c '
import json, sys
p = json.load(sys.stdin)["projection"]
i = p["seconds_to_limit_95"] or [None, None]
print(p["outcome"], p["seconds_to_limit"], i[0], i[1])' <<<"$json")
}
inside() { python3 -c "import sys; low, high = float('$low'), ('$high' != 'None' and float('$high')) or float('inf'); sys.exit(0 if low <= 30 <= high else 1)"; }

sleep 1
# A 95% interval misses the truth in 1 series of 20 by design: a second,
# independent series is taken after a miss (both miss in 1 of 400).
project
if [ "$outcome" = reaches ] && ! inside; then
  echo "limit: the first series' interval [$low, $high] missed the true 30 s; a second series"
  project
fi
[ "$outcome" = reaches ] || fail "the projection's outcome is $outcome, not reaches"
inside || fail "the true 30 s is outside the 95% interval [$low, $high] (point $seconds s)"
grep -q '"name": "main.leakBuffer"' <<<"$json" || fail "main.leakBuffer is not named among the contributors"
"$binary" check --limit "${limit}B" --min-time-to-limit 10min "$work"/capture-*.pb.gz >"$work/check.txt" 2>&1
[ $? -eq 1 ] || fail "check --min-time-to-limit 10min must fail (exit 1): $(cat "$work/check.txt")"
"$binary" check --limit "${limit}B" --min-time-to-limit 1s "$work"/capture-*.pb.gz >"$work/check.txt" 2>&1
[ $? -eq 0 ] || fail "check --min-time-to-limit 1s must pass: $(cat "$work/check.txt")"
[ $status -eq 0 ] && echo "limit: a live leak of $rate B/s, 30 s from the limit: projected ${seconds} s (95%: $low - $high)"
exit $status
