#!/usr/bin/env bash
# Image deployment speed, in one run on one loop device, against what a workshop would otherwise
# type:
#   rootfs: Atelier's extract_rootfs (image_bench extract: libarchive, secure extraction, owners,
#           ACLs, xattrs, syncfs) vs `zstd -dc FILE | tar --xattrs --xattrs-include='*' --acls -x`
#           then `sync -f`, each onto a fresh ext4 (goal: no slower);
#   raw:    Atelier's write_raw_image on a zeroed disk (image_bench write-raw --zeroed: zstd,
#           O_DIRECT, all-zero blocks skipped, fdatasync) vs
#           `zstd -dc FILE | dd of=DEV bs=4M oflag=direct conv=fdatasync` (goal: faster).
#   http:   the rootfs again, served by python3's http.server at 198.18.0.1 in a network namespace
#           whose loopback is shaped to 1 Gbit/s (a workshop LAN): Atelier's extract of the URL vs
#           `curl URL | zstd -dc | tar -x ...`.
# Prints median wall times over REPEATS, the ratios atelier/reference (below 1 = Atelier faster),
# MB/s of image data, and the device's own sequential write speed measured once with dd.
#
#   sudo bench/image/run.sh [BUILD_DIR] [ROOTFS_TAR_ZST] [REPEATS]
#
# The archive: the argument, else the newest Debian rootfs built by `atelier image build` in
# /var/cache/atelier/images, else a ~1 GB tree copied from this machine's /usr. The raw image is
# made from the same archive (ext4 in a 3x larger image file, compressed with zstd). Everything
# lives in a scratch directory under /var/tmp (disk, not tmpfs); the loop device, mounts and
# scratch directory are removed on exit. Not part of ctest.
set -euo pipefail

build_dir=${1:-$(dirname "$0")/../../build}
archive=${2:-}
repeats=${3:-3}
tool=$build_dir/bench/image_bench

[[ $(id -u) -eq 0 ]] || { echo "run.sh: needs root (loop device, mkfs, mount)" >&2; exit 1; }
[[ -x $tool ]] || { echo "run.sh: build image_bench first ($tool)" >&2; exit 1; }
tool=$(realpath "$tool")
for t in zstd tar dd mkfs.ext4 losetup mount blkdiscard cmp bc /usr/bin/time curl ip tc python3; do
  command -v "$t" >/dev/null || { echo "run.sh: $t is missing" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/atelier-image-bench-XXXXXX)
loop=""
ns=atl-image-bench-$$
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  ip netns delete "$ns" 2>/dev/null || true
  mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"
  mountpoint -q "$work/rawmnt" 2>/dev/null && umount "$work/rawmnt"
  [[ -n $loop ]] && losetup -d "$loop" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/mnt" "$work/rawmnt"

