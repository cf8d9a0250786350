#!/usr/bin/env bash
# docs/ERASURE-RECORD.md "Verifying by hand": signs a record with `atelier cert sign`, then checks
# it with nothing but python3 and openssl, exactly as the document says, and checks that the same
# commands reject a tampered copy. Usage: verify_by_hand.sh path/to/atelier
set -euo pipefail
atelier=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export ATELIER_DB=$work/atelier.db ATELIER_KEY_DIR=$work/keys

"$atelier" db init >/dev/null
tag=$("$atelier" units add --vendor HP --model "ProDesk 400 G1" --serial CZC0000001 --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["tag"])')

# A record with non-ASCII text and control characters, so the canonical form's escaping is tested.
cat > record.json <<'JSON'
{"format_version":1,"record_id":"0b8f6c1e-2a3d-4e5f-8a9b-1c2d3e4f5a6b","manufacturer":"Samsung",
 "model":"SSD 860 EVO","serial":"S3Z1NB0K123456A","media_type":"ssd","device":"/dev/sda",
 "size_bytes":500107862016,"logical_sector_size":512,"source_property":"","level":"clear",
 "method":"zero","method_detail":"one pass of zeros","tool":"atelier-imager","tool_version":"0.1.0",
 "verification":"full","verification_result":"passed","operator_name":"Zoë","verified_by":"atelier-imager",
 "site":"Repair Café Nord — atelier","contact":"ws@example.org","started_at":"2026-11-23T10:00:00Z",
 "finished_at":"2026-11-23T11:00:00Z","duration_ms":3600000,"bytes_written":500107862016,
 "bytes_verified":500107862016,"passes":1,"pattern":"zero","prng_seed_sha256":"",
 "throughput_bytes_per_second":138918850,"write_errors":0,"read_errors":0,"verify_mismatches":0,
 "failed_ranges":[],"hidden_areas":{"checked":true,"hpa_present":false,"dco_present":false,
 "reset":false,"native_bytes":500107862016,"visible_bytes":500107862016,"note":""},
 "smart":{"overall":"passed","power_on_hours":1234,"reallocated_sectors":0,"pending_sectors":null,
 "uncorrectable_sectors":null},"result":"erased","failure_reason":"",
 "notes":["tab:\there, newline:\nthere, quote: \" backslash: \\ control: \u0001 slash: / emoji: 😀"]}
JSON
"$atelier" cert sign record.json --tag "$tag" --out certificate.json >/dev/null 2>&1
"$atelier" cert key export --out workshop.pem >/dev/null

# --- the documented commands ------------------------------------------------------------------
verify_by_hand() { # $1: certificate file; prints openssl's verdict
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); sys.stdout.buffer.write(json.dumps(d["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))' "$1" > canonical.bin
  python3 -c 'import json,sys,base64; d=json.load(open(sys.argv[1], encoding="utf-8")); sys.stdout.buffer.write(base64.b64decode(d["signature"]["value"]))' "$1" > signature.bin
  openssl pkeyutl -verify -pubin -inkey workshop.pem -rawin -in canonical.bin -sigfile signature.bin
}
fingerprint=$(openssl pkey -pubin -in workshop.pem -outform DER | tail -c 32 |
  openssl dgst -sha256 -binary | base64 | tr -d '=')
# ----------------------------------------------------------------------------------------------

verdict=$(verify_by_hand certificate.json)
[[ $verdict == "Signature Verified Successfully" ]] || { echo "FAIL: genuine certificate: $verdict"; exit 1; }
claimed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signature"]["key_fingerprint"])' certificate.json)
[[ "SHA256:$fingerprint" == "$claimed" ]] || { echo "FAIL: fingerprint SHA256:$fingerprint != $claimed"; exit 1; }

sed 's/S3Z1NB0K123456A/S3Z1NB0K999999A/' certificate.json > tampered.json
if verdict=$(verify_by_hand tampered.json 2>&1); then
  echo "FAIL: tampered certificate verified: $verdict"; exit 1
fi
[[ $verdict == *"Signature Verification Failure"* ]] || { echo "FAIL: unexpected verdict: $verdict"; exit 1; }
echo "ok: python3 + openssl verify the genuine certificate (key SHA256:$fingerprint) and reject the tampered one"
