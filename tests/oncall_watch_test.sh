#!/usr/bin/env bash
# watch's on-call captures against a real Go service on 127.0.0.1
# (tests/go/leaksvc) that leaks goroutines (5 every 100 ms, each blocked on a
# channel holding a 1 KiB buffer) and 64 KiB buffers it writes (-touch: the
# RSS grows with the leak), every allocation
# profiled (the heap series exact, so that its relation to the goroutines is
# not left to sampling noise), inside a memory cgroup
# with a limit of 1 GiB that the test makes (v1 or v2, where this machine
# lets it):
#   watch --pid PID --memstats --goroutines --on-high-water --keep-highest 2
# must rank main.waitForReply first among the goroutine stacks with the
# goroutine count `go tool pprof` reads in the same capture, relate it to
# its heap site, read MemStats and RSS into every capture's
# process_memory, take the cgroup's limit as --limit, and keep two
# high-water captures. Exit 77 (skipped, loudly) without Go, or, after
# everything else passed, when no memory cgroup could be made.
#   tests/oncall_watch_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$1 source=$2 work=$3
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): watch's on-call captures were not tested" >&2
  exit 77
fi
mkdir -p "$work"
rm -rf "$work/cap" "$work/cap-jsonl"
. "$source/tests/leaksvc.sh"
build_leaksvc "$source" "$work"
start_leaksvc oncall -size 65536 -per-tick 20 -tick 100ms -goroutines-per-tick 5 -memprofilerate 1 -touch
pid=${leaksvc_pids[-1]}
base="http://127.0.0.1:$(cat "$work/oncall.port")"
status=0
fail() { echo "FAIL: $*"; status=1; }

# A memory cgroup of its own with a 1 GiB limit: v2 (a writable
# /sys/fs/cgroup with the memory controller), else v1.
cgroup="" limit=$((1 << 30))
name="pprof-trend-test-$$"
for dir in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  if [ -f "$dir/cgroup.controllers" ] && grep -qw memory "$dir/cgroup.controllers" 2>/dev/null &&
    mkdir "$dir/$name" 2>/dev/null; then
    if echo "$limit" >"$dir/$name/memory.max" 2>/dev/null && echo "$pid" >"$dir/$name/cgroup.procs" 2>/dev/null; then
      cgroup=$dir/$name
      break
    fi
    rmdir "$dir/$name" 2>/dev/null
  fi
done
if [ -z "$cgroup" ] && [ -d /sys/fs/cgroup/memory ] && mkdir "/sys/fs/cgroup/memory/$name" 2>/dev/null; then
  if echo "$limit" >"/sys/fs/cgroup/memory/$name/memory.limit_in_bytes" 2>/dev/null &&
    echo "$pid" >"/sys/fs/cgroup/memory/$name/cgroup.procs" 2>/dev/null; then
    cgroup=/sys/fs/cgroup/memory/$name
  else
    rmdir "/sys/fs/cgroup/memory/$name" 2>/dev/null
  fi
fi
cleanup_cgroup() {
  [ -n "$cgroup" ] || return
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rmdir "$cgroup" 2>/dev/null
}
trap 'cleanup_cgroup; for p in "${leaksvc_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done' EXIT

"$binary" watch --every 1s --for 6s --dir "$work/cap" --pid "$pid" --memstats --goroutines --on-high-water \
  --keep-highest 2 --poll 200ms --high-water-margin 5% "$base/debug/pprof/heap" >"$work/watch.txt" 2>"$work/watch.err"
code=$?
[ $code -eq 0 ] || fail "watch exited $code: $(cat "$work/watch.err")"

