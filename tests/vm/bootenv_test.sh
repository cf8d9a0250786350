#!/usr/bin/env bash
# VM test (CTest label `vm`): the boot environment built by `atelier bootenv build` boots in QEMU,
# loads its drivers, gets an address by DHCP, runs the inventory and registers with a stand-in
# server. No PXE here: QEMU loads vmlinuz and initrd.img directly (-kernel/-initrd).
#
# One network namespace, only 198.18.0.0/15 addresses: bridge br0 198.18.0.1/24 with dnsmasq
# handing out 198.18.0.50-99, the VM's tap, and the stand-in server on 198.18.0.2:8080 (a second
# address of the bridge), started late so the agent has to retry. Checked: two builds give byte-identical files; the console shows the
# drivers loaded, the network up and ATELIER-AGENT-REGISTERED; the server received the MAC, the
# token and an atelier.inventory/1 report that lists the VM's virtio disk; then init starts the
# agent, which registers again, is told to stop, and init falls to the rescue shell.
#
# Usage: bootenv_test.sh ATELIER [CACHE_DIR]   (root; QEMU under TCG, no KVM)
set -euo pipefail
atelier=${1:?path to atelier}
cache=${2:-/var/cache/atelier/bootenv}
here=$(cd "$(dirname "$0")" && pwd)

for tool in qemu-system-x86_64 dnsmasq ip python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list, bootenv.list)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespaces)"; exit 1; }

ns=atl-be-$$
work=$(mktemp -d /tmp/atl-bootenv.XXXXXX)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- console (last lines)"; tr -d '\r' <"$work/vm.console" | tail -40
  echo "--- dnsmasq"; tail -5 "$work/dnsmasq.log"
  exit 1
}

# Build twice: the second build must reproduce the first byte for byte.
"$atelier" bootenv build --out "$work/a" --cache "$cache" || { echo "FAIL: bootenv build"; exit 1; }
"$atelier" bootenv build --out "$work/b" --cache "$cache" >/dev/null 2>&1 || { echo "FAIL: second build"; exit 1; }
sum_a=$(cd "$work/a" && sha256sum vmlinuz initrd.img)
sum_b=$(cd "$work/b" && sha256sum vmlinuz initrd.img)
[[ $sum_a == "$sum_b" ]] || { echo "FAIL: two builds differ"; echo "$sum_a"; echo "$sum_b"; exit 1; }
echo "reproducible: $(echo "$sum_a" | grep initrd.img)"

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" tuntap add dev tap0 mode tap
ip -n "$ns" link set tap0 master br0
ip -n "$ns" link set tap0 up
ip -n "$ns" addr add 198.18.0.1/24 dev br0
ip -n "$ns" addr add 198.18.0.2/24 dev br0
ip -n "$ns" link set br0 up

ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=198.18.0.50,198.18.0.99,255.255.255.0,5m --dhcp-leasefile="$work/leases" \
  --dhcp-option=option:router,198.18.0.1 --pid-file="$work/dnsmasq.pid" >"$work/dnsmasq.log" 2>&1 &
pids+=($!)

mac=52:54:00:be:e0:01
truncate -s 64M "$work/disk.img" # a raw image is just a (sparse) file
ip netns exec "$ns" qemu-system-x86_64 -display none -m 1024 -no-reboot \
  -kernel "$work/a/vmlinuz" -initrd "$work/a/initrd.img" \
  -append "console=ttyS0 panic=-1 atelier.server=http://198.18.0.2:8080 atelier.token=abc atelier.mac=$mac" \
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$mac \
  -drive file="$work/disk.img",format=raw,if=virtio \
  -serial "file:$work/vm.console" </dev/null >"$work/qemu.log" 2>&1 &
pids+=($!)

wait_for() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 2
  done
}
on_console() { grep -q "$1" "$work/vm.console" 2>/dev/null; }

wait_for 120 on_console "drivers: [0-9]* loaded" || fail "drivers were not loaded"
wait_for 60 on_console "network: eth0 198.18.0.[0-9]* via DHCP" || fail "no DHCP address"
# The server starts only once the agent has said it cannot reach it: the retry is part of the test.
wait_for 120 on_console "server: cannot reach http://198.18.0.2:8080" || fail "no 'cannot reach' message"
ip netns exec "$ns" python3 "$here/bootenv_register_server.py" 198.18.0.2 8080 "$work/register.json" \
  >"$work/server.log" 2>&1 &
pids+=($!)
wait_for 120 on_console "ATELIER-AGENT-REGISTERED" || fail "agent did not register after the server came up"
[[ -s $work/register.json ]] || fail "server received nothing"
python3 - "$work/register.json" "$mac" <<'PY' || fail "registration body is wrong"
import json, sys
body = json.load(open(sys.argv[1]))
assert body["mac"] == sys.argv[2], body["mac"]
assert body["token"] == "abc", body["token"]
inv = body["inventory"]
assert inv["schema"] == "atelier.inventory/1", inv.get("schema")
sizes = [d.get("size_bytes") for d in inv["disks"]]
assert 64 * 1024 * 1024 in sizes, sizes
print("register body: mac", body["mac"], "disks", sizes, "memory", inv["memory"]["total_bytes"])
PY
# init then hands over to the agent, which registers again with the same token (the real server
# answers "repeat") and asks for its next step; the stand-in has none, so the agent stops and init
# falls to the rescue shell with the agent's exit status.
wait_for 120 on_console "agent: stopped with exit status 1" || fail "init did not run the agent, or it did not stop"
on_console "agent: starting the Atelier agent" || fail "no 'agent: starting' line"
on_console "stand-in server: no pipeline here" || fail "the agent did not show why it stopped"
[[ $(wc -l <"$work/register.json.count") -eq 2 ]] || fail "expected two registrations (init, then the agent)"
tr -d '\r' <"$work/vm.console" | grep -E "^(Atelier|drivers|network|inventory|server|ATELIER|agent)" || true
echo "PASS: bootenv booted, registered in $SECONDS s"
