import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gpuForTests } from './gpu-for-tests.ts';

// A WebGPU start prints nothing of the driver's own unless asked for: Dawn's adapter warnings (two
// lines about dynamic buffer limits on lavapipe) are silenced, and standard error works afterwards.
// The child's standard error goes to a file and through a pipe, as a terminal session or a log has it.
const gpu = await gpuForTests();
const CHILD = join(import.meta.dirname, 'fixtures', 'start-backend.ts');
const dir = mkdtempSync(join(tmpdir(), 'graphgrad-quiet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LAST_LINE = 'standard error still works; exp(1) = 2.7183\n';

/** The child's standard error, written to a file. */
function startToFile(debug: string): string {
  const file = join(dir, `stderr-${debug || 'quiet'}.txt`);
  const fd = openSync(file, 'w');
  const run = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, GRAPHGRAD_GPU_DEBUG: debug },
    stdio: ['ignore', 'ignore', fd],
    timeout: 60_000,
  });
  closeSync(fd);
  const stderr = readFileSync(file, 'utf8');
  expect(run.status, stderr).toBe(0);
  return stderr;
}

/** The child's standard error, through a shell pipe. */
function startToPipe(): string {
  const run = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx "${CHILD}" 2>&1 >/dev/null | cat`], {
    env: { ...process.env, GRAPHGRAD_GPU_DEBUG: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(gpu.backend === null)(gpu.reason ?? 'a quiet start', () => {
  it('prints only what the program itself writes to standard error, to a file or a pipe', () => {
    expect(startToFile('')).toBe(LAST_LINE);
    expect(startToPipe()).toBe(LAST_LINE);
  });

  it("lets the driver's messages through when GRAPHGRAD_GPU_DEBUG is set", () => {
    const stderr = startToFile('1');
    expect(stderr.endsWith(LAST_LINE)).toBe(true);
    // Whatever the driver says (lavapipe: its limit warnings; another driver may say nothing) comes first.
    if (gpu.backend!.adapterName.includes('llvmpipe')) expect(stderr).toMatch(/artificially reduced/);
  });
});
