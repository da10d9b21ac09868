// Writes the benchmark host as virtkeeper manifests (several files, as a real repository would
// split it) and as the JSON the python peer reads, from the same HostModel.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { HostModel } from './host.js';

const API = 'virtkeeper.io/v1';

type Doc = Record<string, unknown>;

function networkDocs(host: HostModel): Doc[] {
  return host.networks.map((n) => ({
    apiVersion: API,
    kind: 'Network',
    metadata: { name: n.name },
    spec: {
      forward: { mode: 'nat' },
      bridge: n.bridge,
      ips: [{ address: n.address, prefix: 24, dhcp: { ranges: [{ start: n.dhcpStart, end: n.dhcpEnd }] } }],
    },
  }));
}

function storageDocs(host: HostModel): Doc[] {
  const pool: Doc = {
    apiVersion: API,
    kind: 'StoragePool',
    metadata: { name: host.pool.name },
    spec: { type: 'dir', path: host.pool.path },
  };
  const volumes = host.volumes.map((v) => ({
    apiVersion: API,
    kind: 'StorageVolume',
    metadata: { name: v.name },
    spec: { pool: host.pool.name, capacity: `${v.capacityBytes / 1024 ** 2}MiB`, format: 'qcow2' },
  }));
  return [pool, ...volumes];
}

function domainDocs(host: HostModel): Doc[] {
  return host.domains.map((d) => ({
    apiVersion: API,
    kind: 'Domain',
    metadata: { name: d.name },
    spec: {
      type: 'kvm',
      state: 'running',
      memory: `${d.memoryKiB / 1024}MiB`,
      vcpus: d.vcpus,
      os: { type: 'hvm', arch: 'x86_64' },
      disks: [{ volume: { pool: host.pool.name, name: d.volume }, target: 'vda', bus: 'virtio' }],
      interfaces: [{ network: d.network, model: 'virtio', mac: d.mac }],
    },
  }));
}

function render(docs: Doc[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

/** Domains per file: a few hundred, so the loader sees several medium files, not one huge one. */
const DOMAINS_PER_FILE = 250;

/** networks.yaml, storage.yaml and domains-N.yaml, as text. */
export function renderManifestFiles(host: HostModel): Array<{ name: string; text: string }> {
  const files = [
    { name: 'networks.yaml', text: render(networkDocs(host)) },
    { name: 'storage.yaml', text: render(storageDocs(host)) },
  ];
  const domains = domainDocs(host);
  for (let i = 0; i * DOMAINS_PER_FILE < domains.length; i++) {
    files.push({ name: `domains-${i}.yaml`, text: render(domains.slice(i * DOMAINS_PER_FILE, (i + 1) * DOMAINS_PER_FILE)) });
  }
  return files;
}

/** Writes the manifest files into `dir` (created). */
export function writeManifests(host: HostModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const { name, text } of renderManifestFiles(host)) writeFileSync(path.join(dir, name), text);
}

/** Writes the host for the python peer. */
export function writeHostJson(host: HostModel, file: string): void {
  writeFileSync(file, JSON.stringify(host));
}
