// Shared body of the per-kind golden XML tests: every manifest of a kind (examples and
// fixtures) → XML, compared with test/golden/xml/<folder>/<name>.xml and checked against
// libvirt's own RelaxNG schema with virt-xml-validate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredState, ManifestKind, ManifestOfKind } from '../../../../src/manifests/types.js';
import type { PlanContext, ResourceKind } from '../../../../src/resources/types.js';
import { expectGolden } from '../../../support/golden.js';
import { loadExamples, loadKindFixtures } from './fixtures.js';

export type SchemaName = 'network' | 'storagepool' | 'storagevol' | 'interface';

/** Runs virt-xml-validate; returns its complaint, or undefined when the document is valid. */
export function validateXml(xml: string, schema: SchemaName): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-validate-'));
  try {
    const file = path.join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('virt-xml-validate', [file, schema], { encoding: 'utf8' });
    return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function emptyContext(desired: DesiredState): PlanContext {
  return { desired, live: new Map() };
}

function cases<K extends ManifestKind>(state: DesiredState, kind: K): Array<ManifestOfKind<K>> {
  return state.manifests.filter((m) => m.manifest.kind === kind).map((m) => m.manifest as ManifestOfKind<K>);
}

export async function describeGoldenXml<K extends ManifestKind>(
  resource: ResourceKind<K>,
  folder: string,
  schema: SchemaName | undefined,
): Promise<void> {
  const sets: Array<[string, DesiredState]> = [
    ['examples', await loadExamples()],
    ['fixtures', loadKindFixtures()],
  ];
  for (const [label, state] of sets) {
    const manifests = cases(state, resource.kind);
    describe(`${resource.kind} XML (${label})`, () => {
      it('has manifests to check', () => {
        if (label === 'fixtures') expect(manifests.length).toBeGreaterThan(0);
      });
      for (const manifest of manifests) {
        const xml = resource.toXml(manifest, undefined, emptyContext(state));
        it(`${manifest.metadata.name} matches its golden file`, () => {
          expectGolden(`test/golden/xml/${folder}/${manifest.metadata.name}.xml`, xml);
        });
        if (schema) {
          it(`${manifest.metadata.name} passes virt-xml-validate ${schema}`, () => {
            expect(validateXml(xml, schema)).toBeUndefined();
          });
        }
      }
    });
  }
}
