#!/bin/bash
# Capture real PXE/DHCP/TFTP packets from QEMU firmware, for the fixtures in tests/data/pxe/.
# Procedure and rationale: docs/PXE-PROTOCOL.md, "Capturing fixtures".
#
# Usage (root): pxe/tools/capture-fixtures.sh SCENARIO OUTDIR [SECONDS]
#   SCENARIO: seabios-ipxe | ovmf-pxe | ovmf-ipxe | ovmf-http
#   Writes OUTDIR/SCENARIO.pcap and OUTDIR/SCENARIO.{console,dnsmasq-site,dnsmasq-proxy}.log
#
# Network: everything happens inside two network namespaces created here and deleted on exit, using
# only 198.18.0.0/15 (RFC 2544 benchmarking range). The host's interfaces are never touched.
#   ns "atl-cap-PID":   bridge br0 198.18.0.1/24 + tap0 (the VM) + veth "site" end.
#                      dnsmasq #1 = the site's ordinary DHCP server (addresses only; for UEFI HTTP boot
#                      clients, vendor class HTTPClient, it also answers with a boot URL, as a site
#                      server configured for HTTP boot would, so their REQUEST is captured too).
#   ns "atl-cap-PID-p": veth 198.18.0.2/24, dnsmasq #2 = proxyDHCP + port 4011 + TFTP (pxe-service).
# That pair reproduces Atelier's proxy mode: the client gets its address from one server and its boot
# information from another, so the capture holds DISCOVER, both OFFERs, REQUEST/ACK, the 4011 exchange
# and the TFTP RRQ/OACK/DATA.
set -euo pipefail

scenario=${1:?scenario}
out=${2:?outdir}
secs=${3:-90}
mkdir -p "$out"
out=$(cd "$out" && pwd)

ns=atl-cap-$$
nsp=atl-cap-$$-p
work=$(mktemp -d /tmp/atl-cap.XXXXXX)
pids=()

cleanup() {
  set +e
  # Only the processes this script started, by PID, newest first.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null
  done
  sleep 1
  for p in "${pids[@]}"; do
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  ip netns del "$nsp" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip netns add "$nsp"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" link set tap0 master br0
ip -n "$ns" link add vsite type veth peer name vproxy
ip -n "$ns" link set vproxy netns "$nsp"
ip -n "$ns" link set vsite master br0
ip -n "$ns" addr add 198.18.0.1/24 dev br0
ip -n "$ns" link set br0 up
ip -n "$ns" link set tap0 up
ip -n "$ns" link set vsite up
ip -n "$nsp" link set lo up
ip -n "$nsp" addr add 198.18.0.2/24 dev vproxy
ip -n "$nsp" link set vproxy up

# Boot files: an iPXE script of 3453 bytes, i.e. three DATA blocks at the 1432/1468-byte blksize
# iPXE/EDK2 negotiate, the last one short. EDK2 fails to LoadImage it, which ends that boot attempt.
mkdir -p "$work/tftp"
{
  echo '#!ipxe'
  for i in $(seq 1 60); do echo "# atelier fixture padding line $i ......................"; done
  echo 'echo atelier fixture script loaded'
} >"$work/tftp/boot-bios.0"
for f in boot-bios boot-efi boot-efi.0 boot-ia32 boot-ia32.0; do cp "$work/tftp/boot-bios.0" "$work/tftp/$f"; done

ip netns exec "$ns" tcpdump -i br0 -U -s 0 -w "$out/$scenario.pcap" udp >"$work/tcpdump.log" 2>&1 &
pids+=($!)
sleep 2

ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=198.18.0.50,198.18.0.99,255.255.255.0,5m --dhcp-leasefile="$work/leases" \
  --pid-file="$work/site.pid" --log-dhcp \
  --dhcp-vendorclass=set:http,HTTPClient --dhcp-option-force=tag:http,60,HTTPClient \
  --dhcp-boot=tag:http,http://198.18.0.1:8080/boot/ipxe.efi \
  >"$out/$scenario.dnsmasq-site.log" 2>&1 &
pids+=($!)

ip netns exec "$nsp" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vproxy --bind-interfaces \
  --dhcp-range=198.18.0.0,proxy,255.255.255.0 --dhcp-leasefile="$work/leases-p" --pid-file="$work/proxy.pid" \
  --pxe-service=x86PC,"Atelier BIOS",boot-bios \
  --pxe-service=x86-64_EFI,"Atelier EFI",boot-efi \
  --pxe-service=BC_EFI,"Atelier EFI",boot-efi \
  --pxe-service=IA32_EFI,"Atelier IA32",boot-ia32 \
  --enable-tftp --tftp-root="$work/tftp" --log-dhcp >"$out/$scenario.dnsmasq-proxy.log" 2>&1 &
pids+=($!)
sleep 1

# Fixed identity so tests can assert it: MAC and SMBIOS system UUID.
mac=52:54:00:a7:e1:01
uuid=8c1f4a2e-3b5d-4e6f-9a0b-1c2d3e4f5a6b
common=(-nographic -m 512 -boot n -uuid "$uuid" -netdev tap,id=n0,ifname=tap0,script=no,downscript=no)
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
ovmf=(-machine q35 -drive if=pflash,format=raw,file=/usr/share/OVMF/OVMF_CODE_4M.fd,readonly=on
  -drive if=pflash,format=raw,file="$work/vars.fd")
case "$scenario" in
seabios-ipxe) args=("${common[@]}" -device virtio-net-pci,netdev=n0,mac=$mac) ;;
ovmf-pxe) args=("${common[@]}" "${ovmf[@]}" -device virtio-net-pci,netdev=n0,mac=$mac,romfile=) ;;
ovmf-ipxe) args=("${common[@]}" "${ovmf[@]}" -device virtio-net-pci,netdev=n0,mac=$mac) ;;
ovmf-http)
  # Turn off PXEv4/PXEv6 so that the HTTPv4 boot option, if this OVMF build has one, runs first.
  args=("${common[@]}" "${ovmf[@]}" -device virtio-net-pci,netdev=n0,mac=$mac,romfile=
    -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n
    -fw_cfg name=opt/org.tianocore/IPv6Support,string=n)
  ;;
*) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac

ip netns exec "$ns" qemu-system-x86_64 "${args[@]}" </dev/null >"$out/$scenario.console.log" 2>&1 &
qpid=$!
pids+=($qpid)
sleep "$secs"
kill "$qpid" 2>/dev/null || true
sleep 2
echo "captured $(stat -c %s "$out/$scenario.pcap") bytes into $out/$scenario.pcap"
