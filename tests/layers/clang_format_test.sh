#!/usr/bin/env bash
# Every tracked C++ file is formatted as .clang-format says (clang-format 14, as in Debian 12: another
# version formats differently, so the test is skipped, exit 77, when 14 is not installed).
#   clang_format_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
tool=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null && [[ $("$candidate" --version) == *" version 14."* ]]; then
    tool=$candidate
    break
  fi
done
if [[ -z $tool ]]; then
  echo "clang_format_test: skipped: clang-format 14 is not installed (Debian package clang-format-14)"
  exit 77
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "clang_format_test: skipped: $PWD is not a git checkout (the tracked files are what is checked)"
  exit 77
fi
mapfile -t files < <(git ls-files -- '*.cpp' '*.h')
if [[ ${#files[@]} -eq 0 ]]; then
  echo "clang_format_test: no tracked C++ files found in $PWD" >&2
  exit 1
fi
# --Werror: a file that would change is an error, listed with the lines clang-format would change.
if ! "$tool" --dry-run --Werror "${files[@]}"; then
  echo "clang_format_test: run '$tool -i' on the files above" >&2
  exit 1
fi
echo "clang_format_test: ok: ${#files[@]} files formatted as .clang-format says ($tool)"
