// The Domain kind's contract: identity, references, checks, events and export naming (see
// src/resources/contract.ts). Pure: validation loads it without libvirt code.
import { domainSpecSchema, type DomainManifest } from './schema.js';
import { loadSeed } from '../../cloud-init/load-seed.js';
import { kindKey } from '../../manifests/keys.js';
import type { NodeDeviceManifest } from '../node-device/schema.js';
import type { DesiredState, IdentityKey } from '../../manifests/types.js';
import {
  documentName,
  field,
  list,
  text,
  type ExpandedManifest,
  type ExpandScope,
  type KindDefinition,
  type KindReference,
  type LiveView,
} from '../contract.js';
import { pciDeviceName } from '../node-device/identity.js';
import { secretReference } from '../secret/reference.js';
import { authUsageType } from '../secret/usage.js';
import { volumeKey } from '../storage-volume/key.js';
import { checkDomain } from './check.js';
import { checkDomainsAcross } from './check-across.js';

export const domainDefinition: KindDefinition<DomainManifest> = {
  kind: 'Domain',
  schema: { file: 'domain.schema.json', spec: domainSpecSchema },
  keyName: documentName,
  references: domainReferences,
  liveReferences: domainLiveReferences,
  check: checkDomain,
  checkAcross: checkDomainsAcross,
  expand: expandCloudInit,
  xmlRoot: 'domain',
  events: { source: 'domain', echoes: true },
  export: {
    filePrefix: 'domain',
    residual: { skip: new Set(['name', 'uuid']), skipAttrs: new Set(['id']), devices: true, ownershipMark: true },
  },
};

/**
 * Volumes, networks, secrets, the cloud-init seed's pool and secrets, node devices; and, where a
 * manifest declares them, the host bridge an Interface manifest makes and the NodeDevice whose
 * address an inline hostdev passes through (both may as well be the host's own, unmanaged).
 */
export function domainReferences(document: unknown, desired?: DesiredState): KindReference[] {
  const spec = field(document, 'spec');
  const refs: KindReference[] = [];
  list(spec, 'disks').forEach((d, i) => {
    const v = field(d, 'volume');
    const pool = text(v, 'pool');
    const name = text(v, 'name');
    if (pool && name) refs.push({ path: ['spec', 'disks', i, 'volume'], key: volumeKey(pool, name), need: 'required' });
    const luks = text(field(d, 'encryption'), 'secret');
    if (luks) refs.push(...secretReference(['spec', 'disks', i, 'encryption', 'secret'], luks, { type: 'volume', for: 'LUKS encryption' }));
    const network = field(d, 'network');
    const login = text(field(network, 'auth'), 'secret');
    const usage = authUsageType(text(network, 'protocol'));
    if (login)
      refs.push(
        ...secretReference(
          ['spec', 'disks', i, 'network', 'auth', 'secret'],
          login,
          usage ? { type: usage, for: `${text(network, 'protocol')} auth` } : undefined,
        ),
      );
  });
  list(spec, 'interfaces').forEach((n, i) => {
    const network = text(n, 'network');
    if (network) refs.push({ path: ['spec', 'interfaces', i, 'network'], key: kindKey('Network', network), need: 'required' });
    const bridge = text(n, 'bridge');
    if (bridge) refs.push({ path: ['spec', 'interfaces', i, 'bridge'], key: kindKey('Interface', bridge), need: 'if-declared' });
  });
  list(spec, 'graphics').forEach((g, i) => {
    const secret = text(field(g, 'passwordFrom'), 'secret');
    if (secret) refs.push(...secretReference(['spec', 'graphics', i, 'passwordFrom', 'secret'], secret));
  });
  const cloudInit = field(spec, 'cloudInit');
  const seedPool = text(cloudInit, 'pool');
  if (seedPool) refs.push({ path: ['spec', 'cloudInit', 'pool'], key: kindKey('StoragePool', seedPool), need: 'required' });
  list(cloudInit, 'secretRefs').forEach((r, i) => {
    const secret = text(r, 'secret');
    if (secret) refs.push(...secretReference(['spec', 'cloudInit', 'secretRefs', i, 'secret'], secret));
  });
  list(spec, 'hostdevs').forEach((h, i) => {
    const path = ['spec', 'hostdevs', i];
    const nd = text(h, 'nodeDevice');
    if (nd) refs.push({ path: [...path, 'nodeDevice'], key: kindKey('NodeDevice', nd), need: 'required' });
    else for (const key of nodeDevicesAt(h, desired)) refs.push({ path, key, need: 'if-declared' });
  });
  return refs;
}

/** NodeDevice manifests that detach the device an inline hostdev (pci or usb address) names. */
function nodeDevicesAt(hostdev: unknown, desired: DesiredState | undefined): IdentityKey[] {
  const pci = field(hostdev, 'pci');
  const usb = field(hostdev, 'usb');
  const keys: IdentityKey[] = [];
  for (const lm of desired?.manifests ?? []) {
    if (lm.manifest.kind !== 'NodeDevice') continue;
    const nd = (lm.manifest as NodeDeviceManifest).spec;
    if ((isObject(pci) && nd.pci && sameJson(pci, nd.pci)) || (isObject(usb) && nd.usb && sameJson(usb, nd.usb))) keys.push(lm.key);
  }
  return keys;
}

function isObject(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

function sameJson(a: object, b: object): boolean {
  const norm = (o: object): string => JSON.stringify(Object.entries({ domain: 0, ...o }).sort(([x], [y]) => (x < y ? -1 : 1)));
  return norm(a) === norm(b);
}

/**
 * What a domain on the host uses now. Its hostdevs read back as PCI addresses, which name the
 * node device libvirt knows (`NodeDevice/pci_0000_06_00_0`): a domain passing a device through
 * is deleted before that device is given back to its host driver.
 */
export function domainLiveReferences(object: LiveView): IdentityKey[] {
  const keys = new Set(domainReferences({ kind: object.kind, metadata: { name: object.name }, spec: object.spec }).map((r) => r.key));
  for (const h of list(object.spec, 'hostdevs')) {
    const pci = field(h, 'pci');
    const bus = field(pci, 'bus');
    const slot = field(pci, 'slot');
    const fn = field(pci, 'function');
    const domain = field(pci, 'domain');
    if (typeof bus === 'number' && typeof slot === 'number' && typeof fn === 'number')
      keys.add(kindKey('NodeDevice', pciDeviceName({ bus, slot, function: fn, ...(typeof domain === 'number' ? { domain } : {}) })));
  }
  return [...keys].sort();
}

/**
 * A domain with cloud-init stands for two manifests: itself with the seed's cdrom, and the seed
 * volume, whose errors point at its cloudInit. Without cloud-init it stands for itself.
 */
function expandCloudInit(manifest: DomainManifest, scope: ExpandScope): ExpandedManifest[] | undefined {
  if (!manifest.spec.cloudInit) return [];
  const seed = loadSeed(manifest, scope.file, scope.include, (at, message) => scope.report(at, message));
  if (!seed) return undefined;
  return [{ manifest: seed.domain }, { manifest: seed.volume, declaredAt: ['spec', 'cloudInit'] }];
}
