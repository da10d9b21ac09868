// Secret values in a cloud-init seed. The seed's files are rendered, shown in plans and recorded
// with placeholders (cloudInit.secretRefs); only apply, just before the upload, puts the values
// in. So the seed volume is named by the image of the files with their placeholders, and a
// changed value is told, like a graphics password, by a salted digest kept per seed volume and
// Secret. Pure: values arrive as Buffers read by the caller, and the substituted files are
// Buffers too, never strings, except for the YAML check below.
import { parseDocument } from 'yaml';
import type { CloudInitSecretRef } from '../resources/domain/schema.js';
import type { SeedImageSource } from '../resources/storage-volume/schema.js';
import type { IdentityKey } from '../manifests/types.js';
import { SECTOR } from '../iso/index.js';
import { MAX_SECRET_BYTES } from '../resources/secret/value-source.js';
import { NoCloudInputError } from './nocloud.js';

/** Key of the digest of `secret`'s value as written into the seed volume `volumeKey`. */
export function seedSecretDigestKey(volumeKey: IdentityKey, secret: string): IdentityKey {
  return `${volumeKey}#secret:${secret}`;
}

/**
 * Throws NoCloudInputError (at secretRefs) for placeholders that cannot be replaced unambiguously:
 * one that appears in no file (a typo would leave the value out silently), two refs with the same
 * placeholder, or one placeholder inside another.
 */
export function checkSecretRefs(files: SeedImageSource['files'], refs: readonly CloudInitSecretRef[]): void {
  refs.forEach((ref, i) => {
    refs.forEach((other, j) => {
      if (i !== j && other.placeholder.includes(ref.placeholder)) {
        const why =
          other.placeholder === ref.placeholder
            ? `is also the placeholder of secretRefs[${j}]`
            : `is part of secretRefs[${j}].placeholder "${other.placeholder}"`;
        throw new NoCloudInputError(`secretRefs.${i}.placeholder`, `"${ref.placeholder}" ${why}; give every Secret its own placeholder`);
      }
    });
    if (!files.some((f) => f.text.includes(ref.placeholder))) {
      throw new NoCloudInputError(
        `secretRefs.${i}.placeholder`,
        `"${ref.placeholder}" appears in none of the seed's files (${files.map((f) => f.name).join(', ')}); write it where the value of Secret ${ref.secret} goes`,
      );
    }
  });
}

/**
 * How much larger than the image of the files with placeholders the image with values can be: each
 * occurrence may grow by a whole value, and a file's data grows by whole sectors.
 */
export function seedGrowthBound(files: SeedImageSource['files'], refs: readonly CloudInitSecretRef[]): number {
  // value-source.ts refuses a value larger than MAX_SECRET_BYTES.
  let bytes = 0;
  for (const f of files) {
    const occurrences = refs.reduce((n, r) => n + countOf(f.text, r.placeholder), 0);
    bytes += Math.ceil((occurrences * MAX_SECRET_BYTES) / SECTOR) * SECTOR;
  }
  return bytes;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}

export class SeedSecretError extends Error {
  override name = 'SeedSecretError';
}

/** The seed files that cloud-init parses as YAML (a user-data script or archive is not checked). */
function isYamlFile(name: string, text: string): boolean {
  if (name === 'meta-data' || name === 'network-config') return true;
  return text.startsWith('#cloud-config') && !text.startsWith('#cloud-config-archive');
}

/**
 * The files with every placeholder replaced by its Secret's value (`values`: secret name → value).
 * A value that breaks the YAML of a file cloud-init parses is refused, naming the Secret and the
 * file, never the value: cloud-init would otherwise ignore the whole file on the guest's first boot.
 */
export function substituteSecrets(
  files: SeedImageSource['files'],
  refs: readonly CloudInitSecretRef[],
  values: ReadonlyMap<string, Uint8Array>,
): Array<{ name: string; data: Buffer }> {
  return files.map((f) => {
    const data = substituteOne(Buffer.from(f.text, 'utf8'), refs, values);
    const used = refs.filter((r) => f.text.includes(r.placeholder));
    if (used.length > 0 && isYamlFile(f.name, f.text)) {
      // The one place a value becomes a string: the YAML parser needs text.
      const doc = parseDocument(data.toString('utf8'), { version: '1.1' });
      if (doc.errors.length > 0) {
        data.fill(0);
        const line = doc.errors[0]!.linePos?.[0].line;
        throw new SeedSecretError(
          `the value of Secret ${used.map((r) => r.secret).join(' or ')} breaks the YAML of the seed's ${f.name}${line ? ` (line ${line})` : ''}: quote its placeholder as a YAML string, or use a block scalar (|)`,
        );
      }
    }
    return { name: f.name, data };
  });
}

function substituteOne(text: Buffer, refs: readonly CloudInitSecretRef[], values: ReadonlyMap<string, Uint8Array>): Buffer {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    // The earliest placeholder from `at` on (refs never overlap: checkSecretRefs).
    let next: { index: number; ref: CloudInitSecretRef } | undefined;
    for (const ref of refs) {
      const index = text.indexOf(ref.placeholder, at, 'utf8');
      if (index !== -1 && (!next || index < next.index)) next = { index, ref };
    }
    if (!next) break;
    const value = values.get(next.ref.secret);
    if (!value) throw new SeedSecretError(`no value was read for Secret ${next.ref.secret}`);
    parts.push(text.subarray(at, next.index), value);
    at = next.index + Buffer.byteLength(next.ref.placeholder, 'utf8');
  }
  parts.push(text.subarray(at));
  return Buffer.concat(parts);
}
