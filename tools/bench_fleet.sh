#!/usr/bin/env bash
# The fleet benchmarks of issue 32, against Debian's clickhouse-server
# started here on loopback ports (a temporary directory, stopped by its PID):
#   push: the 720 captures of build/bench/month (20,000 samples each, made by
#     tools/bench.sh) with --init into empty tables, beside clickhouse-client
#     inserting the same rows from a TabSeparated file (the engine's floor);
#   fleet: 200 instances x 24 hourly captures x 5,000 sites (24 million rows,
#     made inside the server), 3 leaking sites planted in 100, 30 and 10
#     instances of two versions: the time and peak RSS of `fleet`, and
#     whether the three rank first with those counts.
# Median of RUNS runs (default 3). Run by tools/bench.sh, or alone:
#   tools/bench_fleet.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bin=build/pprof-trend
command -v clickhouse-server >/dev/null || { echo "bench_fleet: clickhouse-server is not installed (tools/install-deps.sh clickhouse-server clickhouse-client)"; exit 0; }
# The client is the push benchmark's floor; tools/test.sh installs only the server.
command -v clickhouse-client >/dev/null || ./tools/install-deps.sh clickhouse-client >/dev/null
[ -d build/bench/month ] || { echo "bench_fleet: build/bench/month is missing (tools/bench.sh makes it)"; exit 1; }
work=$(mktemp -d)
read -r http_port tcp_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cat >"$work/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$work/server.log</log><errorlog>$work/server.err.log</errorlog></logger>
  <http_port>$http_port</http_port><tcp_port>$tcp_port</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$work/data/</path><tmp_path>$work/tmp/</tmp_path><user_files_path>$work/user_files/</user_files_path>
  <format_schema_path>$work/format_schemas/</format_schema_path><users_config>$work/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
XML
cat >"$work/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
clickhouse-server --config-file="$work/config.xml" >"$work/stdout.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
url="http://127.0.0.1:$http_port"
for _ in $(seq 100); do curl -sf "$url/?query=SELECT%201" >/dev/null 2>&1 && break; sleep 0.2; done
q() { curl -sf --data-binary "$1" "$url/"; }
median() { sort -g | sed -n "$(((runs + 1) / 2))p"; }

echo "bench_fleet: clickhouse-server $(q 'SELECT version()') on 127.0.0.1:$http_port, median of $runs runs"
push_times=() floor_times=()
for ((i = 0; i < runs; i++)); do
  q "DROP TABLE IF EXISTS pprof_trend_samples" && q "DROP TABLE IF EXISTS pprof_trend_sites" && q "DROP TABLE IF EXISTS pprof_trend_captures"
  /usr/bin/time -o "$work/t" -f '%e %M' "$bin" push --init --clickhouse "$url" --service month --instance pod-1 build/bench/month/ >/dev/null 2>&1
  push_times+=("$(cut -d' ' -f1 "$work/t")"); push_rss=$(cut -d' ' -f2 "$work/t")
  q "SELECT * FROM pprof_trend_samples FORMAT TabSeparated" >"$work/rows.tsv"
  q "DROP TABLE IF EXISTS floor" && q "CREATE TABLE floor AS pprof_trend_samples"
  /usr/bin/time -o "$work/t" -f '%e' clickhouse-client --port "$tcp_port" --query "INSERT INTO floor FORMAT TabSeparated" <"$work/rows.tsv"
  floor_times+=("$(cat "$work/t")")
done
rows=$(q "SELECT count() FROM pprof_trend_samples")
push=$(printf '%s\n' "${push_times[@]}" | median) floor=$(printf '%s\n' "${floor_times[@]}" | median)
printf 'push, 720 captures (%s rows):            %6.2f s, peak RSS %.0f MB\n' "$rows" "$push" "$(echo "$push_rss / 1024" | bc -l)"
printf 'clickhouse-client, the same rows (TSV):     %6.2f s\n' "$floor"
printf 'push / clickhouse-client:                   %6.2fx   (target <= 2x)\n' "$(echo "$push / $floor" | bc -l)"

q "DROP TABLE IF EXISTS pprof_trend_samples" && q "DROP TABLE IF EXISTS pprof_trend_sites" && q "DROP TABLE IF EXISTS pprof_trend_captures"
"$bin" push --init --clickhouse "$url" --service x --instance y
q "INSERT INTO pprof_trend_samples SELECT 'benchsvc', concat('pod-', toString(i)), if(i < 100, 'v1', 'v2'), 'p1', toUInt64(100000 + i * 100 + c), toDateTime(1764979200 + 3600 * c), 524288, toUInt64(1000 + s), 0, b, intDiv(b, 1024), 0, 0, 1 FROM (SELECT toInt64(number % 200) AS i, toInt64(intDiv(number, 200) % 24) AS c, toInt64(intDiv(number, 4800)) AS s, if((s = 0 AND i >= 100) OR (s = 1 AND i >= 100 AND i < 130) OR (s = 2 AND i < 10), toInt64(8388608 * (c + 1)), toInt64(((s * 7919) % 60 + 4) * 524288) + (toInt64(cityHash64(number) % 2000) - 1000) * 1500) AS b FROM numbers(24000000))"
q "INSERT INTO pprof_trend_captures SELECT 'benchsvc', concat('pod-', toString(i)), toUInt64(100000 + i * 100 + c), toDateTime(1764979200 + 3600 * c), concat('/captures/pod-', toString(i), '/', toString(c), '.pb.gz'), 5000, if(i < 100, 'v1', 'v2'), 'p1', 524288 FROM (SELECT number % 200 AS i, intDiv(number, 200) AS c FROM numbers(4800))"
q "INSERT INTO pprof_trend_sites SELECT toUInt64(1000 + number), ['main.main', concat('svc.site', toString(number))], ['main.go', 'svc.go'] FROM numbers(5000)"
fleet_times=() fleet_rss=()
for ((i = 0; i < runs; i++)); do
  /usr/bin/time -o "$work/t" -f '%e %M' "$bin" fleet --clickhouse "$url" --service benchsvc --format json >"$work/fleet.json" 2>/dev/null
  fleet_times+=("$(cut -d' ' -f1 "$work/t")"); fleet_rss+=("$(cut -d' ' -f2 "$work/t")")
done
right=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = [(n["function"], n["instances_growing"], n["versions"]) for n in d["nodes"][:3]]
print("yes" if got == [("svc.site0", 100, ["v2"]), ("svc.site1", 30, ["v2"]), ("svc.site2", 10, ["v1"])] else "NO: %r" % got)' "$work/fleet.json")
printf 'fleet, 200 x 24 x 5,000 (%s rows):     %6.2f s   (target <= 10 s), peak RSS %.0f MB (target < 500 MB)\n' \
  "$(q 'SELECT count() FROM pprof_trend_samples')" "$(printf '%s\n' "${fleet_times[@]}" | median)" \
  "$(echo "$(printf '%s\n' "${fleet_rss[@]}" | median) / 1024" | bc -l)"
echo "fleet: the 3 planted leaks first with their instance counts and versions: $right"
