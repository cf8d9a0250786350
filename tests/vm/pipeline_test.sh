#!/usr/bin/env bash
# VM test (CTest label `vm`): a donated PC goes through the WHOLE pipeline driven by atelierd, then
# boots its new system from its own disk (docs/PIPELINE.md).
#
# One network namespace, only 198.18.0.0/15 addresses: bridge br0 198.18.0.2/24 with the VM's tap;
# atelierd on br0 in standalone mode (the only DHCP server: no dnsmasq), HTTP on 8080, with
#   - a program file that grades a TCG VM "C" (tests/data/pipeline/program.toml),
#   - ONE profile, vm-minimal (tests/data/profiles/vm-minimal.toml) with the image `atelier image
#     build` makes (normally a cache hit) and its sha256 written into the test's copy,
#   - after_ready = "reboot" and a 10 s bench budget (--config).
# The VM (SeaBIOS, iPXE ROM; 2 GiB; a 4 GiB virtio disk) boots network first, then disk. Its disk
# first gets a previous owner's files: an MBR with one ext4 partition holding a marker file.
# Checked: the unit goes detected → inventoried → tested → wiped → imaged → ready, with one
# erasure record (erased, verification sample, signed, naming the disk by its serial) and one
# imaging record (imaged); the agent reboots
# the VM; atelierd declines to boot the ready unit over the network (logged, no second boot
# token), so the firmware boots the disk, and the installed system's first-boot account step, which
# names the tailored hostname ("[atelier-at-NNNN-N]", imager/deploy/first_boot.h), reaches the
# serial console; the marker is gone from the disk. (tests/vm/deploy_boot_test.sh answers that
# step and logs in.)
#
# CASE=crash: atelierd is killed with SIGKILL while the wipe runs and started again on the same
# database; the agent retries its posts and the daemon hands out the same job, so the unit still
# ends ready with ONE unit, ONE erasure record and ONE imaging record.
#
# On failure: the last 80 console lines and atelierd's log. Times of each phase are printed.
# Usage: pipeline_test.sh ATELIERD ATELIER [normal|crash]   (root; QEMU under TCG, no KVM)
#   env: ATELIER_BOOTENV_CACHE, ATELIER_IMAGE_CACHE, ATELIER_PIPELINE_TIMEOUT (s, default 1200),
#        keep=yes keeps the work directory.
set -euo pipefail
atelierd=${1:?path to atelierd}
atelier=${2:?path to atelier}
case_name=${3:-normal}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
timeout_s=${ATELIER_PIPELINE_TIMEOUT:-1200}

case "$case_name" in normal | crash) ;; *) echo "case must be normal or crash"; exit 2 ;; esac
for tool in qemu-system-x86_64 ip python3 losetup sfdisk mkfs.ext4 mmdebstrap; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list, image.list)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespace, loop device)"; exit 1; }

