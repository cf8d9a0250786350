#!/usr/bin/env bash
# VM test (CTest label `vm`): real firmware meets atelierd's proxyDHCP beside a site DHCP server.
#
# Two network namespaces, only 198.18.0.0/15 addresses:
#   atl-vm-N      bridge br0 198.18.0.1/24 = the "site": dnsmasq as a plain DHCP server (no PXE
#                 options), and the VMs' taps
#   atl-vm-N-p    198.18.0.2/24 on a veth into that bridge = the workshop server running atelierd
#                 (DHCP on 67/4011, HTTP boot on 8080)
# A SeaBIOS VM (QEMU's iPXE NIC ROM) and an OVMF VM (EDK2's own PXE, romfile=) boot from the network.
# Proxy mode: the OVMF VM has Secure Boot off and gets iPXE ([boot] uefi_chain = "auto": Debian 12's
# signed GRUB cannot read a proxyDHCP answer, docs/PXE.md "Secure Boot"): a proxy offer, the
# port-4011 ACK, ipxe.efi over TFTP, and that iPXE's script. Standalone mode: the OVMF VM has
# Secure Boot on with Microsoft's keys enrolled (OVMF_CODE_4M.secboot with OVMF_VARS_4M.ms, SMM),
# as most donated PCs since 2012, and gets Debian's signed chain over TFTP: shimx64.efi,
# grubx64.efi, grub/grub.cfg and its own GRUB entry with a boot token, the kernel and the initrd;
# its kernel reports Secure Boot on and lockdown. In both modes, a third OVMF VM, Secure Boot on
# and PXE off in its firmware, boots by UEFI HTTP boot: the signed chain's disk
# (daemon/http_boot_disk.h) over HTTP into a RAM disk, shim and GRUB from it, GRUB's own DHCP (the
# site's server in proxy mode), its GRUB entry, kernel and initrd over TFTP.
# Checked in both: both VMs are detected as units with their MAC and firmware family, the iPXE one
# gets its per-machine HTTP script with a boot token, both boot environments' agents register with
# their one-time tokens, which moves the units to `inventoried`; once marked "don't boot", a
# machine is not answered.
# Negative controls (standalone mode): the same Secure Boot firmware refuses an unsigned EFI binary
# (iPXE's) from a disk, so the firmware of this test does enforce Secure Boot; and a firmware whose
# keys lack Microsoft's UEFI CA refuses shim, which atelierd's log names.
#
# With MODE=standalone there is no site server: atelierd is the only DHCP server of the switch and
# hands out addresses from a pool together with the boot file.
#
# Usage: pxe_boot_test.sh ATELIERD ATELIER [proxy|standalone]   (root; QEMU under TCG, no KVM)
set -euo pipefail
atelierd=${1:?path to atelierd}
atelier=${2:?path to atelier}
mode=${3:-proxy}

[[ -f /usr/lib/ipxe/ipxe.efi ]] || { echo "missing /usr/lib/ipxe (package ipxe, scripts/packages.d/vm.list)"; exit 1; }
for tool in qemu-system-x86_64 dnsmasq ip curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespaces)"; exit 1; }

