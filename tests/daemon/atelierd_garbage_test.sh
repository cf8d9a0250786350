#!/bin/bash
# The real atelierd never dies from input (issue 14, findings 2 and 9): garbage posted to the agent
# API and to the coordinator API is answered (400, 413...), and afterwards the same process still
# answers DHCP, HTTP boot, the agent API and the coordinator API. All on loopback: DHCP, TFTP and
# HTTP boot on unprivileged test ports of 127.0.0.1; 198.18.0.1 is only named in replies.
#
#   1. A machine fetches its script and registers; it gets the bench job.
#   2. Garbage: a bench result with memtest.ran "yes" and one with a score value "fast" (what ended
#      atelierd before), wrong types in every endpoint, 100 000 levels of nesting, bodies that are
#      not JSON, a body over its route's limit, a body on a GET and on a path that takes none, the
#      same at the coordinator API. Each gets its status, and atelierd stays up.
#   3. Limits: a TFTP request asking for timeout=255 gets an OACK without it; unknown MACs asking
#      for scripts from one address are refused after 5 in 10 minutes, and no unit is created for
#      them.
#   4. Still serving: a captured firmware DISCOVER gets its proxy offer, the script and a file are
#      served, the coordinator API answers, the machine's correct bench result is accepted, and the
#      log shows no exception past a handler.
# Usage: atelierd_garbage_test.sh ATELIERD ATELIER   (root: DHCP binds to lo; exit 77 = skipped)
set -euo pipefail
atelierd=${1:?path to atelierd}
atelier=${2:?path to atelier}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
if [[ $(id -u) != 0 ]]; then
  echo "SKIP: needs root (DHCP binds to the loopback interface)"
  exit 77
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool"; exit 1; }
done

dir=$(mktemp -d /tmp/atl-garbage.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- atelierd log (last 60 lines)"
  tail -n 60 "$dir/atelierd.log" 2>/dev/null
  exit 1
}

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mkdir -p "$dir/profiles" "$dir/ipxe"
cp "$data/profiles/vm-minimal.toml" "$dir/profiles/"
cp "$data/pipeline/program.toml" "$dir/program.toml"
head -c 3000 /dev/urandom >"$dir/ipxe/undionly.kpxe"
db=$dir/atelier.db
cat >"$dir/atelier.toml" <<TOML
[server]
interface = "lo"
address = "198.18.0.1"
database = "$db"
state_dir = "$dir"

[boot]
ipxe_dir = "$dir/ipxe"

[pipeline]
profiles_dir = "$dir/profiles"
program = "$dir/program.toml"
keys_dir = "$dir/keys"

[api]
listen = "127.0.0.1:0"
TOML
"$atelier" --db "$db" db init >/dev/null

http_port=$(port)
dhcp_port=$(udp_port)
client_port=$(udp_port)
tftp_port=$(udp_port)
boot_port=$(udp_port)
: >"$dir/atelierd.log"
"$atelierd" --config "$dir/atelier.toml" --dhcp-port "$dhcp_port" --boot-port "$boot_port" \
  --tftp-port "$tftp_port" --http-port "$http_port" --client-port "$client_port" \
  --listen-address 127.0.0.1 --broadcast-address 127.0.0.1 2>"$dir/atelierd.log" &
