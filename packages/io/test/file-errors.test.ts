// Bad files are typed errors: a missing file or a folder is a CheckpointFileError naming the call,
// the path and the system's code; a header that is not UTF-8, that names a tensor twice or that
// nests deeper than the format is a SafetensorsError.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@graphgrad/core';
import { CheckpointFileError, decodeSafetensors, load, save, SafetensorsError } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'graphgrad-io-'));

/** A safetensors file of `header` (its bytes as given) and `data` bytes. */
function file(header: Uint8Array, data = 0): Uint8Array {
  const bytes = new Uint8Array(8 + header.length + data);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  return bytes;
}
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('file errors', () => {
  it('a missing file and a folder are CheckpointFileErrors with the path and the code', async () => {
    const missing = join(dir, 'missing.safetensors');
    const error = await load(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointFileError);
    expect(error).toMatchObject({ code: 'ENOENT', path: missing });
    expect((error as Error).message).toMatch(/^load: cannot read ".*missing\.safetensors" \(ENOENT\)/);
    await expect(load(dir)).rejects.toMatchObject({ name: 'CheckpointFileError', code: 'EISDIR' });
    await expect(save({}, join(dir, 'no', 'such', 'x.safetensors'))).rejects.toBeInstanceOf(CheckpointFileError);
  });

  it('refuses a path that is not one', async () => {
    await expect(load('')).rejects.toThrow(new ArgumentError('load: path must be a non-empty file path, got ""'));
    await expect(load(3 as unknown as string)).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('safetensors headers', () => {
  it('refuses a header that is not UTF-8', () => {
    expect(() => decodeSafetensors(file(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).toThrow(
      new SafetensorsError('safetensors: the header is not valid UTF-8'),
    );
  });

  it('refuses a tensor named twice, as the format’s reference reader does', () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    expect(() => decodeSafetensors(file(text(`{"w":${entry},"w":${entry}}`), 4))).toThrow(
      new SafetensorsError('safetensors: the header names "w" twice'),
    );
  });

  it('refuses nesting deeper than the format needs, without a RangeError', () => {
    const deep = `{"w":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => decodeSafetensors(file(text(deep)))).toThrow(
      new SafetensorsError("safetensors: the header nests deeper than the format's 3 levels"),
    );
  });
});
