#!/usr/bin/env bash
# Builds every published package from src/ to its dist/ (ESM JavaScript, declarations, source maps)
# with one `tsc -b` over tsconfig.build.json: the packages are composite projects, so a package whose
# sources and references are unchanged is skipped (a build with nothing to do takes about a second).
# Inside the workspace nothing needs dist/ (package.json `exports` point at src/); the packed
# packages do (their `publishConfig` points at dist/). Extra arguments go to tsc (e.g. --verbose,
# --force).
set -euo pipefail
cd "$(dirname "$0")/.."
./node_modules/.bin/tsc -b tsconfig.build.json "$@"

# tsc never deletes what a removed or renamed source file left in dist/: remove each output whose
# source is gone, so that a pack ships nothing stale.
shopt -s nullglob
for dist in packages/*/dist; do
  while IFS= read -r output; do
    stem=${output#"$dist"/}
    stem=${stem%.map}
    stem=${stem%.js}
    stem=${stem%.d.ts}
    [ -f "${dist%/dist}/src/$stem.ts" ] || rm -f "$output"
  done < <(find "$dist" -type f \( -name '*.js' -o -name '*.d.ts' -o -name '*.map' \))
  find "$dist" -type d -empty -delete
done
