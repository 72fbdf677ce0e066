import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// liveBuffers() counts arrays not yet disposed; an array dropped without dispose() leaves the count
// when the garbage collector reclaims its memory. vitest cannot force a collection, so a child
// process started with --expose-gc drops tensors and collects.

describe('the CPU ledger of live buffers', () => {
  it('goes back down for arrays the garbage collector reclaimed', () => {
    const script = fileURLToPath(new URL('./fixtures/dropped-arrays.ts', import.meta.url));
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { before, during, after } = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(during).toBeGreaterThanOrEqual(before + 7);
    expect(after).toBe(before);
  }, 70_000);
});
