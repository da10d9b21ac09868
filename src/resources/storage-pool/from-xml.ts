// <pool> XML → StoragePoolSpec. Capacity, allocation, available and permissions are runtime
// facts of the host, not configuration: they are not read back.
import type { StoragePoolAdapter, StoragePoolSource, StoragePoolSpec, StoragePoolType } from './schema.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, children, find, parseXml, text, type XmlElement } from '../xml.js';
import { compact, isEmpty } from '../common/compare.js';
import { parseIntAttr } from '../common/normalize.js';
import { isIscsi } from './to-xml.js';
import { readSecretRef } from '../secret/usage.js';

/** The adapter as the manifest says it: the type attribute follows from name vs WWNs. */
function adapterFromXml(a: XmlElement | undefined): StoragePoolAdapter | undefined {
  if (!a) return undefined;
  const adapter: StoragePoolAdapter = compact({
    name: attr(a, 'name'),
    wwnn: attr(a, 'wwnn'),
    wwpn: attr(a, 'wwpn'),
    parent: attr(a, 'parent'),
    parentAddress: parentAddressFromXml(child(a, 'parentaddr')),
  });
  return isEmpty(adapter) ? undefined : adapter;
}

/** <parentaddr unique_id><address domain bus slot function/></parentaddr>: the HBA's PCI address. */
function parentAddressFromXml(p: XmlElement | undefined): StoragePoolAdapter['parentAddress'] {
  const a = child(p, 'address');
  const bus = parseIntAttr(attr(a, 'bus'));
  const slot = parseIntAttr(attr(a, 'slot'));
  const fn = parseIntAttr(attr(a, 'function'));
  if (bus === undefined || slot === undefined || fn === undefined) return undefined;
  const pci = { domain: parseIntAttr(attr(a, 'domain')) ?? 0, bus, slot, function: fn };
  return compact({ pci, uniqueId: parseIntAttr(attr(p, 'unique_id')) });
}

export function poolFromXml(xml: string, runtime: RuntimeFacts): StoragePoolSpec {
  const root = parseXml(xml);
  const type = (attr(root, 'type') ?? 'dir') as StoragePoolType;
  const src = child(root, 'source');
  const devicePaths = children(src, 'device')
    .map((d) => attr(d, 'path'))
    .filter((p): p is string => p !== undefined);
  const host = child(src, 'host');
  const source: StoragePoolSource = compact({
    host: attr(host, 'name'),
    port: parseIntAttr(attr(host, 'port')),
    dir: attr(child(src, 'dir'), 'path'),
    devices: !isIscsi(type) && devicePaths.length ? devicePaths : undefined,
    iqn: isIscsi(type) ? devicePaths[0] : undefined,
    name: text(child(src, 'name')) || undefined,
    format: attr(child(src, 'format'), 'type'),
    initiatorIqn: attr(find(src, 'initiator', 'iqn'), 'name'),
    auth: authOf(child(src, 'auth')),
    adapter: adapterFromXml(child(src, 'adapter')),
  });
  return compact({
    type,
    autostart: runtime.autostart,
    path: text(find(root, 'target', 'path')) || undefined,
    source: isEmpty(source) ? undefined : source,
  });
}

/** The login; `secret` is libvirt's reference to its secret ("usage:…", or "uuid:…"). */
function authOf(auth: XmlElement | undefined): StoragePoolSource['auth'] {
  const type = attr(auth, 'type');
  const username = attr(auth, 'username');
  const secret = child(auth, 'secret');
  const ref = readSecretRef(attr(secret, 'usage'), attr(secret, 'uuid'));
  if ((type !== 'chap' && type !== 'ceph') || username === undefined || ref === undefined) return undefined;
  return { type, username, secret: ref };
}
