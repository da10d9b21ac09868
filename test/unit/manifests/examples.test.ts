import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestsOfKind } from '../../../src/manifests/desired-state.js';
import { formatError } from '../../../src/manifests/errors.js';
import { loadManifests } from '../../../src/manifests/loader.js';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/manifests');

describe('examples/manifests', () => {
  it('validates with no errors', async () => {
    const result = await loadManifests(examples);
    expect(result.errors.map(formatError)).toEqual([]);
  });

  it('is the small host the docs promise', async () => {
    const { state } = await loadManifests(examples);
    const net = manifestsOfKind(state, 'Network');
    expect(net.some((n) => n.manifest.spec.forward?.mode === 'nat' && n.manifest.spec.ips?.some((ip) => (ip.dhcp?.hosts?.length ?? 0) > 0))).toBe(true);
    expect(manifestsOfKind(state, 'StoragePool').map((p) => p.manifest.spec.type)).toContain('dir');
    const volumes = manifestsOfKind(state, 'StorageVolume');
    const overlays = volumes.filter((v) => v.manifest.spec.format === 'qcow2' && v.manifest.spec.backingStore?.volume);
    expect(overlays.length).toBeGreaterThanOrEqual(2);
    const domains = manifestsOfKind(state, 'Domain');
    expect(domains.map((d) => d.manifest.spec.state).sort()).toEqual(['running', 'stopped']);
    expect(manifestsOfKind(state, 'Interface').map((i) => i.manifest.spec.type)).toContain('bridge');
    const nodeDevices = manifestsOfKind(state, 'NodeDevice');
    expect(nodeDevices.some((n) => n.manifest.spec.pci)).toBe(true);
    expect(domains.some((d) => d.manifest.spec.hostdevs?.some((h) => h.nodeDevice === nodeDevices[0].manifest.metadata.name))).toBe(true);
  });
});
