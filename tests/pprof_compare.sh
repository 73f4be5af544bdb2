#!/usr/bin/env bash
# Compares every number `pprof-trend inspect FILE` prints with `go tool pprof
# -top FILE`: the total of every sample type (pprof -sample_index=TYPE), and
# for each row of the top table flat, flat%, sum%, cum, cum% and the name
# (pprof's "MB" is MiB: units are mapped).
# Legacy heap text: the exact total only (see below).
#   tests/pprof_compare.sh PPROF_TREND FILE...
# Exit 0: all equal; 1: a difference (printed); 77: no Go toolchain (ctest
# reports the test as skipped, loudly: tools/test.sh installs golang-go).
set -uo pipefail
binary=$1
shift
if ! command -v go >/dev/null 2>&1; then
  echo "SKIPPED: go is not installed (tools/install-deps.sh golang-go); inspect was not compared with go tool pprof" >&2
  exit 77
fi
export PPROF_BINARY_PATH=/nonexistent  # no local symbolization: compare the files as they are
export PPROF_TMPDIR=$(mktemp -d)
trap 'rm -rf "$PPROF_TMPDIR"' EXIT
# pprof's size units are powers of 1024 named kB, MB, ...; ours are KiB, MiB.
to_iec() { sed -E 's/([0-9.])kB\b/\1KiB/g; s/([0-9.])(M|G|T|P)B\b/\1\2iB/g'; }
status=0
compared=0
for file in "$@"; do
  # The total of every sample type: pprof's "of N total" in base units.
  while read -r type unit; do
    case $unit in bytes) flag=-unit=B ;; nanoseconds) flag=-unit=ns ;; *) flag= ;; esac
    # A legacy heap text whose in-use and allocated totals are equal (a Go
    # process that has freed nothing yet) has only objects/space in pprof;
    # pprof-trend keeps the four types so a series aligns: compare in-use.
    pprof_type=$type
    answer=$(go tool pprof -top -sample_index="$type" "$file" 2>&1)  # (pprof exits non-zero here: no pipe)
    if grep -q 'must be one of: \[objects space\]' <<<"$answer"; then
      case $type in inuse_objects) pprof_type=objects ;; inuse_space) pprof_type=space ;; *) continue ;; esac
    fi
    pprof_total=$(go tool pprof -top -sample_index="$pprof_type" $flag "$file" 2>/dev/null |
                  sed -nE 's/.* of ([0-9]+)(B|ns)? total.*/\1/p' | head -1)
    our_total=$("$binary" inspect "$file" |
                awk -v t="$type" '/^  totals/ {on=1} on && ($1 == t || ($1 == "totals" && $2 == t)) {print ($1 == "totals" ? $3 : $2); exit}')
    if [ "$pprof_total" != "$our_total" ]; then
      echo "$file: total of $type: pprof $pprof_total, pprof-trend $our_total"
      status=1
    fi
    compared=$((compared + 1))
  done < <("$binary" inspect "$file" | sed -nE 's/^  sample types  //p' | tr ',' '\n' | sed -E 's/ \(default\)//; s/^ +//' | tr '/' ' ')
  if gzip -dcf "$file" | head -c 64 | grep -q "^ *heap profile:"; then
    # Legacy text: pprof ignores the "#" symbol lines (it symbolizes from the
    # binary), so every frame is <unknown> there while pprof-trend names
    # them: only the totals above are compared.
    continue
  fi
  pprof_out=$(go tool pprof -top "$file" 2>/dev/null | to_iec)
  ours=$("$binary" inspect "$file")
  pprof_total=$(sed -nE 's/.* of ([^ ]+) total.*/\1/p' <<<"$pprof_out" | head -1)
  our_total=$(sed -nE 's/.*\(of ([^ ]+) total;.*/\1/p' <<<"$ours")
  if [ "$pprof_total" != "$our_total" ]; then
    echo "$file: total: pprof $pprof_total, pprof-trend $our_total"
    status=1
  fi
  # Rows: five columns then the name (which may hold spaces).
  pprof_rows=$(awk '/^ *flat  flat%/ {on=1; next} on && NF >= 6' <<<"$pprof_out" | sed -E 's/^ +//; s/ +/ /g')
  our_rows=$(awk '/^ +flat +flat%/ {on=1; next} on && NF >= 6' <<<"$ours" | sed -E 's/^ +//; s/ +/ /g')
  n_pprof=$(grep -c . <<<"$pprof_rows")
  i=0
  while IFS= read -r row; do
    [ -n "$row" ] || continue
    i=$((i + 1))
    if [ "$i" -le "$n_pprof" ]; then
      expected=$(sed -n "${i}p" <<<"$pprof_rows")
      if [ "$row" != "$expected" ]; then
        echo "$file: row $i: pprof \"$expected\", pprof-trend \"$row\""
        status=1
      fi
    else
      echo "$file: row $i \"$row\" is not in pprof's top"
      status=1
    fi
    compared=$((compared + 1))
  done <<<"$our_rows"
done
echo "compared $compared rows and totals of $# files with go tool pprof -top ($(go version | awk '{print $3}'))"
exit $status