if [[ -z $archive ]]; then
  for candidate in /var/cache/atelier/images/*/image.tar.zst /var/cache/atelier/images/*.tar.zst; do
    [[ -f $candidate && ( -z $archive || $candidate -nt $archive ) ]] && archive=$candidate
  done
  # A build in progress holds its lock; only take an archive that zstd can read to the end.
  if [[ -n $archive ]] && ! zstd -tq "$archive" 2>/dev/null; then archive=""; fi
fi
if [[ -z $archive ]]; then
  archive=$work/usr-tree.tar.zst
  echo "building a test archive from /usr (bin sbin include share/doc share/locale lib/python3)..."
  tar -C / --xattrs --acls -cf - usr/bin usr/sbin usr/include usr/share/doc usr/share/locale \
    usr/lib/python3 2>/dev/null | zstd -q -T0 -3 -o "$archive"
fi
archive_bytes=$(stat -c %s "$archive")
tree_bytes=$(zstd -dc "$archive" | wc -c)
# tar -t stops at the end marker; zstd may then die of SIGPIPE on the padding: not an error here.
entries=$(set +o pipefail; zstd -dc "$archive" 2>/dev/null | tar -t | wc -l)
echo "archive: $archive ($((archive_bytes / 1048576)) MiB zstd, $((tree_bytes / 1048576)) MiB tar, $entries entries)"

# One loop device for everything, 3x the tree (at least 4 GiB), backed by a file on the disk.
dev_bytes=$(( tree_bytes * 3 > 4294967296 ? tree_bytes * 3 : 4294967296 ))
truncate -s "$dev_bytes" "$work/disk.img"
loop=$(losetup --find --show "$work/disk.img")
echo "device: $loop over $work/disk.img ($((dev_bytes / 1048576)) MiB)"

# Wall and CPU seconds of a command, as "wall cpu". Contestants run at nice -10: on a shared build
# machine the other jobs would otherwise decide the result.
timed() {
  /usr/bin/time -f "%e %U %S" -o "$work/time" nice -n -10 "$@" >/dev/null
  awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mbps() { echo "scale=1; $1 / 1048576 / $2" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

# The device's own speed: 1 GiB of zeros, direct, synced.
blkdiscard -f "$loop" 2>/dev/null
raw_speed_s=$(timed dd if=/dev/zero of="$loop" bs=4M count=256 oflag=direct conv=fdatasync status=none | cut -d' ' -f1)
echo "device sequential write (dd 1 GiB, O_DIRECT): $(mbps 1073741824 "$raw_speed_s") MB/s"
cat "$archive" >/dev/null # both contestants read a cached archive

fresh_ext4() {
  mountpoint -q "$work/mnt" && umount "$work/mnt"
  # udev may still be probing the device after the umount: retry briefly.
  for _ in 1 2 3 4 5 6; do mkfs.ext4 -q -F "$loop" 2>/dev/null && break; sleep 0.5; done
  mount "$loop" "$work/mnt"
}
ref_extract() {
  zstd -dc "$archive" | tar --xattrs --xattrs-include='*' --acls --numeric-owner -xpf - -C "$work/mnt"
  sync -f "$work/mnt"
}
export -f ref_extract
export archive work

# Contestants take turns within each round, so a change in the machine's load hits them alike.
declare -A wall cpu
rootfs_names=(tar atelier atelier-no-pipeline)
rootfs_command() {
  case $1 in
    tar) echo "bash -c ref_extract" ;;
    atelier) echo "$tool extract $archive $work/mnt" ;;
    atelier-no-pipeline) echo "$tool extract $archive $work/mnt --no-pipeline" ;;
  esac
}
for _ in $(seq "$repeats"); do
  for name in "${rootfs_names[@]}"; do
    fresh_ext4
    read -r w c < <(timed $(rootfs_command "$name"))
    wall[$name]+="$w "
    cpu[$name]+="$c "
  done
done
umount "$work/mnt"
med() { tr ' ' '\n' <<<"$1" | grep . | median; }

echo
echo "== rootfs archive onto a fresh ext4 (median of $repeats rounds; MB/s of tar bytes)"
t_tar=$(med "${wall[tar]}")
for name in "${rootfs_names[@]}"; do
  t=$(med "${wall[$name]}")
  printf '  %-22s %6.2f s wall %6.2f s CPU %7s MB/s   ratio %s\n' "$name" "$t" "$(med "${cpu[$name]}")" \
    "$(mbps "$tree_bytes" "$t")" "$(ratio "$t" "$t_tar")"
done

echo
echo "== the same rootfs over HTTP at 1 Gbit/s (netns $ns, 198.18.0.1; median of $repeats rounds)"
mkdir -p "$work/www"
ln "$archive" "$work/www/image.tar.zst" 2>/dev/null || cp "$archive" "$work/www/image.tar.zst"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 198.18.0.1/32 dev lo
ip netns exec "$ns" tc qdisc add dev lo root tbf rate 1gbit burst 512kb latency 100ms
ip netns exec "$ns" python3 -m http.server 8000 --bind 198.18.0.1 --directory "$work/www" \
  >/dev/null 2>&1 &
server_pid=$!
url=http://198.18.0.1:8000/image.tar.zst
for _ in 1 2 3 4 5 6 7 8 9 10; do
  ip netns exec "$ns" curl -sfI "$url" >/dev/null && break
  sleep 0.3
done
ref_http() {
  curl -sf "$url" | zstd -dc | tar --xattrs --xattrs-include='*' --acls --numeric-owner -xpf - -C "$work/mnt"
  sync -f "$work/mnt"
}
export -f ref_http
export url
http_names=(curl-tar atelier-http atelier-http-no-pipeline)
http_command() {
  case $1 in
    curl-tar) echo "ip netns exec $ns bash -c ref_http" ;;
    atelier-http) echo "ip netns exec $ns $tool extract $url $work/mnt" ;;
    atelier-http-no-pipeline) echo "ip netns exec $ns $tool extract $url $work/mnt --no-pipeline" ;;
  esac
}
for _ in $(seq "$repeats"); do
  for name in "${http_names[@]}"; do
    fresh_ext4
    read -r w c < <(timed $(http_command "$name"))
    wall[$name]+="$w "
    cpu[$name]+="$c "
  done
done
umount "$work/mnt"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
ip netns delete "$ns"
t_curl=$(med "${wall[curl-tar]}")
for name in "${http_names[@]}"; do
  t=$(med "${wall[$name]}")
  printf '  %-24s %6.2f s wall %6.2f s CPU %7s MB/s   ratio %s\n' "$name" "$t" "$(med "${cpu[$name]}")" \
    "$(mbps "$tree_bytes" "$t")" "$(ratio "$t" "$t_curl")"
done

echo
echo "== raw disk image (.img.zst) onto a zeroed disk (median of $repeats)"
img=$work/disk-image.img
truncate -s $(( tree_bytes * 3 )) "$img"
mkfs.ext4 -q -F "$img"
mount -o loop "$img" "$work/rawmnt"
zstd -dc "$archive" | tar --xattrs --xattrs-include='*' --acls --numeric-owner -xpf - -C "$work/rawmnt"
umount "$work/rawmnt"
zstd -q -T0 -3 "$img" -o "$img.zst"
img_bytes=$(stat -c %s "$img")
rm -f "$img"
echo "image: $((img_bytes / 1048576)) MiB, $(( $(stat -c %s "$img.zst") / 1048576 )) MiB zstd"

ref_raw() {
  zstd -dc "$img.zst" | dd of="$loop" bs=4M iflag=fullblock oflag=direct conv=fdatasync status=none
}
export -f ref_raw
export img loop
raw_names=(dd atelier-zeroed atelier-no-skip atelier-zeroed-no-pipeline)
raw_command() {
  case $1 in
    dd) echo "bash -c ref_raw" ;;
    atelier-zeroed) echo "$tool write-raw $img.zst $loop --zeroed" ;;
    atelier-no-skip) echo "$tool write-raw $img.zst $loop" ;;
    atelier-zeroed-no-pipeline) echo "$tool write-raw $img.zst $loop --zeroed --no-pipeline" ;;
  esac
}
verdict="identical to the image"
for _ in $(seq "$repeats"); do
  for name in "${raw_names[@]}"; do
    blkdiscard -f "$loop" 2>/dev/null # a zeroed disk, as after a verified zero wipe
    read -r w c < <(timed $(raw_command "$name"))
    wall[$name]+="$w "
    cpu[$name]+="$c "
    if [[ $name == atelier-zeroed ]] && ! zstd -dc "$img.zst" | cmp -s -n "$img_bytes" - "$loop"; then
      verdict="DIFFERS FROM THE IMAGE"
    fi
  done
done
r_dd=$(med "${wall[dd]}")
for name in "${raw_names[@]}"; do
  t=$(med "${wall[$name]}")
  printf '  %-27s %6.2f s wall %6.2f s CPU %7s MB/s   ratio %s\n' "$name" "$t" "$(med "${cpu[$name]}")" \
    "$(mbps "$img_bytes" "$t")" "$(ratio "$t" "$r_dd")"
done
echo "  device after atelier-zeroed: $verdict"
echo "  (MB/s of image bytes; device sequential write: $(mbps 1073741824 "$raw_speed_s") MB/s)"
