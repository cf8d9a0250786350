#!/bin/bash
# The coordinator API served by the real atelierd binary: a temp configuration on loopback (DHCP,
# TFTP and HTTP boot on unprivileged test ports of 127.0.0.1), an account made with the real
# `atelier accounts add`, then login, a read, a household read that lands in the audit log, logout
# and a clean stop, all with curl. Also: atelierd refuses to offer the API on the workshop address.
# Usage: atelierd_api_test.sh ATELIERD ATELIER
set -euo pipefail
atelierd=$1
atelier=$2
if [[ $(id -u) != 0 ]]; then
  echo "SKIP: needs root (atelier accounts is the local root's; DHCP binds to lo)"; exit 0
fi
dir=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat > "$dir/atelier.toml" <<TOML
[server]
interface = "lo"
address = "198.18.0.1"   # the workshop address (only named in replies here)
database = "$dir/atelier.db"

[pipeline]
program = "$dir/none.toml"

[api]
listen = "127.0.0.1:0"
token_hours = 2
TOML

db=$dir/atelier.db
"$atelier" --db "$db" db init >/dev/null
printf 'a long enough passphrase\n' > "$dir/pw"
"$atelier" --db "$db" accounts add alice --role coordinator --password-file "$dir/pw"
"$atelier" --db "$db" accounts add val --role volunteer --password-file "$dir/pw"

http_port=$(port)
test_ports=(--dhcp-port "$(port)" --boot-port "$(port)" --tftp-port "$(port)" --http-port "$http_port"
            --client-port "$(port)" --listen-address 127.0.0.1 --broadcast-address 127.0.0.1)

# The workshop address is refused unless the configuration allows it.
if "$atelierd" --config "$dir/atelier.toml" "${test_ports[@]}" --api-listen 198.18.0.1:8080 \
     2>"$dir/refused.log"; then
  echo "FAIL: atelierd offered the API on the workshop address"; exit 1
fi
grep -q "reachable from the workshop network" "$dir/refused.log" || { cat "$dir/refused.log"; exit 1; }

# The boot server's port is refused by name, not left to a bind error.
if "$atelierd" --config "$dir/atelier.toml" "${test_ports[@]}" --api-listen "127.0.0.1:$http_port" \
     2>"$dir/same-port.log"; then
  echo "FAIL: atelierd started the API on the HTTP boot port"; exit 1
fi
grep -q "which is \[boot\] http_port's too" "$dir/same-port.log" || { cat "$dir/same-port.log"; exit 1; }

"$atelierd" --config "$dir/atelier.toml" "${test_ports[@]}" 2>"$dir/atelierd.log" &
pid=$!
api_port=
for _ in $(seq 1 100); do
  api_port=$(sed -n 's/.*coordinator API on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/atelierd.log")
  [[ -n $api_port ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/atelierd.log"; echo "FAIL: atelierd exited"; exit 1; }
  sleep 0.1
done
[[ -n $api_port ]] || { cat "$dir/atelierd.log"; echo "FAIL: no API port in the log"; exit 1; }
base=http://127.0.0.1:$api_port/api/v1

status() { curl -s -o "$dir/body" -w '%{http_code}' "$@"; }

[[ $(status "$base/units") == 401 ]] || { echo "FAIL: units without a token"; exit 1; }
[[ $(status -X POST -H 'Content-Type: application/json' \
      -d '{"name":"alice","password":"a long enough passphrase"}' "$base/session") == 201 ]] \
  || { cat "$dir/body"; echo "FAIL: login"; exit 1; }
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$dir/body")
auth=(-H "Authorization: Bearer $token")
[[ $(status "${auth[@]}" "$base/units") == 200 ]] || { echo "FAIL: units"; exit 1; }
[[ $(status "${auth[@]}" -X POST -H 'Content-Type: application/json' \
      -d '{"reference":"CCAS-1","district":"Nord"}' "$base/households") == 201 ]] \
  || { cat "$dir/body"; echo "FAIL: add household"; exit 1; }
[[ $(status "${auth[@]}" "$base/households/CCAS-1") == 200 ]] || { echo "FAIL: read household"; exit 1; }
# A volunteer is refused the household.
[[ $(status -X POST -d '{"name":"val","password":"a long enough passphrase"}' "$base/session") == 201 ]]
vtoken=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$dir/body")
[[ $(status -H "Authorization: Bearer $vtoken" "$base/households/CCAS-1") == 403 ]] \
  || { echo "FAIL: volunteer read a household"; exit 1; }
[[ $(status "${auth[@]}" -X DELETE "$base/session") == 204 ]] || { echo "FAIL: logout"; exit 1; }
[[ $(status "${auth[@]}" "$base/units") == 401 ]] || { echo "FAIL: token alive after logout"; exit 1; }

kill -TERM "$pid"
wait "$pid"
pid=
# The audit log, read back by the local admin's CLI database: alice's read of the household.
sqlite3 "$db" "SELECT actor, role, action FROM audit_log" > "$dir/audit" 2>/dev/null \
  || python3 - "$db" > "$dir/audit" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute("SELECT actor, role, action FROM audit_log"):
    print("|".join(row))
PY
grep -q '^alice|coordinator|household.read$' "$dir/audit" || { cat "$dir/audit"; echo "FAIL: audit"; exit 1; }
grep -q "api 127.0.0.1 GET /api/v1/households/CCAS-1 200 by coordinator:alice" "$dir/atelierd.log" \
  || { cat "$dir/atelierd.log"; echo "FAIL: log line"; exit 1; }
if grep -q "$token" "$dir/atelierd.log"; then echo "FAIL: token in the log"; exit 1; fi
echo "PASS"
