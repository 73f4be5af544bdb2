#!/usr/bin/env bash
# The hygiene ratchet on layout: every C++ file git tracks is as
# clang-format (.clang-format at the top) writes it. Fix with:
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
# Exit 77 (skipped, loudly) without clang-format or outside a git checkout.
#   tests/check_format.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
  echo "SKIPPED: clang-format is not installed (tools/install-deps.sh clang-format): the layout was not checked" >&2
  exit 77
fi
if ! files=$(git ls-files '*.cc' '*.h' 2>/dev/null) || [ -z "$files" ]; then
  echo "SKIPPED: not a git checkout: the layout was not checked" >&2
  exit 77
fi
# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files 2>"${TMPDIR:-/tmp}/clang-format.$$"; then
  grep -E '^[^ ].*(warning|error):' "${TMPDIR:-/tmp}/clang-format.$$" | cut -d: -f1,2 | sort -u | head -20
  rm -f "${TMPDIR:-/tmp}/clang-format.$$"
  echo "FAIL: files above are not as clang-format writes them; run: git ls-files '*.cc' '*.h' | xargs clang-format -i"
  exit 1
fi
rm -f "${TMPDIR:-/tmp}/clang-format.$$"
echo "format: $(wc -w <<<"$files") files as clang-format writes them"
