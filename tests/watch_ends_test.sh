#!/usr/bin/env bash
# A watch always ends: against a server that never answers (the test
# service's /hang on 127.0.0.1), --for and SIGTERM end the watch within a
# few seconds, with its final report, although a fetch is in flight (it
# stalled for minutes: three tries of 120 s). Bounded: every command runs
# under timeout; the service is killed on exit. Exit 77 (skipped, loudly)
# without Go.
#   tests/watch_ends_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$(realpath "$1") source=$(realpath "$2") work=$3
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): a watch against a hung server was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# shellcheck source=tests/leaksvc.sh
. "$source/tests/leaksvc.sh"
build_leaksvc "$source" "$work"
start_leaksvc hung
hang="http://127.0.0.1:$(cat "$work/hung.port")/hang"
status=0
fail() { echo "FAIL: $*"; status=1; }

# 1. --for 2s ends the watch while its fetch hangs.
started=$SECONDS
timeout 60 "$binary" watch "$hang" --every 1s --for 2s --dir "$work/c1" >"$work/out1" 2>"$work/err1"
code=$? took=$((SECONDS - started))
[ "$took" -le 8 ] || fail "--for 2s: the watch took $took s against a server that never answers"
[ "$code" -eq 2 ] || fail "--for 2s: exit $code, expected 2 (no capture could be taken): $(cat "$work/err1")"
grep -q "cancelled" "$work/err1" || fail "--for 2s: the abandoned fetch was not said: $(cat "$work/err1")"
grep -q "== $hang" "$work/out1" || fail "--for 2s: no final report: $(cat "$work/out1")"

# 2. SIGTERM while a fetch hangs: acted on within a few seconds.
timeout 120 "$binary" watch "$hang" --every 10s --dir "$work/c2" >"$work/out2" 2>"$work/err2" &
watch=$!
sleep 2
kill -TERM $watch
sent=$SECONDS
wait $watch
took=$((SECONDS - sent))
[ "$took" -le 4 ] || fail "SIGTERM: the watch ended $took s after it"
grep -q "stopped by SIGTERM" "$work/err2" || fail "SIGTERM: not said: $(cat "$work/err2")"
grep -q "== $hang" "$work/out2" || fail "SIGTERM: no final report: $(cat "$work/out2")"

# 3. Failures reach the report, the events and the exit code: every fetch of
# a path the service does not serve fails (404), and the final report says
# how many and the last; an --html that cannot be written is an error event
# while the watch goes on and exit 2 when the final one fails.
start_leaksvc served -size 4096 -per-tick 200 -tick 500ms
served="http://127.0.0.1:$(cat "$work/served.port")"
timeout 60 "$binary" watch "$served/nope" --every 1s --for 2s --dir "$work/c3" >"$work/out3" 2>"$work/err3"
grep -qE "^[0-9]+ captures? of this instance failed and (was|were) not saved; the last: .*404" "$work/out3" ||
  fail "fetch failures: not in the final report: $(cat "$work/out3")"
timeout 60 "$binary" watch "$served/debug/pprof/heap" --every 1s --for 3s --dir "$work/c4" --format jsonl \
  --html "$work/no-such-dir/report.html" >"$work/out4" 2>"$work/err4"
code=$?
[ "$code" -eq 2 ] || fail "--html unwritable: exit $code, expected 2: $(cat "$work/err4")"
grep -q '"event":"error".*--html: ' "$work/out4" || fail "--html unwritable: no error event: $(cat "$work/out4")"
grep -q '"event":"analysis"' "$work/out4" || fail "--html unwritable: the watch did not go on: $(cat "$work/out4")"
! grep -qv '^{"event":' "$work/out4" || fail "jsonl: a line that is no event (one JSON object a line): $(cat "$work/out4")"

[ $status -eq 0 ] && echo "watch: --for and SIGTERM end a watch whose fetch hangs within seconds, with its final report; failed fetches and an unwritable --html are said and a failed final write is exit 2"
exit $status
