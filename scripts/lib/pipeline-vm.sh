# shellcheck shell=bash disable=SC2154 # atelier, atelierd, data, ns: set by the caller (below)
# The whole pipeline on a QEMU "donated PC": the shell parts shared by the VM test
# (tests/vm/pipeline_test.sh) and the demo (scripts/demo). Sourced, never run.
#
# Contract: the caller sets these variables before calling the functions, and defines
#   fail MESSAGE...   prints why and exits non-zero (the caller's cleanup trap runs)
#   work      a scratch directory of its own (files below are created in it)
#   ns        the network namespace's name (unique: include $$); created by pvm_workshop_up
#   atelier, atelierd   paths to the two binaries
#   data      the tests/data directory
#   pids=()   the functions append every background process they start (the caller kills them)
#   loop=""   set while a loop device is attached (the caller detaches it if non-empty)
# and gets:
#   console   the VM's serial console log ($work/vm.console)
#   daemon_pid, qemu_pid   the processes started last
#   db        the hardware database ($work/atelier.db unless set before pvm_write_config)
# Addresses: 198.18.0.0/15 only, inside the namespace (docs/PIPELINE.md, ../../tests/vm).

console=${work:?set work before sourcing pipeline-vm.sh}/vm.console

# The boot environment into $work/bootenv, the vm-minimal profile into $work/profiles with its image
# (`atelier image build`, a cache hit after the first run) and its sha256, and the VM program file
# (grades a TCG VM "C") into $work/program.toml. Wipe verification: sample (stated, not defaulted).
pvm_build_bootenv_and_image() {
  "$atelier" bootenv build --out "$work/bootenv" --cache "${ATELIER_BOOTENV_CACHE:-/var/cache/atelier/bootenv}" \
    >"$work/bootenv.log" 2>&1 || { cat "$work/bootenv.log"; fail "atelier bootenv build"; }
  mkdir -p "$work/profiles/images"
  cp "$data/profiles/vm-minimal.toml" "$work/profiles/vm-minimal.toml"
  sed -i 's/^\[wipe\]$/[wipe]\nverify = "sample"/' "$work/profiles/vm-minimal.toml"
  "$atelier" image build "$work/profiles/vm-minimal.toml" --out "$work/profiles/images/vm-minimal.tar.zst" \
    --cache-dir "${ATELIER_IMAGE_CACHE:-/var/cache/atelier/images}" --update-profile \
    >"$work/image.log" 2>&1 || { tail -20 "$work/image.log"; fail "atelier image build"; }
  grep -q '^sha256 = "[0-9a-f]\{64\}"' "$work/profiles/vm-minimal.toml" || fail "image.sha256 was not written into the profile"
  cp "$data/pipeline/program.toml" "$work/program.toml"
}

