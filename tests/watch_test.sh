#!/usr/bin/env bash
# `pprof-trend watch` against a real Go service on 127.0.0.1
# (tests/go/leaksvc, leaking 4 KiB buffers at a known rate, with churn):
#   1. a watch of 8 s every 2 s names the leak with its object size and
#      exits 1 on a budget; every saved capture is whole;
#   2. the service killed for a while, then restarted on the same port: fetch
#      errors are reported, the watch goes on, the restart is named;
#   3. an HTML page instead of a profile is named and not saved;
#   4. SIGTERM mid-watch: a final report, exit 0, every capture whole, no
#      temporary file left;
#   5. resuming a directory with --keep, --format jsonl and --html;
#   6. two instances side by side, one leaking: each its own series, and the
#      report says which grows;
#   7. http_proxy from the environment is used (leaksvc relays as a proxy);
#   full-disk (its own ctest, WatchFullDisk): the capture directory on a
#      small tmpfs that fills: exit 2, every capture whole, no temporary file.
# Every request goes to 127.0.0.1; every loop is bounded in time. Exit 77
# (skipped, loudly) without Go.
#   tests/watch_test.sh PPROF_TREND SOURCE_DIR WORK_DIR [full-disk]
set -uo pipefail
binary=$1 source=$2 work=$3 scenario=${4:-all}
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): watch was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work"
(cd "$source/tests/go/leaksvc" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache" go build -o "$work/leaksvc" .) ||
  { echo "FAIL: cannot build tests/go/leaksvc"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }
service=
start_service() {  # start_service ADDR [PER_TICK [TICK]]
  rm -f "$work/port"
  "$work/leaksvc" -addr "$1" -size 4096 -per-tick "${2:-300}" -tick "${3:-200ms}" -portfile "$work/port" >>"$work/leaksvc.log" 2>&1 &
  service=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && return 0; sleep 0.1; done
  echo "FAIL: the service did not start"; exit 1
}
quiet= idle=
trap '[ -n "$service" ] && kill $service 2>/dev/null; [ -n "$quiet" ] && kill $quiet 2>/dev/null; [ -n "$idle" ] && kill $idle 2>/dev/null' EXIT
all_whole() {  # every capture in DIR decodes, and nothing else is there
  local dir=$1 f
  for f in "$dir"/*; do
    case $f in *.pb.gz) "$binary" inspect "$f" >/dev/null 2>&1 || fail "$f is not a whole profile" ;;
                *) fail "$f is left in the capture directory" ;; esac
  done
}

start_service 127.0.0.1:0
port=$(cat "$work/port")
url="http://127.0.0.1:$port/debug/pprof/heap"

if [ "$scenario" = full-disk ]; then
  # The capture directory on a 16 KiB tmpfs (4 pages: a few captures), made
  # in a user and mount namespace of its own (no privileges needed where
  # unprivileged user namespaces are allowed; as root, a plain mount).
  mkdir -p "$work/full"
  probe() { "$@" sh -c 'mount -t tmpfs -o size=16k tmpfs "$0"' "$work/full" 2>/dev/null; }
  if probe unshare --user --map-root-user --mount; then
    wrap=(unshare --user --map-root-user --mount)
  elif probe unshare --mount; then
    wrap=(unshare --mount)
  else
    echo "SKIPPED: cannot mount a small tmpfs here (no user namespaces, not root): the full-disk path of watch was not tested" >&2
    exit 77
  fi
  # Inside the namespace: the watch until the disk fills, then each file
  # left in the directory is checked (the tmpfs goes with the namespace).
  inner='mount -t tmpfs -o size=16k tmpfs "$1" || exit 99
    bin=$2; shift 2
    "$bin" "$@"; echo "exit=$?"
    for f in "$DIR"/*; do
      case $f in *.pb.gz) "$bin" inspect "$f" >/dev/null 2>&1 || echo "BROKEN $f" ;; *) echo "LEFT $f" ;; esac
    done'
  out=$(DIR="$work/full" timeout 90 "${wrap[@]}" sh -c "$inner" sh "$work/full" "$binary" watch "$url" \
          --every 0.5s --for 40s --dir "$work/full" 2>"$work/err-full")
  grep -q "exit=2" <<<"$out" || fail "a full disk: expected exit 2: $out $(cat "$work/err-full")"
  grep -qE "No space left on device.*ending the watch \(the captures so far are intact\)" "$work/err-full" ||
    fail "a full disk is not named: $(cat "$work/err-full")"
  [ "$(grep -c "saved 127.0.0.1_$port-" <<<"$out")" -ge 2 ] || fail "fewer than 2 captures saved before the disk filled: $out"
  grep -q "^== $url" <<<"$out" || fail "no final report after the disk filled: $out"
  grep -E "^(BROKEN|LEFT) " <<<"$out" && fail "a full disk left a broken capture or a temporary file"
  [ $status -eq 0 ] && echo "watch: a full disk ends the watch with exit 2, captures intact"
  exit $status
fi

# 1. the leak, a budget
out=$(timeout 60 "$binary" watch "$url" --every 2s --for 8s --gc --dir "$work/c1" --max-growth 4MiB 2>"$work/err1")
code=$?
[ $code -eq 1 ] || fail "watch with a budget exceeded exited $code: $(cat "$work/err1")"
grep -q "growing: main.leakBuffer" <<<"$out" || fail "the updates do not name main.leakBuffer: $out"
grep -qE "main.leakBuffer .*4KiB" <<<"$out" || fail "the leak's object size (4KiB) is not shown"
grep -q "FAIL  max-growth" <<<"$out" || fail "the final report has no failed budget"
# 5 captures in 8 s every 2 s; 4 when a slow fetch (a loaded machine, a sanitizer build) skips a slot.
n=$(ls "$work/c1" | wc -l)
[ "$n" -ge 4 ] && [ "$n" -le 5 ] || fail "expected 4 or 5 captures in 8 s every 2 s: $(ls "$work/c1")"
all_whole "$work/c1"

# 2. killed for a while, then restarted on the same port
( sleep 3; kill $service; wait $service 2>/dev/null; sleep 3; start_service "127.0.0.1:$port"; echo $service >"$work/pid2" ) &
restarter=$!
out=$(timeout 60 "$binary" watch "$url" --every 1.5s --for 12s --gc --dir "$work/c2" 2>"$work/err2")
code=$?
wait $restarter
service=$(cat "$work/pid2" 2>/dev/null)
[ $code -eq 0 ] || fail "a watch across a restart exited $code: $(cat "$work/err2")"
grep -q "not saved; the watch goes on" "$work/err2" || fail "fetch errors while the service was down were not reported"
grep -qE "restarted|restarted before capture" <<<"$out" || fail "the restart is not named: $out"
all_whole "$work/c2"

# 3. an HTML page instead of a profile
out=$(timeout 60 "$binary" watch "http://127.0.0.1:$port/debug/pprof/" --every 1s --for 2s --dir "$work/c3" 2>"$work/err3")
code=$?
[ $code -eq 2 ] || fail "a watch that never got a profile exited $code"
grep -q "an HTML page" "$work/err3" || fail "the HTML page is not named: $(cat "$work/err3")"
[ -z "$(ls -A "$work/c3")" ] || fail "an HTML page was saved as a capture"

# 4. SIGTERM mid-watch
timeout 60 "$binary" watch "$url" --every 1s --dir "$work/c4" >"$work/out4" 2>"$work/err4" &
watcher=$!
sleep 3.5
kill -TERM $watcher
wait $watcher
code=$?
[ $code -eq 0 ] || fail "SIGTERM: exit $code: $(cat "$work/err4")"
grep -q "stopped by SIGTERM" "$work/err4" || fail "SIGTERM: no word of it"
grep -q "^== $url" "$work/out4" || fail "SIGTERM: no final report"
all_whole "$work/c4"

# 5. resuming scenario 1's directory, --keep 2, --format jsonl, --html
out=$(timeout 60 "$binary" watch "$url" --every 1s --for 2s --gc --dir "$work/c1" --keep 2 --format jsonl \
        --html "$work/watch.html" 2>"$work/err5")
code=$?
[ $code -eq 0 ] || fail "resume: exit $code: $(cat "$work/err5")"
grep -qE "[45] earlier captures in $work/c1 continue the series" "$work/err5" || fail "resume: not said: $(cat "$work/err5")"
events=$(grep -c '^{"event":"analysis"' <<<"$out")
[ "$events" -ge 2 ] && [ "$events" -le 3 ] || fail "jsonl: expected 2 or 3 analysis events (one a second for 2 s): $out"
[ "$(grep -c '^{"event":"final"' <<<"$out")" -eq 1 ] || fail "jsonl: expected one final event: $out"
! grep -qv '^{"event":' <<<"$out" || fail "jsonl: a line that is no event: $out"
[ "$(ls "$work/c1" | wc -l)" -eq 3 ] || fail "--keep 2: expected the first and the last 2 captures: $(ls "$work/c1")"
grep -q 'generator" content="pprof-trend' "$work/watch.html" || fail "--html: no report written"
all_whole "$work/c1"

# 6. two instances side by side: the leaking one and a quiet one
leaker=$service
start_service 127.0.0.1:0 0
quiet=$service service=$leaker
quiet_port=$(cat "$work/port")
quiet_url="http://127.0.0.1:$quiet_port/debug/pprof/heap"
out=$(timeout 60 "$binary" watch "$url" "$quiet_url" --every 2s --for 6s --gc --dir "$work/c6" 2>"$work/err6")
code=$?
[ $code -eq 0 ] || fail "two instances: exit $code: $(cat "$work/err6")"
grep -qE "127.0.0.1_$port: saved .*growing: main.leakBuffer" <<<"$out" || fail "two instances: the leaking one is not named: $out"
grep -E "127.0.0.1_$quiet_port: saved " <<<"$out" | grep -q "main.leakBuffer" &&
  fail "two instances: the quiet one is said to leak: $out"
[ "$(grep -c "^== http://127.0.0.1:" <<<"$out")" -eq 2 ] || fail "two instances: expected a final report each: $out"
[ "$(ls "$work/c6" | grep -c "^127.0.0.1_$quiet_port-")" -ge 3 ] || fail "two instances: the quiet one's captures: $(ls "$work/c6")"
all_whole "$work/c6"

# 7. a proxy from the environment: the quiet instance relays (leaksvc is a
# forward proxy too); no_proxy is cleared so loopback is not exempted.
out=$(http_proxy="http://127.0.0.1:$quiet_port" HTTP_PROXY= no_proxy= NO_PROXY= timeout 60 "$binary" watch "$url" \
        --every 1s --for 1s --dir "$work/c7" 2>"$work/err7")
code=$?
[ $code -eq 0 ] || fail "through a proxy: exit $code: $(cat "$work/err7")"
relayed=$(curl -s --noproxy '*' "http://127.0.0.1:$quiet_port/proxied")
[ "$relayed" != "proxied 0" ] && [ -n "$relayed" ] || fail "http_proxy was not used: the proxy says '$relayed'"
[ "$(ls "$work/c7" | wc -l)" -ge 2 ] || fail "through a proxy: captures: $(ls "$work/c7")"
all_whole "$work/c7"

# 8. no --gc on an idle service (issue 28; its tick, which allocates and so
# brings GCs, is an hour away): its captures repeat one moment (Go's heap
# profile is that of the last GC); said once, as "add --gc".
keep=$service
start_service 127.0.0.1:0 0 1h
idle=$service service=$keep
idle_url="http://127.0.0.1:$(cat "$work/port")/debug/pprof/heap"
out=$(timeout 60 "$binary" watch "$idle_url" --every 0.3s --for 3s --dir "$work/c8" 2>"$work/err8")
code=$?
saved=$(ls "$work/c8" | wc -l)
[ $code -eq 0 ] || fail "no --gc: exit $code: $(cat "$work/err8")"
[ "$saved" -ge 3 ] || fail "no --gc: only $saved captures in 3 s every 0.3 s"
[ "$(grep -c "add --gc" "$work/err8")" -eq 1 ] ||
  fail "no --gc: expected one 'add --gc' note over $saved captures: $(cat "$work/err8")"
[ "$(wc -l <"$work/err8")" -le 3 ] || fail "no --gc: stderr repeats itself: $(cat "$work/err8")"

[ $status -eq 0 ] && echo "watch: leak and budget, kill and restart, HTML page, SIGTERM, resume/keep/jsonl/html, two instances, a proxy, no --gc said once: all as expected"
exit $status
