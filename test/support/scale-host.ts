// Manifests of a host in the shape the reconcile-core issue measures at scale (NAT networks, one
// dir pool, qcow2 volumes, domains with one disk and one NIC each), at any size, so tests can
// count calls on a small one.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ScaleHostShape {
  networks: number;
  volumes: number;
  domains: number;
  /** Domain state by index (default: running). */
  stateOf?: (index: number) => 'running' | 'paused' | 'stopped';
}

/** Writes networks.yaml, storage.yaml and domains.yaml under `dir`; returns the object count. */
export async function writeScaleHost(dir: string, shape: ScaleHostShape): Promise<number> {
  await mkdir(dir, { recursive: true });
  const doc = (kind: string, name: string, spec: string): string =>
    `apiVersion: virtkeeper.io/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec:\n${spec}`;
  const networks = Array.from({ length: shape.networks }, (_, i) =>
    doc(
      'Network',
      `net-${i}`,
      `  forward: {mode: nat}\n  ips: [{address: 10.${Math.floor(i / 250)}.${i % 250}.1, prefix: 24, dhcp: {ranges: [{start: 10.${Math.floor(i / 250)}.${i % 250}.10, end: 10.${Math.floor(i / 250)}.${i % 250}.200}]}}]\n`,
    ),
  );
  const storage = [
    doc('StoragePool', 'images', '  type: dir\n  path: /var/lib/libvirt/images\n'),
    ...Array.from({ length: shape.volumes }, (_, i) =>
      doc('StorageVolume', `disk-${i}.qcow2`, '  pool: images\n  capacity: 64MiB\n  format: qcow2\n'),
    ),
  ];
  const domains = Array.from({ length: shape.domains }, (_, i) =>
    doc(
      'Domain',
      `vm-${i}`,
      `  type: test\n  state: ${shape.stateOf?.(i) ?? 'running'}\n  memory: 128MiB\n  os: {type: hvm, arch: x86_64}\n` +
        `  disks: [{volume: {pool: images, name: disk-${i % Math.max(1, shape.volumes)}.qcow2}, target: vda, bus: virtio}]\n` +
        `  interfaces: [{network: net-${i % Math.max(1, shape.networks)}, model: virtio}]\n`,
    ),
  );
  await writeFile(path.join(dir, 'networks.yaml'), networks.join('---\n'));
  await writeFile(path.join(dir, 'storage.yaml'), storage.join('---\n'));
  await writeFile(path.join(dir, 'domains.yaml'), domains.join('---\n'));
  return shape.networks + 1 + shape.volumes + shape.domains;
}
