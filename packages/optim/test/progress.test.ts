import { loadSpiral } from '@graphgrad/datasets';
import { describe, expect, it, vi } from 'vitest';
import { defaultProgress, SGD, Trainer } from '../src/index.ts';
import { terminalProgress, type TerminalStream } from '../src/node.ts';
import { TinyNet } from './tiny-net.ts';

// What `fit` shows: a live bar on a terminal, the book's line per interval anywhere else.

/** A stream that records what is written to it, a terminal or not. */
function recorder(isTTY: boolean): TerminalStream & { readonly written: string[] } {
  const written: string[] = [];
  return {
    isTTY,
    written,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
  };
}

async function fitWith(stream: TerminalStream): Promise<Trainer> {
  const { x, t } = loadSpiral({ seed: 6, pointsPerClass: 20 });
  const model = new TinyNet({ seed: 6 });
  const trainer = new Trainer(model, new SGD(model.params, { lr: 1 }));
  // 60 rows, batch 20: 3 iterations per epoch, reported at iterations 1 and 3
  await trainer.fit(x, t, { maxEpoch: 2, batchSize: 20, evalInterval: 2, progress: terminalProgress({ stream }) });
  return trainer;
}

describe('terminalProgress', () => {
  it('writes the book line per interval when the stream is not a terminal', async () => {
    const stream = recorder(false);
    const trainer = await fitWith(stream);
    expect(stream.written).toHaveLength(4);
    stream.written.forEach((chunk, i) => {
      expect(chunk).toMatch(/^\| epoch [12] \| iter [13] \/ 3 \| time \d+\[s\] \| loss \d+\.\d\d\n$/);
      expect(chunk).toContain(`loss ${trainer.lossList[i].toFixed(2)}`);
    });
    // no escape sequences in a log file
    expect(stream.written.join('')).not.toContain('\x1B');
  });

  it('draws a progress bar with the epoch, the latest loss and the time on a terminal', async () => {
    const stream = recorder(true);
    const trainer = await fitWith(stream);
    const output = stream.written.join('');
    expect(output).toContain('\x1B');
    expect(output).toMatch(/0% \| epoch 1\/2 \| loss - \| 0s \(eta /);
    // the last frame: done, in the last epoch, with the last interval's loss
    expect(output).toMatch(new RegExp(`100% \\| epoch 2/2 \\| loss ${trainer.lossList.at(-1)!.toFixed(2)} \\| \\d+s`));
    // and none of the per-interval log lines
    expect(output).not.toMatch(/\| iter \d+ \/ \d+ \|/);
  });
});

describe('defaultProgress', () => {
  it("is fit's own default, for loops of one's own: under Node.js the terminal reporter on standard output", () => {
    const isTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const progress = defaultProgress();
      progress.start({ firstEpoch: 1, maxEpoch: 1, maxIters: 3 });
      progress.interval({ epoch: 1, iter: 1, maxIters: 3, elapsed: 0.2, loss: 1.0986 });
      progress.stop();
      expect(write.mock.calls.map(([chunk]) => chunk)).toEqual(['| epoch 1 | iter 1 / 3 | time 0[s] | loss 1.10\n']);
    } finally {
      write.mockRestore();
      if (isTTY === undefined) delete (process.stdout as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(process.stdout, 'isTTY', isTTY);
    }
  });
});
