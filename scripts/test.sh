#!/usr/bin/env bash
# The whole test suite: the type check (a backend missing a kernel does not compile), then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
./node_modules/.bin/tsc -p tsconfig.json --noEmit
# The playground's page as browser code: no Node.js types, package imports resolved as Vite resolves them.
./node_modules/.bin/tsc -p examples/playground/tsconfig.json --noEmit
./node_modules/.bin/vitest run "$@"
