// Bundles browser.mjs with esbuild for a browser, as a user's bundler would, and checks that the
// bundle holds no Node.js built-in module (an `import 'node:fs'` somewhere would end it) and none
// of the Node-only packages that the browser branches of graphgrad leave out (Dawn's `webgpu`, the
// terminal progress bar's `cli-progress`). Prints one line: the bundle's size and module count.
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';

const NODE_ONLY_PACKAGES = /[/\\]node_modules[/\\](webgpu|cli-progress)[/\\]/;

// A Node.js module that no browser branch replaces fails the build here: esbuild cannot resolve it
// for the browser platform.
const result = await build({
  entryPoints: ['browser.mjs'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  metafile: true,
  logLevel: 'silent',
}).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
const inputs = Object.entries(result.metafile.inputs);
const problems = [
  ...inputs.flatMap(([file, input]) =>
    input.imports.filter((i) => isBuiltin(i.path)).map((i) => `${file} imports the Node.js module ${i.path}`),
  ),
  ...inputs.filter(([file]) => NODE_ONLY_PACKAGES.test(file)).map(([file]) => `${file} is Node.js-only`),
];
const code = result.outputFiles[0].text;
if (/\bfrom\s*["']node:|\bimport\(\s*["']node:|\brequire\(\s*["']node:/.test(code)) {
  problems.push('the bundle imports a node: module');
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
// The package of each bundled module: the path after its last node_modules/ starts with its name.
const packageOf = (file) => /^(@[^/]+\/)?[^/]+/.exec(file.split('node_modules/').at(-1))[0];
const packages = new Set(inputs.map(([file]) => packageOf(file)));
packages.delete('browser.mjs');
console.log(
  `${(code.length / 1024).toFixed(0)} KiB, ${inputs.length} modules from ${packages.size} packages, no Node.js built-in`,
);
