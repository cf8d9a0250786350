#!/bin/sh
# Sequential read: atelier-imager's disk stage against `dd iflag=direct` (what a volunteer would
# otherwise type), on the same device in one run, and the ratio. Read-only on the device.
#
#   bench/disk_read.sh [DEVICE_OR_FILE] [BUDGET_SECONDS]
#
# Without DEVICE_OR_FILE it creates a 1 GiB file, attaches it as a loop device with direct I/O (so
# the backing file's page cache does not flatter either tool), and detaches and removes it at the end.
# Needs root for the loop device. Runs in well under a minute. Not part of ctest.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
imager=${ATELIER_IMAGER:-$here/build/imager/atelier-imager}
budget=${2:-16}
cleanup=""
trap 'eval "$cleanup"' EXIT

if [ $# -ge 1 ]; then
  target=$1
else
  dir=$(mktemp -d)
  cleanup="rm -rf '$dir'"
  dd if=/dev/urandom of="$dir/disk.img" bs=1M count=1024 status=none
  target=$(losetup --direct-io=on -f --show "$dir/disk.img")
  cleanup="losetup -d '$target'; $cleanup"
fi

# atelier-imager: with --no-memtest the disk stage gets 3/8 of the budget, half of it sequential.
json=$("$imager" bench --json --no-memtest --budget "$budget" --disk "$target")
atelier_mb_s=$(printf '%s' "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin)["disks"][0]; print(d["seq_read_mb_s"] or 0)')

# dd: 1 MiB direct reads from the start, as much as fits in 1 GiB or the device.
size_mib=$(( $(blockdev --getsize64 "$target" 2>/dev/null || stat -c %s "$target") / 1048576 ))
count=$(( size_mib < 1024 ? size_mib : 1024 ))
dd_out=$(dd if="$target" of=/dev/null bs=1M count="$count" iflag=direct 2>&1 | tail -n 1)
dd_mb_s=$(printf '%s' "$dd_out" | python3 -c 'import re,sys; t=sys.stdin.read(); m=re.match(r"(\d+) bytes.*copied, ([0-9.,]+) s", t); print(int(m.group(1))/float(m.group(2).replace(",","."))/1e6)')

python3 - "$target" "$atelier_mb_s" "$dd_mb_s" <<'PY'
import sys
target, a, d = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"{target}: atelier-imager {a:.1f} MB/s, dd iflag=direct {d:.1f} MB/s, ratio {a/d:.2f}")
PY
