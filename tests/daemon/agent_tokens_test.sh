#!/usr/bin/env bash
# The real atelierd refuses agent posts that do not come from the boot it authorised, and records
# nothing for them (docs/AGENT-API.md, "Authentication"). No VM: the test plays the machine's
# iPXE and agent with curl over real HTTP, in a network namespace of its own, against a real
# atelierd process with a pipeline (program + the vm-minimal profile) and a real SQLite database.
#
#   1. "Boot 1": GET /boot/<mac>.ipxe as iPXE does → a script with atelier.token=T1; register with
#      T1 and an inventory, get the bench job, post a bench result → the wipe job is issued.
#   2. A wrong token (never issued) posts register, next, progress and a forged wipe result with
#      an erasure record: 403 each, and the database is byte for byte what it was.
#   3. A token issued by a script fetch but never registered (T3) posts next/result: 403.
#   4. "Boot 2" of the same machine (T2) registers: boot 1's session is superseded. Boot 1's token
#      replayed: register, next, progress and the wipe result get 409 with "stop": true; T2 posting
#      boot 1's job gets 404. Nothing recorded by any of them: the database dump is unchanged.
#   5. T1 on another machine's MAC: 403.
# Usage: agent_tokens_test.sh ATELIERD ATELIER   (root: network namespace; exit 77 = skipped)
set -euo pipefail
atelierd=${1:?path to atelierd}
atelier=${2:?path to atelier}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (a network namespace for atelierd's sockets)"
  exit 77
fi
for tool in ip curl sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool"; exit 1; }
done

ns=atl-tok-$$
work=$(mktemp -d /tmp/atl-tokens.XXXXXX)
daemon_pid=""
cleanup() {
  set +e
  [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  if [[ ${keep:-} != yes ]]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT
trap "exit 143" TERM INT
fail() {
  echo "FAIL: $*"
  echo "--- atelierd log"
  cat "$work/atelierd.log" 2>/dev/null
  exit 1
}

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" addr add 198.18.0.2/24 dev br0
ip -n "$ns" link set br0 up

mkdir -p "$work/profiles/images"
cp "$data/profiles/vm-minimal.toml" "$work/profiles/"
cp "$data/pipeline/program.toml" "$work/program.toml"
db=$work/atelier.db
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

[pipeline]
profiles_dir = "$work/profiles"
images_dir = "$work/profiles/images"
program = "$work/program.toml"
keys_dir = "$work/keys"
wipe_gate = "open"                # this test is about tokens: the gate has its own tests
EOF
"$atelier" --db "$db" db init >/dev/null
ip netns exec "$ns" "$atelierd" --config "$work/atelier.toml" >"$work/atelierd.log" 2>&1 &
daemon_pid=$!
server=http://198.18.0.2:8080
for _ in $(seq 50); do
  grep -q "pipeline on" "$work/atelierd.log" && ip netns exec "$ns" curl -s -o /dev/null "$server/" && break
  kill -0 "$daemon_pid" 2>/dev/null || fail "atelierd stopped"
  sleep 0.2
done
grep -q "pipeline on" "$work/atelierd.log" || fail "atelierd did not start its pipeline"

mac=52:54:00:e2:70:01
# What iPXE does: fetch the machine's script; the token is on the kernel line it carries.
boot() {
  ip netns exec "$ns" curl -sf "$server/boot/$mac.ipxe" | grep -o 'atelier\.token=[0-9a-f]*' | cut -d= -f2
}
# post ENDPOINT JSON → prints "STATUS BODY"
post() {
  local body
  body=$(ip netns exec "$ns" curl -s -o "$work/answer" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$2" "$server/api/v1/$1")
  echo "$body $(tr -d '\n' <"$work/answer")"
}
expect() { # WHAT STATUS ENDPOINT JSON [TEXT-IN-ANSWER]
  local got
  got=$(post "$3" "$4")
  [[ ${got%% *} == "$2" ]] || fail "$1: expected HTTP $2, got: $got"
  [[ -z ${5:-} || $got == *"$5"* ]] || fail "$1: answer lacks '$5': $got"
  echo "  $1: ${got:0:150}"
}
dump() { sqlite3 -readonly "$db" .dump | sha256sum; }
# The fixture laptop with its SSD only (named, as the agent's inventory names disks): the server
# requires an erased record for every disk the inventory lists.
inventory=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["disks"]=d["disks"][:1]; d["disks"][0]["name"]="sda"; print(json.dumps(d))' \
  "$data/profiles/laptop-8gb-uefi-ssd.json")
bench=$(cat "$data/imager/bench/bench-clean.json")
register_body() { echo "{\"mac\":\"$2\",\"token\":\"$1\",\"inventory\":$inventory}"; }
# A complete erasure record of the inventory's disk, as `atelier-imager wipe --json` prints it,
# for the unit whose asset tag is $1.
make_record() {
  python3 - "$1" <<'PY'
import json, sys
print(json.dumps({
  "format_version": 1, "record_id": "0b6e4c1a-7d2f-4e3b-9a10-5c8d2e7f0a11",
  "manufacturer": "Samsung", "model": "SAMSUNG MZ7LN256HMJP", "serial": "S2XXXXXX",
  "media_type": "ssd", "device": "/dev/sda", "size_bytes": 256060514304, "logical_sector_size": 512,
  "source_property": sys.argv[1], "level": "clear", "method": "zero", "method_detail": "",
  "tool": "atelier-imager", "tool_version": "0.1.0", "verification": "sample",
  "verification_result": "passed", "operator_name": "forger", "verified_by": "", "site": "",
  "contact": "", "started_at": "2026-11-23T10:00:00Z", "finished_at": "2026-11-23T10:20:00Z",
  "duration_ms": 1200000, "bytes_written": 256060514304, "bytes_verified": 1048576, "passes": 1,
  "pattern": "zero", "prng_seed_sha256": "", "throughput_bytes_per_second": 213383761,
  "write_errors": 0, "read_errors": 0, "verify_mismatches": 0, "failed_ranges": [],
  "hidden_areas": {"checked": False, "hpa_present": False, "dco_present": False, "reset": False,
                   "native_bytes": 0, "visible_bytes": 0, "note": ""},
  "smart": {"overall": "", "power_on_hours": None, "reallocated_sectors": None,
            "pending_sectors": None, "uncorrectable_sectors": None},
  "result": "erased", "failure_reason": "", "notes": []}))
PY
}

# 1. Boot 1, registered, benched; the wipe job is issued.
t1=$(boot)
[[ ${#t1} -ge 32 ]] || fail "no boot token in the script for $mac"
expect "boot 1 registers" 200 register "$(register_body "$t1" "$mac")" '"unit"'
tag=$(grep -o '"unit":"[^"]*"' "$work/answer" | cut -d'"' -f4)
record=$(make_record "$tag")
bench_job=$(post next "{\"token\":\"$t1\"}" | grep -o '"job":[0-9]*' | cut -d: -f2)
[[ -n $bench_job ]] || fail "no bench job for boot 1"
expect "boot 1 posts its bench" 200 result "{\"token\":\"$t1\",\"job\":$bench_job,\"status\":\"done\",\"result\":{\"bench\":$bench}}" '"tested"'
answer=$(post next "{\"token\":\"$t1\"}")
[[ $answer == 200* && $answer == *'"step":"wipe"'* ]] || fail "boot 1 was not given the wipe: $answer"
wipe_job=$(echo "$answer" | grep -o '"job":[0-9]*' | cut -d: -f2)
wipe_result() { echo "{\"token\":\"$1\",\"job\":$wipe_job,\"status\":\"done\",\"result\":{\"records\":[$record]}}"; }
echo "boot 1: token ${t1:0:8}..., bench job $bench_job done, wipe job $wipe_job issued"

# 2. A token nobody issued.
before=$(dump)
wrong=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
expect "wrong token: register" 403 register "$(register_body "$wrong" "$mac")" "refused"
expect "wrong token: next" 403 next "{\"token\":\"$wrong\"}" "unknown token"
expect "wrong token: progress" 403 progress "{\"token\":\"$wrong\",\"job\":$wipe_job,\"progress\":{\"done_bytes\":1}}"
expect "wrong token: forged wipe result" 403 result "$(wipe_result "$wrong")" "unknown token"
[[ $(dump) == "$before" ]] || fail "a post with a wrong token changed the database"

# 3. A token that was issued (script fetched) but never registered.
t3=$(boot)
before=$(dump) # the script fetch itself records a boot sighting; the posts must record nothing
expect "unregistered token: next" 403 next "{\"token\":\"$t3\"}" "register first"
expect "unregistered token: wipe result" 403 result "$(wipe_result "$t3")"
[[ $(dump) == "$before" ]] || fail "a post with an unregistered token changed the database"

# 4. Boot 2 supersedes boot 1; boot 1's token replayed.
t2=$(boot)
expect "boot 2 registers" 200 register "$(register_body "$t2" "$mac")" '"inventoried"'
before=$(dump)
expect "replayed token: register" 409 register "$(register_body "$t1" "$mac")" '"stop":true'
expect "replayed token: next" 409 next "{\"token\":\"$t1\"}" '"stop":true'
expect "replayed token: progress" 409 progress "{\"token\":\"$t1\",\"job\":$wipe_job,\"progress\":{\"done_bytes\":1}}" '"stop":true'
expect "replayed token: wipe result" 409 result "$(wipe_result "$t1")" '"stop":true'
expect "boot 2 posting boot 1's job" 404 result "$(wipe_result "$t2")" "not a job of this boot"
[[ $(dump) == "$before" ]] || fail "a replayed token changed the database"

# 5. A token bound to this MAC, presented for another machine.
expect "token on another MAC" 403 register "$(register_body "$t2" 52:54:00:e2:70:02)"

sql() { sqlite3 -readonly "$db" "$1"; }
[[ $(sql "SELECT count(*) FROM erasure_records") == 0 ]] || fail "an erasure record was filed"
[[ $(sql "SELECT count(*) FROM disks") == 0 ]] || fail "a disk row was created"
[[ $(sql "SELECT count(*) FROM units") == 1 ]] || fail "units: $(sql 'SELECT tag, state FROM units')"
[[ $(sql "SELECT count(*) FROM inventory_snapshots") == 2 ]] || fail "expected the two boots' inventories only"
[[ $(sql "SELECT group_concat(step || ':' || status, ' ') FROM (SELECT * FROM pipeline_jobs ORDER BY id)") == "bench:done wipe:abandoned" ]] ||
  fail "jobs: $(sql 'SELECT step, status FROM pipeline_jobs')"
grep -q "agent .* /api/v1/result 403" "$work/atelierd.log" || fail "atelierd did not log the refusals"

# 6. The forged result was refused for its token, not its content: boot 2, the machine's current
#    boot, posts the very same record for its own wipe job and it is filed and signed.
bench_job=$(post next "{\"token\":\"$t2\"}" | grep -o '"job":[0-9]*' | cut -d: -f2)
expect "boot 2 posts its bench" 200 result "{\"token\":\"$t2\",\"job\":$bench_job,\"status\":\"done\",\"result\":{\"bench\":$bench}}" '"tested"'
wipe_job=$(post next "{\"token\":\"$t2\"}" | grep -o '"job":[0-9]*' | cut -d: -f2)
expect "boot 2 posts the same record for its wipe" 200 result "$(wipe_result "$t2")" '"wiped"'
[[ $(sql "SELECT count(*) FROM erasure_records WHERE signature <> ''") == 1 ]] || fail "the record of boot 2 was not filed signed"
echo "PASS: wrong, unregistered and replayed tokens refused by the real atelierd; nothing recorded"