pid=$!
server=http://127.0.0.1:$http_port
api_port=
for _ in $(seq 1 100); do
  api_port=$(sed -n 's/.*coordinator API on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/atelierd.log")
  [[ -n $api_port ]] && grep -q "pipeline on" "$dir/atelierd.log" && break
  kill -0 "$pid" 2>/dev/null || fail "atelierd exited at start"
  sleep 0.1
done
[[ -n $api_port ]] || fail "no coordinator API port in the log"
api=http://127.0.0.1:$api_port/api/v1

alive() { kill -0 "$pid" 2>/dev/null || fail "atelierd died after: $1"; }
# post PATH BODY-FILE [curl options...] → prints the status; the answer is in $dir/answer
post_file() {
  local path=$1 file=$2
  shift 2
  curl -s -o "$dir/answer" -w '%{http_code}' -H 'Expect:' -H 'Content-Type: application/json' \
    --data-binary "@$file" "$@" "$server$path"
}
post() { printf '%s' "$2" >"$dir/body"; post_file "$1" "$dir/body"; }
# expect WHAT STATUS PATH BODY [TEXT]: the status, the text in the answer, atelierd still up.
expect() {
  local got
  got=$(post "$3" "$4") || true # curl fails when atelierd dies mid-request: said below
  alive "$1"
  [[ $got == "$2" ]] || fail "$1: expected HTTP $2, got $got: $(head -c 300 "$dir/answer")"
  [[ -z ${5:-} ]] || grep -qF -- "$5" "$dir/answer" || fail "$1: answer lacks '$5': $(head -c 300 "$dir/answer")"
  echo "  $1: $got $(head -c 120 "$dir/answer")"
}
json_get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/answer" "$1"; }

# 1. The machine boots and registers.
mac=52:54:00:e2:70:09
token=$(curl -sf "$server/boot/$mac.ipxe" | grep -o 'atelier\.token=[0-9a-f]*' | cut -d= -f2)
[[ -n $token ]] || fail "no token in the boot script"
inventory=$(cat "$data/profiles/laptop-8gb-uefi-ssd.json")
expect "register" 200 /api/v1/register "{\"mac\":\"$mac\",\"token\":\"$token\",\"inventory\":$inventory}"
expect "next" 200 /api/v1/next "{\"token\":\"$token\"}" '"step":"bench"'
job=$(json_get job)

# 2. Garbage at the agent API.
bench_with() { # PYTHON-EXPRESSION changing `b` → a result body
  python3 - "$data/imager/bench/bench-clean.json" "$token" "$job" "$1" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
exec(sys.argv[4])
print(json.dumps({"token": sys.argv[2], "job": int(sys.argv[3]), "status": "done", "result": {"bench": b}}))
PY
}
expect "memtest.ran \"yes\"" 400 /api/v1/result "$(bench_with 'b["memtest"]["ran"] = "yes"')" \
  "field 'result.bench.memtest.ran' must be true or false"
expect "results value \"fast\"" 400 /api/v1/result "$(bench_with 'b["results"][0]["value"] = "fast"')" \
  "field 'result.bench.results[0].value' must be a number"
expect "memtest a list" 400 /api/v1/result "$(bench_with 'b["memtest"] = [1]')" "'result.bench.memtest'"
expect "job a word" 400 /api/v1/progress "{\"token\":\"$token\",\"job\":\"one\",\"progress\":{}}" "field 'job'"
expect "progress total a word" 400 /api/v1/progress \
  "{\"token\":\"$token\",\"job\":$job,\"progress\":{\"total_bytes\":\"lots\"}}" "field 'progress.total_bytes'"
expect "token a number" 400 /api/v1/next '{"token":17}' "field 'token' must be a string"
expect "status an object" 400 /api/v1/result "{\"token\":\"$token\",\"job\":$job,\"status\":{}}" "field 'status'"
expect "mac a number" 400 /api/v1/register "{\"mac\":5,\"token\":\"$token\",\"inventory\":{}}" "field 'mac'"
expect "serial a number" 400 /api/v1/register \
  "{\"mac\":\"$mac\",\"token\":\"$token\",\"inventory\":{\"schema\":\"atelier.inventory/1\",\"system\":{\"serial\":5}}}" \
  "field 'inventory.system.serial' must be a string"
nested() { # LEVELS FILE: a progress post with LEVELS arrays nested inside
  python3 -c 'import sys; d=int(sys.argv[3]); sys.stdout.write("{\"token\":\"%s\",\"job\":%s,\"progress\":{\"x\":%s%s}}" % (sys.argv[1], sys.argv[2], "["*d, "]"*d))' \
    "$token" "$job" "$1" >"$2"
}
nested 1000 "$dir/deep-small"
nested 100000 "$dir/deep"
for endpoint in register next progress result; do
  got=$(post_file "/api/v1/$endpoint" "$dir/deep-small")
  alive "deep nesting to $endpoint"
  [[ $got == 400 ]] && grep -q "deeper than 64 levels" "$dir/answer" || fail "deep nesting to $endpoint: $got $(cat "$dir/answer")"
done
for endpoint in register result; do # the two whose limits let 200 KB of brackets in
  got=$(post_file "/api/v1/$endpoint" "$dir/deep")
  alive "100 000 levels to $endpoint"
  [[ $got == 400 ]] && grep -q "deeper than 64 levels" "$dir/answer" || fail "100 000 levels to $endpoint: $got"
done
echo "  1000 and 100 000 levels of nesting: 400"
head -c 20000 /dev/urandom >"$dir/random"
for endpoint in register next progress result; do
  got=$(post_file "/api/v1/$endpoint" "$dir/random")
  alive "random bytes to $endpoint"
  [[ $got == 400 || $got == 413 ]] || fail "random bytes to $endpoint: $got"
done
echo "  random bytes: refused at every endpoint"
for garbage in '' 'null' '[]' '"x"' '{"token":' '{"token":"'"$token"'","job":1e999}' '{"token":"'"$token"'","job":-1,"progress":{}}'; do
  got=$(post /api/v1/progress "$garbage")
  alive "garbage '$garbage'"
  [[ $got == 400 || $got == 404 ]] || fail "garbage '$garbage': $got $(cat "$dir/answer")"
done
echo "  not JSON, not objects, odd numbers: refused"

# Bodies: per route, only where a route takes one.
python3 -c 'import sys; sys.stdout.write("{\"token\":\"%s\",\"pad\":\"%s\"}" % (sys.argv[1], "a"*8192))' "$token" >"$dir/big-next"
[[ $(post_file /api/v1/next "$dir/big-next") == 413 ]] || fail "an 8 KiB next was not refused"
head -c 5000000 /dev/zero | tr '\0' 'a' >"$dir/huge"
# With "Expect: 100-continue" (curl's default for large bodies) the refusal comes before the upload;
# without it, atelierd answers as soon as the header announces too much and closes the connection.
got=$(curl -s -o "$dir/answer" -w '%{http_code}' -H 'Expect: 100-continue' --data-binary @"$dir/huge" \
  "$server/api/v1/result")
[[ $got == 413 ]] || fail "a 5 MB result was not refused: $got"
[[ $(post_file /boot/vmlinuz "$dir/big-next" -X GET) == 413 ]] || fail "a GET with a body was not refused"
[[ $(post_file /boot/$mac.ipxe "$dir/big-next") == 404 ]] || fail "a POST to the script path was not 404"
alive "bodies"
echo "  bodies: 413 over a route's limit, on a GET, none read for a path that is no route"

# Garbage at the coordinator API.
capi() { curl -s -o "$dir/answer" -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }
[[ $(capi --data-binary @"$dir/deep" "$api/session") == 400 ]] || fail "deep nesting at the coordinator API"
grep -q "deeper than 64 levels" "$dir/answer" || fail "coordinator API: $(cat "$dir/answer")"
got=$(capi -d '{"name":5,"password":["x"]}' "$api/session")
[[ $got == 400 || $got == 401 ]] || fail "coordinator API, wrong types: $got $(cat "$dir/answer")"
[[ $(capi --data-binary @"$dir/random" "$api/session") =~ ^4 ]] || fail "coordinator API, random bytes"
alive "the coordinator API's garbage"
echo "  coordinator API: deep nesting 400, wrong types $got, random bytes refused"

# 3. Limits. TFTP: timeout=255 is left out of the OACK (blksize is honoured).
python3 - "$tftp_port" <<'PY' || fail "TFTP timeout cap"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"\x00\x01undionly.kpxe\x00octet\x00timeout\x00255\x00blksize\x001024\x00", ("127.0.0.1", int(sys.argv[1])))
data, server = s.recvfrom(2048)
options = data[2:].split(b"\x00")
assert data[:2] == b"\x00\x06", data[:40]
assert b"timeout" not in options and b"blksize" in options, options
s.sendto(b"\x00\x05\x00\x00done\x00", server)  # end the transfer at once
print("  TFTP: timeout=255 left out of the OACK:", options)
PY
# Unknown MACs from one address: this address brought the machine above in (1), so 4 more, then 403.
for n in 1 2 3 4; do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$server/boot/52:54:00:e2:71:0$n.ipxe") == 200 ]] || fail "unknown MAC $n refused"
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$server/boot/52:54:00:e2:71:05.ipxe") == 403 ]] \
  || fail "the 6th unknown MAC from one address got a script"
