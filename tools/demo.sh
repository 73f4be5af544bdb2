#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs pprof-trend on the
# bundled captures of the sarama leak (testdata/sarama/), and writes report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
./tools/build.sh pprof-trend >/dev/null
set -x
./build/pprof-trend --html report.html testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz testdata/sarama/day3.pb.gz
{ set +x; } 2>/dev/null
echo "HTML report: $(pwd)/report.html"
