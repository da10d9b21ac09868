import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMBINED_SCHEMA_FILE, SCHEMA_FILES, combinedSchema, kindSchema } from '../../../src/manifests/schema/kinds.js';
import { schemaValidator } from '../../../src/manifests/schema-validator.js';
import { readKindSchema, schemaDirectory, serializeSchema } from '../../../src/manifests/schemas.js';
import { MANIFEST_KINDS, type AnyManifest, type ManifestKind } from '../../../src/manifests/types.js';
import { checkManifest } from '../../../src/manifests/checks.js';
import * as samples from './full-samples.js';

type Json = { [k: string]: unknown };

/** Every dotted property path a schema declares, e.g. "spec.disks[].volume.pool". */
function schemaPaths(schema: Json, prefix = ''): string[] {
  const out: string[] = [];
  const props = (schema.properties ?? {}) as Record<string, Json>;
  for (const [k, v] of Object.entries(props)) {
    // A field declared only to be refused with a clear message (Secret spec.value) is no field to use.
    if (typeof v.not === 'object' && v.not !== null && Object.keys(v.not).length === 0) continue;
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p);
    out.push(...schemaPaths(v, p));
    if (v.items) out.push(...schemaPaths(v.items as Json, `${p}[]`));
  }
  return out;
}

function valuePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuePaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...valuePaths(v, p)];
  });
}

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

describe('types.ts and schemas agree', () => {
  const validate = schemaValidator();

  it.each(MANIFEST_KINDS)('%s: the full samples pass the schema and the semantic checks', (kind) => {
    for (const m of samplesByKind[kind]) {
      expect(validate(kind, m)).toEqual([]);
      expect(checkManifest(m)).toEqual([]);
    }
  });

  it.each(MANIFEST_KINDS)('%s: the samples use every field the schema declares', (kind) => {
    const used = new Set(samplesByKind[kind].flatMap((m) => valuePaths(m)));
    const declared = schemaPaths(readKindSchema(kind) as Json).filter((p) => !p.startsWith('metadata.annotations.'));
    expect(declared.filter((p) => !used.has(p))).toEqual([]);
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
