// <devices> children generated from the friendly spec fields, and the identities carried over
// from the matching live device so a redefine never churns what libvirt assigned (guest PCI
// addresses, MACs) or what someone set outside virtkeeper (a VNC password).
import type {
  DomainCharDevice,
  DomainConsole,
  DomainDisk,
  DomainGraphics,
  DomainHostdev,
  DomainInterface,
  DomainSerial,
} from './schema.js';
import type { UsbAddress } from '../../manifests/types.js';
import { attr, child, children, el, textEl, type XmlElement } from '../xml.js';
import { matchNics, type NicIdentity } from './nic-match.js';
import { passwordPlaceholder } from './passwords.js';
import { secretRefAttrs } from '../secret/usage.js';
import { hex, pciAddressElement } from '../common/pci-address.js';

// ---- generation ------------------------------------------------------------------------------

/** The secret type of a network disk's auth: rbd logs in with a ceph key, iscsi with a CHAP secret. */
const AUTH_SECRET_TYPE: Partial<Record<NonNullable<DomainDisk['network']>['protocol'], string>> = { rbd: 'ceph', iscsi: 'iscsi' };

/** `<source>` of a resolved disk: secrets are "usage:…" references by now (see resolveSpec). */
function diskSource(disk: DomainDisk): XmlElement | undefined {
  // libvirt ≥ 3.9 keeps a disk's encryption inside <source>, where the live XML has it too.
  const encryption = disk.encryption
    ? el('encryption', { format: 'luks' }, el('secret', { type: 'passphrase', ...secretRefAttrs(disk.encryption.secret) }))
    : undefined;
  if (disk.volume) return el('source', { pool: disk.volume.pool, volume: disk.volume.name }, encryption);
  if (disk.file) return el('source', { file: disk.file }, encryption);
  if (disk.block) return el('source', { dev: disk.block }, encryption);
  const net = disk.network;
  if (!net) return undefined;
  const auth = net.auth;
  return el(
    'source',
    { protocol: net.protocol, name: net.name },
    (net.hosts ?? []).map((h) => el('host', { name: h.name, port: h.port })),
    auth
      ? el('auth', { username: auth.username }, el('secret', { type: AUTH_SECRET_TYPE[net.protocol], ...secretRefAttrs(auth.secret) }))
      : undefined,
    encryption,
  );
}

/** `disk` must be resolved (device and format set, see resolveSpec). */
export function diskElement(disk: DomainDisk): XmlElement {
  const type = disk.volume ? 'volume' : disk.block ? 'block' : disk.network ? 'network' : 'file';
  const source = diskSource(disk);
  return el(
    'disk',
    { type, device: disk.device ?? 'disk' },
    el('driver', { name: 'qemu', type: disk.format ?? 'raw', cache: disk.cache, discard: disk.discard }),
    source,
    el('target', { dev: disk.target, bus: disk.bus }),
    disk.readonly ? el('readonly') : undefined,
    textEl('serial', disk.serial),
  );
}

export function interfaceElement(nic: DomainInterface, mac: string | undefined): XmlElement {
  return el(
    'interface',
    { type: nic.bridge !== undefined ? 'bridge' : 'network' },
    mac ? el('mac', { address: mac.toLowerCase() }) : undefined,
    nic.bridge !== undefined ? el('source', { bridge: nic.bridge }) : el('source', { network: nic.network }),
    nic.model ? el('model', { type: nic.model }) : undefined,
  );
}

function usbSource(usb: UsbAddress): XmlElement {
  if (usb.vendor !== undefined && usb.product !== undefined) {
    return el('source', {}, el('vendor', { id: hex(usb.vendor, 4) }), el('product', { id: hex(usb.product, 4) }));
  }
  return el('source', {}, el('address', { bus: usb.bus, device: usb.device }));
}

/** `h` must be resolved (nodeDevice replaced by its address). */
export function hostdevElement(h: DomainHostdev): XmlElement {
  const managed = h.managed ?? true;
  if (h.pci) return el('hostdev', { mode: 'subsystem', type: 'pci', managed }, el('source', {}, pciAddressElement(h.pci)));
  if (h.usb) return el('hostdev', { mode: 'subsystem', type: 'usb', managed }, usbSource(h.usb));
  throw new Error('hostdev without pci or usb address (unresolved nodeDevice?)');
}

export function graphicsElement(g: DomainGraphics): XmlElement {
  const fixed = g.port !== undefined;
  // A password from a Secret is a placeholder here: apply puts the value in (passwords.ts).
  const passwd = g.passwordFrom ? passwordPlaceholder(g.passwordFrom.secret) : undefined;
  return el('graphics', {
    type: g.type,
    port: fixed ? g.port : -1,
    autoport: fixed ? 'no' : 'yes',
    listen: g.listen,
    keymap: g.keymap,
    passwd,
  });
}

