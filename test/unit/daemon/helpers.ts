import { createDesiredState } from '../../../src/manifests/desired-state.js';
import type { AnyManifest, DesiredState } from '../../../src/manifests/types.js';

export function domain(name: string, spec: Record<string, unknown> = {}): AnyManifest {
  return { apiVersion: 'virtkeeper.io/v1', kind: 'Domain', metadata: { name }, spec: { memory: '1GiB', ...spec } } as AnyManifest;
}

export function network(name: string, spec: Record<string, unknown> = {}): AnyManifest {
  return { apiVersion: 'virtkeeper.io/v1', kind: 'Network', metadata: { name }, spec } as AnyManifest;
}

export function manifest(kind: AnyManifest['kind'], name: string, spec: Record<string, unknown>): AnyManifest {
  return { apiVersion: 'virtkeeper.io/v1', kind, metadata: { name }, spec } as AnyManifest;
}

export function desiredOf(...manifests: AnyManifest[]): DesiredState {
  return createDesiredState(
    '/m',
    manifests.map((m, i) => ({ manifest: m, source: { file: 'all.yaml', line: i * 10 + 1, column: 1 } })),
  );
}
