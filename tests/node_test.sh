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
rm -rf "$work" && mkdir -p "$work" && cp "$source/tests/node/package.json" "$source/tests/node/leak.js" "$source/tests/node/jit.js" "$work/" && cd "$work" || exit 1
if ! timeout 300 npm install --no-audit --no-fund --loglevel=error >npm.log 2>&1; then
  echo "SKIPPED: npm could not install @datadog/pprof (no registry?): the Node.js series was not tested: $(tail -3 npm.log)" >&2
  exit 77
fi
status=0
fail() { echo "FAIL: $*"; status=1; }
timeout 120 node --expose-gc leak.js "$work" 5 >node.log 2>&1 || { echo "FAIL: leak.js did not run: $(cat node.log)"; exit 1; }
out=$("$binary" node-heap-{1,2,3,4,5}.pb.gz 2>err.txt)
table=$(sed -n '/^rank /,/^$/p' <<<"$out" | tail -n +2)
grep -qE "^ +1  .* growing +leakSessions$" <<<"$table" || fail "rank 1 is not leakSessions, growing: $out"
[ "$(grep -c " leakSessions$" <<<"$table")" -eq 1 ] || fail "leakSessions has more than one row (split twins): $out"
# Twins: a site alive at the first capture that reads "gone" while the same
# site, under its other name, reads new or plateaued. Sites may really come
# and go (the encoder's buffers, garbage not yet collected at the first
# capture): a twin is a name that is both gone and in the table.
gone=$(grep "^shrinking:" <<<"$out" | grep -oE "[^;:]+ -[0-9.]+[KMGT]?i?B \([^)]*, gone\)" | sed -E 's/^ *//; s/ -[0-9.]+[KMGT]?i?B .*//')
while IFS= read -r name; do
  [ -n "$name" ] || continue
  grep -qF " $name" <<<"$table" && fail "$name is both gone and in the table (split twins): $out"
done <<<"$gone"
grep -q "leakSessions" <<<"$gone" && fail "leakSessions reads gone: $out"
grep -q "(anonymous:L#" <<<"$out" && fail "a V8 anonymous frame kept its position name, unlike in the other captures: $out"
grep -q "(anonymous:L#1:C#1)" < <(gzip -dc node-heap-1.pb.gz | strings) ||
  echo "note: V8 did not write (anonymous:L#1:C#1) in the first capture this time: the rename was not exercised" >&2
# One leak the JIT moves to its caller (tests/node/jit.js, issue 29): once
# TurboFan inlines openSession into serveRequests, V8 samples its objects
# under serveRequests alone; the two sites are linked as one leak. The
# script picks the capture at which TurboFan optimizes (see its header).
timeout 120 node --expose-gc --allow-natives-syntax --interrupt-budget=1000000000 jit.js "$work" 6 >jit.log 2>&1 || fail "jit.js did not run: $(cat jit.log)"
jit=$("$binary" jit-{1,2,3,4,5,6}.pb.gz 2>jit-err.txt)
grep -qE "continues #[0-9]+ openSession" <<<"$jit" || fail "serveRequests does not continue openSession (inlined): $jit"
grep -qE "its growth goes on at #[0-9]+ serveRequests" <<<"$jit" || fail "openSession is not linked to serveRequests: $jit"
[ $status -eq 0 ] && echo "node: @datadog/pprof series, leak ranked first, no split twins; the JIT's inlining linked as one leak"
exit $status