ns=atl-e2e-$$
work=$(mktemp -d /tmp/atl-pipeline.XXXXXX)
pids=()
daemon_pid=""
qemu_pid=""
loop=""
cleanup() {
  set +e
  [[ -n $loop ]] && losetup -d "$loop"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
trap "exit 143" TERM INT # so the EXIT trap also runs when ctest or a person stops the test
# The shared parts (boot environment and image, donated disk, netns, atelierd's config, the VM,
# polling helpers): scripts/lib/pipeline-vm.sh, also used by scripts/demo.
# shellcheck source=../../scripts/lib/pipeline-vm.sh
source "$here/../../scripts/lib/pipeline-vm.sh"
fail() {
  echo "FAIL ($case_name): $*"
  echo "--- serial console (last 80 lines)"
  [[ -f $console ]] && tr -d '\r' <"$console" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | tail -80
  echo "--- atelierd log"
  cat "$work"/atelierd*.log 2>/dev/null
  exit 1
}
phase_start=$SECONDS
phase() { # prints how long the previous phase took
  echo "[$((SECONDS - phase_start)) s] $*"
}

# 1. The boot environment and the image (both normally from their caches).
pvm_build_bootenv_and_image
phase "boot environment and image ready"

# 2. The donated PC's disk, with a previous owner's files on it.
marker="previous-owner-secret-$$-$RANDOM"
mkdir -p "$work/previous"
echo "$marker" >"$work/previous/letter.txt"
pvm_make_donated_disk "$work/disk.img" 4G "$work/previous"
grep -qa "$marker" "$work/disk.img" || fail "the previous owner's file is not on the disk image"

# 3. The workshop: a switch (bridge) with atelierd as its only DHCP server.
pvm_workshop_up
db=$work/atelier.db
pvm_write_config
pvm_start_daemon "$work/atelierd.log"

mac=52:54:00:e2:e0:01
# The crash case needs a wipe long enough to kill atelierd in the middle of it: QEMU's write
# throttling makes the 4 GiB overwrite take about 40 s instead of a few seconds.
throttle=""
[[ $case_name == crash ]] && throttle=",throttling.bps-write=100000000"
disk_serial=ATLE2E$$ # a donated disk has a serial; the erasure certificate names the disk by it
pvm_start_vm "$mac" "$work/disk.img" "$disk_serial" "$throttle"

deadline_all=$((SECONDS + timeout_s))
remaining() { echo $((deadline_all - SECONDS)); }

wait_for "$(remaining)" in_state inventoried || fail "the VM did not boot the boot environment and register"
tag=$(sql "SELECT tag FROM units ORDER BY id DESC LIMIT 1")
phase "$tag registered (inventoried)"
wait_for "$(remaining)" on_console "agent: starting the Atelier agent" || fail "init did not start the agent"

if [[ $case_name == crash ]]; then
  # Kill atelierd in the middle of the wipe: once the job is issued and progress has been stored.
  wait_for "$(remaining)" job_issued wipe || fail "no wipe job was issued"
  has_progress() { [[ -n $(sql "SELECT progress_json FROM pipeline_jobs WHERE step='wipe' AND status='issued'" 2>/dev/null) ]]; }
  wait_for "$(remaining)" has_progress || fail "the wipe reported no progress"
  kill -KILL "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  job_issued wipe || fail "the wipe ended before atelierd was killed: no crash during the wipe was tested"
  phase "atelierd killed (SIGKILL) during the wipe"
  sleep 5
  pvm_start_daemon "$work/atelierd-restarted.log"
  phase "atelierd restarted on the same database"
fi

wait_for "$(remaining)" in_state ready || fail "$tag did not reach ready (state: $(unit_state))"
phase "$tag ready"

# The new system boots from the disk: atelierd leaves the ready unit to its firmware's next boot
# device, and the first-boot account step (vm-minimal's account mode is oem) names the tailored
# hostname.
first_boot="[atelier-$(echo "$tag" | tr 'A-Z' 'a-z')]"
wait_for "$(remaining)" logged "no boot: $tag is ready" || fail "atelierd did not decline to network-boot the ready unit"
wait_for "$(remaining)" on_console "$first_boot" || fail "no first-boot step \"$first_boot\" on the serial console"
phase "rebooted into the installed system: \"$first_boot\" asks for the household's account"

# The record of it all.
history=$("$atelier" --db "$db" units history "$tag" --json)
python3 - "$history" <<'PY' || fail "lifecycle history"
import json, sys
events = json.loads(sys.argv[1])
states = [e["to"] for e in events]
# A restart of the pipeline (not expected here) would show up as a second "detected".
want = ["detected", "inventoried", "tested", "wiped", "imaged", "ready"]
assert states == want, f"history {states}, want {want}"
print("history:", " → ".join(states))
PY
[[ $(sql "SELECT count(*) FROM units") == 1 ]] || fail "more than one unit: $(sql 'SELECT tag, state FROM units')"
[[ $(sql "SELECT count(*) FROM erasure_records") == 1 ]] || fail "expected one erasure record: $(sql 'SELECT id, result FROM erasure_records')"
[[ $(sql "SELECT result || ' ' || verification || ' ' || method FROM erasure_records") == "erased sample zero" ]] ||
  fail "erasure record: $(sql 'SELECT result, verification, method FROM erasure_records')"
[[ $(sql "SELECT d.serial || ' ' || d.size_bytes || ' ' || u.tag FROM erasure_records e JOIN disks d ON d.id = e.disk_id JOIN units u ON u.id = d.unit_id") == "$disk_serial 4294967296 $tag" ]] ||
  fail "the erasure record is not for the 4 GiB disk $disk_serial of $tag"
[[ -n $(sql "SELECT signature FROM erasure_records WHERE result = 'erased'") ]] || fail "the erasure record is not signed"
[[ $(sql "SELECT count(*) FROM imaging_records WHERE result = 'imaged' AND profile = 'vm-minimal'") == 1 ]] ||
  fail "expected one imaging record: $(sql 'SELECT profile, result FROM imaging_records')"
[[ $(sql "SELECT count(*) FROM pipeline_jobs WHERE status = 'failed'") == 0 ]] ||
  fail "a step failed: $(sql "SELECT step, result_json FROM pipeline_jobs WHERE status = 'failed'")"
# One network boot of the boot environment: the reboot after ready was not served a boot script.
[[ $(cat "$work"/atelierd*.log | grep -c "boot token [0-9a-f]*... issued for $mac") == 1 ]] || fail "the ready unit was booted over the network again"
# Each step ran once, as one job, and succeeded (in the crash case: the restarted daemon took the
# result of the very wipe job it had issued before it was killed).
jobs=$(sql "SELECT group_concat(step || ':' || attempt || ':' || status, ' ') FROM (SELECT * FROM pipeline_jobs ORDER BY id)")
[[ $jobs == "bench:1:done wipe:1:done deploy:1:done verify:1:done finish:1:done" ]] || fail "jobs: $jobs"

kill "$qemu_pid"
wait "$qemu_pid" 2>/dev/null || true
! grep -qa "$marker" "$work/disk.img" || fail "the previous owner's file survived on the disk"

echo "jobs:"
sql "SELECT step, attempt, status, issued_at, finished_at FROM pipeline_jobs ORDER BY id" | sed 's/^/  /'
tr -d '\r' <"$console" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -E "^atelier-agent: job|^(Debian GNU/Linux)" | head -12 || true
echo "PASS ($case_name): $tag went through the pipeline and booted its new system in $SECONDS s"