function charSource(c: DomainCharDevice): XmlElement[] {
  switch (c.type ?? 'pty') {
    case 'file':
      return [el('source', { path: c.path })];
    case 'unix':
      return [el('source', { mode: c.mode, path: c.path })];
    case 'tcp':
      return [el('source', { mode: c.mode, host: c.host, service: c.port }), el('protocol', { type: 'raw' })];
    default:
      return [];
  }
}

export function consoleElement(c: DomainConsole): XmlElement {
  return el('console', { type: c.type ?? 'pty' }, charSource(c), el('target', { type: c.targetType }));
}

export function serialElement(c: DomainSerial): XmlElement {
  return el('serial', { type: c.type ?? 'pty' }, charSource(c), el('target', { port: c.targetPort }));
}

// ---- carry-over ------------------------------------------------------------------------------

/** Copies the live device's guest <address> (libvirt-assigned) onto a generated device. */
export function carryAddress(generated: XmlElement, live: XmlElement | undefined): XmlElement {
  const address = child(live, 'address');
  if (address && !child(generated, 'address')) generated.children.push(address);
  return generated;
}

/** What the NIC matcher needs of a live <interface>. */
function nicIdentity(nic: XmlElement): NicIdentity {
  const src = child(nic, 'source');
  const mac = attr(child(nic, 'mac'), 'address');
  const type = attr(nic, 'type');
  return {
    ...(mac ? { mac } : {}),
    ...(type === 'bridge'
      ? { bridge: attr(src, 'bridge') ?? '' }
      : type === 'network'
        ? { network: attr(src, 'network') ?? '' }
        : { network: `\0${type ?? ''}` }),
  };
}

/** Live interface for each desired one (nic-match.ts). */
export function matchInterfaces(desired: DomainInterface[], live: XmlElement[]): Array<XmlElement | undefined> {
  return matchNics(desired, live.map(nicIdentity)).map((j) => (j === undefined ? undefined : live[j]));
}

export function interfaceWithCarryOver(nic: DomainInterface, live: XmlElement | undefined): XmlElement {
  const mac = nic.mac ?? attr(child(live, 'mac'), 'address');
  return carryAddress(interfaceElement(nic, mac), live);
}

function hostdevSourceKey(h: XmlElement): string {
  const src = child(h, 'source');
  const parts = children(src).map(
    (c) =>
      `${c.name}[${Object.entries(c.attrs)
        .map(([k, v]) => `${k}=${normNum(v)}`)
        .sort()
        .join(',')}]`,
  );
  return `${attr(h, 'type') ?? ''}:${parts.join('')}`;
}

function normNum(v: string): string {
  const n = /^0x/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? parseInt(v, 10) : NaN;
  return Number.isNaN(n) ? v : String(n);
}

/** Live hostdev with the same host-side source address, carrying its guest address. */
export function hostdevWithCarryOver(h: DomainHostdev, live: XmlElement[], claimed: Set<XmlElement>): XmlElement {
  const gen = hostdevElement(h);
  const key = hostdevSourceKey(gen);
  const m = live.find((l) => !claimed.has(l) && hostdevSourceKey(l) === key);
  if (m) claimed.add(m);
  return carryAddress(gen, m);
}

export function diskWithCarryOver(disk: DomainDisk, live: XmlElement[]): XmlElement {
  const m = live.find((l) => attr(child(l, 'target'), 'dev') === disk.target);
  return carryAddress(diskElement(disk), m);
}

/** Graphics are matched by index and type; a password set outside virtkeeper is kept (unless the manifest gives one). */
export function graphicsWithCarryOver(g: DomainGraphics, live: XmlElement | undefined): XmlElement {
  const gen = graphicsElement(g);
  if (!g.passwordFrom && live && attr(live, 'type') === g.type && attr(live, 'passwd') !== undefined)
    gen.attrs.passwd = attr(live, 'passwd') as string;
  return gen;
}

/** Copies `passwd` onto graphics (matched by index and type) that lack one; true when any was copied. */
export function restoreGraphicsPasswords(doc: XmlElement, secureLive: XmlElement): boolean {
  const live = children(child(secureLive, 'devices'), 'graphics');
  let changed = false;
  children(child(doc, 'devices'), 'graphics').forEach((g, i) => {
    const l = live[i];
    const passwd = attr(l, 'passwd');
    if (passwd !== undefined && attr(g, 'passwd') === undefined && attr(l, 'type') === attr(g, 'type')) {
      g.attrs.passwd = passwd;
      changed = true;
    }
  });
  return changed;
}
