#!/usr/bin/env bash
# scripts/check-layers fails on a planted violating include or link, naming the file, the line, the
# include and the rule it breaks. Works on a copy of what the checker reads (C++ files, CMakeLists.txt,
# docs/ARCHITECTURE.md), so the repository is never touched.
#   planted_violation_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
checker=$src/scripts/check-layers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files the checker reads, tracked ones when this is a git checkout.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$src" ls-files -- '*.cpp' '*.h' '*.hpp' '*.cc' '*CMakeLists.txt' docs/ARCHITECTURE.md
else
  (cd "$src" && find . \( -name 'build*' -o -name '.git' \) -prune -o -type f \
    \( -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.cc' -o -name CMakeLists.txt \
       -o -path ./docs/ARCHITECTURE.md \) -print | sed 's|^\./||')
fi > "$work/files"
mkdir "$work/pristine"
(cd "$src" && tar -cf - -T "$work/files") | (cd "$work/pristine" && tar -xf -)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# A fresh copy of the tree in $work/tree.
fresh() { rm -rf "$work/tree"; cp -a "$work/pristine" "$work/tree"; }

# expect_violation NAME EXPECTED-TEXT...: the checker exits 1 and its report holds every text.
expect_violation() {
  local name=$1; shift
  local status=0
  "$checker" --root "$work/tree" >"$work/out" 2>&1 || status=$?
  if [[ $status -ne 1 ]]; then
    fail "$name: check-layers exited $status, not 1"; cat "$work/out" >&2; return
  fi
  local text
  for text in "$@"; do
    grep -qF -- "$text" "$work/out" || { fail "$name: the report does not say '$text'"; cat "$work/out" >&2; }
  done
  echo "ok: $name: $(head -n1 "$work/out")"
}

# The copy as it is passes: the failures below come from what is planted, nothing else.
fresh
"$checker" --root "$work/tree" >"$work/out" 2>&1 || { fail "the unchanged copy does not pass"; cat "$work/out" >&2; }

# The bottom layer includes the command line.
fresh
sed -i '1i #include "cli/cli.h"' "$work/tree/base/sha256.cpp"
expect_violation "base includes cli" 'base/sha256.cpp:1: #include "cli/cli.h"' 'base may not use cli' \
  "base's row allows no other folder"

# atelierd's library includes the agent's.
fresh
sed -i '1i #include "imager/wipe/wipe_engine.h"' "$work/tree/daemon/pipeline.cpp"
expect_violation "daemon includes imager" 'daemon/pipeline.cpp:1: #include "imager/wipe/wipe_engine.h"' \
  'daemon may not use imager' "daemon's row allows"

# atelierd's library links the agent's.
fresh
echo 'target_link_libraries(atelier_daemon PRIVATE atelier_imager)' >>"$work/tree/daemon/CMakeLists.txt"
line=$(wc -l <"$work/tree/daemon/CMakeLists.txt")
expect_violation "daemon links atelier_imager" "daemon/CMakeLists.txt:$line: atelier_imager" 'daemon may not use imager'

# A test includes a folder its code folder may not use.
fresh
sed -i '1i #include "papers/label_pdf.h"' "$work/tree/tests/records/canonical_json_test.cpp"
expect_violation "tests/records includes papers" \
  'tests/records/canonical_json_test.cpp:1: #include "papers/label_pdf.h"' 'tests/records may not use papers'

# A table that contradicts itself is refused (exit 2), naming the line.
fresh
sed -i 's/^\(| `records\/` | `atelier_records` | .*| \)profiles, base\( | [^|]*|\)$/\1profiles, base, workshop\2/' \
  "$work/tree/docs/ARCHITECTURE.md"
status=0
"$checker" --root "$work/tree" >"$work/out" 2>&1 || status=$?
if [[ $status -ne 2 ]] || ! grep -qF "'records' and 'workshop' use each other" "$work/out"; then
  fail "a cycle in the table: exit $status"; cat "$work/out" >&2
else
  echo "ok: a cycle in the table: $(head -n1 "$work/out")"
fi

if [[ $failures -ne 0 ]]; then
  echo "planted_violation_test: $failures failure(s)" >&2
  exit 1
fi
