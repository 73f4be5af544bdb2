#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs pprof-trend on the
# bundled captures of the sarama leak (testdata/sarama/), and writes report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: installing what is missing (Debian packages; nothing if all are there)"
./tools/install-deps.sh
echo "demo: building build/pprof-trend (about a minute the first time on 2 cores)"
./tools/build.sh pprof-trend | grep --line-buffered -E '^\[ *[0-9]+%\] (Built target|Linking)' || true
[ -x build/pprof-trend ] || { echo "demo: the build failed" >&2; exit 1; }
echo "demo: the three captures of the sarama leak (Feb 11, 14 and 15):"
set -x
./build/pprof-trend --html report.html testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz testdata/sarama/day3.pb.gz
{ set +x; } 2>/dev/null
cat <<EOT

HTML report: $(pwd)/report.html
Try next, from $(pwd) (each works as printed):
  ./build/pprof-trend inspect testdata/sarama/day3.pb.gz                      # what one capture holds
  ./build/pprof-trend check --max-growth 64MiB testdata/sarama/day*.pb.gz     # a CI gate: exits 1 here
  export PATH="$(pwd)/build:\$PATH"                                            # then the README's 'pprof-trend ...' works
EOT
