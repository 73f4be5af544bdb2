#!/usr/bin/env bash
# Credentials never reach an output, a file name or a message, and headers go
# only to the origin they were given for. Two instances of the test service
# (tests/go/leaksvc) on 127.0.0.1: A redirects (/redirect?to=URL) and both
# record the X-Api-Key headers they receive (/seen). Checked:
#   1. --header to A, redirected to B: A got the key, B did not;
#   2. a redirect within A keeps it;
#   3. user info, a token parameter and an Authorization header reach no
#      output (text, JSON, the HTML report), no message, and no file name of
#      watch's captures;
#   4. an error about such a URL names it without them.
# Every request goes to 127.0.0.1; both services are killed on exit. Exit 77
# (skipped, loudly) without Go.
#   tests/secrets_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$(realpath "$1") source=$(realpath "$2") work=$3
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go): secrets in URLs and headers were not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# shellcheck source=tests/leaksvc.sh
. "$source/tests/leaksvc.sh"
build_leaksvc "$source" "$work"
start_leaksvc a -size 4096 -per-tick 200 -tick 100ms
start_leaksvc b -size 4096 -per-tick 200 -tick 100ms
a="http://127.0.0.1:$(cat a.port)" b="http://127.0.0.1:$(cat b.port)"
status=0
fail() { echo "FAIL: $*"; status=1; }

# 1. A redirect to another origin drops the header.
out=$(timeout 60 "$binary" inspect --header 'X-Api-Key: KEY-ONE' "$a/redirect?to=$b/debug/pprof/heap" 2>&1) ||
  fail "inspect through a redirect: $out"
grep -q "KEY-ONE" <(curl -s "$a/seen") || fail "the origin did not receive its header"
grep -q "KEY-ONE" <(curl -s "$b/seen") && fail "a header was sent to another origin after a redirect"
# 2. A redirect within the origin keeps it.
timeout 60 "$binary" inspect --header 'X-Api-Key: KEY-TWO' "$a/redirect?to=/debug/pprof/heap" >/dev/null 2>&1 ||
  fail "inspect through a same-origin redirect failed"
[ "$(curl -s "$a/seen" | grep -c KEY-TWO)" -eq 2 ] || fail "a same-origin redirect lost the header: $(curl -s "$a/seen")"

# 3. Credentials in a trend's inputs and flags reach no output.
secret_url="http://alice:PASSWORD-XYZ@127.0.0.1:$(cat a.port)/debug/pprof/heap?token=TOKEN-XYZ&gc=1"
curl -sf -o before.pb.gz "$a/debug/pprof/heap?gc=1" || fail "curl could not save a capture"
sleep 1
for format in text json; do
  timeout 60 "$binary" --format $format --header 'Authorization: Bearer BEARER-XYZ' --html "report-$format.html" \
    before.pb.gz "$secret_url" >"out-$format" 2>"err-$format" || fail "trend with credentials ($format): $(cat "err-$format")"
done
grep -q "token=REDACTED&gc=1" out-text || fail "the URL is not named (redacted) in the text: $(head -5 out-text)"
grep -q '"path": "http://REDACTED@127.0.0.1:[0-9]*/debug/pprof/heap?token=REDACTED&gc=1"' out-json ||
  fail "the URL is not named (redacted) in JSON: $(grep '"path"' out-json)"
timeout 60 "$binary" watch "$secret_url" --header 'X-Api-Key: KEY-THREE' --every 1s --for 1.5s --dir captures \
  --format jsonl >out-watch 2>err-watch || fail "watch with credentials: $(cat err-watch)"
[ -n "$(ls captures)" ] || fail "watch saved no capture"
# 4. Errors name the URL without them.
timeout 60 "$binary" inspect "http://bob:PASSWORD-XYZ@127.0.0.1:1/heap?api_key=TOKEN-XYZ" >out-error 2>err-error &&
  fail "a closed port did not fail"
grep -q "REDACTED@127.0.0.1:1/heap?api_key=REDACTED" err-error || fail "the error does not name the redacted URL: $(cat err-error)"
leaks=$(grep -l -E "PASSWORD-XYZ|TOKEN-XYZ|BEARER-XYZ|KEY-THREE|alice" out-* err-* report-*.html 2>/dev/null)
[ -z "$leaks" ] || fail "credentials written to: $leaks"
ls captures | grep -q -E "PASSWORD|alice" && fail "credentials in a capture's file name: $(ls captures)"

[ $status -eq 0 ] && echo "secrets: headers stay with their origin; user info, tokens and headers reach no output, message or file name"
exit $status
