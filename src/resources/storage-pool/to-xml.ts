// StoragePoolSpec → <pool> XML. Source children follow libvirt's own order (host, device, dir,
// name, initiator, format, auth); which of them a type uses is libvirt's business, we write what the
// manifest sets. The pool uuid libvirt assigned is carried over from the live document.
import { authUsageType } from '../secret/usage.js';
import type { StoragePoolAdapter, StoragePoolManifest, StoragePoolSource, StoragePoolSpec } from './schema.js';
import type { DesiredState } from '../../manifests/types.js';
import { secretRefAttrs, secretUsageRef } from '../secret/usage.js';
import { pciAddressElement } from '../common/pci-address.js';
import { applyXmlOverlay, el, find, parseXml, text, textEl, toXmlString, type XmlElement } from '../xml.js';

export function livePoolUuid(liveXml: string | undefined): string | undefined {
  return liveXml ? text(find(parseXml(liveXml), 'uuid')) : undefined;
}

/** iSCSI pools name their target in <device path=…>, every other type its block devices. */
export const isIscsi = (type: StoragePoolSpec['type']): boolean => type === 'iscsi' || type === 'iscsi-direct';

/** The adapter's type follows from what names it: a SCSI host (by name or its HBA's address), or the WWNs of an FC vHBA. */
function adapterEl(a: StoragePoolAdapter | undefined): XmlElement | undefined {
  if (!a) return undefined;
  if (a.name !== undefined) return el('adapter', { type: 'scsi_host', name: a.name });
  if (a.parentAddress !== undefined) {
    const { pci, uniqueId } = a.parentAddress;
    return el('adapter', { type: 'scsi_host' }, el('parentaddr', { unique_id: uniqueId }, pciAddressElement(pci)));
  }
  return el('adapter', { type: 'fc_host', parent: a.parent, wwnn: a.wwnn, wwpn: a.wwpn });
}

function sourceEl(type: StoragePoolSpec['type'], source: StoragePoolSource | undefined): XmlElement | undefined {
  if (!source) return undefined;
  const devices = isIscsi(type) ? (source.iqn ? [source.iqn] : []) : (source.devices ?? []);
  return el(
    'source',
    {},
    source.host ? el('host', { name: source.host, port: source.port }) : undefined,
    devices.map((path) => el('device', { path })),
    source.dir ? el('dir', { path: source.dir }) : undefined,
    adapterEl(source.adapter),
    textEl('name', source.name),
    source.initiatorIqn ? el('initiator', {}, el('iqn', { name: source.initiatorIqn })) : undefined,
    source.format ? el('format', { type: source.format }) : undefined,
    source.auth
      ? el('auth', { type: source.auth.type, username: source.auth.username }, el('secret', secretRefAttrs(source.auth.secret)))
      : undefined,
  );
}

/** The manifest with its login's Secret named as libvirt refers to it ("usage:…"). */
export function resolvePoolSecrets(manifest: StoragePoolManifest, desired: DesiredState | undefined): StoragePoolManifest {
  const auth = manifest.spec.source?.auth;
  const type = auth && authUsageType(auth.type);
  if (!auth || !type) return manifest;
  const source = { ...manifest.spec.source, auth: { ...auth, secret: secretUsageRef(desired, auth.secret, type) } };
  return { ...manifest, spec: { ...manifest.spec, source } };
}

/**
 * Where libvirt puts a pool's volumes when the manifest names no path (iscsi, scsi, mpath, disk,
 * logical, zfs); undefined for the types with no local target (iscsi-direct, rbd, sheepdog, gluster).
 */
export function defaultTargetPath(spec: StoragePoolSpec): string | undefined {
  if (spec.path) return spec.path;
  switch (spec.type) {
    case 'iscsi':
    case 'scsi':
      return '/dev/disk/by-path';
    case 'mpath':
      return '/dev/mapper';
    case 'disk':
      return '/dev';
    case 'logical':
      return spec.source?.name ? `/dev/${spec.source.name}` : undefined;
    case 'zfs':
      return spec.source?.name ? `/dev/zvol/${spec.source.name}` : undefined;
    default:
      return undefined;
  }
}

export function poolToXml(manifest: StoragePoolManifest, liveXml: string | undefined): string {
  const spec = manifest.spec;
  const target = defaultTargetPath(spec);
  const root = el(
    'pool',
    { type: spec.type },
    textEl('name', manifest.metadata.name),
    textEl('uuid', livePoolUuid(liveXml)),
    sourceEl(spec.type, spec.source),
    target ? el('target', {}, textEl('path', target)) : undefined,
  );
  return toXmlString(applyXmlOverlay(root, spec.xml?.merge));
}
