#!/usr/bin/env bash
# DHCP proxy offers per second under a burst: atelierd (proxy mode, with detection into a real SQLite
# database, as in a workshop) against dnsmasq in proxy mode (the tool a user would otherwise use),
# both answering the same EDK2-shaped DISCOVERs from bench/dhcp/dhcp_burst, in one run.
#
# Two network namespaces joined by a veth pair, only 198.18.0.0/15 addresses:
#   atl-dhcpb-N-s  198.18.2.1/24  the server under test
#   atl-dhcpb-N-c  198.18.2.2/24  the load generator
# Usage (root): bench/dhcp/run.sh [BUILD_DIR] [COUNT] [WINDOW]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
count=${2:-2000}
window=${3:-64}
burst=$build/bench/dhcp_burst
atelierd=$build/daemon/atelierd
atelier=$build/cli/atelier
fixture=tests/data/pxe/ovmf-pxe-01-dhcp-discover-pxe.hex
for f in "$burst" "$atelierd" "$atelier"; do [[ -x $f ]] || { echo "build $f first" >&2; exit 1; }; done

ns=atl-dhcpb-$$-s
nc=atl-dhcpb-$$-c
work=$(mktemp -d /tmp/atl-dhcpb.XXXXXX)
server_pid=
cleanup() {
  set +e
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  ip netns del "$nc" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns add "$nc"
ip -n "$ns" link add vs type veth peer name vc
ip -n "$ns" link set vc netns "$nc"
ip -n "$ns" addr add 198.18.2.1/24 dev vs
ip -n "$nc" addr add 198.18.2.2/24 dev vc
for n in "$ns" "$nc"; do ip -n "$n" link set lo up; done
ip -n "$ns" link set vs up
ip -n "$nc" link set vc up

run_burst() { ip netns exec "$nc" "$burst" vc "$count" "$window" "$fixture"; }
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

"$atelier" --db "$work/atelier.db" db init >/dev/null
ip netns exec "$ns" "$atelierd" --db "$work/atelier.db" --interface vs --address 198.18.2.1 \
  --http-port 18080 --tftp-port 16969 >"$work/atelierd.log" 2>&1 &
server_pid=$!
sleep 1
atelier_line=$(run_burst)
stop_server
units=$("$atelier" --db "$work/atelier.db" units list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=vs --bind-interfaces \
  --dhcp-range=198.18.2.0,proxy,255.255.255.0 --dhcp-leasefile="$work/leases" \
  --pxe-service=x86-64_EFI,"Atelier",ipxe.efi --pid-file="$work/dnsmasq.pid" --quiet-dhcp \
  >"$work/dnsmasq.log" 2>&1 &
server_pid=$!
sleep 1
dnsmasq_line=$(run_burst)
stop_server

rate() { sed -E 's/.* rate ([0-9]+)\/s/\1/' <<<"$1"; }
echo "atelierd: $atelier_line ($units units detected)"
echo "dnsmasq:  $dnsmasq_line"
python3 -c "print(f'ratio atelierd/dnsmasq offers per second: {$(rate "$atelier_line")/$(rate "$dnsmasq_line"):.2f}')"
