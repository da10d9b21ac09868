import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMBINED_SCHEMA_FILE, SCHEMA_FILES, combinedSchema, kindSchema } from '../../../src/manifests/schema/kinds.js';
import { schemaValidator } from '../../../src/manifests/schema-validator.js';
import { readKindSchema, schemaDirectory, serializeSchema } from '../../../src/manifests/schemas.js';
import type { AnyManifest, ManifestKind } from '../../../src/manifests/types.js';
import { MANIFEST_KINDS } from '../../../src/resources/definitions.js';
import { checkManifest } from '../../../src/manifests/checks.js';
import * as samples from './full-samples.js';

type Json = { [k: string]: unknown };

const samplesByKind: Record<ManifestKind, AnyManifest[]> = {
  Domain: [samples.fullDomain],
  Network: [samples.fullNetwork, ...samples.fullNetworkAlternatives],
  StoragePool: [samples.fullPool, ...samples.fullPoolAlternatives],
  StorageVolume: [samples.fullVolume, ...samples.fullVolumeAlternatives],
  Interface: [samples.fullInterface, ...samples.fullInterfaceAlternatives],
  NodeDevice: [samples.fullNodeDevice, samples.usbNodeDevice, samples.usbBusNodeDevice],
  Secret: [samples.fullSecret, ...samples.fullSecretAlternatives],
};

describe('schemas/*.schema.json', () => {
  it.each(MANIFEST_KINDS)('%s: the committed file matches the generator (run: npx tsx src/manifests/schema/build.ts)', (kind) => {
    const onDisk = readFileSync(new URL(SCHEMA_FILES[kind], schemaDirectory()), 'utf8');
    expect(onDisk).toBe(serializeSchema(kindSchema(kind)));
  });

  it('the combined schema file matches the generator', () => {
    const onDisk = readFileSync(new URL(COMBINED_SCHEMA_FILE, schemaDirectory()), 'utf8');
    expect(onDisk).toBe(serializeSchema(combinedSchema(MANIFEST_KINDS)));
  });

  it.each(MANIFEST_KINDS)('%s: every field has a description (editor hover docs)', (kind) => {
    const missing: string[] = [];
    const walk = (s: Json, where: string) => {
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        if (typeof v.description !== 'string' || v.description.length < 3) missing.push(`${where}.${k}`);
        walk(v, `${where}.${k}`);
        if (v.items) walk(v.items as Json, `${where}.${k}[]`);
      }
    };
    walk(readKindSchema(kind) as Json, kind);
    expect(missing).toEqual([]);
  });

  it.each(MANIFEST_KINDS)('%s: declares draft 2020-12 and a unique $id', (kind) => {
    const s = readKindSchema(kind) as Json;
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.$id).toMatch(new RegExp(`${SCHEMA_FILES[kind].replace('.', '\\.')}$`));
  });
});

// The spec types are derived from the schemas (src/resources/<kind>/schema.ts), so no test has to
// keep the two in step; these samples only check that full manifests pass schema and checks.
describe('full samples', () => {
  const validate = schemaValidator();

  it.each(MANIFEST_KINDS)('%s: the full samples pass the schema and the semantic checks', (kind) => {
    for (const m of samplesByKind[kind]) {
      expect(validate(kind, m)).toEqual([]);
      expect(checkManifest(m)).toEqual([]);
    }
  });

  it('accepts every domain type, including test and qemu', () => {
    for (const type of ['kvm', 'qemu', 'test', 'xen', 'lxc'] as const) {
      expect(validate('Domain', { ...samples.fullDomain, spec: { ...samples.fullDomain.spec, type } })).toEqual([]);
    }
  });
});

describe('combined schema (editors: one yaml.schemas entry for a whole directory)', () => {
  it('compiles as draft 2020-12 and dispatches on kind', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const formats = (await import('ajv-formats')) as unknown as { default: (a: unknown) => void };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL(COMBINED_SCHEMA_FILE, schemaDirectory()), 'utf8')) as object);
    for (const list of Object.values(samplesByKind)) for (const m of list) expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...samples.fullNetwork, spec: { ...samples.fullNetwork.spec, memory: '1GiB' } })).toBe(false);
    expect(validate({ ...samples.fullDomain, kind: 'Pod' })).toBe(false);
  });
});
