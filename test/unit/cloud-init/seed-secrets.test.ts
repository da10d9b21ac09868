// Secret values in a cloud-init seed: placeholders checked when the seed is derived, the volume
// sized for the values, the values put in as bytes at apply, and a value that would break the
// YAML of user-data refused by the Secret's name, never by its value.
import { describe, expect, it } from 'vitest';
import { buildSeedImage, buildSeedImageOf, deriveSeed } from '../../../src/cloud-init/domain-seed.js';
import { NoCloudInputError } from '../../../src/cloud-init/nocloud.js';
import { checkSecretRefs, seedGrowthBound, SeedSecretError, substituteSecrets } from '../../../src/cloud-init/seed-secrets.js';
import { MAX_SECRET_BYTES } from '../../../src/resources/secret/value-source.js';
import type { DomainManifest } from '../../../src/resources/domain/schema.js';

const userData =
  '#cloud-config\nchpasswd:\n  expire: false\n  users: [{name: ubuntu, password: "@PW@"}]\nwrite_files: [{path: /etc/token, content: "@TOKEN@ @PW@"}]\n';
const files = [
  { name: 'meta-data', text: 'instance-id: iid-1\nlocal-hostname: web-1\n' },
  { name: 'user-data', text: userData },
];
const refs = [
  { placeholder: '@PW@', secret: 'ubuntu-password' },
  { placeholder: '@TOKEN@', secret: 'join-token' },
];
const values = new Map([
  ['ubuntu-password', Buffer.from('pässwörd', 'utf8')],
  ['join-token', Buffer.from('tok-123', 'utf8')],
]);

describe('secretRefs of a cloud-init seed', () => {
  it("puts every occurrence of each placeholder in as the value's bytes, and leaves other files alone", () => {
    const out = substituteSecrets(files, refs, values);
    expect(out.find((f) => f.name === 'user-data')!.data.toString('utf8')).toBe(
      userData.replaceAll('@PW@', 'pässwörd').replace('@TOKEN@', 'tok-123'),
    );
    expect(out.find((f) => f.name === 'meta-data')!.data.toString('utf8')).toBe(files[0]!.text);
  });

  it('refuses a value that breaks the YAML of cloud-config, naming the Secret and not the value', () => {
    const quote = new Map([...values, ['ubuntu-password', Buffer.from('a"b: [', 'utf8')]]);
    expect(() => substituteSecrets(files, refs, quote)).toThrow(SeedSecretError);
    try {
      substituteSecrets(files, refs, quote);
    } catch (err) {
      expect((err as Error).message).toContain("Secret ubuntu-password or join-token breaks the YAML of the seed's user-data (line 4)");
      expect((err as Error).message).not.toContain('a"b');
    }
    // A script is not YAML: any value goes.
    const script = [{ name: 'user-data', text: '#!/bin/sh\necho "@PW@"\n' }];
    expect(substituteSecrets(script, [refs[0]!], quote)[0]!.data.toString()).toBe('#!/bin/sh\necho "a"b: ["\n');
  });

  it('refuses a placeholder that appears nowhere, appears twice among the refs, or stands inside another', () => {
    const at = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof NoCloudInputError ? `${err.field}: ${err.message}` : String(err);
      }
      return 'no error';
    };
    expect(at(() => checkSecretRefs(files, [{ placeholder: '@PWD@', secret: 'x' }]))).toMatch(
      /^secretRefs\.0\.placeholder: .*"@PWD@" appears in none of the seed's files \(meta-data, user-data\)/,
    );
    expect(at(() => checkSecretRefs(files, [refs[0]!, { placeholder: '@PW@', secret: 'y' }]))).toContain(
      '"@PW@" is also the placeholder of secretRefs[1]',
    );
    expect(at(() => checkSecretRefs(files, [{ placeholder: 'PW', secret: 'a' }, refs[0]!]))).toContain(
      '"PW" is part of secretRefs[1].placeholder "@PW@"',
    );
    expect(at(() => checkSecretRefs(files, refs))).toBe('no error');
  });

  it('sizes the seed volume so that the image with the largest values still fits', () => {
    const manifest: DomainManifest = {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Domain',
      metadata: { name: 'web-1' },
      spec: { memory: '256MiB', cloudInit: { pool: 'seeds', userData, secretRefs: refs } },
    };
    const seed = deriveSeed(manifest);
    const source = seed.volume.spec.source!.seed!;
    expect(source.secretRefs).toEqual(refs);
    // The plan's files keep the placeholders; the name is the digest of their image.
    expect(source.files.find((f) => f.name === 'user-data')!.text).toContain('@PW@');
    const planned = buildSeedImage(source.files);
    const capacity = Number(String(seed.volume.spec.capacity).replace('KiB', '')) * 1024;
    expect(capacity).toBe(planned.length + seedGrowthBound(source.files, refs));
    const largest = new Map([...values].map(([k]) => [k, Buffer.alloc(MAX_SECRET_BYTES, 0x61)]));
    const full = buildSeedImageOf(substituteSecrets(source.files, refs, largest));
    expect(full.length).toBeGreaterThan(planned.length);
    expect(full.length).toBeLessThanOrEqual(capacity);
    // Without secretRefs the volume is exactly the image, as before.
    const plain = deriveSeed({ ...manifest, spec: { ...manifest.spec, cloudInit: { pool: 'seeds', userData: '#cloud-config\n' } } });
    expect(plain.volume.spec.capacity).toBe(`${buildSeedImage(plain.volume.spec.source!.seed!.files).length / 1024}KiB`);
  });
});
