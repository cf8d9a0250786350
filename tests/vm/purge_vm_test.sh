#!/usr/bin/env bash
# VM test (CTest label `vm`): the firmware purge against QEMU's emulated drives, the only ATA and NVMe
# devices this machine has. The boot environment (`atelier bootenv build`, with the init of
# tests/vm/purge/init) boots with an AHCI disk and an NVMe disk, each a file full of random bytes;
# inside, hdparm and nvme-cli capture IDENTIFY data and atelier-imager runs identify and purge.
# Checked: our SG_IO IDENTIFY and NVMe Identify agree with hdparm's and nvme-cli's captures; the
# policy refuses ata-secure-erase on a drive without the Security feature set and leaves its image
# untouched; nvme-format-user really erases the NVMe image (all zeros afterwards) and the record says
# erased, Purge, verification passed.
#
# Usage: purge_vm_test.sh ATELIER ATELIER_IMAGER [CACHE_DIR] [CAPTURE_DIR]
#   CAPTURE_DIR: also write the captures as fixtures (tests/data/purge format) there.
# Root is not needed for QEMU itself (no network: -nic none); QEMU runs under TCG.
set -euo pipefail
atelier=${1:?path to atelier}
imager=${2:?path to atelier-imager}
cache=${3:-/var/cache/atelier/bootenv}
capture=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

for tool in qemu-system-x86_64 python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/vm.list)"; exit 1; }
done

work=$(mktemp -d /tmp/atl-purge-vm.XXXXXX)
qemu_pid=""
cleanup() {
  set +e
  [[ -n $qemu_pid ]] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- console (last lines)"
  tr -d '\r' <"$work/vm.console" 2>/dev/null | tail -40
  exit 1
}

mkdir -p "$work/data"
cp "$repo/osbuild/bootenv/"* "$work/data/"
cp "$here/purge/init" "$work/data/init"
"$atelier" bootenv build --out "$work/env" --cache "$cache" --imager "$imager" --data "$work/data" >"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log"; echo "FAIL: bootenv build"; exit 1; }

head -c 64M /dev/urandom >"$work/ata.img"
head -c 64M /dev/urandom >"$work/nvme.img"
ata_before=$(sha256sum <"$work/ata.img")

timeout 900 qemu-system-x86_64 -display none -m 1024 -no-reboot -monitor none \
  -kernel "$work/env/vmlinuz" -initrd "$work/env/initrd.img" -append "console=ttyS0 panic=-1" -nic none \
  -device ahci,id=ahci -drive if=none,id=ata,file="$work/ata.img",format=raw \
  -device ide-hd,drive=ata,bus=ahci.0,serial=ATELIER-ATA-0001 \
  -drive if=none,id=nvm,file="$work/nvme.img",format=raw -device nvme,serial=ATELIER-NVME-0001,drive=nvm \
  -serial "file:$work/vm.console" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
wait "$qemu_pid" || fail "QEMU exited with $? (timeout or crash): $(tail -3 "$work/qemu.log")"
qemu_pid=""
grep -q "@@@ DONE" "$work/vm.console" || fail "the VM did not finish its script"

[[ $(sha256sum <"$work/ata.img") == "$ata_before" ]] || fail "the ATA image changed although purge was refused"

python3 - "$work" "$capture" <<'PY' || fail "checks on the captures"
import json, pathlib, re, sys
work, capture = pathlib.Path(sys.argv[1]), sys.argv[2]
console = (work / "vm.console").read_text(errors="replace").replace("\r", "")
blocks = {}
for m in re.finditer(r"@@@ BEGIN (\S+)\n(.*?)@@@ END \1 rc=(\d+)", console, re.S):
    blocks[m.group(1)] = (m.group(2), int(m.group(3)))
def block(name, rc=0):
    assert name in blocks, f"no block {name}"
    text, status = blocks[name]
    assert rc is None or status == rc, f"{name}: exit {status}, expected {rc}\n{text}"
    return text
def json_block(name, rc=0):
    text = block(name, rc)
    return json.loads(text[text.index("{"):text.rindex("}") + 1])

