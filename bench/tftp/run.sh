#!/usr/bin/env bash
# TFTP throughput: Atelier's TftpServer (tftp_bench_server) against dnsmasq, the tool a user would
# otherwise run, serving the same 30 MB file to N=1 and N=20 concurrent curl clients (blksize 1468,
# what EDK2 asks for). Prints wall times and the ratio atelier/dnsmasq (below 1 = Atelier faster).
#
#   sudo bench/tftp/run.sh [BUILD_DIR] [REPEATS]
#
# Runs as root inside a network namespace it creates, with only 198.18.0.1/32 (RFC 2544
# benchmarking range) on its loopback; the namespace, the scratch directory and every process it
# started are removed on exit. Not part of ctest.
set -euo pipefail

build_dir=${1:-$(dirname "$0")/../../build}
repeats=${2:-3}
server_bin=$build_dir/bench/tftp_bench_server
address=198.18.0.1
blksize=1468
size_mb=30

[[ $(id -u) -eq 0 ]] || { echo "run.sh: needs root (network namespace)" >&2; exit 1; }
[[ -x $server_bin ]] || { echo "run.sh: build tftp_bench_server first ($server_bin)" >&2; exit 1; }
for tool in curl dnsmasq ip sha256sum; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 1; }
done

ns=atl-bench-$$
work=$(mktemp -d /tmp/atelier-tftp-bench-XXXXXX)
server_pid=""

cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  ip netns delete "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add "$address/32" dev lo

mkdir -p "$work/root" "$work/out"
head -c $((size_mb * 1024 * 1024)) /dev/urandom >"$work/root/initrd.img"
chmod -R a+rX "$work"
want=$(sha256sum <"$work/root/initrd.img" | cut -d' ' -f1)

start_server() { # name
  case $1 in
    atelier) ip netns exec "$ns" "$server_bin" "$address" 69 "$work/root" 100 2>"$work/atelier.log" & ;;
    dnsmasq) ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --pid-file= --user=root \
               --port=0 --enable-tftp --tftp-root="$work/root" --tftp-max=100 \
               --listen-address="$address" --bind-interfaces 2>"$work/dnsmasq.log" & ;;
  esac
  server_pid=$!
  sleep 0.5
  kill -0 "$server_pid" || { echo "run.sh: $1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }
}

stop_server() {
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

# Prints the wall time in seconds of N concurrent downloads, after checking every copy.
download() { # clients
  local n=$1 pids=() i
  rm -f "$work"/out/*
  local t0; t0=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    ip netns exec "$ns" curl -sS --tftp-blksize "$blksize" -o "$work/out/$i" \
      "tftp://$address/initrd.img" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  local t1; t1=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    [[ $(sha256sum <"$work/out/$i" | cut -d' ' -f1) == "$want" ]] || { echo "run.sh: copy $i differs" >&2; exit 1; }
  done
  echo "$t1 - $t0" | bc -l
}

declare -A best
for server in atelier dnsmasq; do
  start_server "$server"
  for n in 1 20; do
    for ((r = 0; r < repeats; r++)); do
      t=$(download "$n")
      printf '%-8s N=%-2d run %d: %6.2f s\n' "$server" "$n" "$r" "$t"
      key=$server-$n
      if [[ -z ${best[$key]:-} ]] || (($(echo "$t < ${best[$key]}" | bc -l))); then best[$key]=$t; fi
    done
  done
  stop_server
done

echo
echo "file ${size_mb} MB, blksize $blksize, best of $repeats, $(nproc) CPUs, $(uname -r)"
for n in 1 20; do
  printf 'N=%-2d  atelier %6.2f s  dnsmasq %6.2f s  ratio atelier/dnsmasq %.2f\n' "$n" \
    "${best[atelier-$n]}" "${best[dnsmasq-$n]}" "$(echo "${best[atelier-$n]} / ${best[dnsmasq-$n]}" | bc -l)"
done
