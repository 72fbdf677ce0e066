#!/usr/bin/env bash
# The whole test suite: the type check (a backend missing a kernel does not compile), then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
./node_modules/.bin/tsc -p tsconfig.json --noEmit
./node_modules/.bin/vitest run "$@"
