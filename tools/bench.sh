#!/usr/bin/env bash
# Whole-process benchmark of pprof-trend on large synthetic heap profiles,
# side by side with the decompression floors (gzip -dc, and the fastest
# decoder installed: igzip -dc from isa-l, else libdeflate-gunzip) and, when
# Go is installed, go tool pprof. Median of RUNS runs (default 5; at least 9
# of a command under 2 s) of wall time and peak RSS; CPU% above 100
# means both cores were busy.
#   tools/bench.sh [RUNS] [--no-go]     (--no-go: skip go tool pprof, ~90 s a run)
# Data (made once by build/tools/gen_profiles, deterministic):
#   build/bench/big/     3 captures x 300k samples, 60k locations, 30-frame stacks (~34 MB raw each)
#   build/bench/series/  30 captures x 30k samples (~3.4 MB raw each)
#   build/bench/month/   720 captures x 20k samples, 15k locations, depth 20 (~2.3 MB raw, 1.2 MB
#                        gzipped each: a month of hourly captures; made in about a minute);
#                        build/bench/month72/ links its first 72
# and, in Go's own layout and value shapes (build/tools/gen_go_profiles: interleaved locations and
# functions, strings last, scaled values, bytes labels, 20% inlined locations, two mappings):
#   build/bench/gobig/    3 captures x 250k samples (~29 MB raw, 16 MB gzipped each)
#   build/bench/gomonth/  720 hourly captures whose samples grow from 20k to 63k as call paths
#                         appear (1.2 GB gzipped); build/bench/gomonth72/ links its first 72
#   build/bench/fleet/    2,000 small captures (2k samples each), one directory
# and, with clickhouse-server installed, tools/bench_fleet.sh: push of the month beside clickhouse-client,
# and fleet over 24 million generated rows.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
with_go=1
[ "${2:-}" = "--no-go" ] && with_go=0
./tools/install-deps.sh time bc isal libdeflate-tools >/dev/null   # GNU time, bc; igzip, libdeflate-gunzip
./tools/build.sh pprof-trend gen_profiles gen_go_profiles >/dev/null
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
gen=build/tools/gen_go_profiles
gobig=build/bench/gobig gomonth=build/bench/gomonth gomonth72=build/bench/gomonth72 fleet=build/bench/fleet
if [ ! -f "$gobig/capture03.pb.gz" ]; then
  mkdir -p "$gobig" && $gen --out "$gobig" --captures 3 --samples 250000 --locations 60000 --functions 20000 \
    --depth 30 >/dev/null
fi
if [ ! -f "$gomonth/capture720.pb.gz" ]; then
  mkdir -p "$gomonth" && $gen --out "$gomonth" --captures 720 --samples 20000 --grow-to 63000 --locations 15000 \
    --functions 6000 --depth 20 --interval 3600 --seed 3 >/dev/null
fi
if [ ! -e "$gomonth72/capture072.pb.gz" ]; then
  mkdir -p "$gomonth72"
  for i in $(seq -f '%03g' 1 72); do ln -sf "../gomonth/capture$i.pb.gz" "$gomonth72/capture$i.pb.gz"; done
fi
if [ ! -f "$fleet/capture2000.pb.gz" ]; then
  mkdir -p "$fleet" && $gen --out "$fleet" --captures 2000 --samples 2000 --locations 4000 --functions 1500 \
    --depth 16 --interval 300 --seed 4 >/dev/null
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
# A command that takes under 2 s is run at least quick_runs times: on a
# VM whose host takes back freed pages, a short run's time depends on
# whether the pages it touches are still backed (the same run of the 3
# Go-shaped big takes 0.4 or 1 s), and a median of 3 can be one of the slow.
quick_runs=9
measure() {
  local label=$1; shift
  local walls=() rsss=() cpus=() out n=$runs
  local stats
  stats=$(mktemp)
  for ((i = 0; i < n; i++)); do
    /usr/bin/time -o "$stats" -f '%e %M %P' "$@" >/dev/null 2>/dev/null
    out=$(tail -1 "$stats")
    walls+=("$(cut -d' ' -f1 <<<"$out")"); rsss+=("$(cut -d' ' -f2 <<<"$out")"); cpus+=("$(cut -d' ' -f3 <<<"$out")")
    if ((i == 0 && n < quick_runs)) && [ "$(echo "${walls[0]} < 2" | bc)" = 1 ]; then n=$quick_runs; fi
  done
  rm -f "$stats"
  MEDIAN_WALL=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((n + 1) / 2))p")
  MEDIAN_RSS_KB=$(printf '%s\n' "${rsss[@]}" | sort -g | sed -n "$(((n + 1) / 2))p")
  local cpu
  cpu=$(printf '%s\n' "${cpus[@]}" | tr -d '%' | sort -g | sed -n "$(((n + 1) / 2))p")
  printf '%-52s %8.2f s %9.1f MB %5s%% CPU\n' "$label" "$MEDIAN_WALL" "$(echo "$MEDIAN_RSS_KB / 1024" | bc -l)" "$cpu"
}

