// What uploadStorageVolume accepts as a source, read as bytes (and as data segments when the
// upload is not sparse; zero-runs.ts cuts a sparse one into data and holes).
import type { Segment } from './zero-runs.js';

/** Data to upload: Uint8Array chunks, or a byte Readable (file, HTTP body). */
export type UploadSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

/** An upload source as data segments (no holes): what a stream without the sparse flag sends. */
export async function* dataOf(source: UploadSource): AsyncGenerator<Segment, void, undefined> {
  for await (const chunk of bytesOf(source)) yield { data: chunk };
}

export async function* bytesOf(source: UploadSource): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source as AsyncIterable<unknown>) yield asBytes(chunk);
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  // A Readable with an encoding set yields strings; the bytes are what matter.
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`upload source yielded ${typeof chunk}, expected bytes`);
}
