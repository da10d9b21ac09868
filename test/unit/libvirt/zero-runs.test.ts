// Splitting an upload into data and holes: whole zero blocks (aligned to the stream) are holes,
// chunk boundaries do not matter, and data plus holes give back the source.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { zeroRuns, type Segment } from '../../../src/libvirt/zero-runs.js';

const B = 16; // a tiny block keeps the cases readable

async function segments(chunks: Buffer[], block = B): Promise<Segment[]> {
  const out: Segment[] = [];
  for await (const s of zeroRuns(
    (async function* () {
      yield* chunks;
    })(),
    block,
  ))
    out.push(s.data ? { data: Buffer.from(s.data) } : s);
  return out;
}

function describeAll(list: Segment[]): string[] {
  return list.map((s) => (s.hole !== undefined ? `hole ${s.hole}` : `data ${s.data.length}`));
}

function rebuild(list: Segment[]): Buffer {
  return Buffer.concat(list.map((s) => (s.hole !== undefined ? Buffer.alloc(Number(s.hole)) : Buffer.from(s.data))));
}

describe('zeroRuns', () => {
  it('makes whole zero blocks holes and keeps neighbouring data blocks together', async () => {
    const d = Buffer.alloc(B, 1);
    const z = Buffer.alloc(B);
    expect(describeAll(await segments([Buffer.concat([d, d, z, z, z, d])]))).toEqual(['data 32', 'hole 48', 'data 16']);
  });

  it('does not let chunk boundaries change the result', async () => {
    const source = Buffer.concat([Buffer.alloc(40), randomBytes(20), Buffer.alloc(70), randomBytes(5), Buffer.alloc(9)]);
    const whole = describeAll(await segments([source]));
    for (const cut of [1, 7, 16, 33]) {
      const chunks: Buffer[] = [];
      for (let o = 0; o < source.length; o += cut) chunks.push(source.subarray(o, o + cut));
      const split = await segments(chunks);
      expect(rebuild(split).equals(source)).toBe(true);
      // Same holes and the same data bytes, whatever the packets.
      expect(split.filter((s) => s.hole !== undefined)).toEqual((await segments([source])).filter((s) => s.hole !== undefined));
    }
    expect(whole).toEqual(['hole 32', 'data 32', 'hole 64', 'data 16']); // 144 bytes: zeros 0-40, data 40-60, zeros, data 130-135
  });

  it('a zero-filled partial block at the end is a hole; a block with one non-zero byte is data', async () => {
    expect(describeAll(await segments([Buffer.alloc(B + 3)]))).toEqual(['hole 19']);
    const one = Buffer.alloc(B);
    one[B - 1] = 1;
    expect(describeAll(await segments([one]))).toEqual(['data 16']);
    expect(await segments([])).toEqual([]);
  });
});
