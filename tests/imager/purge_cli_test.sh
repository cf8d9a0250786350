#!/usr/bin/env bash
# atelier-imager identify/purge on a real loop device: no pass-through must be said plainly, with the
# documented exit statuses (identify 0, purge 2), and nothing may crash or write.
# Usage: purge_cli_test.sh ATELIER_IMAGER   (root for losetup; exits 77 = skipped otherwise)
set -euo pipefail
imager=${1:?path to atelier-imager}
[[ $(id -u) -eq 0 && -e /dev/loop-control ]] || { echo "needs root and loop devices"; exit 77; }

work=$(mktemp -d /tmp/atl-purge-cli.XXXXXX)
loop=""
cleanup() {
  [[ -n $loop ]] && losetup -d "$loop" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

head -c 1M /dev/urandom >"$work/disk.img"
truncate -s 16M "$work/disk.img"
sum_before=$(sha256sum <"$work/disk.img")
loop=$(losetup --find --show "$work/disk.img")

out=$("$imager" identify "$loop") || fail "identify exited $?"
grep -q "no ATA/NVMe pass-through on this device (loop)" <<<"$out" || fail "identify text: $out"
json=$("$imager" identify "$loop" --json) || fail "identify --json exited $?"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["format"]=="atelier.identify/1"; assert d["pass_through"]=="none"; assert d["message"]=="no ATA/NVMe pass-through on this device (loop)", d' "$json" \
  || fail "identify json: $json"

set +e
err=$("$imager" purge "$loop" --method ata-sanitize-crypto 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "purge exited $status, expected 2: $err"
grep -q "no ATA/NVMe pass-through on this device (loop)" <<<"$err" || fail "purge message: $err"

set +e
"$imager" purge "$loop" --method zero >/dev/null 2>&1
status=$?
"$imager" identify "$work/disk.img" >/dev/null 2>&1
file_status=$?
set -e
[[ $status -ne 0 ]] || fail "purge accepted an overwrite method"
[[ $file_status -eq 2 ]] || fail "identify of a regular file exited $file_status, expected 2"

losetup -d "$loop"
loop=""
[[ $(sha256sum <"$work/disk.img") == "$sum_before" ]] || fail "the disk image changed"
echo "PASS"
