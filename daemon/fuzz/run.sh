#!/bin/bash
# Runs the agent API's libFuzzer target for a short time, seeded with daemon/fuzz/seeds (one file per
# endpoint and step: the first byte picks the endpoint, "$T" is the registered boot's token, "$J" the
# job `next` issued last; see agent_api_fuzz.cpp).
# Usage: daemon/fuzz/run.sh FUZZ_BIN_DIR [SECONDS]
#   FUZZ_BIN_DIR: where agent_api_fuzz was built, e.g. build-fuzz/daemon/fuzz for a clang build
#   configured with -DATELIER_FUZZ=ON (docs/AGENT-API.md, "Limits and errors").
# Exits non-zero if the target crashes; the crashing input is left in FUZZ_BIN_DIR/work/.
set -euo pipefail

bin=$(cd "${1:?directory of the fuzz binary}" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$bin/work
mkdir -p "$work/corpus-agent-api"

# Readable stack traces: Debian's clang-19 keeps llvm-symbolizer out of PATH.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-19/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer
fi

echo "== agent_api_fuzz for ${seconds}s"
# -max_total_time bounds the run; new inputs go to corpus-agent-api, the seeds are read only.
# -max_len: the largest body worth trying (the register route takes 1 MiB; mutations of a 64 KiB
# body explore the same code).
if ! (cd "$work" && "$bin/agent_api_fuzz" -max_total_time="$seconds" -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/agent-api-" "$work/corpus-agent-api" "$here/seeds"); then
  echo "agent_api_fuzz found a crash: see $work/agent-api-*" >&2
  exit 1
fi
