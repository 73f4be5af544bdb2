#!/usr/bin/env bash
# Installing pprof-trend without a clone's build tree (issue 28):
#   1. `cmake --build BUILD --target package` writes a Debian package; its
#      files are unpacked into a clean prefix (dpkg-deb -x, as apt would
#      place them) and the binary found there runs the sarama series, says
#      its version, and has a man page; the package depends on the
#      libraries' packages (dpkg-shlibdeps).
#   2. `cmake --install BUILD --prefix DIR` installs the same files.
# Exit 77 (skipped, loudly) without dpkg-deb.
#   tests/package_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
build=$(realpath "$1") source=$(realpath "$2") work=$3
if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "SKIPPED: dpkg-deb is not installed: the Debian package was not tested" >&2
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
status=0
fail() { echo "FAIL: $*"; status=1; }
version=$(sed -nE 's/^project\(pprof_trend VERSION ([0-9.]+).*/\1/p' "$source/CMakeLists.txt")
[ -n "$version" ] || { echo "FAIL: no project VERSION in CMakeLists.txt"; exit 1; }

rm -f "$build"/pprof-trend_*.deb
cmake --build "$build" --target package >package.log 2>&1 || { echo "FAIL: the package target failed: $(tail -5 package.log)"; exit 1; }
debs=("$build"/pprof-trend_"$version"_*.deb)
[ -f "${debs[0]}" ] || { echo "FAIL: no pprof-trend_${version}_*.deb in $build: $(ls "$build")"; exit 1; }
deb=${debs[0]}
check_prefix() {  # check_prefix NAME PREFIX: the installed files work from there
  local name=$1 prefix=$2 out
  [ -x "$prefix/bin/pprof-trend" ] || { fail "$name: no bin/pprof-trend under $prefix"; return; }
  out=$("$prefix/bin/pprof-trend" --version) || fail "$name: --version failed"
  [ "$out" = "pprof-trend $version" ] || fail "$name: --version says '$out', the package $version"
  out=$(cd "$source" && "$prefix/bin/pprof-trend" testdata/sarama/day1.pb.gz testdata/sarama/day2.pb.gz testdata/sarama/day3.pb.gz)
  grep -qE "^ +1 .* growing +.*newPartitionProducer$" <<<"$out" ||
    fail "$name: the installed binary does not find the sarama leak: $out"
  if command -v help2man >/dev/null 2>&1; then
    [ -f "$prefix/share/man/man1/pprof-trend.1.gz" ] || fail "$name: no man page (share/man/man1/pprof-trend.1.gz)"
    zcat "$prefix/share/man/man1/pprof-trend.1.gz" 2>/dev/null | grep -q '^\.SH NAME' || fail "$name: the man page has no NAME"
  else
    echo "note: help2man is not installed: the man page was not made (tools/install-deps.sh installs it)" >&2
  fi
}
dpkg-deb -x "$deb" deb-root || fail "dpkg-deb -x $deb failed"
check_prefix "the .deb" "$work/deb-root/usr"
info=$(dpkg-deb -f "$deb" Package Version Depends)
grep -q "^Package: pprof-trend$" <<<"$info" || fail "package name: $info"
grep -q "^Version: $version$" <<<"$info" || fail "package version: $info"
for lib in libcurl libre2 libdw libisal libfmt; do
  grep -q "Depends:.*$lib" <<<"$info" || fail "the package does not depend on $lib: $info"
done
# libprotobuf builds the tests' and generators' profiles; the program writes
# and reads the wire format itself and does not need it.
grep -q "Depends:.*libprotobuf" <<<"$info" && fail "the package depends on libprotobuf, which the program does not use: $info"
cmake --install "$build" --prefix "$work/prefix" >install.log 2>&1 || fail "cmake --install failed: $(tail -5 install.log)"
check_prefix "cmake --install" "$work/prefix"
[ $status -eq 0 ] && echo "package: $(basename "$deb") unpacked into a clean prefix and cmake --install both run the sarama series, with a man page"
exit $status
