#!/usr/bin/env bash
# Real-browser test of the HTML report: headless Chromium opens the report of
# the sarama captures; the page records what it rendered in #selftest (sizes
# of its SVG charts, the top table row, errors caught by window.onerror and
# console.error). Saves a screenshot to build/artifacts/report.png.
# Usage: browser_test.sh PPROF_TREND_BINARY SOURCE_DIR ARTIFACT_DIR
set -euo pipefail
binary=$1 source_dir=$2 artifacts=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed (tools/test.sh installs it)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
cd "$source_dir"
"$binary" --html "$work/report.html" testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz testdata/sarama/day3.pb.gz >/dev/null
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/profile" --window-size=1300,2400)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/report.html" > "$work/dom.html" 2>"$work/browser.log"
timeout 120 "$browser" "${flags[@]}" --screenshot="$artifacts/report.png" "file://$work/report.html" >/dev/null 2>&1
selftest=$(grep -o '<div id="selftest"[^>]*>' "$work/dom.html" || true)
echo "$selftest"
fail=0
check() { if ! grep -q -- "$1" <<<"$selftest"; then echo "FAIL: expected $2"; fail=1; fi; }
check 'data-errors="0"' "no script errors ($(sed -n '/id="selftest"/,/<\/div>/p' "$work/dom.html" | head -5))"
check 'data-top-row="1+136MiB+34MiB8MiB+17growingsarama.(\*asyncProducer).newPartitionProducer"' \
  "the top row to name newPartitionProducer with 8MiB per object"
for chart in overview flame detail; do
  if grep -q "data-$chart=\"0x0\"\|data-$chart=\"0x\|data-$chart=\"[0-9]*x0\"" <<<"$selftest" || ! grep -q "data-$chart=\"[1-9]" <<<"$selftest"; then
    echo "FAIL: the $chart chart has no size"; fail=1
  fi
done
[ -s "$artifacts/report.png" ] || { echo "FAIL: no screenshot"; fail=1; }
[ $fail -eq 0 ] && echo "browser test passed; screenshot: $artifacts/report.png"
exit $fail
