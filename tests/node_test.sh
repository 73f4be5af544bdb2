#!/usr/bin/env bash
# A Node.js series, profiled with @datadog/pprof (from npm, pinned in
# tests/node/package.json) on a program with a known leak (tests/node/leak.js):
# the leak ranks first, and the frame V8 renames between the first capture and
# the later ones does not split a site into false twins (gone/new/plateaued).
# Exit 77 (skipped, loudly) without node and npm, or when npm cannot install.
#   tests/node_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$(realpath "$1") source=$(realpath "$2") work=$3
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node and npm are not installed: the Node.js series was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cp "$source/tests/node/package.json" "$source/tests/node/leak.js" "$work/" && cd "$work" || exit 1
if ! timeout 300 npm install --no-audit --no-fund --loglevel=error >npm.log 2>&1; then
  echo "SKIPPED: npm could not install @datadog/pprof (no registry?): the Node.js series was not tested: $(tail -3 npm.log)" >&2
  exit 77
fi
status=0
fail() { echo "FAIL: $*"; status=1; }
timeout 120 node --expose-gc leak.js "$work" 3 >node.log 2>&1 || { echo "FAIL: leak.js did not run: $(cat node.log)"; exit 1; }
out=$("$binary" node-heap-1.pb.gz node-heap-2.pb.gz node-heap-3.pb.gz 2>err.txt)
table=$(sed -n '/^rank /,/^$/p' <<<"$out" | tail -n +2)
grep -qE "^ +1  .* growing +leakSessions$" <<<"$table" || fail "rank 1 is not leakSessions, growing: $out"
[ "$(grep -c " leakSessions$" <<<"$table")" -eq 1 ] || fail "leakSessions has more than one row (split twins): $out"
grep -qE " (gone|new|plateaued) " <<<"$table" && fail "a site split into twins across the renamed frame: $out"
grep -q "(anonymous:L#1:C#1)" < <(gzip -dc node-heap-1.pb.gz | strings) ||
  echo "note: V8 did not write (anonymous:L#1:C#1) in the first capture this time: the rename was not exercised" >&2
[ $status -eq 0 ] && echo "node: @datadog/pprof series, leak ranked first, no split twins"
exit $status
