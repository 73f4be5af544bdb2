#!/usr/bin/env bash
# The documentation's examples are run (issue 28): in README.md and the
# READMEs next to the code, a line "$ pprof-trend ..." inside a code block
# is run from the source directory (with the built binary first on PATH, in
# bash, so globs and braces expand as a user's shell would), and the lines
# after it, up to the next "$ " line or the block's end, must be what it
# prints (standard error, then standard output, as a terminal shows them;
# trailing spaces aside); a line "..." stands for any
# number of lines. "$ echo $?" checks the exit code of the command before.
# Commands that need a live service (a URL) are not run, and are counted.
#   tests/readme_examples_test.sh PPROF_TREND SOURCE_DIR
set -uo pipefail
binary=$(realpath "$1") source=$(realpath "$2")
bindir=$(mktemp -d) && ln -s "$binary" "$bindir/pprof-trend" || exit 1
trap 'rm -rf "$bindir"' EXIT
cd "$source" || exit 1
status=0 ran=0 skipped=0
fail() { echo "FAIL: $*"; status=1; }

# match EXPECTED_FILE ACTUAL_FILE: "..." lines match any run of lines.
match() {
  local -a want got
  mapfile -t want < <(sed -E 's/[[:space:]]+$//' "$1")
  mapfile -t got < <(sed -E 's/[[:space:]]+$//' "$2")
  local i=0 j=0 n=${#want[@]} m=${#got[@]}
  while [ $i -lt $n ]; do
    if [ "${want[$i]}" = "..." ]; then
      i=$((i + 1))
      [ $i -eq $n ] && return 0
      while [ $j -lt $m ] && [ "${got[$j]}" != "${want[$i]}" ]; do j=$((j + 1)); done
      [ $j -lt $m ] || return 1
    else
      [ $j -lt $m ] && [ "${got[$j]}" = "${want[$i]}" ] || return 1
    fi
    i=$((i + 1)) j=$((j + 1))
  done
  [ $j -eq $m ]
}

# An example that exits 2 (an error) must say so with "$ echo $?" after it.
last_code= unchecked_error=
check_error_said() {
  [ -n "$unchecked_error" ] && fail "$unchecked_error (and no '\$ echo \$?' after it says so)"
  unchecked_error=
}
run_example() {  # run_example FILE LINE COMMAND EXPECTED_FILE
  local file=$1 line=$2 cmd=$3 expected=$4 code
  if [[ $cmd == "echo \$?" ]]; then
    unchecked_error=
    [ "$(sed -E 's/[[:space:]]+$//' "$expected")" = "$last_code" ] ||
      fail "$file:$line: the command before exits $last_code, not $(cat "$expected")"
    return
  fi
  check_error_said
  if [[ $cmd == *"://"* ]]; then
    skipped=$((skipped + 1))
    return
  fi
  PATH="$bindir:$PATH" bash -c "$cmd" >"$bindir/out" 2>&1
  code=$?
  last_code=$code
  ran=$((ran + 1))
  [ $code -ge 2 ] && unchecked_error="$file:$line: '$cmd' exited $code: $(head -3 "$bindir/out")"
  if ! match "$expected" "$bindir/out"; then
    fail "$file:$line: '$cmd' prints otherwise; the difference (- README, + now):"$'\n'"$(diff <(sed -E 's/[[:space:]]+$//' "$expected") <(sed -E 's/[[:space:]]+$//' "$bindir/out") | head -40)"
  fi
}

for file in README.md src/*/README.md tools/README.md; do
  [ -f "$file" ] || continue
  in_block=0 cmd= cmd_line=0 n=0
  : >"$bindir/expected"
  while IFS= read -r text || [ -n "$text" ]; do
    n=$((n + 1))
    if [[ $text == '```'* ]]; then
      if [ $in_block -eq 1 ] && [ -n "$cmd" ]; then run_example "$file" "$cmd_line" "$cmd" "$bindir/expected"; fi
      in_block=$((1 - in_block)) cmd=
      continue
    fi
    [ $in_block -eq 1 ] || continue
    if [[ $text == '$ '* ]]; then
      [ -n "$cmd" ] && run_example "$file" "$cmd_line" "$cmd" "$bindir/expected"
      cmd=${text#\$ } cmd_line=$n
      : >"$bindir/expected"
    elif [ -n "$cmd" ]; then
      printf '%s\n' "$text" >>"$bindir/expected"
    fi
  done <"$file"
  check_error_said
done
[ $ran -gt 0 ] || fail "no example was found"
[ $status -eq 0 ] && echo "readme: $ran examples run as documented ($skipped that need a live service not run)"
exit $status
