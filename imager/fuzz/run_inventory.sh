#!/bin/bash
# Runs each imager libFuzzer target for a short time, seeded with the fixtures: the SMBIOS tables of
# tests/data/imager/smbios/*/ and of the VM inventories (raw.smbios), the smartctl/nvme-cli answers
# of tests/data/imager/smart/ and of the VM inventories (raw.smart[].stdout).
# Usage: imager/fuzz/run_inventory.sh FUZZ_BIN_DIR [SECONDS_PER_TARGET]
#   FUZZ_BIN_DIR: where smbios_fuzz and smart_fuzz were built, e.g. build-fuzz/imager/fuzz for a clang
#   build configured with -DATELIER_FUZZ=ON (docs/INVENTORY.md, "Fuzzing").
# Exits non-zero if a target crashes; the crashing input is left in FUZZ_BIN_DIR/work/.
set -euo pipefail

bin=$(cd "${1:?directory of the fuzz binaries}" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../../tests/data/imager
work=$bin/work
mkdir -p "$work"
for kind in smbios smart; do
  rm -rf "$work/seed-$kind"
  mkdir -p "$work/seed-$kind" "$work/corpus-$kind"
done

# smbios_fuzz input: one byte with the entry point's length, the entry point, then the table.
python3 - "$fixtures" "$work" <<'PY'
import base64, glob, json, os, sys
fixtures, work = sys.argv[1], sys.argv[2]
def smbios_seed(name, entry, table):
    with open(os.path.join(work, "seed-smbios", name), "wb") as out:
        out.write(bytes([min(len(entry), 255)]) + entry[:255] + table)
for d in sorted(glob.glob(os.path.join(fixtures, "smbios", "*", ""))):
    entry, table = os.path.join(d, "smbios_entry_point"), os.path.join(d, "DMI")
    if os.path.exists(entry) and os.path.exists(table):
        smbios_seed(os.path.basename(d.rstrip("/")), open(entry, "rb").read(), open(table, "rb").read())
for f in sorted(glob.glob(os.path.join(fixtures, "smart", "*.json"))):
    with open(os.path.join(work, "seed-smart", os.path.basename(f)), "wb") as out:
        out.write(open(f, "rb").read())
for f in sorted(glob.glob(os.path.join(fixtures, "vm-*.json"))):
    inv = json.load(open(f))
    name = os.path.basename(f)[:-5]
    raw = inv["raw"]["smbios"]
    if raw["entry_point_base64"] and raw["table_base64"]:
        smbios_seed(name, base64.b64decode(raw["entry_point_base64"]), base64.b64decode(raw["table_base64"]))
    for i, run in enumerate(inv["raw"]["smart"]):
        with open(os.path.join(work, "seed-smart", f"{name}-{i}"), "w") as out:
            out.write(run["stdout"])
PY

# Readable stack traces: Debian's clang-19 keeps llvm-symbolizer out of PATH.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
fi

status=0
for kind in smbios smart; do
  target=$bin/${kind}_fuzz
  echo "== ${kind}_fuzz for ${seconds}s ($(ls "$work/seed-$kind" | wc -l) seeds)"
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/${kind}-" "$work/corpus-$kind" "$work/seed-$kind"); then
    echo "${kind}_fuzz found a crash: see $work/${kind}-*" >&2
    status=1
  fi
done
exit $status
