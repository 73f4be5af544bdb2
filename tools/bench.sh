#!/usr/bin/env bash
# Whole-process benchmark of pprof-trend on large synthetic heap profiles,
# side by side with the decompression floors (gzip -dc, and the fastest
# decoder installed: igzip -dc from isa-l, else libdeflate-gunzip) and, when
# Go is installed, go tool pprof. Median of RUNS runs (default 5) of wall
# time and peak RSS; CPU% above 100 means both cores were busy.
#   tools/bench.sh [RUNS] [--no-go]     (--no-go: skip go tool pprof, ~90 s a run)
# Data (made once by build/tools/gen_profiles, deterministic):
#   build/bench/big/     3 captures x 300k samples, 60k locations, 30-frame stacks (~34 MB raw each)
#   build/bench/series/  30 captures x 30k samples (~3.4 MB raw each)
#   build/bench/month/   720 captures x 20k samples, 15k locations, depth 20 (~2.3 MB raw, 1.2 MB
#                        gzipped each: a month of hourly captures; made in about a minute);
#                        build/bench/month72/ links its first 72
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
with_go=1
[ "${2:-}" = "--no-go" ] && with_go=0
./tools/install-deps.sh time bc isal libdeflate-tools >/dev/null   # GNU time, bc; igzip, libdeflate-gunzip
./tools/build.sh pprof-trend gen_profiles >/dev/null
bin=build/pprof-trend
big=build/bench/big series=build/bench/series
if [ ! -f "$big/day03.pb.gz" ]; then
  mkdir -p "$big" && build/tools/gen_profiles --out "$big" --captures 3 --samples 300000 --locations 60000 \
    --functions 20000 --depth 30 >/dev/null
fi
if [ ! -f "$series/day30.pb.gz" ]; then
  mkdir -p "$series" && build/tools/gen_profiles --out "$series" --captures 30 --samples 30000 --locations 20000 \
    --functions 8000 --depth 30 --seed 2 >/dev/null
fi
month=build/bench/month month72=build/bench/month72
if [ ! -f "$month/day720.pb.gz" ]; then
  mkdir -p "$month" && build/tools/gen_profiles --out "$month" --captures 720 --samples 20000 --locations 15000 \
    --functions 6000 --depth 20 --seed 3 >/dev/null
fi
if [ ! -e "$month72/day72.pb.gz" ]; then
  mkdir -p "$month72"
  for i in $(seq -f '%02g' 1 72); do ln -sf "../month/day$i.pb.gz" "$month72/day$i.pb.gz"; done
fi
# The fastest gzip decoder here: isa-l's igzip, else libdeflate's (one file a process).
if command -v igzip >/dev/null 2>&1; then
  fast_name="igzip -dc"; fast_decode() { igzip -dc "$@"; }
else
  fast_name="libdeflate-gunzip"; fast_decode() { local f; for f in "$@"; do libdeflate-gunzip -c "$f"; done; }
fi
export -f fast_decode 2>/dev/null || true
raw_bytes() { local total=0 n; for f in "$@"; do n=$(gzip -dc "$f" | wc -c); total=$((total + n)); done; echo "$total"; }
big_files=("$big"/day0{1,2,3}.pb.gz)
series_files=("$series"/day*.pb.gz)
big_raw=$(raw_bytes "${big_files[@]}")
series_raw=$(raw_bytes "${series_files[@]}")
printf 'inputs: 3 x %s MB raw (%s MB gzipped); 30 x %s MB raw\n' \
  "$((big_raw / 3 / 1000000))" "$(($(cat "${big_files[@]}" | wc -c) / 3 / 1000000))" "$((series_raw / 30 / 1000000))"

