#!/usr/bin/env bash
# Installs the Debian packages pprof-trend needs to build and test, and only
# those that are missing. Non-interactive and idempotent; run as root or with
# sudo available. Extra package names given as arguments are installed too.
set -euo pipefail

packages=(
  cmake make g++ pkg-config
  libprotobuf-dev protobuf-compiler   # profile.proto -> C++
  zlib1g-dev                          # gzip-compressed profiles (streaming: several members, bombs)
  libisal-dev                         # gzip-compressed profiles, inflated as they are read (~3x zlib's speed)
  libcli11-dev                        # command line
  libfmt-dev                          # formatting
  libre2-dev                          # regular expressions with Go's (pprof's) syntax
  libcurl4-openssl-dev                # URL inputs (HTTP/HTTPS)
  libdw-dev libelf-dev                # symbols of native profiles (ELF and DWARF, elfutils)
  help2man                            # the man page, made from --help (install target, .deb)
  libgtest-dev                        # tests
  nlohmann-json3-dev                  # tests: parse the JSON outputs instead of matching text
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
