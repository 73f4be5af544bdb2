#!/usr/bin/env bash
# pprof-trend push against Debian's clickhouse-server, started here as a
# plain process on 127.0.0.1 with its config in a temporary directory and
# stopped by its PID (src/capture/FLEET.md), and a second one with it as a
# two-shard cluster: the sarama captures pushed
# with --init store, per capture, rows whose in-use bytes sum to the
# capture's total as pprof-trend reads it; pushing them again stores
# nothing more; a user the server makes read-only is refused with exit 2
# and the server's reason; fleet ranks a generated fleet's planted leaks
# with their instance counts and versions, and gives the same answer from
# the two shards (a Distributed table sharded by site). Exit 77 (skipped, loudly) without
# clickhouse-server (tools/install-deps.sh clickhouse-server).
#   tests/clickhouse_push_test.sh PPROF_TREND SOURCE_DIR WORK_DIR
set -uo pipefail
binary=$1 source=$2 work=$3 gen=$4  # gen: build/tools/gen_go_profiles
if ! command -v clickhouse-server >/dev/null 2>&1; then
  echo "SKIPPED: clickhouse-server is not installed (tools/install-deps.sh clickhouse-server): push was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
read -r http_port tcp_port http_port2 tcp_port2 < <(python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
# config DIR HTTP_PORT TCP_PORT: a server's config in DIR, with the
# cluster two_shards of both servers (the second starts for the cluster test).
config() {
  mkdir -p "$1"
  cat >"$1/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$1/server.log</log><errorlog>$1/server.err.log</errorlog></logger>
  <http_port>$2</http_port>
  <tcp_port>$3</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$1/data/</path>
  <tmp_path>$1/tmp/</tmp_path>
  <user_files_path>$1/user_files/</user_files_path>
  <format_schema_path>$1/format_schemas/</format_schema_path>
  <users_config>$work/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <remote_servers><two_shards>
    <shard><replica><host>127.0.0.1</host><port>$tcp_port</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$tcp_port2</port></replica></shard>
  </two_shards></remote_servers>
</yandex>
XML
}
config "$work/one" "$http_port" "$tcp_port"
config "$work/two" "$http_port2" "$tcp_port2"
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
servers=()
stop() {
  for server in "${servers[@]}"; do kill "$server" 2>/dev/null; done
  for server in "${servers[@]}"; do
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  done
}
trap stop EXIT
# start DIR HTTP_PORT: a server, stopped by its PID when the test ends.
start() {
  clickhouse-server --config-file="$1/config.xml" >"$1/stdout.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/?query=SELECT%201" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "FAIL: clickhouse-server did not start: $(tail -3 "$1/server.err.log" "$1/stdout.log")"
  exit 1
}
start "$work/one" "$http_port"
start "$work/two" "$http_port2"
url="http://127.0.0.1:$http_port"
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
# A capture whose sites' names take more than one insert (8 MiB of rows):
# every site its rows name is stored.
mkdir -p "$work/many" && "$gen" --out "$work/many" --captures 1 --samples 4000 --locations 4000 --functions 1500 --depth 16 --seed 9 >/dev/null
"$binary" push --clickhouse "$url" --service manysvc --instance pod-1 "$work/many/capture01.pb.gz" >/dev/null \
  2>"$work/many.err" || fail "a push of many sites: $(cat "$work/many.err")"
many="site IN (SELECT site FROM pprof_trend_samples WHERE service = 'manysvc')"
named=$(q "SELECT count() FROM pprof_trend_sites FINAL WHERE $many")
wanted=$(q "SELECT uniqExact(site) FROM pprof_trend_samples WHERE service = 'manysvc'")
names=$(q "SELECT sum(length(arrayStringConcat(functions)) + length(arrayStringConcat(files))) FROM pprof_trend_sites FINAL WHERE $many")
[ "$named" = "$wanted" ] && [ "$wanted" -gt 1000 ] && [ "$names" -gt 8388608 ] ||
  fail "a push of many sites stored $named of $wanted sites ($names bytes of names)"
# Captures stored a batch at a time: more rows than one batch holds (32 MiB),
# and a capture named twice, are each stored once, with their totals.
mkdir -p "$work/batches" && "$gen" --out "$work/batches" --captures 14 --samples 20000 --locations 4000 \
  --functions 1500 --depth 16 --seed 11 >/dev/null
"$binary" push --clickhouse "$url" --service batchsvc --instance pod-1 "$work/batches" "$work/batches/capture05.pb.gz" \
  >"$work/batches.txt" 2>"$work/batches.err" || fail "a push of 14 captures in batches: $(cat "$work/batches.err")"
want=$("$binary" --format json "$work/batches" | python3 -c '
import json, sys
print(" ".join(str(p["total_bytes"]) for p in json.load(sys.stdin)["profiles"]))')
got=$(q "SELECT sum(inuse_bytes) FROM pprof_trend_samples WHERE service = 'batchsvc' GROUP BY time ORDER BY time" | tr '\n' ' ' | sed 's/ $//')
batch_rows=$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'batchsvc'")
[ "$got" = "$want" ] && [ "$(q "SELECT count() FROM pprof_trend_captures FINAL WHERE service = 'batchsvc'")" = 14 ] &&
  [ "$(grep -c '^pushed ' "$work/batches.txt")" = 14 ] && grep -q 'capture05.pb.gz: already stored' "$work/batches.txt" &&
  [ "$(q "SELECT * FROM pprof_trend_samples WHERE service = 'batchsvc' FORMAT TabSeparated" | wc -c)" -gt 33554432 ] ||
  fail "14 captures pushed in batches: per capture [$got], their totals [$want], $batch_rows rows: $(cat "$work/batches.txt")"
# The same capture twice in one batch: stored once.
"$binary" push --clickhouse "$url" --service dupsvc --instance pod-1 "${days[0]}" "${days[0]}" >"$work/dup.txt" 2>&1 ||
  fail "a push of one capture twice: $(cat "$work/dup.txt")"
want=$(q "SELECT sum(inuse_bytes) FROM pprof_trend_samples WHERE service = 'facesvc' AND time = (SELECT min(time) FROM pprof_trend_samples WHERE service = 'facesvc')")
[ "$(q "SELECT sum(inuse_bytes) FROM pprof_trend_samples WHERE service = 'dupsvc'")" = "$want" ] &&
  grep -q 'day1.pb.gz: already stored for dupsvc/pod-1' "$work/dup.txt" ||
  fail "one capture pushed twice: $(q "SELECT sum(inuse_bytes) FROM pprof_trend_samples WHERE service = 'dupsvc'") bytes stored for $want: $(cat "$work/dup.txt")"
# Each row counts the capture's samples behind its in-use figures.
[ "$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'facesvc' AND inuse_bytes != 0 AND samples = 0")" = 0 ] &&
  [ "$(q "SELECT sum(samples) FROM pprof_trend_samples WHERE service = 'facesvc'")" -gt 0 ] ||
  fail "rows holding memory without their sample count: $(q "SELECT samples, count() FROM pprof_trend_samples GROUP BY samples")"
# Tables an earlier version made (no samples column): push says what to
# do, and push --init adds the column.
q "CREATE DATABASE old"
q "CREATE TABLE old.pprof_trend_samples (service String, instance String, version String, process_id String, capture_id UInt64, time DateTime, period Int64, site UInt64, object_size Int64, inuse_bytes Int64, inuse_objects Int64, alloc_bytes Int64, alloc_objects Int64) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, site, time)"
q "CREATE TABLE old.pprof_trend_sites (site UInt64, functions Array(String), files Array(String)) ENGINE = ReplacingMergeTree() ORDER BY site"
q "CREATE TABLE old.pprof_trend_captures (service String, instance String, capture_id UInt64, time DateTime, path String, rows UInt64, version String, process_id String, period Int64) ENGINE = ReplacingMergeTree() ORDER BY (service, instance, capture_id)"
"$binary" push --clickhouse "$url/?database=old" --service facesvc --instance pod-1 "${days[0]}" >/dev/null 2>"$work/old.err"
code=$?
[ $code -eq 2 ] && grep -q "No such column samples.*push --init adds the columns they lack" "$work/old.err" ||
  fail "a push into tables without the samples column (exit $code): $(cat "$work/old.err")"
"$binary" push --init --clickhouse "$url/?database=old" --service facesvc --instance pod-1 "${days[0]}" >/dev/null 2>"$work/old.err" ||
  fail "push --init on an earlier version's tables: $(cat "$work/old.err")"
[ "$(q "SELECT count() FROM old.pprof_trend_samples WHERE samples > 0")" -gt 0 ] || fail "push --init did not add the samples column"
# A refused insert: exit 2, the server's reason.
"$binary" push --clickhouse "$url/?user=reader" --service facesvc --instance pod-2 "${days[0]}" >/dev/null 2>"$work/refused.err"
code=$?
[ $code -eq 2 ] || fail "a refused insert exited $code, not 2"
grep -q "in readonly mode" "$work/refused.err" || fail "the refusal does not say why: $(cat "$work/refused.err")"

# A network that cuts the answer to an insert the server has stored (a
# proxy that forwards the first samples insert, then closes without an
# answer): the push is done again and the capture's rows are there once
# (the cut try's rows removed by ALTER DELETE, a mutation the server
# applies in the background: waited for).
proxy() {  # PORT_FILE TABLE: a proxy that cuts the answer to the first insert into TABLE
python3 - "$1" "$url" "$2" <<'PY' &
import http.server, sys, urllib.request
upstream, table, cut = sys.argv[2], sys.argv[3], []
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            answer = urllib.request.urlopen(urllib.request.Request(upstream + self.path, data=body), timeout=30)
            status, data = answer.status, answer.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        if "INSERT%20INTO%20" + table in self.path and not cut:
            cut.append(1)
            self.close_connection = True
            return  # stored, and no answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Proxy)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
servers+=($!)
for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
}
proxy "$work/proxy.port" pprof_trend_samples
"$binary" push --clickhouse "http://127.0.0.1:$(cat "$work/proxy.port")" --service cutsvc --instance pod-1 "${days[2]}" \
  >"$work/cut.txt" 2>"$work/cut.err" || fail "a push whose insert answer was cut: $(cat "$work/cut.err")"
want=$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'facesvc' AND instance = 'pod-1' AND time = (SELECT max(time) FROM pprof_trend_samples WHERE service = 'facesvc')")
for _ in $(seq 50); do
  got=$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'cutsvc'")
  [ "$got" = "$want" ] && break
  sleep 0.2
done
[ "$got" = "$want" ] && [ "$(q "SELECT count() FROM pprof_trend_captures FINAL WHERE service = 'cutsvc'")" = 1 ] ||
  fail "a push whose insert answer was cut stored $got rows, not $want"
# The answer to a batch's captures insert cut (the server stored it): the
# try again finds both captures held, stores nothing twice, and says each.
proxy "$work/proxy2.port" pprof_trend_captures
"$binary" push --clickhouse "http://127.0.0.1:$(cat "$work/proxy2.port")" --service cutsvc2 --instance pod-1 "${days[1]}" \
  "${days[2]}" >"$work/cut2.txt" 2>"$work/cut2.err" || fail "a push whose captures insert answer was cut: $(cat "$work/cut2.err")"
want=$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'facesvc' AND time > (SELECT min(time) FROM pprof_trend_samples WHERE service = 'facesvc')")
[ "$(q "SELECT count() FROM pprof_trend_samples WHERE service = 'cutsvc2'")" = "$want" ] &&
  [ "$(q "SELECT count() FROM pprof_trend_captures WHERE service = 'cutsvc2'")" = 2 ] &&
  [ "$(grep -c '^pushed testdata/sarama/day[23].pb.gz' "$work/cut2.txt")" = 2 ] && head -1 "$work/cut2.txt" | grep -q day2 ||
  fail "a push whose captures insert answer was cut: $(q "SELECT count() FROM pprof_trend_samples WHERE service = 'cutsvc2'") rows for $want: $(cat "$work/cut2.txt" "$work/cut2.err")"
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
assert d["nodes"][0]["by_version"] == [{"version": "v2.3.1", "instances_growing": 20, "instances_seen": 20}], d["nodes"][0]["by_version"]
assert d["instances"] == 40, d["instances"]
worst = d["nodes"][0]["worst_instances"][0]
assert worst["reproduce"].startswith("pprof-trend /captures/"), worst
PY
"$binary" fleet --clickhouse "$url" --service fleetsvc >"$work/fleet.txt" 2>&1 || fail "fleet (text): $(cat "$work/fleet.txt")"
grep -q "20 of 20 .*v2.3.1 20/20 .*leak.versionWide" "$work/fleet.txt" || fail "fleet's table: $(cat "$work/fleet.txt")"
# --by version and --by instance: v2.3.0's leak in 3 of its 20 instances,
# every v2.3.1 instance growing; 23 instances with a growing site, the 7
# with two leaks first.
"$binary" fleet --clickhouse "$url" --service fleetsvc --by version >"$work/by.txt" 2>&1 || fail "fleet --by version: $(cat "$work/by.txt")"
grep -q "^v2.3.0 *3 of 20 *1 *0$" "$work/by.txt" && grep -q "^v2.3.1 *20 of 20 *2 *+192MiB$" "$work/by.txt" ||
  fail "fleet --by version: $(tail -4 "$work/by.txt")"
"$binary" fleet --clickhouse "$url" --service fleetsvc --by instance --nodecount 8 >"$work/by.txt" 2>&1 || fail "fleet --by instance: $(cat "$work/by.txt")"
grep -q "^by instance (23 of 40 with a growing site):" "$work/by.txt" &&
  [ "$(grep -c "^ *[0-9]  pod-[0-9]* *v2.3.1 *2 *+384MiB  leak.someInstances, leak.versionWide$" "$work/by.txt")" -eq 7 ] ||
  fail "fleet --by instance: $(tail -12 "$work/by.txt")"
python3 - "$work/fleet.json" <<'PY' || fail "fleet's by_instance and by_version"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["by_instance"]) == 23 and d["by_instance"][0]["sites_growing"] == 2, d["by_instance"][:2]
assert [(v["version"], v["instances"], v["instances_growing"], v["sites_growing"]) for v in d["by_version"]] == [
    ("v2.3.0", 20, 3, 1), ("v2.3.1", 20, 20, 2)], d["by_version"]
assert len(d["nodes"][0]["growing_in"]) == 20 and len(d["nodes"][1]["growing_in"]) == 7
w = d["nodes"][0]["worst_instances"][0]
assert len(w["times"]) == len(w["bytes"]) == 12 and w["bytes"][-1] > w["bytes"][0], w
PY
# --html: one page, no script run in it; an earlier page is replaced, a
# capture never is.
"$binary" fleet --clickhouse "$url" --service fleetsvc --html "$work/fleet.html" >/dev/null 2>"$work/html.err" ||
  fail "fleet --html: $(cat "$work/html.err")"
"$binary" fleet --clickhouse "$url" --service fleetsvc --by instance --html "$work/fleet.html" >/dev/null 2>"$work/html.err" ||
  fail "fleet --html over its earlier page: $(cat "$work/html.err")"
python3 - "$work/fleet.html" <<'PY' || fail "fleet's page"
import json, re, sys
page = open(sys.argv[1]).read()
assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
assert page.index("<h2>By instance</h2>") < page.index("<h2>By version</h2>"), "--by instance puts its table first"
assert page.count("<polyline") == 5 + 5 + 3, page.count("<polyline")
assert len(re.findall(r"<script", page)) == 1 and 'type="application/json"' in page
data = json.loads(page.split('id="pprof-trend-data">')[1].split("</script>")[0])
assert data["nodes"][0]["function"] == "leak.versionWide"
PY
cp "${days[0]}" "$work/capture.pb.gz"
"$binary" fleet --clickhouse "$url" --service fleetsvc --html "$work/capture.pb.gz" >/dev/null 2>"$work/html.err"
code=$?
[ $code -eq 2 ] && cmp -s "${days[0]}" "$work/capture.pb.gz" || fail "fleet --html onto a capture (exit $code): $(cat "$work/html.err")"
# Hostile names reach the page as text.
q "INSERT INTO pprof_trend_sites VALUES (77, ['main.main', 'leak.</script><script>alert(1)</script>'], ['<img src=x onerror=alert(2)>.go', 'x.go'])"
q "INSERT INTO pprof_trend_captures SELECT 'hostilesvc', 'pod-<b>1</b>', number, toDateTime(1764979200 + 3600 * number), '/c/x', 1, 'v</code>1', 'p', 524288 FROM numbers(6)"
q "INSERT INTO pprof_trend_samples SELECT 'hostilesvc', 'pod-<b>1</b>', 'v</code>1', 'p', number, toDateTime(1764979200 + 3600 * number), 524288, 77, 0, 8388608 * (number + 1), number + 1, 0, 0, 1 FROM numbers(6)"
"$binary" fleet --clickhouse "$url" --service hostilesvc --html "$work/hostile.html" >"$work/hostile.txt" 2>&1 || fail "fleet of hostile names: $(cat "$work/hostile.txt")"
python3 - "$work/hostile.html" <<'PY' || fail "hostile names are markup in fleet's page"
import sys
page = open(sys.argv[1]).read()
assert "alert(1)" in page and "<script>alert" not in page and "<img" not in page and "pod-<b>" not in page and "pod-&lt;b&gt;1" in page and "v</code>1" not in page
assert page.count("<script") == 1
PY
# A budget: no site in more than 5 instances fails (exit 1) on the two
# leaks that grow in more; 20 passes.
"$binary" fleet --clickhouse "$url" --service fleetsvc --max-growing-instances 5 >"$work/budget.txt" 2>&1
code=$?
[ $code -eq 1 ] && grep -q "FAIL  max-growing-instances 5: leak.versionWide grows in 20; leak.someInstances grows in 7" "$work/budget.txt" ||
  fail "--max-growing-instances 5 (exit $code): $(tail -2 "$work/budget.txt")"
"$binary" fleet --clickhouse "$url" --service fleetsvc --max-growing-instances 20 >"$work/budget.txt" 2>&1 ||
  fail "--max-growing-instances 20 must pass: $(tail -2 "$work/budget.txt")"

# The same fleet on two shards (two servers, a Distributed table over each
# table, sharded by site): the same answer as one server's.
for port in "$http_port" "$http_port2"; do
  curl -sf --data-binary "CREATE DATABASE IF NOT EXISTS fleet2" "http://127.0.0.1:$port/" || fail "CREATE DATABASE on $port"
  "$binary" push --init --cluster two_shards --clickhouse "http://127.0.0.1:$port/?database=fleet2" --service fleetsvc \
    --instance none 2>"$work/init.err" || fail "push --init --cluster on $port: $(cat "$work/init.err")"
done
for table in samples captures sites; do
  curl -sf --data-binary @"$work/$table.tsv" \
    "$url/?database=fleet2&insert_distributed_sync=1&query=INSERT%20INTO%20pprof_trend_$table%20FORMAT%20TabSeparated" ||
    fail "inserting the generated fleet's $table through the cluster"
done
one=$(curl -s --data-binary "SELECT count() FROM fleet2.pprof_trend_samples_local" "$url/")
two=$(curl -s --data-binary "SELECT count() FROM fleet2.pprof_trend_samples_local" "http://127.0.0.1:$http_port2/")
[ "$one" -gt 0 ] && [ "$two" -gt 0 ] && [ $((one + two)) -eq "$(wc -l <"$work/samples.tsv")" ] ||
  fail "the rows are not split over the two shards: $one and $two"
"$binary" fleet --clickhouse "$url/?database=fleet2" --service fleetsvc --format json >"$work/fleet2.json" 2>"$work/fleet2.err" ||
  fail "fleet on two shards: $(cat "$work/fleet2.err")"
cmp -s "$work/fleet.json" "$work/fleet2.json" || fail "two shards answer otherwise than one server: $(diff "$work/fleet.json" "$work/fleet2.json" | head -5)"
# A window (--since, back from the newest capture) on both.
"$binary" fleet --clickhouse "$url" --service fleetsvc --since 5h --format json >"$work/since1.json" 2>"$work/since.err" ||
  fail "fleet --since 5h: $(cat "$work/since.err")"
"$binary" fleet --clickhouse "$url/?database=fleet2" --service fleetsvc --since 5h --format json >"$work/since2.json" 2>"$work/since.err" ||
  fail "fleet --since 5h on two shards: $(cat "$work/since.err")"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [n["function"] for n in d["nodes"]][:3] == ["leak.versionWide", "leak.someInstances", "leak.oldVersion"], d["nodes"]
assert len(d["nodes"][0]["worst_instances"][0]["reproduce"].split()) == 1 + 6, "6 captures in 5 h"
' "$work/since1.json" || fail "fleet --since 5h: $(head -c 300 "$work/since1.json")"
cmp -s "$work/since1.json" "$work/since2.json" || fail "--since 5h: two shards answer otherwise than one server"
# push through the cluster: stored once, found again.
"$binary" push --clickhouse "$url/?database=fleet2" --service facesvc --instance pod-1 "${days[@]}" >/dev/null 2>"$work/push3.err" ||
  fail "push through the cluster: $(cat "$work/push3.err")"
"$binary" push --clickhouse "$url/?database=fleet2" --service facesvc --instance pod-1 "${days[@]}" >"$work/push4.txt" 2>&1
[ "$(grep -c 'already stored' "$work/push4.txt")" -eq 3 ] || fail "a second push through the cluster stored again: $(cat "$work/push4.txt")"
# watch --clickhouse: each capture pushed as it is taken (a server that
# serves the three days in turn); the tables must exist before the first
# capture; a resumed watch pushes what an earlier run saved.
python3 - "$work/files.port" "$source/${days[0]}" "$source/${days[1]}" "$source/${days[2]}" <<'PY' &
import http.server, itertools, sys
files = itertools.cycle(sys.argv[2:])
class Serve(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = open(next(files), "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Serve)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
servers+=($!)
for _ in $(seq 50); do [ -s "$work/files.port" ] && break; sleep 0.1; done
heap="http://127.0.0.1:$(cat "$work/files.port")/debug/pprof/heap"
q "CREATE DATABASE empty"
"$binary" watch "$heap" --every 1s --for 1s --dir "$work/watch0" --clickhouse "$url/?database=empty" --service watched >/dev/null 2>"$work/watch0.err"
code=$?
[ $code -eq 2 ] && grep -q "push --init creates the tables" "$work/watch0.err" && [ -z "$(ls "$work/watch0" 2>/dev/null)" ] ||
  fail "watch --clickhouse without the tables (exit $code): $(cat "$work/watch0.err")"
"$binary" watch "$heap" --every 0.3s --for 0.5s --dir "$work/watch" >/dev/null 2>"$work/watch1.err" || fail "watch: $(cat "$work/watch1.err")"
"$binary" watch "$heap" --every 0.3s --for 0.5s --dir "$work/watch" --clickhouse "$url" --service watched --instance pod-w \
  >"$work/watch2.txt" 2>"$work/watch2.err" || fail "watch --clickhouse: $(cat "$work/watch2.err")"
saved=$(ls "$work/watch" | wc -l)
distinct=$(cd "$work/watch" && md5sum -- * | cut -d' ' -f1 | sort -u | wc -l)
stored=$(q "SELECT count() FROM pprof_trend_captures FINAL WHERE service = 'watched' AND instance = 'pod-w'")
[ "$saved" -ge 3 ] && [ "$stored" -eq "$distinct" ] && grep -q "stored in ClickHouse as watched/pod-w this run" "$work/watch2.txt" ||
  fail "watch --clickhouse stored $stored of $saved captures ($distinct distinct): $(cat "$work/watch2.txt" "$work/watch2.err" | tail -5)"
[ $status -eq 0 ] && echo "clickhouse: 3 captures pushed to clickhouse-server $(q 'SELECT version()') ($rows rows, their sums the captures' totals), again: none; 16 MB of site names in pieces, 14 captures in batches and one named twice each stored once; a read-only user refused; a push whose insert answer was cut stored once; an earlier version's tables told to run --init and mended by it; fleet ranked the 3 planted leaks of 40 generated instances with their instance counts and versions, and two shards gave the same answer ($one and $two rows); --by version, --by instance and --html answered; watch --clickhouse stored $stored captures, those an earlier run saved among them"
exit $status
