#!/usr/bin/env bash
# Captures real `atelier-imager inventory --json` reports from QEMU VMs with different device sets,
# as fixtures for the fast tests (tests/imager/vm_fixture_test.cpp). Each configuration boots the
# boot environment (`atelier bootenv build`: vmlinuz + initrd.img, loaded with -kernel/-initrd, no
# PXE), whose /init runs the inventory inside the VM and POSTs it to a stand-in server
# (tests/vm/bootenv_register_server.py); the report is saved as OUT/vm-<config>.json.
#
# Network: each VM runs in its own network namespace (named after this helper and $$) that has
# only a loopback interface. The VM's NICs use QEMU user-mode networking on 198.18.9.0/24; a
# connection from the guest to 198.18.9.2 arrives on the namespace's 127.0.0.1, where the server
# listens. Nothing leaves the namespace.
#
# Usage: capture_vm_inventory.sh ATELIER OUT_DIR [CONFIG...]
#   ATELIER   the `atelier` binary (its bootenv build takes the atelier-imager built with it)
#   OUT_DIR   where vm-<config>.json and VM-FIXTURES.md go (tests/data/imager)
#   CONFIG    names from the table below; default: all. `--list` prints them.
# Root, QEMU (TCG, no KVM), ovmf. Each VM takes about a minute under TCG.
set -euo pipefail

# name | firmware (bios|uefi) | QEMU arguments (without kernel, NIC backend, console). Disks refer
# to $work/<name>.img files created by `disk NAME SIZE`. The first NIC is the one the agent uses.
configs=(
  "pc-ide-e1000-512m|bios|-machine pc -m 512 -smp 1
    -smbios type=1,manufacturer=Atelier VM Lab,product=i440fx IDE box,version=1.0,serial=ATL-PC-IDE-01,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b01,sku=SKU-PC,family=VM fixtures
    -smbios type=3,manufacturer=Atelier Chassis Co,version=C1,serial=CH-PC-IDE-01,asset=AT-0501
    -smbios type=17,loc_pfx=DIMM,bank=BANK 0,manufacturer=Atelier RAM,serial=RAM-512-01,asset=RAM-AT-1,part=ATL-RAM-512,speed=1333
    -drive if=none,id=d0,file=@ide.img,format=raw -device ide-hd,drive=d0,bus=ide.0,serial=IDE-SER-0001,model=Atelier IDE Disk
    -nic e1000"
  "q35-ahci-ssd-rtl8139-2g|bios|-machine q35 -m 2048 -smp 2
    -smbios type=1,manufacturer=Atelier VM Lab,product=Q35 AHCI box,serial=ATL-Q35-AHCI-02,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b02
    -smbios type=2,manufacturer=Atelier Boards,product=Q35-MB,version=rev B,serial=MB-Q35-0002,asset=MB-AT-2
    -smbios type=3,manufacturer=Atelier Chassis Co,serial=CH-Q35-AHCI-02,asset=AT-0502
    -smbios type=17,loc_pfx=ChannelA-DIMM,bank=BANK A,manufacturer=Atelier RAM,serial=RAM-2G-02,part=ATL-RAM-2G,speed=2400
    -drive if=none,id=d0,file=@ahci.img,format=raw -device ide-hd,drive=d0,bus=ide.0,serial=AHCI-SSD-0002,model=Atelier SATA SSD,rotation_rate=1
    -nic rtl8139"
  "pc-ahci-nvme-virtionet-3g|bios|-machine pc -m 3072 -smp 2
    -smbios type=1,manufacturer=Atelier VM Lab,product=i440fx NVMe box,serial=ATL-PC-NVME-03,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b03
    -smbios type=3,manufacturer=Atelier Chassis Co,serial=CH-PC-NVME-03,asset=AT-0503
    -device ahci,id=ahci0 -drive if=none,id=d0,file=@sata.img,format=raw -device ide-hd,drive=d0,bus=ahci0.0,serial=SATA-HDD-0003,model=Atelier SATA HDD
    -drive if=none,id=d1,file=@nvme.img,format=raw -device nvme,drive=d1,serial=NVME-ATL-0003
    -nic virtio-net-pci"
  "q35-ovmf-nvme-virtioblk-2g|uefi|-machine q35,smbios-entry-point-type=64 -m 2048 -smp 2
    -smbios type=1,manufacturer=Atelier VM Lab,product=Q35 UEFI box,serial=ATL-Q35-UEFI-04,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b04
    -smbios type=3,manufacturer=Atelier Chassis Co,serial=CH-Q35-UEFI-04,asset=AT-0504
    -smbios type=17,loc_pfx=DIMM,manufacturer=Atelier RAM,serial=RAM-2G-04,part=ATL-RAM-2G-U,speed=3200
    -drive if=none,id=d0,file=@nvme.img,format=raw -device nvme,drive=d0,serial=NVME-UEFI-0004
    -drive if=none,id=d1,file=@vblk.img,format=raw -device virtio-blk-pci,drive=d1,serial=VBLK-0004
    -nic virtio-net-pci"
  "q35-virtioscsi-3nics-3000m|bios|-machine q35 -m 3000 -smp 1
    -smbios type=1,manufacturer=Atelier VM Lab,product=Q35 SCSI box,serial=ATL-Q35-SCSI-05,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b05
    -smbios type=3,manufacturer=Atelier Chassis Co,serial=CH-Q35-SCSI-05,asset=AT-0505
    -device virtio-scsi-pci,id=scsi0 -drive if=none,id=d0,file=@scsi.img,format=raw -device scsi-hd,drive=d0,bus=scsi0.0,serial=SCSI-0005
    -nic virtio-net-pci -nic e1000 -nic rtl8139"
  "q35-ovmf-secboot-usb-e1000e-1g|uefi-secboot|-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on -m 1024 -smp 2
    -smbios type=1,manufacturer=Atelier VM Lab,product=Q35 Secure Boot box,serial=ATL-Q35-SB-06,uuid=6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b06
    -smbios type=3,manufacturer=Atelier Chassis Co,serial=CH-Q35-SB-06,asset=AT-0506
    -drive if=none,id=d0,file=@ahci.img,format=raw -device ide-hd,drive=d0,bus=ide.0,serial=AHCI-HDD-0006,model=Atelier SATA HDD
    -device qemu-xhci,id=xhci -drive if=none,id=d1,file=@usb.img,format=raw -device usb-storage,drive=d1,bus=xhci.0,serial=USB-0006
    -nic e1000e"
)
# Disk images per configuration (sparse files; sizes tell the disks apart in the tests).
disk_sizes="ide.img=2G ahci.img=3G sata.img=4G nvme.img=5G vblk.img=6G scsi.img=7G usb.img=1G"