# hdparm's words, and the strings ATA keeps in them
words = [int(t, 16) for t in re.findall(r"\b[0-9a-f]{4}\b", block("hdparm-sda")) ]
words = words[-256:]
assert len(words) == 256, f"hdparm gave {len(words)} words"
def ata_string(first, count):
    return "".join(chr(w >> 8) + chr(w & 0xFF) for w in words[first:first + count]).strip()
def od_bytes(name):
    return bytes(int(t, 16) for t in block(name).split())
id_ctrl, id_ns = od_bytes("nvme-id-ctrl"), od_bytes("nvme-id-ns")
assert len(id_ctrl) == 4096 and len(id_ns) == 4096, (len(id_ctrl), len(id_ns))

sda = json_block("identify-sda")
assert sda["pass_through"] == "ata", sda
assert sda["ata"]["serial"] == ata_string(10, 10) == "ATELIER-ATA-0001", (sda["ata"]["serial"], ata_string(10, 10))
assert sda["ata"]["model"] == ata_string(27, 20), (sda["ata"]["model"], ata_string(27, 20))
sectors48 = words[100] | words[101] << 16 | words[102] << 32 | words[103] << 48
assert sda["ata"]["user_sectors"] == sectors48 == 64 * 2048, (sda["ata"]["user_sectors"], sectors48)
nvme = json_block("identify-nvme")
assert nvme["pass_through"] == "nvme", nvme
assert nvme["nvme"]["serial"] == id_ctrl[4:24].decode().strip() == "ATELIER-NVME-0001", nvme["nvme"]["serial"]
assert nvme["nvme"]["model"] == id_ctrl[24:64].decode().strip(), nvme["nvme"]["model"]
assert nvme["size_bytes"] == 64 << 20, nvme["size_bytes"]

purge_sda = json_block("purge-sda", rc=None)
assert purge_sda["result"] == "failed", purge_sda
usable = {m["method"]: m for m in sda["methods"]}
assert not usable["ata-secure-erase"]["usable"]
assert usable["ata-secure-erase"]["reason"] in purge_sda["failure_reason"], purge_sda["failure_reason"]

purge_nvme = json_block("purge-nvme")
assert purge_nvme["result"] == "erased", purge_nvme
assert purge_nvme["level"] == "purge", purge_nvme
assert purge_nvme["method"] == "nvme-format-user", purge_nvme
assert purge_nvme["verification_result"].startswith("passed"), purge_nvme["verification_result"]
assert purge_nvme["serial"] == "ATELIER-NVME-0001"
image = (work / "nvme.img").read_bytes()
assert image.count(0) == len(image), "the NVMe image still holds data after nvme-format-user"
print("identify:", sda["ata"]["model"], "/", nvme["nvme"]["model"], "; purge-sda refused:", purge_sda["failure_reason"])
print("purge-nvme:", purge_nvme["method_detail"], ";", purge_nvme["verification_result"])

if capture:
    out = pathlib.Path(capture)
    out.mkdir(parents=True, exist_ok=True)
    lines = [" ".join(f"{w:04x}" for w in words[i:i + 8]) for i in range(0, 256, 8)]
    (out / "qemu_ide_hd.ata.txt").write_text(
        "# IDENTIFY DEVICE of QEMU's emulated AHCI disk (-device ide-hd,serial=ATELIER-ATA-0001), 64 MiB,\n"
        "# as printed by `hdparm --Istdout /dev/sda` inside the VM; see SOURCES.md.\n" + "\n".join(lines) + "\n")
    def dump(data, what, name):
        rows = [f"{o:04x}: " + " ".join(f"{b:02x}" for b in data[o:o + 16]) for o in range(0, len(data), 16)
                if any(data[o:o + 16])]
        (out / name).write_text(f"# {what}; see SOURCES.md. Offsets not listed are zero.\n# size: {len(data)}\n"
                                + "\n".join(rows) + "\n")
    dump(id_ctrl, "NVMe Identify Controller of QEMU's emulated NVMe drive (-device nvme,serial=ATELIER-NVME-0001), "
         "from `nvme id-ctrl /dev/nvme0 -o binary` inside the VM", "qemu_nvme.id-ctrl.txt")
    dump(id_ns, "NVMe Identify Namespace 1 of the same drive (64 MiB), from `nvme id-ns /dev/nvme0n1 -n 1 -o binary`",
         "qemu_nvme.id-ns.txt")
    print("captures written to", out)
PY
echo "PASS"
