// Checks on uploaded volume content, made while it streams: no byte beyond the volume's
// capacity is sent, and the SHA-256 is compared before the stream is finished, so a mismatch
// aborts the upload instead of completing it. No I/O here: callers hand in any byte source.
import { createHash } from 'node:crypto';
import { formatSize } from '../../manifests/units.js';

/** The content does not match what the manifest promised (size or checksum). */
export class VolumeContentError extends Error {
  override name = 'VolumeContentError';
}

export interface ContentLimits {
  /** Names the source in messages, e.g. the URL. */
  label: string;
  /** The volume's capacity in bytes: more content than this is refused. */
  capacityBytes: bigint;
  /** Expected SHA-256, hex (any case). */
  sha256?: string | undefined;
}

function size(bytes: bigint): string {
  const exact = bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? formatSize(Number(bytes)) : undefined;
  // formatSize only uses a unit that divides exactly; a plain count is clearer than "100000B".
  return exact && !/^\d+B$/.test(exact) ? `${exact} (${bytes} bytes)` : `${bytes} bytes`;
}

/** Why content of `sourceBytes` cannot go into a volume of `capacityBytes`, or undefined when it fits. */
export function sizeProblem(label: string, sourceBytes: bigint, capacityBytes: bigint): string | undefined {
  if (sourceBytes <= capacityBytes) return undefined;
  return `${label} is ${size(sourceBytes)}, larger than the volume's capacity of ${size(capacityBytes)}; raise spec.capacity`;
}

export function checksumProblem(label: string, expected: string, actual: string): string | undefined {
  if (expected.toLowerCase() === actual.toLowerCase()) return undefined;
  return `${label}: SHA-256 is ${actual}, the manifest expects ${expected.toLowerCase()}`;
}

/**
 * Passes `source` through unchanged while counting and hashing it. Throws VolumeContentError as
 * soon as the content outgrows the capacity (before the chunk that would overflow is yielded)
 * and, after the last chunk, when the checksum differs — in both cases before the consumer
 * could finish the upload.
 */
export async function* checkedContent(
  source: AsyncIterable<Uint8Array>,
  limits: ContentLimits,
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = limits.sha256 ? createHash('sha256') : undefined;
  let total = 0n;
  for await (const chunk of source) {
    total += BigInt(chunk.length);
    const tooBig = sizeProblem(limits.label, total, limits.capacityBytes);
    if (tooBig) throw new VolumeContentError(tooBig.replace(' is ', ' is at least '));
    hash?.update(chunk);
    yield chunk;
  }
  if (hash && limits.sha256) {
    const problem = checksumProblem(limits.label, limits.sha256, hash.digest('hex'));
    if (problem) throw new VolumeContentError(problem);
  }
}