# FILE SIZE EXT4_DIR [VFAT_DIR]: a raw disk image with an MBR and a previous owner's files: one ext4
# partition (label "family") filled from EXT4_DIR; with VFAT_DIR, the ext4 partition leaves the last
# 96 MiB to a FAT32 partition (label "PHOTOS") filled from VFAT_DIR.
pvm_make_donated_disk() {
  local file=$1 size=$2 ext4_dir=$3 vfat_dir=${4:-}
  truncate -s "$size" "$file"
  if [[ -z $vfat_dir ]]; then
    echo 'type=83' | sfdisk -q "$file"
  else
    local total_mib=$(($(stat -c %s "$file") >> 20))
    printf 'size=%dMiB,type=83\ntype=c\n' $((total_mib - 98)) | sfdisk -q "$file"
  fi
  loop=$(losetup --find --show --partscan "$file")
  # Some kernels attach without scanning the table despite --partscan: partx adds the partitions.
  [[ -b ${loop}p1 ]] || partx -a "$loop"
  [[ -b ${loop}p1 ]] || fail "no partition device ${loop}p1"
  mkfs.ext4 -q -L family -d "$ext4_dir" "${loop}p1"
  if [[ -n $vfat_dir ]]; then
    [[ -b ${loop}p2 ]] || fail "no partition device ${loop}p2"
    # (both say on stderr that a loop partition has no disk geometry; only a failure matters)
    local out
    out=$(mkfs.vfat -F 32 -n PHOTOS "${loop}p2" 2>&1) || fail "mkfs.vfat ${loop}p2: $out"
    out=$(MTOOLS_SKIP_CHECK=1 mcopy -s -Q -i "${loop}p2" "$vfat_dir"/* ::/ 2>&1) || fail "mcopy onto ${loop}p2: $out"
  fi
  losetup -d "$loop"
  loop=""
}

# The workshop switch: a bridge br0 (198.18.0.2/24) in namespace $ns with the VM's tap0.
pvm_workshop_up() {
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" tuntap add dev tap0 mode tap
  ip -n "$ns" link set tap0 master br0
  ip -n "$ns" link set tap0 up
  ip -n "$ns" addr add 198.18.0.2/24 dev br0
  ip -n "$ns" link set br0 up
}

# atelierd's configuration ($work/atelier.toml): standalone DHCP on br0 (the only DHCP server), HTTP
# on 8080, the profiles and program from pvm_build_bootenv_and_image, the key in $work/keys,
# after_ready = "reboot" and a 10 s bench budget. Creates the database $db.
pvm_write_config() {
  db=${db:-$work/atelier.db}
  cat >"$work/atelier.toml" <<EOF
[server]
interface = "br0"
address = "198.18.0.2"
database = "$db"
state_dir = "$work"

[dhcp]
mode = "standalone"
pool = "198.18.0.100-198.18.0.150"

[boot]
http_port = 8080
bootenv_dir = "$work/bootenv"

[pipeline]
profiles_dir = "$work/profiles"
images_dir = "$work/profiles/images"
program = "$work/program.toml"
keys_dir = "$work/keys"
after_ready = "reboot"
bench_budget_seconds = 10
# The wipe gate: "open", because only the test VM boots on this namespace's private switch (a real
# workshop keeps the default, "expected-or-confirm": docs/OPERATOR-GUIDE.md).
wipe_gate = "open"
EOF
  "$atelier" --db "$db" db init >/dev/null
}

# LOG: atelierd in the namespace, its output to LOG.
pvm_start_daemon() {
  ip netns exec "$ns" "$atelierd" --config "$work/atelier.toml" >"$1" 2>&1 &
  daemon_pid=$!
  pids+=("$daemon_pid")
}

# MAC DISK_FILE DISK_SERIAL [DRIVE_OPTIONS]: the donated PC. SeaBIOS with QEMU's iPXE ROM, 2 GiB,
# TCG (no KVM here); network boot first, then its virtio disk (with a serial, as donated disks have:
# the erasure certificate names the disk by it). DRIVE_OPTIONS are appended to -drive (",k=v...").
pvm_start_vm() {
  local mac=$1 disk=$2 serial=$3 drive_opts=${4:-}
  ip netns exec "$ns" qemu-system-x86_64 -display none -m 2048 \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac="$mac",bootindex=1 \
    -drive file="$disk",format=raw,if=none,id=d0"$drive_opts" -device virtio-blk-pci,drive=d0,serial="$serial",bootindex=2 \
    -serial "file:$console" </dev/null >"$work/qemu.log" 2>&1 &
  qemu_pid=$!
  pids+=("$qemu_pid")
}

# SECONDS COMMAND...: polls COMMAND every 3 s until it succeeds (0), the time is up (1); fails
# at once if QEMU died.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    kill -0 "$qemu_pid" 2>/dev/null || { cat "$work/qemu.log"; fail "QEMU stopped"; }
    ((SECONDS < deadline)) || return 1
    sleep 3
  done
}
sql() { sqlite3 -readonly "$db" "$1"; }
unit_state() { sql "SELECT state FROM units ORDER BY id DESC LIMIT 1"; }
in_state() { [[ $(unit_state 2>/dev/null) == "$1" ]]; }
job_issued() { [[ $(sql "SELECT count(*) FROM pipeline_jobs WHERE step='$1' AND status='issued'" 2>/dev/null) -ge 1 ]]; }
on_console() { tr -d '\r' <"$console" 2>/dev/null | grep -qF -- "$1"; }
logged() { grep -q "$1" "$work"/atelierd*.log; }
# The serial console as text (no carriage returns or terminal escapes).
console_text() { tr -d '\r' <"$console" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }
