#!/usr/bin/env bash
# The real `atelier` binary speaks the user's language (docs/TRANSLATING.md, "Which language is
# chosen when"): French under LANG=fr_FR.UTF-8, English under C.UTF-8, `--lang` (before or after
# the command) over the locale, LC_ALL over LANG, the program file's language when no locale
# variable is set, and English when nothing says otherwise. The binary finds the catalogue next to
# itself (build/share/locale), as an installed one does. Usage: messages_language.sh path/to/atelier
set -euo pipefail
atelier=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The sanitizers' settings pass through (a sanitized build needs scripts/test's ASAN_OPTIONS: see
# there); nothing else of the caller's environment does.
sanitizer_env=()
for name in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
  [[ -n ${!name:-} ]] && sanitizer_env+=("$name=${!name}")
done

# run VARS... -- ARGS...: atelier with only the given environment (no inherited locale), stderr
# captured in $err and the exit status in $status.
run() {
  local vars=()
  while [[ $1 != -- ]]; do
    vars+=("$1")
    shift
  done
  shift
  status=0
  err=$(env -i "${sanitizer_env[@]}" PATH="$PATH" HOME="$work" ATELIER_DB="$work/atelier.db" "${vars[@]}" "$atelier" "$@" 2>&1 >/dev/null) ||
    status=$?
}

nbsp=$'\xc2\xa0' # French typography: a no-break space before ':' and inside « »
french="--state${nbsp}: état inconnu «${nbsp}bogus${nbsp}»"
english="--state: unknown state 'bogus'"
# expect LANGUAGE_NAME MESSAGE: the last run printed MESSAGE, failed with 1, and printed no
# sentence of the other language.
expect() {
  [[ $status == 1 ]] || fail "$1: exit $status, expected 1: $err"
  [[ $err == *"$2"* ]] || fail "$1: expected \"$2\", got: $err"
}

run LANG=fr_FR.UTF-8 -- units list --state bogus
expect "LANG=fr_FR.UTF-8" "$french"
[[ $err != *unknown* ]] || fail "LANG=fr_FR.UTF-8: English left: $err"

run LANG=fr_FR.UTF-8 -- units list --state bogus --lang en
expect "--lang en after the command" "$english"
run LANG=fr_FR.UTF-8 -- --lang en units list --state bogus
expect "--lang en before the command" "$english"
run LANG=C.UTF-8 -- units list --state bogus --lang fr
expect "--lang fr under C.UTF-8" "$french"

run LANG=C.UTF-8 -- units list --state bogus
expect "LANG=C.UTF-8" "$english"
run LANG=en_GB.UTF-8 LC_ALL=fr_BE.UTF-8 -- units list --state bogus
expect "LC_ALL over LANG" "$french"
run LANG=fr_FR.UTF-8 LANGUAGE=en -- units list --state bogus
expect "LANGUAGE over LANG" "$english"
run -- units list --state bogus
expect "no locale, no program file read" "$english"

# A command that reads the program file speaks its language when no locale variable is set.
cat > program.toml <<'TOML'
[program]
name = "Test"
site = "Atelier"
asset_tag_prefix = "AT"
language = "fr"

[grading]
ram = [ { min = "2GiB", points = 10 } ]
[grading.grades]
A = 9
B = 5
C = 1
TOML
run -- --program program.toml households purge-expired
expect "no locale, program in French" "pas de retention_days dans [households]${nbsp};"
run LANG=C.UTF-8 -- --program program.toml households purge-expired
expect "the locale over the program file" "no [households] retention_days"

# A nonsense --lang is a usage error.
run -- --lang de units list
[[ $status == 2 ]] || fail "--lang de: exit $status, expected 2"
echo "ok"
