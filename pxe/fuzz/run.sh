#!/bin/bash
# Runs each pxe libFuzzer target for a short time, seeded with the captured fixtures.
# Usage: pxe/fuzz/run.sh FUZZ_BIN_DIR [SECONDS_PER_TARGET]
#   FUZZ_BIN_DIR: where dhcp_fuzz and tftp_fuzz were built, e.g. build-fuzz/pxe/fuzz for a clang build
#   configured with -DATELIER_FUZZ=ON (see docs/PXE-PROTOCOL.md, "Fuzzing").
# Exits non-zero if a target crashes; the crashing input is left in FUZZ_BIN_DIR/work/.
set -euo pipefail

bin=$(cd "${1:?directory of the fuzz binaries}" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../tests/data/pxe
work=$bin/work
mkdir -p "$work"

# Seed corpora: the hex fixtures as binary files, DHCP and TFTP apart.
for kind in dhcp tftp; do
  rm -rf "$work/seed-$kind"
  mkdir -p "$work/seed-$kind" "$work/corpus-$kind"
done
for f in "$fixtures"/*.hex; do
  name=$(basename "$f" .hex)
  case "$name" in
  *tftp*) kind=tftp ;;
  *) kind=dhcp ;;
  esac
  python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("".join(l for l in open(sys.argv[1]) if not l.startswith("#"))))' \
    "$f" >"$work/seed-$kind/$name"
done

# Readable stack traces: Debian's clang-19 keeps llvm-symbolizer out of PATH.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
fi

status=0
for kind in dhcp tftp; do
  target=$bin/${kind}_fuzz
  echo "== ${kind}_fuzz for ${seconds}s"
  # -max_total_time bounds the run; new inputs go to corpus-$kind, seeds are read only.
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/${kind}-" "$work/corpus-$kind" "$work/seed-$kind"); then
    echo "${kind}_fuzz found a crash: see $work/${kind}-*" >&2
    status=1
  fi
done
exit $status
