// Manifests the Domain tests run on: the example host and test/fixtures/domain (self-contained:
// it carries the volumes, network and node devices its domains refer to).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DomainManifest, DomainSpec } from '../../../../src/resources/domain/schema.js';
import { createDesiredState, loadFromSources, loadManifests } from '../../../../src/manifests/index.js';
import type { AnyManifest, DesiredState, LoadedManifest } from '../../../../src/manifests/types.js';
import type { PlanContext } from '../../../../src/resources/types.js';

function failOnErrors(what: string, errors: readonly { file: string; line: number; path: string; message: string }[]): void {
  if (errors.length) throw new Error(`${what} do not load:\n${errors.map((e) => `${e.file}:${e.line} ${e.path} ${e.message}`).join('\n')}`);
}

export async function loadExampleState(): Promise<DesiredState> {
  const r = await loadManifests('examples/manifests');
  failOnErrors('examples/manifests', r.errors);
  return r.state;
}

export function loadDomainFixtures(): DesiredState {
  const root = 'test/fixtures/domain';
  const sources = readdirSync(root)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ file: f, bytes: readFileSync(path.join(root, f)) }));
  const r = loadFromSources(root, sources);
  failOnErrors('test/fixtures/domain', r.errors);
  return r.state;
}

export function domainsOf(state: DesiredState): Array<LoadedManifest<DomainManifest>> {
  return state.manifests.filter((m): m is LoadedManifest<DomainManifest> => m.manifest.kind === 'Domain');
}

export function ctxOf(desired: DesiredState): PlanContext {
  return { desired, live: new Map() };
}

/** A desired state holding `extra` manifests plus one Domain built from `spec`. */
export function stateWith(
  name: string,
  spec: DomainSpec,
  extra: AnyManifest[] = [],
  annotations?: Record<string, string>,
): {
  state: DesiredState;
  loaded: LoadedManifest<DomainManifest>;
} {
  const manifest: DomainManifest = {
    apiVersion: 'virtkeeper.io/v1',
    kind: 'Domain',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec,
  };
  const all = [...extra, manifest].map((m, i) => ({ manifest: m, source: { file: 'inline.yaml', line: i + 1, column: 1 } }));
  const state = createDesiredState('inline', all);
  const loaded = state.manifests.find((m) => m.manifest === manifest) as LoadedManifest<DomainManifest>;
  return { state, loaded };
}

/** virt-xml-validate's complaint, or undefined when the document is a valid libvirt domain. */
export function validateDomainXml(xml: string): string | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vk-domain-'));
  try {
    const file = path.join(dir, 'domain.xml');
    writeFileSync(file, xml);
    const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
