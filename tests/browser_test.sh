#!/usr/bin/env bash
# Real-browser test of the HTML report. Headless Chromium opens reports of
# six series (the sarama captures: days; tests' live Go service: seconds,
# estimated counts with intervals, two object sizes; testdata/long: a
# restart at every capture, and no site beyond the noise to list;
# testdata/long-leak: 17 captures of a leak, with --limit; the sarama
# captures as ?debug=1 text: Go's MemStats as a line on the chart;
# testdata/goroutines: a goroutine leak, its table's own headings) at 390x844
# (a phone) and 1400x900, light and dark. The page checks itself when its address ends in #selftest (see
# selfTest in src/output/html/report.js): the page never scrolls sideways,
# the site column of the top row is inside the viewport, no chart text
# renders below 10 px, and clicking a row, filtering it away and clearing the
# filter keep the table and the detail panel consistent, the top site's row
# begins on the first screen, and a long series folds its middle captures
# behind a control that shows them. A headless window
# is at least 500 px wide, so the report is opened in a frame of the exact
# size, and sends its results to the page around it. Screenshots of every
# case go to ARTIFACT_DIR (CI keeps them), the dark ones at the phone's size only.
# Usage: browser_test.sh PPROF_TREND_BINARY SOURCE_DIR ARTIFACT_DIR
set -uo pipefail
binary=$1 source_dir=$2 artifacts=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium is not installed (tools/test.sh installs it): the HTML report was not tested in a browser" >&2
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
cd "$source_dir"
fail=0
failed() { echo "FAIL: $*"; fail=1; }

make_report() {  # make_report NAME PROFILES...
  local name=$1; shift
  "$binary" --html "$work/$name.html" "$@" >/dev/null 2>"$work/$name.err" || failed "$name: the report was not written: $(cat "$work/$name.err")"
}
make_report sarama testdata/sarama/day{1,2,3}.pb.gz
make_report seconds testdata/real/leaksvc-snap1.pb.gz testdata/real/leaksvc-snap4.pb.gz
make_report long testdata/long/day*.pb.gz
make_report longleak --limit 64MiB testdata/long-leak/heap-*.pb.gz
make_report memstats --times 2022-02-11T10:00:00+08:00,2022-02-14T10:00:00+08:00,2022-02-15T10:00:00+08:00 \
  testdata/sarama/day{1,2,3}.heap.txt
make_report goroutines testdata/goroutines/goroutine-*.pb.gz

# run NAME WIDTH HEIGHT MODE: the page's self-test results as attributes, and a screenshot.
run() {
  local name=$1 w=$2 h=$3 mode=$4 flags
  cat >"$work/frame-$name-$w.html" <<HTML
<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="frame" src="$name.html#selftest" width="$w" height="$h" style="border:0;display:block"></iframe>
<div id="result"></div>
<script>
var resized = false;
window.addEventListener('message', function (e) {
  var r = document.getElementById('result');
  for (var k in e.data) r.setAttribute(k, e.data[k]);
  r.setAttribute('data-received', '1');
  // Then a narrower frame (a rotated phone, a smaller window): the page lays its charts out again.
  if (!resized && location.search !== '?screenshot') {
    resized = true;
    var frame = document.getElementById('frame');
    frame.width = String(Math.round($w * 0.8));
    void frame.offsetWidth;  // lay the page out now, so the frame has its new size
  }
});
</script></body></html>
HTML
  flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
         --disable-component-update --disable-sync --user-data-dir="$work/profile"
         --window-size=$((w > 480 ? w + 20 : 500)),$((h + 20)) --virtual-time-budget=10000)
  [ "$mode" = dark ] && flags+=(--force-dark-mode)
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/frame-$name-$w.html" >"$work/dom" 2>"$work/browser.log"
  result=$(grep -o '<div id="result"[^>]*>' "$work/dom" || true)
  # A screenshot of every case but the wider dark ones (the phone's dark one
  # shows the scheme; a launch is 3 s of the suite's CPU-bound time).
  [ "$mode" = dark ] && [ "$w" -gt 390 ] && return
  timeout 120 "$browser" "${flags[@]}" --screenshot="$artifacts/report-$name-${w}x$h-$mode.png" \
    "file://$work/frame-$name-$w.html?screenshot" >/dev/null 2>&1
  [ -s "$artifacts/report-$name-${w}x$h-$mode.png" ] || failed "$name ${w}x$h $mode: no screenshot"
}
attr() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$result"; }
# expect CASE ATTRIBUTE PATTERN WHAT
expect() { grep -qE -- "^($3)\$" <<<"$(attr "$2")" || failed "$1: $4 ($2=\"$(attr "$2")\")"; }

