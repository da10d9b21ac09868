// <volume> XML → StorageVolumeSpec. Sizes come back in the largest exact binary unit
// (21474836480 → "20GiB"); the backing store is the host path libvirt reports.
import type { StorageVolumeSpec, VolumeFormat } from './schema.js';
import { formatSize } from '../../manifests/units.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, find, parseXml, text, type XmlElement } from '../xml.js';
import { compact } from '../common/compare.js';
import { scaledToBytes } from '../common/scaled.js';
import { readSecretRef } from '../secret/usage.js';

type BackingFormat = NonNullable<NonNullable<StorageVolumeSpec['backingStore']>['format']>;

export function sizeBytes(node: XmlElement | undefined): number | undefined {
  return scaledToBytes(text(node), attr(node, 'unit'));
}

export function volumeFromXml(xml: string, runtime: RuntimeFacts): StorageVolumeSpec {
  const root = parseXml(xml);
  const capacity = sizeBytes(child(root, 'capacity'));
  const allocation = sizeBytes(child(root, 'allocation'));
  const backing = child(root, 'backingStore');
  const backingPath = text(child(backing, 'path')) || undefined;
  return compact({
    pool: runtime.pool ?? '',
    capacity: capacity === undefined ? undefined : formatSize(capacity),
    allocation: allocation === undefined ? undefined : formatSize(allocation),
    format: attr(find(root, 'target', 'format'), 'type') as VolumeFormat | undefined,
    backingStore: backingPath
      ? compact({ path: backingPath, format: attr(child(backing, 'format'), 'type') as BackingFormat | undefined })
      : undefined,
    encryption: encryptionOf(find(root, 'target', 'encryption')),
  });
}

/** A LUKS volume's encryption; `secret` is libvirt's reference to the passphrase ("usage:…"). */
function encryptionOf(encryption: XmlElement | undefined): StorageVolumeSpec['encryption'] {
  if (attr(encryption, 'format') !== 'luks') return undefined;
  const secret = child(encryption, 'secret');
  const ref = readSecretRef(attr(secret, 'usage'), attr(secret, 'uuid'));
  return ref === undefined ? undefined : { format: 'luks', secret: ref };
}
