#!/usr/bin/env bash
# graphgrad as a user gets it. Builds every published package (scripts/build.sh), packs each with
# pnpm as `pnpm publish` would (publishConfig applied, workspace:* turned into versions), installs
# the tarballs into a new project in a temporary folder outside the workspace, and checks, printing
# one line each:
#   tarballs  each packed package.json points only at built files that are in its tarball
#   node      plain `node app.mjs`, importing from 'graphgrad' only, trains the book's spiral net
#             to the demo's figures (`npm run demo`, seed 1984)
#   types     `tsc --strict` with skipLibCheck off passes on a user's file over the public API
#             (graphgrad, graphgrad/testing, @graphgrad/gpu, @graphgrad/viz) and on every .d.ts shipped
#   browser   an esbuild browser bundle of graphgrad and @graphgrad/gpu holds no Node.js built-in
# The project's files are scripts/consumer/. The install takes every package from the workspace's
# pnpm store (the tools are asked for at the versions the workspace has), resolving offline first:
# at most the registry's metadata is fetched, never a tarball the workspace already has. Safe to run
# twice, or side by side: what it makes outside dist/ is in its temporary folder, removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# What `npm run demo` prints with the book's seed (README.md, "What the demo gives").
DEMO_LINE='loss=0.13 accuracy=0.957'

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
PNPM=$(npx --yes -p "pnpm@$PNPM_VERSION" -c 'command -v pnpm')
STORE=$("$PNPM" store path)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/graphgrad-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Runs a step with its output kept in a log: printed only when the step fails, which ends the test.
quietly() {
  local log=$WORK/$1.log
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "consumer: $* failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}

# Building writes the packages' dist/ and packing reads it; both are shared by every run in this
# checkout, so one run at a time does them (another waits for this lock).
exec 9>node_modules/.graphgrad-consumer-test.lock
flock 9
quietly build bash scripts/build.sh

# The published packages: every packages/* that is not private.
mapfile -t PACKAGES < <(node -e '
  const { readdirSync, readFileSync } = require("node:fs");
  for (const dir of readdirSync("packages")) {
    const manifest = JSON.parse(readFileSync(`packages/${dir}/package.json`, "utf8"));
    if (!manifest.private) console.log(manifest.name);
  }')
FILTERS=()
for name in "${PACKAGES[@]}"; do FILTERS+=(--filter "$name"); done
quietly pack "$PNPM" -r "${FILTERS[@]}" pack --pack-destination "$WORK/tarballs"
flock -u 9
quietly tarballs node scripts/consumer/check-tarballs.mjs "$WORK/tarballs"
echo "consumer: tarballs: $(cat "$WORK/tarballs.log")"

# The user's project: their files, and a package.json that asks for graphgrad, the opt-in GPU backend
# and the graph pictures, with the tools at the versions the workspace has installed (so they are in
# the store). Every @graphgrad package comes from its tarball, wherever it is asked for.
APP=$WORK/app
mkdir -p "$APP"
cp scripts/consumer/{app.mjs,api.ts,tsconfig.json,browser.mjs,bundle.mjs} "$APP/"
# The tarball of a package: pnpm names @graphgrad/core's graphgrad-core-<version>.tgz.
tarball() { echo "file:$(ls "$WORK/tarballs/$(echo "$1" | sed 's#^@##; s#/#-#')"-[0-9]*.tgz)"; }
# The version of a tool the workspace has installed (at the root or in a package).
installed() {
  node -p "const { readdirSync } = require('node:fs');
    const paths = ['.', ...readdirSync('packages').map((dir) => 'packages/' + dir)];
    require(require.resolve('$1/package.json', { paths })).version"
}
cat >"$APP/package.json" <<EOF
{
  "name": "graphgrad-consumer",
  "private": true,
  "type": "module",
  "dependencies": {
    "graphgrad": "$(tarball graphgrad)",
    "@graphgrad/gpu": "$(tarball @graphgrad/gpu)",
    "@graphgrad/viz": "$(tarball @graphgrad/viz)"
  },
  "devDependencies": {
    "@types/node": "$(installed @types/node)",
    "esbuild": "$(installed esbuild)",
    "fast-check": "$(installed fast-check)",
    "typescript": "$(installed typescript)"
  }
}
EOF
{
  echo 'overrides:'
  for name in "${PACKAGES[@]}"; do echo "  '$name': '$(tarball "$name")'"; done
  # As in the workspace: esbuild's install script checks its binary; webgpu's only concerns macOS.
  echo 'allowBuilds:'
  echo '  esbuild: true'
  echo '  webgpu: false'
} >"$APP/pnpm-workspace.yaml"
quietly install "$PNPM" --dir "$APP" install --store-dir "$STORE" --prefer-offline --reporter=append-only

# (a) Plain Node.js: the demo's training, ending with its line.
cd "$APP"
step_started=$SECONDS
quietly node node app.mjs
last_line=$(tail -n 1 "$WORK/node.log")
if [ "$last_line" != "$DEMO_LINE" ]; then
  echo "consumer: node app.mjs ended with '$last_line', the demo with '$DEMO_LINE':" >&2
  cat "$WORK/node.log" >&2
  exit 1
fi
echo "consumer: node: node app.mjs printed '$last_line', the demo's figures ($((SECONDS - step_started))s)"

# (b) The user's type check, strict, the declarations included: api.ts and every .d.ts the packages
# ship (an internal one too: each must resolve in a user's project, whatever reaches it).
mapfile -t SHIPPED < <(find node_modules/.pnpm -path '*/node_modules/graphgrad/dist/*.d.ts' \
  -o -path '*/node_modules/@graphgrad/*/dist/*.d.ts' | sort)
node -e 'console.log(JSON.stringify({ extends: "./tsconfig.json", files: ["api.ts", ...process.argv.slice(1)] }))' \
  "${SHIPPED[@]}" >tsconfig.shipped.json
if [ "${#SHIPPED[@]}" -eq 0 ]; then
  echo "consumer: no .d.ts file found in the installed packages" >&2
  exit 1
fi
step_started=$SECONDS
quietly tsc ./node_modules/.bin/tsc -p tsconfig.shipped.json --noEmit --strict --skipLibCheck false
echo "consumer: types: tsc --strict, skipLibCheck off, passes on api.ts and the ${#SHIPPED[@]} shipped .d.ts files ($((SECONDS - step_started))s)"

# (c) A browser bundle.
quietly browser node bundle.mjs
echo "consumer: browser: esbuild bundle of graphgrad and @graphgrad/gpu: $(cat "$WORK/browser.log")"

echo "consumer: passed in $((SECONDS - started))s"
