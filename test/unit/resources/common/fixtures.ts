// Manifests the resource-kind tests run on: the examples (the realistic host) and each kind's
// own fixtures under test/fixtures/<kind>/ (loaded together, so cross-kind references resolve).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadFromSources, loadManifests } from '../../../../src/manifests/index.js';
import type { DesiredState } from '../../../../src/manifests/types.js';

export const FIXTURE_KINDS = ['network', 'storage-pool', 'storage-volume', 'interface', 'node-device'] as const;

function failOnErrors(what: string, errors: readonly { file: string; line: number; path: string; message: string }[]): void {
  if (errors.length) {
    throw new Error(`${what} do not load:\n${errors.map((e) => `${e.file}:${e.line} ${e.path} ${e.message}`).join('\n')}`);
  }
}

export async function loadExamples(): Promise<DesiredState> {
  const result = await loadManifests('examples/manifests');
  failOnErrors('examples/manifests', result.errors);
  return result.state;
}

export function loadKindFixtures(): DesiredState {
  const root = 'test/fixtures';
  const sources = FIXTURE_KINDS.filter((kind) => existsSync(path.join(root, kind))).flatMap((kind) =>
    readdirSync(path.join(root, kind))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: `${kind}/${f}`, bytes: readFileSync(path.join(root, kind, f)) })),
  );
  const result = loadFromSources(root, sources);
  failOnErrors('test/fixtures', result.errors);
  return result.state;
}
