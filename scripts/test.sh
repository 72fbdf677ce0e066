#!/usr/bin/env bash
# The whole test suite: the housekeeping checks (formatter, linter, import cycles, dead code), the
# type check (a backend missing a kernel does not compile), vitest, then the packages as a user
# installs them (scripts/consumer-test.sh: built, packed, installed into a project of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
echo "test: formatting (prettier), lint (typescript-eslint), import cycles (dpdm), dead code (knip)"
npm run --silent check:format
npm run --silent check:lint
npm run --silent check:cycles
npm run --silent check:dead-code
echo "test: type check"
./node_modules/.bin/tsc -p tsconfig.json --noEmit
# The playground's page as browser code: no Node.js types, package imports resolved as Vite resolves them.
./node_modules/.bin/tsc -p examples/playground/tsconfig.json --noEmit
./node_modules/.bin/vitest run "$@"
echo "test: the packed packages in a project of their own"
bash scripts/consumer-test.sh
