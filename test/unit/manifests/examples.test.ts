import { readFile } from 'node:fs/promises';
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
    expect(
      net.some((n) => n.manifest.spec.forward?.mode === 'nat' && n.manifest.spec.ips?.some((ip) => (ip.dhcp?.hosts?.length ?? 0) > 0)),
    ).toBe(true);
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

describe('examples/cloud-init', () => {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/cloud-init');

  it('validates, and its seed holds the user-data, the network-config and the key from keys/ops.pub', async () => {
    const { state, errors } = await loadManifests(dir);
    expect(errors.map(formatError)).toEqual([]);
    const seed = manifestsOfKind(state, 'StorageVolume').find((v) => v.manifest.spec.source?.seed)?.manifest.spec.source?.seed;
    const files = Object.fromEntries((seed?.files ?? []).map((f) => [f.name, f.text]));
    expect(Object.keys(files).sort()).toEqual(['meta-data', 'network-config', 'user-data']);
    const key = (await readFile(path.join(dir, 'keys', 'ops.pub'), 'utf8')).trim();
    expect(files['user-data']).toContain(`ssh_authorized_keys:\n  - ${key}\n`);
    expect(files['user-data']).toContain('packages: [ nginx ]');
    expect(files['network-config']).toBe(await readFile(path.join(dir, 'app-1', 'network-config.yaml'), 'utf8'));
    // The password hash is a Secret's value, put in at apply: the seed's files hold the placeholder.
    expect(files['user-data']).toContain('passwd: "@OPS_PASSWORD_HASH@"');
    expect(seed?.secretRefs).toEqual([{ placeholder: '@OPS_PASSWORD_HASH@', secret: 'ops-password' }]);
    // The seed goes into the pool of the first disk, on SATA (the guest is q35).
    const app = manifestsOfKind(state, 'Domain')[0]!.manifest;
    expect(app.spec.disks!.at(-1)).toMatchObject({ device: 'cdrom', bus: 'sata', target: 'sda', volume: { pool: 'images' } });
  });
});
