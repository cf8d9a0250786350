#!/usr/bin/env bash
# Slow test (CTest label `vm`: network, root, minutes): `atelier image build` with the real
# mmdebstrap on tests/data/profiles/vm-minimal.toml.
#
# The image goes to the shared cache (default /var/cache/atelier/images): the first run on a
# machine builds it (about 2.5 minutes here), later runs reuse it, as a workshop's would; the boot
# test (deploy_boot_test.sh) uses the same entry. Checked:
#   - the archive's sha256 is the manifest's and the one --update-profile wrote into the profile;
#   - the manifest lists the kernel (linux-image-*) and GRUB for BIOS and UEFI, with versions;
#   - the archive holds /boot/vmlinuz-*, an initrd, GRUB's i386-pc and x86_64-efi modules, the
#     package list's kernel, and /dev without device nodes;
#   - a second run is a cache hit and copies the same bytes;
#   - --check resolves the packages against the mirror without building, and names a package apt
#     does not know (as a build would, a minute later).
#
# Usage: image_build_test.sh ATELIER [CACHE_DIR]   (root)
set -euo pipefail
atelier=${1:?path to atelier}
cache=${2:-/var/cache/atelier/images}
here=$(cd "$(dirname "$0")" && pwd)
profile_src=$here/../data/profiles/vm-minimal.toml

for tool in mmdebstrap tar zstd python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/packages.d/image.list)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "needs root (mmdebstrap in root mode)"; exit 1; }

work=$(mktemp -d /tmp/atl-imagebuild.XXXXXX)
cleanup() { if [[ ${keep:-} != yes ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

cp "$profile_src" "$work/vm-minimal.toml"
image=$work/vm-minimal.tar.zst
start=$SECONDS
"$atelier" image build "$work/vm-minimal.toml" --out "$image" --cache-dir "$cache" --update-profile \
  >"$work/build.out" 2>"$work/build.err" || { tail -30 "$work/build.err"; fail "image build"; }
cat "$work/build.out"
echo "image build: $((SECONDS - start)) s"

sum=$(sha256sum "$image" | cut -d' ' -f1)
grep -q "^sha256    $sum\$" "$work/build.out" || fail "printed sha256 is not the file's ($sum)"
grep -q "^sha256 = \"$sum\"" "$work/vm-minimal.toml" || fail "--update-profile did not write $sum"
"$atelier" profile check "$work/vm-minimal.toml" >/dev/null || fail "the updated profile does not load"

python3 - "$image.manifest.json" "$sum" "$(stat -c %s "$image")" <<'PY' || fail "manifest"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["schema"] == "atelier.image-manifest/1", m["schema"]
assert m["profile"] == "vm-minimal", m["profile"]
assert m["archive"]["sha256"] == sys.argv[2], (m["archive"]["sha256"], sys.argv[2])
assert m["archive"]["size_bytes"] == int(sys.argv[3]), m["archive"]["size_bytes"]
assert m["inputs"]["variant"] == "minbase" and m["inputs"]["suite"] == "bookworm", m["inputs"]
names = {p["name"]: p["version"] for p in m["packages"]}
kernels = [n for n in names if n.startswith("linux-image-") and n != "linux-image-amd64"]
assert kernels, "no versioned kernel package"
for wanted in ["linux-image-amd64", "grub-pc-bin", "grub-efi-amd64-bin", "grub2-common", "systemd-sysv"]:
    assert wanted in names, wanted
print("manifest:", len(names), "packages;", kernels[0], names[kernels[0]], "; grub", names["grub2-common"],
      "; built", m["built_at"], "in", m["build_seconds"], "s;", m["archive"]["content_bytes"] // 2**20,
      "MiB uncompressed")
PY

tar --zstd -tvf "$image" >"$work/listing"
grep -qE ' \./boot/vmlinuz-[0-9]' "$work/listing" || fail "no /boot/vmlinuz-*"
grep -qE ' \./boot/initrd\.img-[0-9]' "$work/listing" || fail "no /boot/initrd.img-*"
grep -q ' \./usr/lib/grub/i386-pc/' "$work/listing" || fail "no GRUB for BIOS"
grep -q ' \./usr/lib/grub/x86_64-efi/' "$work/listing" || fail "no GRUB for UEFI"
head -1 "$work/listing" | grep -q ' \./dev/$' || fail "the archive does not start with ./dev/"
if awk '$1 ~ /^[cb]/' "$work/listing" | grep -q .; then
  awk '$1 ~ /^[cb]/' "$work/listing" | head -3
  fail "device nodes in the archive"
fi
[[ $(tar --zstd -xOf "$image" ./etc/hostname) == localhost ]] || fail "/etc/hostname is the build host's"

# Same inputs: a cache hit, the same bytes.
rm -f "$image"
"$atelier" image build "$work/vm-minimal.toml" --out "$image" --cache-dir "$cache" >"$work/again.out" 2>&1 ||
  { cat "$work/again.out"; fail "second build"; }
grep -q '^cached: ' "$work/again.out" || { cat "$work/again.out"; fail "second build was not a cache hit"; }
[[ $(sha256sum "$image" | cut -d' ' -f1) == "$sum" ]] || fail "the cached copy differs"
echo "cache hit: same sha256"

# A package apt does not know is named: by --check (apt against the mirror, no build: about
# 30 s), with the same message a build gives when it reaches apt's install step.
sed 's/"dosfstools",/"dosfstools", "atelier-no-such-package",/' "$work/vm-minimal.toml" >"$work/bad.toml"
grep -q atelier-no-such-package "$work/bad.toml" || fail "could not make the bad profile"
start=$SECONDS
"$atelier" image build "$work/vm-minimal.toml" --check --cache-dir "$cache" >"$work/check.out" 2>&1 ||
  { tail -5 "$work/check.out"; fail "--check of the good profile"; }
grep -q "^check: the 10 packages of .* resolve in bookworm" "$work/check.out" || { cat "$work/check.out"; fail "--check output"; }
if "$atelier" image build "$work/bad.toml" --check --out "$work/bad.tar.zst" --cache-dir "$cache" >"$work/bad.out" 2>&1; then
  fail "--check with an unknown package succeeded"
fi
grep -q "package 'atelier-no-such-package' was not found in http://deb.debian.org/debian bookworm (main)" \
  "$work/bad.out" || { tail -5 "$work/bad.out"; fail "the unknown package is not named"; }
[[ ! -e $work/bad.tar.zst ]] || fail "--check wrote an image"
grep "was not found" "$work/bad.out"
echo "--check: good and bad profile in $((SECONDS - start)) s"
echo "PASS: image built, cached and checked"