ns=atl-vm-$$
nsp=atl-vm-$$-p
work=$(mktemp -d /tmp/atl-vm.XXXXXX)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$nsp" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- atelierd log"; cat "$work/atelierd.log"
  for f in "$work"/*.console; do echo "--- $f"; tail -c 2000 "$f" | tr -d '\r' | tail -20; done
  exit 1
}

ip netns add "$ns"
ip netns add "$nsp"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
for t in tap0 tap1 tap2 tap3; do
  ip -n "$ns" tuntap add dev "$t" mode tap
  ip -n "$ns" link set "$t" master br0
  ip -n "$ns" link set "$t" up
done
ip -n "$ns" link add vsite type veth peer name vproxy
ip -n "$ns" link set vproxy netns "$nsp"
ip -n "$ns" link set vsite master br0
ip -n "$ns" addr add 198.18.0.1/24 dev br0
ip -n "$ns" link set br0 up
ip -n "$ns" link set vsite up
ip -n "$nsp" link set lo up
ip -n "$nsp" addr add 198.18.0.2/24 dev vproxy
ip -n "$nsp" link set vproxy up

# The site's DHCP server: addresses only, nothing about booting.
# (An `if`, not `[[ ]] && ... &`: that would background a subshell, and $! would be the subshell's
# PID, leaving dnsmasq running after the cleanup.)
if [[ $mode == proxy ]]; then
  ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
    --dhcp-range=198.18.0.50,198.18.0.99,255.255.255.0,5m --dhcp-leasefile="$work/leases" \
    --pid-file="$work/site.pid" >"$work/site.log" 2>&1 &
  pids+=($!)
fi

db="$work/atelier.db"
"$atelier" --db "$db" db init >/dev/null
"$atelier" bootenv build --out "$work/bootenv" --cache "${ATELIER_BOOTENV_CACHE:-/var/cache/atelier/bootenv}" \
  >"$work/bootenv.log" 2>&1 || { cat "$work/bootenv.log"; echo "FAIL: atelier bootenv build"; exit 1; }
mode_args=()
[[ $mode == standalone ]] && mode_args=(--mode standalone --pool 198.18.0.100-198.18.0.150)
ip netns exec "$nsp" "$atelierd" --db "$db" --interface vproxy --address 198.18.0.2 \
  --http-port 8080 --boot-dir "$work/bootenv" "${mode_args[@]}" >"$work/atelierd.log" 2>&1 &
pids+=($!)

bios_mac=52:54:00:a7:e2:01
uefi_mac=52:54:00:a7:e2:02
# Secure Boot on in standalone mode (Microsoft's keys enrolled), off in proxy mode.
if [[ $mode == standalone ]]; then
  uefi_code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
  cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$work/vars.fd"
  uefi_machine=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on)
else
  uefi_code=/usr/share/OVMF/OVMF_CODE_4M.fd
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
  uefi_machine=(-machine q35)
fi
boot_vm() { # name tap mac [extra qemu args...]
  local name=$1 tap=$2 mac=$3
  shift 3
  ip netns exec "$ns" qemu-system-x86_64 -display none -m 1024 -boot n \
    -netdev tap,id=n0,ifname="$tap",script=no,downscript=no "$@" \
    -serial "file:$work/$name.console" </dev/null >"$work/$name.qemu.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
}
boot_vm bios tap0 "$bios_mac" -device virtio-net-pci,netdev=n0,mac=$bios_mac
boot_vm uefi tap1 "$uefi_mac" "${uefi_machine[@]}" \
  -drive if=pflash,format=raw,file="$uefi_code",readonly=on \
  -drive if=pflash,format=raw,file="$work/vars.fd" \
  -device virtio-net-pci,netdev=n0,mac=$uefi_mac,romfile=

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 2
  done
}
unit_json() { "$atelier" --db "$db" units list --json; }
has_unit() { unit_json | grep -q "\"mac\": \"$1\""; }
logged() { grep -q "$1" "$work/atelierd.log"; }

wait_for 180 has_unit "$bios_mac" || fail "SeaBIOS/iPXE VM was not detected"
wait_for 180 has_unit "$uefi_mac" || fail "OVMF/EDK2 VM was not detected"
if [[ $mode == proxy ]]; then
  offer_to() { echo "DHCPOFFER (proxy) to $1"; }
  wait_for 60 logged "$(offer_to $bios_mac)" || fail "no proxy offer to the iPXE VM"
  wait_for 60 logged "$(offer_to $uefi_mac)" || fail "no proxy offer to the EDK2 VM"
  # EDK2 then asks the boot server on port 4011 (PXE-NOTES style (a)).
  wait_for 90 logged "DHCPACK (proxy) to $uefi_mac" || fail "EDK2's port-4011 request was not acknowledged"
else
  offer_to() { echo "DHCPOFFER 198.18.0.1[0-9]* to $1 "; }
  # Both get an address from the pool with their boot file, and the firmware takes it (ACK).
  wait_for 60 logged "$(offer_to $bios_mac)ipxe AT-[0-9-]*: http://198.18.0.2:8080/boot/" || fail "no offer with the script URL to the iPXE VM"
  wait_for 60 logged "$(offer_to $uefi_mac)uefi-pxe AT-[0-9-]*: shimx64.efi" || fail "no offer with Debian's signed shim to the EDK2 VM"
  wait_for 90 logged "DHCPACK 198.18.0.1[0-9]* to $bios_mac" || fail "the iPXE VM did not take its address"
  wait_for 90 logged "DHCPACK 198.18.0.1[0-9]* to $uefi_mac" || fail "the EDK2 VM did not take its address"
  grep -q "^lease $uefi_mac 198.18.0.1" "$db.leases" || fail "lease not journaled"
fi

# iPXE follows the offer to atelierd's HTTP server and gets its script with a one-time token.
wait_for 90 logged "boot token [0-9a-f]*... issued for $bios_mac" || fail "iPXE did not get its boot script over HTTP"
if [[ $mode == proxy ]]; then
  # EDK2 fetches iPXE (ipxe.efi) from atelierd's TFTP server; that iPXE asks DHCP again, is
  # recognised as iPXE (loop avoidance) and gets its script too.
  wait_for 180 logged "boot token [0-9a-f]*... issued for $uefi_mac" || fail "the UEFI VM did not chain into iPXE and its script"
  logged 'TFTP: sent "ipxe.efi"' || fail "ipxe.efi was not sent over TFTP"
else
  # EDK2 fetches Debian's signed shim from atelierd's TFTP server, shim the signed GRUB, GRUB its
  # configuration and this machine's entry, which carries the boot token.
  wait_for 180 logged "boot token [0-9a-f]*... issued for $uefi_mac (GRUB entry" || fail "the UEFI VM did not reach GRUB and its entry"
  logged 'TFTP: sent "shimx64.efi"' || fail "shimx64.efi was not sent over TFTP"
  logged 'TFTP: sent "grubx64.efi"' || fail "grubx64.efi was not sent over TFTP"
fi
! logged "TFTP: refused" || fail "a TFTP request was refused"

# Both boot the boot environment; its agent registers with the token of its boot.
in_state() { unit_json | python3 -c "import json,sys; sys.exit(0 if any(u['mac']=='$1' and u['state']=='$2' for u in json.load(sys.stdin)) else 1)"; }
wait_for 300 in_state "$bios_mac" inventoried || fail "the BIOS VM's agent did not register"
wait_for 300 in_state "$uefi_mac" inventoried || fail "the UEFI VM's agent did not register"
grep -q "ATELIER-AGENT-REGISTERED" "$work/bios.console" || fail "the BIOS VM's console does not say it registered"
grep -q "ATELIER-AGENT-REGISTERED" "$work/uefi.console" || fail "the UEFI VM's console does not say it registered"
if [[ $mode == standalone ]]; then
  # Debian's kernel, started by shim and GRUB, saw Secure Boot on and locked itself down; the agent
  # still inventoried the machine (SMBIOS from /sys, no /dev/mem).
  grep -q "Secure boot enabled" "$work/uefi.console" || fail "the UEFI VM's kernel does not report Secure Boot on"
  grep -q "Kernel is locked down from EFI Secure Boot" "$work/uefi.console" || fail "the UEFI VM's kernel is not locked down"
fi

# A replayed token is refused: fetch a script as a machine would, register once, then replay it.
replay_mac=52:54:00:a7:e2:09
token=$(ip netns exec "$ns" curl -fsS "http://198.18.0.2:8080/boot/$replay_mac.ipxe" | grep -o 'atelier.token=[0-9a-f]*' | cut -d= -f2)
[[ -n $token ]] || fail "no token in the boot script"
python3 -c "import json,sys; print(json.dumps({'mac': '$replay_mac', 'token': '$token', 'inventory': json.load(open(sys.argv[1]))}))" \
  "$(dirname "$0")/../data/profiles/laptop-8gb-uefi-ssd.json" >"$work/replay.json"
post() { ip netns exec "$ns" curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @"$work/replay.json" http://198.18.0.2:8080/api/v1/register; }
[[ $(post) == 200 ]] || fail "a fresh token was not accepted"
[[ $(post) == 403 ]] || fail "a replayed token was accepted"

bios_tag=$(unit_json | python3 -c "import json,sys; print([u['tag'] for u in json.load(sys.stdin) if u['mac']=='$bios_mac'][0])")
"$atelier" --db "$db" units show "$bios_tag" --json | grep -q '"firmware": "ipxe"' || fail "iPXE sighting not recorded"
uefi_tag=$(unit_json | python3 -c "import json,sys; print([u['tag'] for u in json.load(sys.stdin) if u['mac']=='$uefi_mac'][0])")
"$atelier" --db "$db" units show "$uefi_tag" --json | grep -q '"firmware": "uefi-pxe"' || fail "UEFI PXE sighting not recorded"
# The listing says which firmware each machine has (from option 93), whatever booted last.
"$atelier" --db "$db" units list | grep "$bios_mac" | grep -q "bios (" || fail "units list does not show the BIOS machine as bios"
"$atelier" --db "$db" units list | grep "$uefi_mac" | grep -q "uefi (" || fail "units list does not show the UEFI machine as uefi"

# "Don't boot": the SeaBIOS machine keeps retrying DHCP; from now on it must be refused.
"$atelier" --db "$db" units dont-boot "$bios_tag" >/dev/null
kill "$bios_pid"; wait "$bios_pid" 2>/dev/null || true
boot_vm bios tap0 "$bios_mac" -device virtio-net-pci,netdev=n0,mac=$bios_mac
if [[ $mode == proxy ]]; then
  offers_before=$(grep -c "$(offer_to $bios_mac)" "$work/atelierd.log")
  wait_for 120 logged "$bios_mac: not answered: $bios_tag is marked" || fail "don't-boot machine was not refused"
  offers_after=$(grep -c "$(offer_to $bios_mac)" "$work/atelierd.log")
  [[ $offers_after -eq $offers_before ]] || fail "don't-boot machine got an offer"
else
  # Standalone: it still gets an address (it is on our switch), but no boot file.
  wait_for 120 logged "$(offer_to $bios_mac)ipxe (no boot: $bios_tag is marked" || fail "don't-boot machine got a boot file"
fi

# UEFI HTTP boot, in both modes, with Secure Boot on and Microsoft's keys, PXE off in the firmware
# so that only HTTP boot is tried (started now, beside the negative controls below): the offer
# names the signed chain's disk, the firmware downloads it into a RAM disk and runs shim from it,
# shim the signed GRUB beside it, GRUB asks DHCP (ours, or the site's in proxy mode) for an address
# and our TFTP for this machine's entry, and the boot environment's agent registers.
http_mac=52:54:00:a7:e2:04
http_ovmf=(-drive if=pflash,format=raw,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd,readonly=on
  -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on)
{
  cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$work/vars-http.fd"
  boot_vm http tap3 "$http_mac" "${http_ovmf[@]}" \
    -drive if=pflash,format=raw,file="$work/vars-http.fd" \
    -device virtio-net-pci,netdev=n0,mac=$http_mac,romfile= \
    -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=no \
    -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no
}

# Negative controls (standalone mode), two machines at once:
#  - the Secure Boot firmware of this test refuses an unsigned EFI binary (iPXE's, at the removable
#    path of a small FAT disk), so the signed chain above booted because it is signed;
#  - a Secure Boot machine whose keys lack Microsoft's UEFI CA (OVMF's "snakeoil" keys: custom keys
#    as a company's IT may have set) receives shim over TFTP and refuses it, and atelierd says so
#    (daemon/chain_watch.h) instead of leaving a "sent" line with nothing after it; its firmware then
#    tries UEFI HTTP boot, refuses shim from the signed chain's disk too, and that is said as well.
if [[ $mode == standalone ]]; then
  kill "$uefi_pid"; wait "$uefi_pid" 2>/dev/null || true
  custom_mac=52:54:00:a7:e2:03
  cp /usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd "$work/vars-custom.fd"
  boot_vm custom tap2 "$custom_mac" "${uefi_machine[@]}" \
    -drive if=pflash,format=raw,file=/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd,readonly=on \
    -drive if=pflash,format=raw,file="$work/vars-custom.fd" \
    -device virtio-net-pci,netdev=n0,mac=$custom_mac,romfile= \
    -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=no
  truncate -s 34M "$work/unsigned.img"
  mkfs.vfat -n UNSIGNED "$work/unsigned.img" >/dev/null
  mmd -i "$work/unsigned.img" ::/EFI ::/EFI/BOOT
  mcopy -i "$work/unsigned.img" /usr/lib/ipxe/ipxe.efi ::/EFI/BOOT/BOOTX64.EFI
  cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$work/vars-unsigned.fd"
  qemu-system-x86_64 -display none -m 512 -no-reboot -nic none "${uefi_machine[@]}" \
    -drive if=pflash,format=raw,file="$uefi_code",readonly=on \
    -drive if=pflash,format=raw,file="$work/vars-unsigned.fd" \
    -drive file="$work/unsigned.img",format=raw,if=none,id=d0 -device ide-hd,drive=d0,bus=ide.0 \
    -serial "file:$work/unsigned.console" </dev/null >"$work/unsigned.qemu.log" 2>&1 &
  pids+=($!)
  refused() { tr -d '\r' <"$work/unsigned.console" | grep -q "failed to load Boot0001 .*: Access Denied"; }
  wait_for 120 refused || fail "the Secure Boot firmware did not refuse an unsigned EFI binary"
  echo "negative control: $(tr -d '\r' <"$work/unsigned.console" | grep -o "failed to load Boot0001 .*: Access Denied" | head -1)"
  wait_for 240 logged "signed chain: [0-9.]* received shimx64.efi [0-9]* s ago but never asked for grubx64.efi" ||
    fail "a firmware with custom Secure Boot keys was not told apart in the log"
  grep -o "signed chain: [0-9.]* received shimx64.efi.*refused Debian's shim" "$work/atelierd.log" | head -1
  ! logged "issued for $custom_mac" || fail "the machine with custom keys got past shim"
fi

if [[ $mode == standalone ]]; then
  http_offer="$(offer_to $http_mac)uefi-http AT-[0-9-]*: http://198.18.0.2:8080/boot/uefi-http-x64.img"
else
  http_offer="$(offer_to $http_mac) AT-[0-9-]* uefi-http arch 16: http://198.18.0.2:8080/boot/uefi-http-x64.img"
fi
wait_for 120 logged "$http_offer" || fail "no offer with the signed chain's disk to the HTTP boot VM"
wait_for 120 logged "http 198.18.0.[0-9]* GET /boot/uefi-http-x64.img 200" || fail "the HTTP boot VM did not download the disk"
wait_for 240 logged "boot token [0-9a-f]*... issued for $http_mac (GRUB entry" || fail "the HTTP boot VM did not reach GRUB and its entry"
wait_for 300 in_state "$http_mac" inventoried || fail "the HTTP boot VM's agent did not register"
grep -q "Secure boot enabled" "$work/http.console" || fail "the HTTP boot VM's kernel does not report Secure Boot on"
http_tag=$(unit_json | python3 -c "import json,sys; print([u['tag'] for u in json.load(sys.stdin) if u['mac']=='$http_mac'][0])")
"$atelier" --db "$db" units show "$http_tag" --json | grep -q '"firmware": "uefi-http"' || fail "UEFI HTTP boot sighting not recorded"
if [[ $mode == standalone ]]; then
  # The machine with custom keys tries HTTP boot after PXE, as EDK2 does: its firmware refuses shim
  # from the RAM disk too, and the log names that; the HTTP boot VM is never reported.
  leased_ip() { awk -v mac="$1" '$1 == "lease" && $2 == mac { ip = $3 } END { print ip }' "$db.leases"; }
  custom_ip=$(leased_ip "$custom_mac")
  http_ip=$(leased_ip "$http_mac")
  wait_for 240 logged "signed chain: $custom_ip downloaded the UEFI HTTP boot disk .*refused Debian's shim" ||
    fail "a firmware with custom Secure Boot keys was not told apart after HTTP boot"
  ! logged "signed chain: $http_ip " || fail "the HTTP boot VM was reported as stopped in the chain"
fi

echo "PASS ($mode): detected $bios_tag (ipxe), $uefi_tag (uefi-pxe, $([[ $mode == standalone ]] && echo "Secure Boot on, Debian's signed chain" || echo "Secure Boot off, iPXE")) and $http_tag (UEFI HTTP boot, Secure Boot on, the signed chain from a RAM disk); don't-boot refused"
"$atelier" --db "$db" units list
