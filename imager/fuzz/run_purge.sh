#!/bin/bash
# Runs each purge libFuzzer target for a short time, seeded with the captured drive data.
# Usage: imager/fuzz/run_purge.sh FUZZ_BIN_DIR [SECONDS_PER_TARGET]
#   FUZZ_BIN_DIR: where ata_identify_fuzz and nvme_identify_fuzz were built, e.g. build-fuzz/imager/fuzz
#   for a clang build configured with -DATELIER_FUZZ=ON (docs/PURGE.md, "Tests").
# Exits non-zero if a target crashes; the crashing input is left in FUZZ_BIN_DIR/work/.
set -euo pipefail

bin=$(cd "${1:?directory of the fuzz binaries}" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../tests/data/purge
work=$bin/work
mkdir -p "$work"

# Seed corpora: the fixtures as binary files (tests/data/purge/SOURCES.md, "Formats").
for kind in ata nvme; do
  rm -rf "$work/seed-$kind"
  mkdir -p "$work/seed-$kind" "$work/corpus-$kind"
done
python3 - "$fixtures" "$work" <<'PY'
import pathlib, sys
fixtures, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for f in sorted(fixtures.glob("*.txt")):
    words = f.name.endswith(".ata.txt")
    data, at, size = bytearray(), 0, 0
    for line in f.read_text().splitlines():
        if line.startswith("# size:"):
            size = int(line[7:])
            continue
        if line.startswith("#"):
            continue
        for t in line.split():
            if t.endswith(":"):
                if not words:
                    at = int(t[:-1], 16)
                continue
            if words:
                v = int(t, 16)
                data += bytes([v & 0xFF, v >> 8])
            else:
                if len(data) <= at:
                    data += bytes(at + 1 - len(data))
                data[at] = int(t, 16)
                at += 1
    if size:
        data += bytes(size - len(data))
    kind = "nvme" if ("id-" in f.name or "sanitize_log" in f.name) else "ata"
    (work / f"seed-{kind}" / f.stem).write_bytes(bytes(data))
PY

# Readable stack traces: Debian's clang-19 keeps llvm-symbolizer out of PATH.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
fi

status=0
for kind in ata nvme; do
  target=$bin/${kind}_identify_fuzz
  echo "== ${kind}_identify_fuzz for ${seconds}s"
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/${kind}-" "$work/corpus-$kind" "$work/seed-$kind"); then
    echo "${kind}_identify_fuzz found a crash: see $work/${kind}-*" >&2
    status=1
  fi
done
exit $status