echo "median of $runs runs ($quick_runs of a command under 2 s): wall time, peak RSS, CPU"
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
# Go-shaped inputs (gen_go_profiles).
gobig_files=("$gobig"/capture0{1,2,3}.pb.gz)
gobig_raw=$(raw_bytes "${gobig_files[@]}")
gomonth_raw=$(raw_bytes "$gomonth"/capture*.pb.gz)
gomonth72_raw=$(raw_bytes "$gomonth72"/capture*.pb.gz)
measure "gzip -dc (3 Go-shaped big)" sh -c "gzip -dc ${gobig_files[*]} > /dev/null"; gobig_gzip=$MEDIAN_WALL
measure "$fast_name (3 Go-shaped big)" bash -c "fast_decode ${gobig_files[*]} > /dev/null"; gobig_fast=$MEDIAN_WALL
measure "$fast_name (1 Go-shaped big)" bash -c "fast_decode ${gobig_files[0]} > /dev/null"; gobig_fast1=$MEDIAN_WALL
measure "pprof-trend inspect (1 Go-shaped big)" "$bin" inspect "${gobig_files[0]}"; gobig_inspect=$MEDIAN_WALL
measure "pprof-trend, 3 Go-shaped big, text" "$bin" "${gobig_files[@]}"; gobig_text=$MEDIAN_WALL; gobig_rss=$MEDIAN_RSS_KB
measure "gzip -dc (720 growing month)" sh -c "gzip -dc $gomonth/*.pb.gz > /dev/null"; gomonth_gzip=$MEDIAN_WALL
measure "$fast_name (720 growing month)" bash -c "fast_decode $gomonth/*.pb.gz > /dev/null"; gomonth_fast=$MEDIAN_WALL
measure "pprof-trend, 720 growing month, text" "$bin" "$gomonth/"; gomonth_time=$MEDIAN_WALL; gomonth_rss=$MEDIAN_RSS_KB
measure "pprof-trend, its first 72, text" "$bin" "$gomonth72/"; gomonth72_time=$MEDIAN_WALL
measure "gzip -dc (fleet: 2,000 small)" sh -c "gzip -dc $fleet/*.pb.gz > /dev/null"; fleet_gzip=$MEDIAN_WALL
measure "$fast_name (fleet: 2,000 small)" bash -c "fast_decode $fleet/*.pb.gz > /dev/null"; fleet_fast=$MEDIAN_WALL
measure "pprof-trend, fleet: 2,000 small, text" "$bin" "$fleet/"; fleet_time=$MEDIAN_WALL; fleet_rss=$MEDIAN_RSS_KB
go_time=""
if [ "$with_go" = 1 ] && command -v go >/dev/null 2>&1; then
  measure "go tool pprof -top -diff_base day01 day03 (big)" go tool pprof -top -diff_base "${big_files[0]}" "${big_files[2]}"
  go_time=$MEDIAN_WALL
  # Once (a run takes minutes): pprof's own diff of the Go-shaped pair.
  runs_saved=$runs runs=1
  measure "go tool pprof -top -diff_base (Go-shaped big, 1 run)" go tool pprof -top -diff_base "${gobig_files[0]}" "${gobig_files[2]}"
  gobig_go=$MEDIAN_WALL runs=$runs_saved
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
echo
echo "Go-shaped (gen_go_profiles):"
printf '3 big / %s:                  text %.2fx (target <= 3x); / gzip -dc %.2fx\n' "$fast_name" \
  "$(ratio "$gobig_text" "$gobig_fast")" "$(ratio "$gobig_text" "$gobig_gzip")"
printf '3 big, peak RSS / raw size:                %.2fx   (target <= 1.5x)\n' "$(ratio "$gobig_rss * 1024" "$gobig_raw")"
printf 'inspect (1 big) / %s:         %.2fx   (target <= 2x)\n' "$fast_name" "$(ratio "$gobig_inspect" "$gobig_fast1")"
printf '720 growing month / %s:       %.2fx   (target <= 1.5x); / gzip -dc %.2fx\n' "$fast_name" \
  "$(ratio "$gomonth_time" "$gomonth_fast")" "$(ratio "$gomonth_time" "$gomonth_gzip")"
printf '720 / 72 growing: time %.1fx for %.1fx the raw bytes   (target <= 1.2 x that)\n' \
  "$(ratio "$gomonth_time" "$gomonth72_time")" "$(ratio "$gomonth_raw" "$gomonth72_raw")"
printf '720 growing month, peak RSS:               %.0f MB   (target <= 300 MB)\n' "$(echo "$gomonth_rss / 1024" | bc -l)"
printf 'fleet of 2,000 / %s:          %.2fx; / gzip -dc %.2fx; peak RSS %.0f MB\n' "$fast_name" \
  "$(ratio "$fleet_time" "$fleet_fast")" "$(ratio "$fleet_time" "$fleet_gzip")" "$(echo "$fleet_rss / 1024" | bc -l)"
if [ -n "${gobig_go:-}" ]; then
  printf 'go tool pprof -diff_base (Go-shaped pair) / pprof-trend (3): %.1fx\n' "$(ratio "$gobig_go" "$gobig_text")"
fi
echo
# The fleet on ClickHouse (issue 32): push and fleet against a local server.
tools/bench_fleet.sh "$runs"