# measure LABEL COMMAND...: prints the medians and sets MEDIAN_WALL, MEDIAN_RSS_KB.
measure() {
  local label=$1; shift
  local walls=() rsss=() cpus=() out
  local stats
  stats=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -o "$stats" -f '%e %M %P' "$@" >/dev/null 2>/dev/null
    out=$(tail -1 "$stats")
    walls+=("$(cut -d' ' -f1 <<<"$out")"); rsss+=("$(cut -d' ' -f2 <<<"$out")"); cpus+=("$(cut -d' ' -f3 <<<"$out")")
  done
  rm -f "$stats"
  MEDIAN_WALL=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  MEDIAN_RSS_KB=$(printf '%s\n' "${rsss[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  local cpu
  cpu=$(printf '%s\n' "${cpus[@]}" | tr -d '%' | sort -g | sed -n "$(((runs + 1) / 2))p")
  printf '%-52s %8.2f s %9.1f MB %5s%% CPU\n' "$label" "$MEDIAN_WALL" "$(echo "$MEDIAN_RSS_KB / 1024" | bc -l)" "$cpu"
}

echo "median of $runs runs: wall time, peak RSS, CPU"
measure "gzip -dc (3 big, the floor)" sh -c "gzip -dc ${big_files[*]} > /dev/null"; floor=$MEDIAN_WALL
measure "$fast_name (3 big, the fastest decoder)" bash -c "fast_decode ${big_files[*]} > /dev/null"; fast_floor=$MEDIAN_WALL
measure "gzip -dc (1 big)" sh -c "gzip -dc ${big_files[0]} > /dev/null"; floor1=$MEDIAN_WALL
measure "pprof-trend inspect (1 big)" "$bin" inspect "${big_files[0]}"; inspect=$MEDIAN_WALL
measure "pprof-trend, 3 big, text" "$bin" "${big_files[@]}"; text=$MEDIAN_WALL; text_rss=$MEDIAN_RSS_KB
measure "pprof-trend, 3 big, --format json" "$bin" --format json "${big_files[@]}"; json=$MEDIAN_WALL; json_rss=$MEDIAN_RSS_KB
measure "pprof-trend, 3 big, --html" "$bin" --html build/bench/report.html "${big_files[@]}"; html=$MEDIAN_WALL; html_rss=$MEDIAN_RSS_KB
measure "pprof-trend, 30 series, text" "$bin" "${series_files[@]}"; series_time=$MEDIAN_WALL; series_rss=$MEDIAN_RSS_KB
measure "pprof-trend, 3 of the series, text" "$bin" "${series_files[@]:0:3}"; series3_time=$MEDIAN_WALL; series3_rss=$MEDIAN_RSS_KB
measure "gzip -dc (720 month, one core)" sh -c "gzip -dc $month/*.pb.gz > /dev/null"; month_floor=$MEDIAN_WALL
measure "$fast_name (720 month)" bash -c "fast_decode $month/*.pb.gz > /dev/null"; month_fast=$MEDIAN_WALL
measure "pprof-trend, 720 month (a directory), text" "$bin" "$month/"; month_time=$MEDIAN_WALL; month_rss=$MEDIAN_RSS_KB
measure "pprof-trend, its first 72, text" "$bin" "$month72/"; month72_time=$MEDIAN_WALL
go_time=""
if [ "$with_go" = 1 ] && command -v go >/dev/null 2>&1; then
  measure "go tool pprof -top -diff_base day01 day03 (big)" go tool pprof -top -diff_base "${big_files[0]}" "${big_files[2]}"
  go_time=$MEDIAN_WALL
fi
echo
ratio() { echo "$1 / $2" | bc -l; }
printf 'pprof-trend / gzip floor (3 big):          text %.2fx, json %.2fx, html %.2fx   (target <= 1.2x)\n' \
  "$(ratio "$text" "$floor")" "$(ratio "$json" "$floor")" "$(ratio "$html" "$floor")"
printf 'pprof-trend / %s (3 big):    text %.2fx\n' "$fast_name" "$(ratio "$text" "$fast_floor")"
printf 'peak RSS / raw input size (3 big):         text %.2fx, json %.2fx, html %.2fx   (target <= 3.5x)\n' \
  "$(ratio "$text_rss * 1024" "$big_raw")" "$(ratio "$json_rss * 1024" "$big_raw")" "$(ratio "$html_rss * 1024" "$big_raw")"
if [ -n "$go_time" ]; then
  printf 'go tool pprof -diff_base / pprof-trend:    %.1fx   (target >= 20x; pprof-trend reads 3 files, pprof 2)\n' \
    "$(echo "$go_time / $text" | bc -l)"
fi
printf '30 vs 3 captures of the series: time %.1fx for 10x the bytes; peak RSS %.2fx\n' \
  "$(echo "$series_time / $series3_time" | bc -l)" "$(echo "$series_rss / $series3_rss" | bc -l)"
printf 'inspect / gzip -dc (1 big):                %.2fx   (target <= 1.5x)\n' "$(ratio "$inspect" "$floor1")"
printf '720 captures / gzip -dc of them:           %.2fx   (target <= 1.0x); / %s %.2fx\n' \
  "$(ratio "$month_time" "$month_floor")" "$fast_name" "$(ratio "$month_time" "$month_fast")"
printf '720 / 72 captures:                         time %.1fx   (target <= 11)\n' "$(ratio "$month_time" "$month72_time")"
printf '720 captures, peak RSS:                    %.0f MB   (target <= 250 MB)\n' "$(echo "$month_rss / 1024" | bc -l)"
