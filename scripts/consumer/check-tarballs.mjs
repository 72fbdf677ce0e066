// Checks the packed packages' manifests, as `pnpm publish` would upload them: every package of the
// workspace that is not private has a tarball in the folder given as the first argument, and each
// tarball has a README.md, no `workspace:` dependency left, the same entry points and subpath
// imports as its workspace package.json, and every target of its `exports`, `imports`, `main` and
// `types` is a built file in the tarball (dist/, not src/).
// Run by scripts/consumer-test.sh from the repository root; prints one line, or every problem.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2];
const workspace = new Map(
  readdirSync('packages').map((dir) => {
    const manifest = JSON.parse(readFileSync(join('packages', dir, 'package.json'), 'utf8'));
    return [manifest.name, manifest];
  }),
);

/** Every string leaf of an `exports` or `imports` value (conditions nest). */
const targets = (value) =>
  typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap((inner) => targets(inner));
const keys = (map) =>
  Object.keys(map ?? {})
    .sort()
    .join(', ');
const tar = (...args) => execFileSync('tar', args, { encoding: 'utf8' });

const problems = [];
const packed = new Set();
let entryPoints = 0;
let imports = 0;
const tarballs = readdirSync(folder).filter((file) => file.endsWith('.tgz'));
for (const tarball of tarballs) {
  const path = join(folder, tarball);
  const files = new Set(
    tar('-tzf', path)
      .split('\n')
      .map((line) => line.replace(/^package\//, '')),
  );
  const manifest = JSON.parse(tar('-xzOf', path, 'package/package.json'));
  const source = workspace.get(manifest.name);
  const fail = (what) => problems.push(`${tarball}: ${what}`);
  packed.add(manifest.name);
  if (source === undefined) {
    fail(`no workspace package is named ${manifest.name}`);
    continue;
  }
  if (!files.has('README.md')) fail('no README.md');
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
      if (spec.startsWith('workspace:')) fail(`${field}.${name} is still ${spec}`);
    }
  }
  for (const field of ['exports', 'imports']) {
    if (keys(manifest[field]) !== keys(source[field])) {
      fail(`${field} has [${keys(manifest[field])}], the workspace package.json [${keys(source[field])}]`);
    }
  }
  for (const target of [...targets(manifest.exports), ...targets(manifest.imports), manifest.main, manifest.types]) {
    if (target === undefined) fail('no main or types');
    else if (!target.startsWith('./dist/') || !files.has(target.slice(2))) {
      fail(`${target} is not a built file in the tarball`);
    }
  }
  entryPoints += Object.keys(manifest.exports ?? {}).length;
  imports += Object.keys(manifest.imports ?? {}).length;
}
for (const [name, manifest] of workspace) {
  if (!manifest.private && !packed.has(name)) problems.push(`${name} has no tarball`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(
  `${tarballs.length} packages, ${entryPoints} entry points and ${imports} subpath imports, each a built file in its tarball`,
);
