#!/usr/bin/env bash
# scripts/check-catalogue fails on a planted missing entry, a planted placeholder mismatch, a fuzzy
# entry and a stale one, naming the message. Works on copies of po/fr.po in a temporary directory,
# so the repository is never touched.
#   catalogue_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
checker=$src/scripts/check-catalogue
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The repository's catalogue passes (else the planted cases below prove nothing).
if ! "$checker" --root "$src" >"$work/out" 2>&1; then
  fail "the repository's catalogue does not pass: $(cat "$work/out")"
fi

# plant NAME PYTHON-EXPRESSION: $work/NAME.po is po/fr.po with `s` (its text) rewritten.
plant() {
  python3 - "$src/po/fr.po" "$work/$1.po" "$2" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
t = eval(sys.argv[3])
if t == s:
    sys.exit(f"planting {sys.argv[2]} changed nothing")
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
}

# expect_failure NAME EXPECTED-TEXT...: the checker exits 1 and its report holds every text.
expect_failure() {
  local name=$1 rc=0; shift
  "$checker" --root "$src" --po "$work/$name.po" >"$work/$name.out" 2>&1 || rc=$?
  if [[ $rc -ne 1 ]]; then
    fail "$name: exit $rc, want 1: $(cat "$work/$name.out")"
    return
  fi
  local text
  for text in "$@"; do
    grep -qF -- "$text" "$work/$name.out" || fail "$name: the report lacks '$text': $(cat "$work/$name.out")"
  done
  echo "ok: $name: $(head -1 "$work/$name.out")"
}

plant missing 's.replace("msgid \"Warranty\"\nmsgstr \"Garantie\"\n", "")'
expect_failure missing 'missing: "Warranty"'
plant placeholder 's.replace("msgstr \"Classe {grade}\"", "msgstr \"Classe {note}\"")'
expect_failure placeholder '"Grade {grade}"' "placeholders ['note'], the message has ['grade']"
plant plural_placeholder 's.replace("msgstr[1] \"{count} passes\"", "msgstr[1] \"{n} passes\"")'
expect_failure plural_placeholder '"{count} pass"' 'msgstr[1] has placeholders'
plant untranslated 's.replace("msgstr \"Garantie\"", "msgstr \"\"")'
expect_failure untranslated '"Warranty" has no translation'
plant fuzzy 's.replace("msgid \"Warranty\"", "#, fuzzy\nmsgid \"Warranty\"")'
expect_failure fuzzy '"Warranty" is fuzzy'
plant stale 's + "\nmsgid \"Gone\"\nmsgstr \"Parti\"\n"'
expect_failure stale 'stale: "Gone"'
plant obsolete 's + "\n#~ msgid \"Old\"\n#~ msgstr \"Vieux\"\n"'
expect_failure obsolete 'stale: "Old" is obsolete'

[[ $failures -eq 0 ]]
