#!/usr/bin/env bash
# VM test (CTest label `vm`): the whole imaging path on a virtual disk, then a real boot.
#   1. `atelier image build` makes the vm-minimal image (tests/data/profiles/vm-minimal.toml),
#      normally a cache hit (image_build_test.sh or an earlier run built it), and writes its
#      sha256 into a copy of the profile (--update-profile);
#   2. a sparse 4 GiB disk file is attached as a loop device and `atelier-imager deploy` puts the
#      image on it for FIRMWARE (bios: MBR; uefi: GPT with an EFI system partition), tailored for
#      asset tag AT-0042-7;
#   3. QEMU boots the disk under TCG (q35, the disk on AHCI as on a real PC, no network) with
#      SeaBIOS or with OVMF with Secure Boot on and Microsoft's keys (a fresh copy of its variable
#      store, so the firmware finds shim by the removable-media path, as on a machine fresh from the
#      workshop); the UEFI run also checks that the running system has Secure Boot on;
#   4. the household's first start, played on the serial console (GRUB, the kernel and
#      /dev/console are sent there by the profile's GRUB drop-in) by tests/vm/first_boot_console.py:
#      the profile's account mode is oem, so Atelier's first-boot step (imager/deploy/first_boot.h)
#      names the machine ("[atelier-at-0042-7]") and asks for the household's account (one bad user
#      name and one mistyped confirmation first); then the tailored hostname's login prompt,
#      "atelier-at-0042-7 login:", takes the new account, whose shell runs a command;
#   5. pass when the command's output comes back.
# On failure the last 50 console lines are printed. The loop device and QEMU are removed by PID
# in the EXIT trap.
#
# Usage: deploy_boot_test.sh ATELIER ATELIER_IMAGER bios|uefi [CACHE_DIR]   (root; QEMU under TCG)
set -euo pipefail
atelier=${1:?path to atelier}
imager=${2:?path to atelier-imager}
firmware=${3:?bios or uefi}
cache=${4:-/var/cache/atelier/images}
here=$(cd "$(dirname "$0")" && pwd)
tag=AT-0042-7
login="atelier-at-0042-7 login:" # hostname = "atelier-{tag}" with the tag in lower case
boot_timeout=${ATELIER_BOOT_TIMEOUT:-300}
# UEFI with Secure Boot on and Microsoft's keys enrolled, as on most PCs since 2012: the deployed
# system must start through Debian's signed shim and GRUB (docs/DEPLOY.md, "Secure Boot").
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.ms.fd

case "$firmware" in bios | uefi) ;; *) echo "firmware must be bios or uefi"; exit 2 ;; esac
for tool in qemu-system-x86_64 losetup mmdebstrap python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list, image.list)"; exit 1; }
done
[[ $firmware == bios || -r $ovmf_code ]] || { echo "missing $ovmf_code (package ovmf)"; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "needs root (loop devices, mmdebstrap)"; exit 1; }

work=$(mktemp -d /tmp/atl-deployboot.XXXXXX)
loop=""
qemu_pid=""
cleanup() {
  set +e
  if [[ -n $qemu_pid ]]; then
    kill "$qemu_pid" 2>/dev/null
    wait "$qemu_pid" 2>/dev/null
  fi
  if [[ -n $loop ]]; then
    losetup -d "$loop"
  fi
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
console=$work/console.log
fail() {
  echo "FAIL ($firmware): $*"
  if [[ -s $console ]]; then
    echo "--- serial console (last 50 lines)"
    tr -d '\r' <"$console" | tail -50
  fi
  exit 1
}

# 1. The image, usually from the cache.
cp "$here/../data/profiles/vm-minimal.toml" "$work/vm-minimal.toml"
start=$SECONDS
"$atelier" image build "$work/vm-minimal.toml" --out "$work/vm-minimal.tar.zst" --cache-dir "$cache" \
  --update-profile >"$work/build.out" 2>"$work/build.err" || { tail -20 "$work/build.err"; fail "image build"; }
head -1 "$work/build.out"
echo "image: $((SECONDS - start)) s"

# 2. Deploy onto a loop device. The serial the safety check compares with is a loop device's
# backing file (docs/WIPE.md).
truncate -s 4G "$work/disk.img"
loop=$(losetup --find --show --partscan "$work/disk.img")
start=$SECONDS
if ! "$imager" deploy "$loop" --profile "$work/vm-minimal.toml" --image "$work/vm-minimal.tar.zst" \
  --firmware "$firmware" --tag "$tag" --confirm-serial "$work/disk.img" --json \
  >"$work/deploy.json" 2>"$work/deploy.err"; then
  tail -20 "$work/deploy.err"
  cat "$work/deploy.json"
  fail "atelier-imager deploy"
fi
echo "deploy: $((SECONDS - start)) s"
python3 - "$work/deploy.json" <<'PY' || fail "deploy record"
import json, sys
record = json.load(open(sys.argv[1]))
print("deploy record:", {k: record.get(k) for k in ("result", "firmware", "hostname", "bootloader_installed")})
assert record["result"] == "imaged", record
assert record["hostname"] == "atelier-at-0042-7", record["hostname"]
assert record["bootloader_installed"] is True, record
assert any("atelier-first-boot.service" in n for n in record.get("notes", [])), record.get("notes")
print("deploy steps:", ", ".join(f'{s["name"]} {s["duration_seconds"]:.1f} s' for s in record.get("steps", [])))
for note in record.get("notes", []):
    print("deploy note:", note)
PY
losetup -d "$loop"
loop=""

# 3. Boot it. No network: the system must come up from its own disk alone. The serial port is a
# socket that the household's side (first_boot_console.py) connects to; it logs to $console.
qemu=(qemu-system-x86_64 -machine q35,smm=on -m 1024 -display none -no-reboot -nic none
  -drive "file=$work/disk.img,format=raw,if=none,id=disk0" -device ide-hd,drive=disk0,bus=ide.0
  -chardev "socket,id=ser0,path=$work/serial.sock,server=on,wait=off" -serial chardev:ser0)
if [[ $firmware == uefi ]]; then
  cp "$ovmf_vars" "$work/OVMF_VARS.fd"
  qemu+=(-global driver=cfi.pflash01,property=secure,value=on
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
    -drive "if=pflash,format=raw,unit=1,file=$work/OVMF_VARS.fd")
fi
: >"$console"
start=$SECONDS
"${qemu[@]}" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!

# 4. and 5. The household's first start (bounded by the boot timeout). QEMU stopping on its own
# (-no-reboot: a panic or a reset ends it) closes the socket, which ends the script too.
sb_check=()
[[ $firmware == uefi ]] && sb_check=(secure-boot)
if ! python3 "$here/first_boot_console.py" "$work/serial.sock" "$console" "$boot_timeout" \
  "atelier-at-0042-7" "${sb_check[@]}"; then
  if ! kill -0 "$qemu_pid" 2>/dev/null; then
    wait "$qemu_pid" || true
    qemu_pid=""
    cat "$work/qemu.log"
  fi
  fail "the household's first start did not end in a shell of the new account"
fi
boot=$((SECONDS - start))
tr -d '\r' <"$console" | grep -E "^(Welcome to|Debian GNU/Linux)|$login" | head -5 || true
echo "PASS ($firmware): deployed image booted, the household created its account at the first start and logged in with it, in $boot s"
