#!/usr/bin/env bash
# URL inputs against a real Go service on 127.0.0.1 (tests/go/leaksvc):
# inspect URL, a trend of URLs (each fetched once, now), and what a wrong
# URL, an HTML page and a closed port give. Every request goes to
# 127.0.0.1; the service is killed on exit. Exit 77 (skipped, loudly)
# without Go.
#   tests/url_inputs_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$1 source=$2 work=$3
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): URL inputs were not tested" >&2
  exit 77
fi
mkdir -p "$work"
rm -f "$work/port"
(cd "$source/tests/go/leaksvc" && GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$work/gocache" go build -o "$work/leaksvc" .) ||
  { echo "FAIL: cannot build tests/go/leaksvc"; exit 1; }
"$work/leaksvc" -addr 127.0.0.1:0 -size 4096 -per-tick 500 -tick 200ms -portfile "$work/port" >"$work/leaksvc.log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "FAIL: the service did not start"; exit 1; }
base="http://127.0.0.1:$(cat "$work/port")"
status=0
fail() { echo "FAIL: $*"; status=1; }

out=$(timeout 60 "$binary" inspect "$base/debug/pprof/heap" 2>&1) || fail "inspect URL: $out"
grep -q "inuse_space/bytes (default)" <<<"$out" || fail "inspect URL printed no heap profile: $out"
grep -q "^$base/debug/pprof/heap" <<<"$out" || fail "inspect URL does not name the URL: $out"

sleep 1
out=$(timeout 60 "$binary" "$base/debug/pprof/heap?gc=1" "$work/none-yet" 2>&1)
[ $? -eq 2 ] || fail "a missing file beside a URL must exit 2: $out"

# A saved capture against the service now: the leak (2,500 buffers of 4 KiB a second) is found.
curl -sf -o "$work/before.pb.gz" "$base/debug/pprof/heap?gc=1" || fail "curl could not save a capture"
sleep 2
out=$(timeout 60 "$binary" --format json "$work/before.pb.gz" "$base/debug/pprof/heap?gc=1" 2>&1) || fail "trend with a URL: $out"
grep -q '"function": "main.leakBuffer"' <<<"$out" || fail "a saved capture against the URL does not find main.leakBuffer"

out=$(timeout 60 "$binary" inspect "$base/debug/pprof/nope" 2>&1)
[ $? -eq 2 ] && grep -q "HTTP 404" <<<"$out" || fail "a wrong profile name: $out"
out=$(timeout 60 "$binary" inspect "$base/debug/pprof/" 2>&1)
[ $? -eq 2 ] && grep -q "an HTML page" <<<"$out" || fail "an index page: $out"
out=$(timeout 60 "$binary" inspect "$base/debug/pprof/heap" --header "Authorization: Bearer s3cret" 2>&1) ||
  fail "--header: $out"
grep -q "s3cret" <<<"$out" && fail "a header value was printed"
out=$(timeout 60 "$binary" inspect "$base/debug/pprof/heap" --max-decompressed 100B 2>&1)
[ $? -eq 2 ] && grep -q "the answer is over 100 bytes" <<<"$out" || fail "--max-decompressed does not bound a fetch: $out"

kill $service; wait $service 2>/dev/null
started=$SECONDS
out=$(timeout 60 "$binary" inspect "$base/debug/pprof/heap" 2>&1)
[ $? -eq 2 ] && grep -q "after 3 tries" <<<"$out" || fail "a closed port: $out"
[ $((SECONDS - started)) -le 10 ] || fail "a closed port took $((SECONDS - started)) s"
[ $status -eq 0 ] && echo "URL inputs: inspect, trend, 404, HTML page, header, closed port: all as expected"
exit $status