# The goroutine series: main.waitForReply first, with go tool pprof's count.
last=$(ls "$work/cap/goroutines/"*.pb.gz 2>/dev/null | tail -1)
[ -n "$last" ] || { echo "FAIL: no goroutine capture in $work/cap/goroutines"; exit 1; }
json=$("$binary" --format json "$work/cap/goroutines/" 2>"$work/err.txt") || fail "trend of the goroutines: $(cat "$work/err.txt")"
read -r first count wait < <(python3 -c '
import json, sys
d = json.load(sys.stdin)
n = d["nodes"][0]
print(n["function"], int(n["bytes"][-1]), (n.get("goroutine_wait") or "-").replace(" ", "_"))' <<<"$json")
truth=$(go tool pprof -top "$last" 2>/dev/null | awk '$NF == "main.waitForReply" {print $4}')
[ "$first" = main.waitForReply ] || fail "the first goroutine stack is $first, not main.waitForReply"
[ -n "$truth" ] && [ "$count" = "$truth" ] || fail "main.waitForReply counts $count goroutines; go tool pprof says $truth"
[ "$wait" = chan_receive ] || fail "main.waitForReply waits in $wait, not chan receive"
grep -q "related: goroutine stack #1 and heap site #[0-9]* grow together through main.waitForReply" "$work/watch.txt" ||
  fail "the goroutine leak is not related to its heap site: $(grep -A3 '== .* goroutines' "$work/watch.txt" | head -5)"

# The report's process memory line; and (a second, short watch) the JSON
# events' process_memory: MemStats, RSS and the cgroup's numbers.
grep -q "process memory (runtime.MemStats" "$work/watch.txt" || fail "watch's report has no process memory line"
grep -q "RSS .* -> " "$work/watch.txt" || fail "watch's report does not give the RSS"
"$binary" watch --every 1s --for 5s --dir "$work/cap-jsonl" --pid "$pid" --memstats --format jsonl \
  --on-high-water --poll 200ms --high-water-margin 1% \
  "$base/debug/pprof/heap" >"$work/events.jsonl" 2>"$work/events.err" || fail "watch --format jsonl: $(cat "$work/events.err")"
python3 -c '
import json, sys
final = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "final"]
assert final, "no final event"
m = final[0].get("process_memory") or {}
want = ["sys", "heap_inuse", "stack_inuse", "rss"] + (["cgroup_current", "cgroup_max"] if sys.argv[2] == "yes" else [])
missing = [k for k in want if k not in m]
assert not missing, "process_memory lacks " + ", ".join(missing) + ": " + json.dumps(m)
import os
high = [e for e in map(json.loads, open(sys.argv[1])) if e["event"] == "high_water"]
assert high and all(e["measure"] == "rss" and e["bytes"] > 0 for e in high), "no high_water event: %r" % high
assert os.path.exists(high[-1]["file"]), "the last high_water event names no file on disk: " + high[-1]["file"]
if sys.argv[2] == "yes":
    assert m["cgroup_max"] == 1 << 30, m["cgroup_max"]
    assert final[0]["projection"]["basis"]["measure"] == "cgroup", final[0]["projection"]["basis"]
' "$work/events.jsonl" "$([ -n "$cgroup" ] && echo yes || echo no)" 2>"$work/py.txt" || fail "the JSON events: $(tail -1 "$work/py.txt")"

# Two high-water captures, the highest.
highest=$(ls "$work/cap/highest/" 2>/dev/null | wc -l)
[ "$highest" -eq 2 ] || fail "$highest high-water captures kept, not 2: $(ls "$work/cap/highest/")"
grep -q "high water, RSS" "$work/watch.txt" || fail "watch did not say it took a high-water capture"

if [ -n "$cgroup" ]; then
  grep -q "limit 1GiB (the cgroup's memory)" "$work/watch.txt" ||
    fail "the cgroup's limit was not projected to: $(grep -m1 limit "$work/watch.txt")"
  grep -q "its memory cgroup .* has a limit of 1GiB: the --limit" "$work/watch.err" ||
    fail "watch did not say it took the cgroup's limit"
fi
[ $status -eq 0 ] || exit 1
echo "oncall: goroutines: main.waitForReply first with $count (go tool pprof: $truth), related to its heap site; $highest high-water captures"
if [ -z "$cgroup" ]; then
  echo "SKIPPED (the rest passed): no memory cgroup could be made here (not root, or no memory controller): --pid's cgroup limit was not tested" >&2
  exit 77
fi
echo "oncall: the cgroup's memory.max ($cgroup) was the limit: $(grep -m1 -o "limit 1GiB (the cgroup's memory): [^;]*" "$work/watch.txt")"
