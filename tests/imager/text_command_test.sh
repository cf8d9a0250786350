#!/usr/bin/env bash
# `atelier-imager text`: how the boot environment's init script words the machine's first lines
# (osbuild/bootenv/init, say_tr) in the language of atelier.lang=, from the agent's catalogue, found
# next to the binary (build/share/locale) as in the boot environment. Usage: text_command_test.sh
# path/to/atelier-imager
set -euo pipefail
imager=$(realpath "$1")
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
nbsp=$(printf '\xc2\xa0')
# Only PATH and the sanitizers' settings (a sanitized build needs scripts/test's ASAN_OPTIONS): no
# inherited locale.
sanitizer_env=()
for name in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
  [[ -n ${!name:-} ]] && sanitizer_env+=("$name=${!name}")
done
text() { env -i "${sanitizer_env[@]}" PATH="$PATH" "$imager" text "$@"; }

got=$(text --lang fr -- "network: {interface} {ip} via DHCP" interface=eth0 ip=198.18.0.5)
[[ $got == "réseau${nbsp}: eth0 198.18.0.5 par DHCP" ]] || fail "French: '$got'"
got=$(text --lang en -- "network: {interface} {ip} via DHCP" interface=eth0 ip=198.18.0.5)
[[ $got == "network: eth0 198.18.0.5 via DHCP" ]] || fail "English: '$got'"
# A value is shown as written, never re-read: braces and '=' inside stay.
got=$(text --lang fr -- "inventory: failed: {why}" "why=a={b}")
[[ $got == "inventaire${nbsp}: échec${nbsp}: a={b}" ]] || fail "value as written: '$got'"
# A language this build does not know, or no --lang: English (the machine keeps running).
got=$(text --lang xx -- "agent: starting the Atelier agent")
[[ $got == "agent: starting the Atelier agent" ]] || fail "unknown language: '$got'"
# A message the catalogue does not have comes out as written.
got=$(text --lang fr -- "not in any catalogue {x}" x=1)
[[ $got == "not in any catalogue 1" ]] || fail "unknown message: '$got'"
# A malformed argument is refused with its text named.
if err=$(text --lang fr -- "x {a}" novalue 2>&1); then
  fail "NAME=VALUE not checked"
fi
[[ $err == *"'novalue' is not NAME=VALUE"* ]] || fail "error does not name the argument: '$err'"
# The boot environment's words.sh: through atelier-imager when it runs, else the English with its
# placeholders filled by the shell (no value lost), values as written. Under busybox sh when
# installed, as in the boot environment.
words=$(dirname "$(realpath "$0")")/../../osbuild/bootenv/words.sh
shell=sh
command -v busybox >/dev/null && shell="busybox sh"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$imager" "$bin/atelier-imager"
got=$(env -i "${sanitizer_env[@]}" PATH="$bin:/usr/bin:/bin" ATELIER_LANG=fr $shell -c '. "$1"; tr_line "network: {interface} {ip} via DHCP" interface=eth0 ip=198.18.0.5' sh "$words")
[[ $got == "réseau${nbsp}: eth0 198.18.0.5 par DHCP" ]] || fail "words.sh in French: '$got'"
got=$(env -i PATH="/nonexistent" ATELIER_LANG=fr /bin/$shell -c '. "$1"; tr_line "agent: stopped with exit status {status}; {status} {why}" status=3 "why=x={status}"' sh "$words" 2>&1)
[[ $got == "agent: stopped with exit status 3; 3 x={status}" ]] || fail "words.sh without atelier-imager: '$got'"
echo "ok"
