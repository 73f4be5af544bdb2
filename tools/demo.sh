#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs pprof-trend on the
# bundled captures of the sarama leak (testdata/sarama/), and writes report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "demo: installing what is missing (Debian packages; nothing if all are there)"
./tools/install-deps.sh
echo "demo: building build/pprof-trend (a few minutes the first time on 2 cores; each file is shown as it compiles)"
# The build's progress, one short line per file; its whole log is kept.
mkdir -p build
set +e
./tools/build.sh pprof-trend 2>&1 | tee build/demo-build.log |
  sed -unE 's/^\[ *([0-9]+)%\] Building CXX object .*(src\/[^ ]+\.cc)\.o$/demo:   [\1%] \2/p; s/^\[ *([0-9]+)%\] Linking .* ([^ \/]+)$/demo:   [\1%] linking \2/p'
built=${PIPESTATUS[0]}
set -e
if [ "$built" -ne 0 ] || [ ! -x build/pprof-trend ]; then
  echo "demo: the build failed; the end of its log (build/demo-build.log):" >&2
  tail -n 25 build/demo-build.log >&2
  exit 1
fi
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