name_of() { echo "${1%%|*}"; }
fields() { # CONFIG -> sets name firmware args
  name=${1%%|*}
  local rest=${1#*|}
  firmware=${rest%%|*}
  args=${rest#*|}
  args=$(echo "$args" | tr '\n' ' ' | tr -s ' ' | sed 's/ *$//')
}

if [[ ${1:-} == --list ]]; then
  for c in "${configs[@]}"; do name_of "$c"; done
  exit 0
fi
atelier=$(realpath "${1:?path to atelier}")
out=$(realpath "${2:?output directory}")
shift 2
wanted=("$@")
here=$(cd "$(dirname "$0")" && pwd)
server_py=$here/../../tests/vm/bootenv_register_server.py

for tool in qemu-system-x86_64 ip python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespaces)"; exit 1; }

work=$(mktemp -d /tmp/atl-agent-capture.XXXXXX)
ns=""
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

"$atelier" bootenv build --out "$work/be" >"$work/bootenv.log" 2>&1 || { cat "$work/bootenv.log"; exit 1; }

# The README of the fixtures is written from the table, so it always says how each was made.
{
  echo "# VM inventory fixtures (vm-*.json)"
  echo
  echo "Captured by \`imager/tools/capture_vm_inventory.sh\` on QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}')"
  echo "(TCG) with the boot environment of this tree: \`atelier-imager inventory --json\` ran inside each VM"
  echo "and posted its report. Common to all: \`-kernel vmlinuz -initrd initrd.img -display none\`, NICs on"
  echo "QEMU user networking (198.18.9.0/24), sparse raw disk images (${disk_sizes// /, })."
  echo "\`uefi\` adds \`-drive if=pflash\` with OVMF_CODE_4M.fd (read-only) and a copy of OVMF_VARS_4M.fd;"
  echo "\`uefi-secboot\` the same with OVMF_CODE_4M.secboot.fd (no keys enrolled: Setup Mode, Secure Boot off)."
  echo
  echo "| fixture | firmware | QEMU arguments |"
  echo "| --- | --- | --- |"
  for c in "${configs[@]}"; do
    fields "$c"
    echo "| \`vm-$name.json\` | $firmware | \`${args//@/}\` |"
  done
} >"$out/VM-FIXTURES.md"

capture() { # CONFIG
  fields "$1"
  local dir=$work/$name
  mkdir -p "$dir"
  for spec in $disk_sizes; do truncate -s "${spec#*=}" "$dir/${spec%%=*}"; done
  # Options start with " -"; values may hold spaces (SMBIOS strings), so split on those boundaries.
  local qemu_args
  mapfile -t qemu_args < <(echo " ${args//@/$dir/}" | sed 's/ -\([a-z]\)/\n-\1/g' | sed '/^ *$/d' |
    while read -r opt value; do echo "$opt"; [[ -n $value ]] && echo "$value"; done)
  # Each NIC gets its own user-mode backend and a fixed MAC; the first one registers.
  local nics=() i=0 mac first_mac=""
  local filtered=()
  for ((k = 0; k < ${#qemu_args[@]}; k++)); do
    if [[ ${qemu_args[k]} == -nic ]]; then
      mac=$(printf '52:54:00:a7:e1:%02x' $((i + 1)))
      [[ -z $first_mac ]] && first_mac=$mac
      nics+=(-netdev "user,id=n$i,net=198.18.9.0/24,host=198.18.9.2,dhcpstart=198.18.9.50"
        -device "${qemu_args[k + 1]},netdev=n$i,mac=$mac")
      i=$((i + 1))
      k=$((k + 1))
    else
      filtered+=("${qemu_args[k]}")
    fi
  done
  local fw=()
  if [[ $firmware == uefi* ]]; then
    # uefi-secboot: the Secure Boot build with empty variables, i.e. Setup Mode, Secure Boot off (an
    # enrolled db would refuse the Debian kernel, which only shim's key signs).
    local code=/usr/share/OVMF/OVMF_CODE_4M.fd
    [[ $firmware == uefi-secboot ]] && code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$dir/vars.fd"
    fw=(-drive "if=pflash,format=raw,unit=0,file=$code,readonly=on"
      -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd")
  fi

  ns=atl-agent-cap-$$-$name
  ns=${ns:0:60}
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" python3 "$server_py" 127.0.0.1 8080 "$dir/register.json" >"$dir/server.log" 2>&1 &
  local server_pid=$!
  pids+=("$server_pid")
  echo "== $name: qemu ${filtered[*]} ${nics[*]}"
  ip netns exec "$ns" qemu-system-x86_64 -display none -no-reboot "${fw[@]}" \
    -kernel "$work/be/vmlinuz" -initrd "$work/be/initrd.img" \
    -append "console=ttyS0 panic=-1 initrd=initrd.img atelier.server=http://198.18.9.2:8080 atelier.token=capture atelier.mac=$first_mac" \
    "${filtered[@]}" "${nics[@]}" -serial "file:$dir/console.log" </dev/null >"$dir/qemu.log" 2>&1 &
  local qemu_pid=$!
  pids+=("$qemu_pid")
  local deadline=$((SECONDS + 300)) ok=no
  while ((SECONDS < deadline)); do
    if grep -q ATELIER-AGENT-REGISTERED "$dir/console.log" 2>/dev/null && [[ -s $dir/register.json ]]; then
      ok=yes
      break
    fi
    if ! kill -0 "$qemu_pid" 2>/dev/null; then break; fi
    sleep 3
  done
  kill "$qemu_pid" "$server_pid" 2>/dev/null || true
  wait "$qemu_pid" "$server_pid" 2>/dev/null || true
  pids=()
  ip netns del "$ns"
  ns=""
  if [[ $ok != yes ]]; then
    echo "FAIL: $name did not register; console:"
    tr -d '\r' <"$dir/console.log" | tail -30
    cat "$dir/qemu.log"
    return 1
  fi
  python3 - "$dir/register.json" "$out/vm-$name.json" "$first_mac" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
assert body["mac"] == sys.argv[3], (body["mac"], sys.argv[3])
inv = body["inventory"]
assert inv["schema"] == "atelier.inventory/1", inv.get("schema")
with open(sys.argv[2], "w") as out:
    json.dump(inv, out, indent=2, ensure_ascii=False)
    out.write("\n")
print("   saved", sys.argv[2], "-", len(inv["disks"]), "disks,", len(inv["network"]), "NICs,",
      inv["memory"]["total_bytes"], "bytes of memory,", len(inv["warnings"]), "warnings")
PY
}

status=0
for c in "${configs[@]}"; do
  fields "$c"
  if ((${#wanted[@]} > 0)) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  start=$SECONDS
  capture "$c" || status=1
  echo "   $name: $((SECONDS - start)) s"
done
exit $status
