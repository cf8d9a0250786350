#!/bin/sh
# Overwrite speed: atelier-imager wipe against what a volunteer would otherwise run, on the same loop
# device in one run, with ratios:
#   1. zero pass + full read-back:  atelier-imager --method zero --verify full
#                                   vs  dd if=/dev/zero bs=4M oflag=direct  +  cmp against /dev/zero
#   2. random pass + full read-back: atelier-imager --method random --verify full
#                                   vs  nwipe --method=random --verify=last --noblank
#   3. pattern generator alone:     atelier-imager wipe --stream-to-stdout (AES-128-CTR)
#                                   vs  openssl enc -aes-128-ctr from /dev/zero, both to /dev/null
#
#   bench/wipe/run.sh [SIZE_GIB]      (default 4; needs root for the loop device)
#
# The loop device is backed by a sparse file under /var/tmp (a disk-backed filesystem, not tmpfs) and
# attached with --direct-io=on, so neither tool is flattered by the backing file's page cache.
# Everything it creates is removed on exit. Not part of ctest.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
imager=${ATELIER_IMAGER:-$here/build/imager/atelier-imager}
gib=${1:-4}
size=$((gib * 1024 * 1024 * 1024))
dir=$(mktemp -d /var/tmp/atelier-wipe-bench.XXXXXX)
dev=""
cleanup() {
  [ -n "$dev" ] && losetup -d "$dev" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM
truncate -s "$size" "$dir/disk.img"
dev=$(losetup --direct-io=on --find --show "$dir/disk.img")
serial=$(readlink -f "$dir/disk.img")
now() { date +%s.%N; }
mbs() { python3 -c "import sys; print(f'{$size * $1 / 1e6 / ($3 - $2):.1f}')"; }

echo "device $dev ($gib GiB, loop over $dir/disk.img, direct I/O), $(nproc) CPUs"

# 0. write only: one zero pass, no verification
t0=$(now)
dd if=/dev/zero of="$dev" bs=4M count=$((size / 4194304)) oflag=direct status=none
t1=$(now)
"$imager" wipe "$dev" --method zero --verify none --confirm-serial "$serial" >"$dir/write.txt"
t2=$(now)
dd_write=$(mbs 1 "$t0" "$t1")
at_write=$(mbs 1 "$t1" "$t2")

# 1. zero + full verify; dd's read-back twice: plain (dd iflag=direct, no comparison: an upper
# bound) and compared (cmp against /dev/zero, what a volunteer would type)
t0=$(now)
dd if=/dev/zero of="$dev" bs=4M count=$((size / 4194304)) oflag=direct status=none
dd if="$dev" of=/dev/null bs=4M iflag=direct status=none
t1=$(now)
dd if=/dev/zero of="$dev" bs=4M count=$((size / 4194304)) oflag=direct status=none
blockdev --flushbufs "$dev"
cmp -n "$size" "$dev" /dev/zero
t2=$(now)
dd_read=$(mbs 2 "$t0" "$t1")
dd_zero=$(mbs 2 "$t1" "$t2")
t0=$(now)
dd if=/dev/zero of="$dev" bs=4M count=$((size / 4194304)) oflag=direct status=none
blockdev --flushbufs "$dev"
cmp -n "$size" "$dev" /dev/zero
"$imager" wipe "$dev" --method zero --verify full --confirm-serial "$serial" >"$dir/zero.txt"
t1=$(now)
at_zero=$(mbs 2 "$t0" "$t1")

# 2. random + full verify (both: one random pass, then read back everything)
t0=$(now)
"$imager" wipe "$dev" --method random --verify full --confirm-serial "$serial" >"$dir/random.txt"
t1=$(now)
nwipe --autonuke --nogui --nowait --noblank --method=random --verify=last --logfile="$dir/nwipe.log" "$dev" \
  >/dev/null 2>&1 || { echo "nwipe failed:"; tail -n 20 "$dir/nwipe.log"; exit 1; }
t2=$(now)
grep -q -i "fail" "$dir/nwipe.log" && grep -i "fail" "$dir/nwipe.log" | head -n 3
at_random=$(mbs 2 "$t0" "$t1")
nw_random=$(mbs 2 "$t1" "$t2")

# 3. pattern generator alone, to /dev/null
key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
iv=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
t0=$(now)
"$imager" wipe --stream-to-stdout "$size" >/dev/null
t1=$(now)
head -c "$size" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$key" -iv "$iv" >/dev/null
t2=$(now)
at_prng=$(mbs 1 "$t0" "$t1")
ossl_prng=$(mbs 1 "$t1" "$t2")

python3 - "$dd_zero" "$at_zero" "$nw_random" "$at_random" "$ossl_prng" "$at_prng" "$dd_write" "$at_write" "$dd_read" <<'PY'
import sys
dd, az, nw, ar, os_, ap, dw, aw, dr = map(float, sys.argv[1:])
print("MB/s counts every byte moved (written + read back) over the wall-clock time")
print(f"zero, write only:     atelier-imager {aw:8.1f} MB/s   dd     {dw:8.1f} MB/s   ratio {aw/dw:.2f} (goal >= 0.97)")
print(f"zero + full verify:   atelier-imager {az:8.1f} MB/s   dd+dd read-back (no compare) {dr:8.1f} MB/s   ratio {az/dr:.2f}")
print(f"zero + full verify:   atelier-imager {az:8.1f} MB/s   dd+cmp {dd:8.1f} MB/s   ratio {az/dd:.2f} (goal >= 0.97)")
print(f"random + full verify: atelier-imager {ar:8.1f} MB/s   nwipe  {nw:8.1f} MB/s   ratio {ar/nw:.2f} (goal > 1)")
print(f"AES-128-CTR stream:   atelier-imager {ap:8.1f} MB/s   openssl enc {os_:8.1f} MB/s   ratio {ap/os_:.2f}")
PY
