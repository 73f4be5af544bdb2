#!/usr/bin/env bash
# pprof-trend push against Debian's clickhouse-server, started here as a
# plain process on 127.0.0.1 with its config in a temporary directory and
# stopped by its PID (src/capture/FLEET.md): the sarama captures pushed
# with --init store, per capture, rows whose in-use bytes sum to the
# capture's total as pprof-trend reads it; pushing them again stores
# nothing more; a user the server makes read-only is refused with exit 2
# and the server's reason. Exit 77 (skipped, loudly) without
# clickhouse-server (tools/install-deps.sh clickhouse-server).
#   tests/clickhouse_push_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$1 source=$2 work=$3
if ! command -v clickhouse-server >/dev/null 2>&1; then
  echo "SKIPPED: clickhouse-server is not installed (tools/install-deps.sh clickhouse-server): push was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
read -r http_port tcp_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cat >"$work/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$work/server.log</log><errorlog>$work/server.err.log</errorlog></logger>
  <http_port>$http_port</http_port>
  <tcp_port>$tcp_port</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$work/data/</path>
  <tmp_path>$work/tmp/</tmp_path>
  <user_files_path>$work/user_files/</user_files_path>
  <format_schema_path>$work/format_schemas/</format_schema_path>
  <users_config>$work/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
XML
cat >"$work/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles><default></default><readonly><readonly>1</readonly></readonly></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reader><password></password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
clickhouse-server --config-file="$work/config.xml" >"$work/stdout.log" 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$server" 2>/dev/null
  wait "$server" 2>/dev/null
}
trap stop EXIT
url="http://127.0.0.1:$http_port"
for _ in $(seq 100); do curl -sf "$url/?query=SELECT%201" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$url/?query=SELECT%201" >/dev/null || { echo "FAIL: clickhouse-server did not start: $(tail -3 "$work/server.err.log" "$work/stdout.log")"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }
q() { curl -s --data-binary "$1" "$url/"; }

cd "$source" || exit 1
days=(testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz testdata/sarama/day3.pb.gz)
"$binary" push --clickhouse "$url" --service facesvc --instance pod-1 --init "${days[@]}" >"$work/push1.txt" 2>"$work/push1.err" ||
  fail "push --init: $(cat "$work/push1.err")"
[ "$(grep -c '^pushed ' "$work/push1.txt")" -eq 3 ] || fail "three captures pushed: $(cat "$work/push1.txt")"
# Each capture's rows sum to its in-use total as pprof-trend reads it.
want=$("$binary" --format json "${days[@]}" | python3 -c '
import json, sys
print(" ".join(str(p["total_bytes"]) for p in json.load(sys.stdin)["profiles"]))')
got=$(q "SELECT sum(inuse_bytes) FROM pprof_trend_samples WHERE service = 'facesvc' GROUP BY time ORDER BY time" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "the stored in-use bytes per capture are [$got], the captures' totals [$want]"
rows=$(q "SELECT count() FROM pprof_trend_samples")
captures=$(q "SELECT count() FROM pprof_trend_captures FINAL")
[ "$captures" -eq 3 ] || fail "$captures captures stored, not 3"
# The same captures again (and a directory holding them): nothing more.
"$binary" push --clickhouse "$url" --service facesvc --instance pod-1 "${days[@]}" >"$work/push2.txt" 2>"$work/push2.err" ||
  fail "the second push: $(cat "$work/push2.err")"
[ "$(grep -c 'already stored for facesvc/pod-1' "$work/push2.txt")" -eq 3 ] || fail "the second push stored again: $(cat "$work/push2.txt")"
[ "$(q "SELECT count() FROM pprof_trend_samples")" = "$rows" ] || fail "the second push added rows"
# Sites: each key's frames once, newPartitionProducer's among them.
q "SELECT functions FROM pprof_trend_sites FINAL" | grep -q 'newPartitionProducer' || fail "no site names newPartitionProducer"
# A refused insert: exit 2, the server's reason.
"$binary" push --clickhouse "$url/?user=reader" --service facesvc --instance pod-2 "${days[0]}" >/dev/null 2>"$work/refused.err"
code=$?
[ $code -eq 2 ] || fail "a refused insert exited $code, not 2"
grep -q "Cannot insert into table in readonly mode" "$work/refused.err" || fail "the refusal does not say why: $(cat "$work/refused.err")"

# fleet: a generated fleet with known truth (tests/gen_fleet.py), stored as
# push stores it: the three leaks first, in the right number of instances
# and versions, and none of the 300 stable sites.
python3 "$source/tests/gen_fleet.py" "$work" || fail "tests/gen_fleet.py"
for table in samples captures sites; do
  curl -sf --data-binary @"$work/$table.tsv" "$url/?query=INSERT%20INTO%20pprof_trend_$table%20FORMAT%20TabSeparated" ||
    fail "inserting the generated fleet's $table"
done
"$binary" fleet --clickhouse "$url" --service fleetsvc --format json >"$work/fleet.json" 2>"$work/fleet.err" ||
  fail "fleet: $(cat "$work/fleet.err")"
python3 - "$work/fleet.json" <<'PY' || fail "fleet's answer: $(head -c 600 "$work/fleet.json")"
import json, sys
d = json.load(open(sys.argv[1]))
got = [(n["function"], n["instances_growing"], n["instances_seen"], n["versions"]) for n in d["nodes"]]
want = [("leak.versionWide", 20, 20, ["v2.3.1"]), ("leak.someInstances", 7, 7, ["v2.3.1"]),
        ("leak.oldVersion", 3, 3, ["v2.3.0"])]
assert got == want, "got %r" % got
assert d["instances"] == 40, d["instances"]
worst = d["nodes"][0]["worst_instances"][0]
assert worst["reproduce"].startswith("pprof-trend /captures/"), worst
PY
"$binary" fleet --clickhouse "$url" --service fleetsvc >"$work/fleet.txt" 2>&1 || fail "fleet (text): $(cat "$work/fleet.txt")"
grep -q "20 of 20 .*leak.versionWide" "$work/fleet.txt" || fail "fleet's table: $(cat "$work/fleet.txt")"
[ $status -eq 0 ] && echo "clickhouse: 3 captures pushed to clickhouse-server $(q 'SELECT version()') ($rows rows, their sums the captures' totals), again: none; a read-only user refused; fleet ranked the 3 planted leaks of 40 generated instances with their instance counts and versions"
exit $status