for name in sarama seconds long longleak memstats goroutines; do
  sizes="390x844 1400x900"
  # A page that overflows only once its last chart is drawn: the scrollbar
  # that appears then must not push the first chart out of the page.
  [ $name = long ] && sizes+=" 390x2600"
  for size in $sizes; do
    for mode in light dark; do
      # The last two reports check what their data adds (a line, the
      # headings), which neither the size nor the mode changes: one of each.
      case $name in memstats | goroutines)
        { [ $size = 390x844 ] && [ $mode = dark ]; } || { [ $size = 1400x900 ] && [ $mode = light ]; } || continue ;;
      esac
      run "$name" "${size%x*}" "${size#*x}" "$mode"
      c="$name $size $mode"
      [ -n "$result" ] || { failed "$c: the page sent no self-test results ($(head -c 600 "$work/browser.log"))"; continue; }
      expect "$c" data-errors 0 "no script errors"
      expect "$c" data-viewport "$size" "the viewport is the size asked for"
      expect "$c" data-dark "$([ $mode = dark ] && echo true || echo false)" "the color scheme asked for"
      # Classic scrollbars (as on most desktops): the page must fit beside its vertical scrollbar.
      sw=$(attr data-scroll-width) cw=$(attr data-client-width) vw=${size%x*}
      [ -n "$sw" ] && [ -n "$cw" ] && [ "$sw" -le "$cw" ] && [ "$cw" -le "$vw" ] ||
        failed "$c: the page scrolls sideways (scrollWidth $sw > clientWidth $cw, innerWidth $vw)"
      # testdata/long lists no site (none moved beyond the noise of captures
      # that are each a process of their own): the page says so, and has no
      # row to check; the other two reports must have rows.
      if [ $name = long ]; then
        expect "$c" data-sites 0 "no site listed for a series in which nothing moved beyond the noise"
        expect "$c" data-no-sites-note true "the page says there is nothing to list"
      else
        expect "$c" data-sites "[1-9][0-9]*" "sites listed"
        expect "$c" data-no-sites-note false "no 'nothing to list' note beside listed sites"
        expect "$c" data-site-visible true "the site column of the top row inside the viewport ($(attr data-site-cell))"
        expect "$c" data-selection "clicked:true filtered:true cleared:true" "selection, filter and detail consistent"
        # The leak on the first screen (issue 28): the top site's row begins
        # within the viewport's height, unscrolled.
        top=$(attr data-first-site-top) vh=${size#*x}
        [ -n "$top" ] && [ "$top" -lt "$vh" ] || failed "$c: the top site's row begins at $top px, below the first screen ($vh px)"
      fi
      font=$(attr data-min-chart-font)
      awk -v f="$font" 'BEGIN { exit !(f + 0 >= 10) }' || failed "$c: chart text renders at $font px (< 10)"
      for chart in overview flame; do
        expect "$c" "data-$chart" "[1-9][0-9]*x[1-9][0-9]*" "the $chart chart has a size"
      done
      relaid=$(attr data-relaid-overview); relaid=${relaid%x*}; narrower=$((vw * 8 / 10))
      expect "$c" data-relaid-viewport "$narrower" "a frame resized to $narrower px"
      [ -n "$relaid" ] && [ "$relaid" -le "$narrower" ] && [ "$relaid" -ge $((narrower * 75 / 100)) ] ||
        failed "$c: after resizing to $narrower px the overview chart is $relaid px wide"
      w=$(attr data-overview); w=${w%x*}
      [ -n "$w" ] && [ "$w" -ge $((vw * 80 / 100)) ] || failed "$c: the overview chart is $w px wide in a $vw px viewport"
      case $name in
        sarama)
          expect "$c" data-top-row '1\+136MiB\+34MiB8MiB\+17growingsarama.\(\*asyncProducer\).newPartitionProducer' \
            "the top row to name newPartitionProducer with 8MiB per object"
          expect "$c" data-x-labels '02-11\|02-14\|02-15' "dates for captures days apart"
          expect "$c" data-y-ticks '0\|100MiB\|200MiB\|300MiB\|400MiB|0\|200MiB\|400MiB' "round ticks" ;;
        seconds)
          expect "$c" data-x-labels '[0-9]{2}:[0-9]{2}:[0-9]{2}\|[0-9]{2}:[0-9]{2}:[0-9]{2}' "clock times with seconds for captures seconds apart"
          expect "$c" data-error-bars '[1-9][0-9]*' "error bars on the estimated series"
          expect "$c" data-size-rows 2 "the growth split by object size" ;;
        long)
          expect "$c" data-restart-marks 14 "a mark per restart" ;;
        longleak)
          expect "$c" data-capture-rows 6 "17 captures folded to the first and last 3"
          expect "$c" data-capture-rows-all 17 "all 17 captures once unfolded"
          expect "$c" data-top-row '1.*growingmain.leakRequest' "the leak ranked first"
          expect "$c" data-limit-lines 1 "--limit 64MiB drawn as a line on the memory chart"
          expect "$c" data-limit-label 'limit 64MiB: reached ~2026-12-06 05:20:24 UTC' "the limit's line says when it is reached" ;;
        memstats)
          expect "$c" data-process-lines 'held:3' "Go's memory held from the OS (MemStats) drawn as a line through the 3 captures" ;;
        goroutines)
          expect "$c" data-top-row '1\+132\+30324KiBchan receivegrowingmain.waitForReply' \
            "the leaking goroutine stack first, with its stack memory and its wait" ;;
      esac
    done
  done
done
[ $fail -eq 0 ] && echo "browser test passed: 6 reports x 390x844, 1400x900 (and 390x2600 for one) x light, dark (the last two: 390x844 dark and 1400x900 light); screenshots in $artifacts"
exit $fail
