#!/usr/bin/env bash
# What the binaries load (ldd): atelierd carries neither the agent's libraries (libparted, libxcrypt)
# nor the builders' (libarchive, zstd) nor the papers' (cairo, libqrencode) nor translations
# (Boost.Locale: atelierd sends codes, the agent words them); the agent
# (atelier-imager) carries no database and no papers (sqlite3, cairo). docs/ARCHITECTURE.md.
#   links_test.sh ATELIERD ATELIER_IMAGER
set -euo pipefail
failures=0

# check BINARY FORBIDDEN-SONAME-PREFIX...
check() {
  local binary=$1; shift
  local libs
  if ! libs=$(ldd "$binary"); then
    echo "FAIL: ldd $binary failed" >&2; failures=$((failures + 1)); return
  fi
  # ldd answered for a dynamic binary: libc is always there (else the check below proves nothing).
  if ! grep -q 'libc\.so' <<<"$libs"; then
    echo "FAIL: ldd $binary lists no libc: $libs" >&2; failures=$((failures + 1)); return
  fi
  local lib found=""
  for lib in "$@"; do
    if grep -qE "^[[:space:]]*${lib}\.so" <<<"$libs"; then
      found+=" $(grep -oE "^[[:space:]]*${lib}\.so[^ ]*" <<<"$libs" | tr -d '[:space:]')"
    fi
  done
  if [[ -n $found ]]; then
    echo "FAIL: $(basename "$binary") loads$found" >&2
    failures=$((failures + 1))
  else
    echo "ok: $(basename "$binary") loads none of: $*"
  fi
}

check "$1" libparted libarchive libzstd libcairo libqrencode libcrypt libboost_locale
check "$2" libsqlite3 libcairo libqrencode
[[ $failures -eq 0 ]]