grep -q "52:54:00:e2:71:05 from 127.0.0.1: 5 machines unknown to the database" "$dir/atelierd.log" \
  || fail "no log line for the refused unknown MAC"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$server/boot/$mac.ipxe") == 200 ]] || fail "a known MAC was refused"
echo "  unknown MACs: the 6th from one address in 10 min refused"

# 4. Still serving everything.
python3 - "$data/pxe/ovmf-pxe-01-dhcp-discover-pxe.hex" "$dhcp_port" "$client_port" <<'PY' || fail "DHCP does not answer"
import socket, sys
packet = bytes.fromhex("".join(l for l in open(sys.argv[1]) if not l.startswith("#")))
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
client.bind(("127.0.0.1", int(sys.argv[3])))
client.settimeout(5)
client.sendto(packet, ("127.0.0.1", int(sys.argv[2])))
reply, _ = client.recvfrom(1500)
assert reply[0] == 2 and reply[28:34] == packet[28:34], reply[:40]  # BOOTREPLY to the same MAC
print("  DHCP: the captured DISCOVER got its proxy offer (%d bytes)" % len(reply))
PY
[[ $(curl -s -o /dev/null -w '%{http_code}' "$server/boot/$mac.ipxe") == 200 ]] || fail "HTTP boot script"
[[ $(capi "$api/units") == 401 ]] || fail "coordinator API does not answer"
token2=$(curl -sf "$server/boot/$mac.ipxe" | grep -o 'atelier\.token=[0-9a-f]*' | cut -d= -f2)
expect "the same machine's next boot registers" 200 /api/v1/register \
  "{\"mac\":\"$mac\",\"token\":\"$token2\",\"inventory\":$inventory}"
expect "next" 200 /api/v1/next "{\"token\":\"$token2\"}" '"step":"bench"'
job=$(json_get job)
token=$token2
expect "a correct bench result" 200 /api/v1/result "$(bench_with 'pass')" '"state":"tested"'
units=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from units").fetchone()[0])' "$db")
[[ $units == 6 ]] || fail "expected 6 units (the machine, 4 unknown MACs, the DHCP one), found $units"
if grep -q "threw past its boundary" "$dir/atelierd.log"; then fail "an exception reached the io loop"; fi
kill -TERM "$pid"
wait "$pid" || fail "atelierd did not stop cleanly"
pid=
echo "PASS"
