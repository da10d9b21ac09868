// libvirt domain XML (+ runtime facts) → DomainSpec in manifest notation. Only what the document
// (or the runtime) actually says is reported, so the result can be compared field by field with
// a manifest and exported as one. Devices the friendly fields cannot express (floppies, user-mode
// NICs, …) are left out; they are not drift because a manifest cannot set them either.
import type {
  BootDevice,
  CrashAction,
  DomainCharDevice,
  DomainClock,
  DomainConsole,
  DomainCpu,
  DomainDisk,
  DomainFeatures,
  DomainGraphics,
  DomainHostdev,
  DomainInterface,
  DomainOs,
  DomainSerial,
  DomainSpec,
  DomainState,
  DomainType,
  LifecycleAction,
} from './schema.js';
import { isDiskFormat } from '../storage-volume/formats.js';
import type { RuntimeFacts } from '../types.js';
import { attr, child, children, find, parseXml, text, type XmlElement } from '../xml.js';
import { readMark } from './mark.js';
import { bytesToSize, libvirtMemoryToBytes } from './memory.js';
import { overlayPresent } from './overlay.js';
import { DOMAIN_FEATURES } from './tree.js';
import { readSecretRef } from '../secret/usage.js';

/** libvirt's virDomainState names → the manifest's desired states. */
export function stateFromRuntime(state: string | undefined): DomainState | undefined {
  switch (state) {
    case undefined:
      return undefined;
    case 'running':
    case 'blocked':
    // Still active while the guest powers down: a manifest wanting "stopped" must still act.
    case 'shutdown':
      return 'running';
    case 'paused':
    case 'pmsuspended':
      return 'paused';
    // Not a virDomainState: a shut-off domain with a managed save image (live.ts).
    case 'saved':
      return 'saved';
    default:
      return 'stopped';
  }
}

/** Parses libvirt numbers, which are hex ("0x06") or decimal. */
export function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = /^\s*0x/i.test(v) ? parseInt(v, 16) : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function yes(v: string | undefined): boolean {
  return v === 'yes' || v === 'on';
}

function set<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}

function memorySize(node: XmlElement | undefined): string | undefined {
  if (!node) return undefined;
  const bytes = libvirtMemoryToBytes(text(node) ?? '', attr(node, 'unit'));
  return bytes === undefined ? undefined : bytesToSize(bytes);
}

/** `xml`: the document, or its root already parsed (live reads parse once for spec and mark). */
export function domainSpecFromXml(xml: string | XmlElement, runtime: RuntimeFacts = {}): DomainSpec {
  const root = typeof xml === 'string' ? parseXml(xml) : xml;
  // memory is required in a manifest; every libvirt domain has it, '0KiB' only guards odd input.
  const out = {} as DomainSpec;
  set(out, 'type', attr(root, 'type') as DomainType | undefined);
  set(out, 'uuid', text(child(root, 'uuid')));
  set(out, 'title', text(child(root, 'title')));
  set(out, 'description', text(child(root, 'description')));
  set(out, 'state', stateFromRuntime(runtime.state));
  set(out, 'autostart', runtime.autostart);
  out.memory = memorySize(child(root, 'memory')) ?? '0KiB';
  set(out, 'currentMemory', memorySize(child(root, 'currentMemory')));
  const vcpu = child(root, 'vcpu');
  const current = num(attr(vcpu, 'current'));
  set(out, 'vcpus', current ?? num(text(vcpu)));
  if (current !== undefined) set(out, 'maxVcpus', num(text(vcpu)));
  set(out, 'cpu', readCpu(child(root, 'cpu')));
  set(out, 'os', readOs(child(root, 'os')));
  set(out, 'features', readFeatures(child(root, 'features')));
  set(out, 'clock', readClock(child(root, 'clock')));
  set(out, 'onPoweroff', text(child(root, 'on_poweroff')) as LifecycleAction | undefined);
  set(out, 'onReboot', text(child(root, 'on_reboot')) as LifecycleAction | undefined);
  set(out, 'onCrash', text(child(root, 'on_crash')) as CrashAction | undefined);

  const devices = child(root, 'devices');
  const disks = children(devices, 'disk')
    .map(readDisk)
    .filter((d): d is DomainDisk => d !== undefined);
  if (disks.length) out.disks = disks;
  const nics = children(devices, 'interface')
    .map(readInterface)
    .filter((n): n is DomainInterface => n !== undefined);
  if (nics.length) out.interfaces = nics;
  const graphics = children(devices, 'graphics')
    .map(readGraphics)
    .filter((g): g is DomainGraphics => g !== undefined);
  if (graphics.length) out.graphics = graphics;
  const consoles = children(devices, 'console').map(readConsole);
  if (consoles.length) out.consoles = consoles;
  const serials = children(devices, 'serial').map(readSerial);
  if (serials.length) out.serials = serials;
  const hostdevs = children(devices, 'hostdev')
    .map(readHostdev)
    .filter((h): h is DomainHostdev => h !== undefined);
  if (hostdevs.length) out.hostdevs = hostdevs;

  // The overlay is only reported while the document still carries it: an overlay edited away
  // by hand shows up as drift of spec.xml.merge.
  const merge = readMark(root)?.merge;
  if (merge && overlayPresent(root, merge)) out.xml = { merge };
  return out;
}

/** Whether a <devices> child maps onto a friendly field (and so is governed when that field is set). */
export function expressible(device: XmlElement): boolean {
  switch (device.name) {
    case 'disk':
      return readDisk(device) !== undefined;
    case 'interface':
      return readInterface(device) !== undefined;
    case 'graphics':
      return readGraphics(device) !== undefined;
    case 'hostdev':
      return readHostdev(device) !== undefined;
    default:
      return true;
  }
}

function readCpu(cpu: XmlElement | undefined): DomainCpu | undefined {
  if (!cpu) return undefined;
  const out: DomainCpu = {};
  set(out, 'mode', attr(cpu, 'mode') as DomainCpu['mode']);
  set(out, 'model', text(child(cpu, 'model')) || undefined);
  const topo = child(cpu, 'topology');
  if (topo) {
    const sockets = num(attr(topo, 'sockets'));
    const cores = num(attr(topo, 'cores'));
    const threads = num(attr(topo, 'threads'));
    if (sockets !== undefined && cores !== undefined && threads !== undefined) out.topology = { sockets, cores, threads };
  }
  return Object.keys(out).length ? out : undefined;
}

function readOs(os: XmlElement | undefined): DomainOs | undefined {
  if (!os) return undefined;
  const out: DomainOs = {};
  const type = child(os, 'type');
  set(out, 'type', text(type) as DomainOs['type']);
  set(out, 'arch', attr(type, 'arch'));
  set(out, 'machine', attr(type, 'machine'));
  set(out, 'firmware', attr(os, 'firmware') as DomainOs['firmware']);
  const boot = children(os, 'boot')
    .map((b) => attr(b, 'dev'))
    .filter((d): d is BootDevice => d !== undefined);
  if (boot.length) out.boot = boot;
  set(out, 'kernel', text(child(os, 'kernel')));
  set(out, 'initrd', text(child(os, 'initrd')));
  set(out, 'cmdline', text(child(os, 'cmdline')));
  return out;
}

function readFeatures(features: XmlElement | undefined): DomainFeatures | undefined {
  if (!features) return undefined;
  const out: DomainFeatures = {};
  for (const name of DOMAIN_FEATURES) {
    const f = child(features, name);
    if (f) out[name] = attr(f, 'state') !== 'off';
  }
  return Object.keys(out).length ? out : undefined;
}

function readClock(clock: XmlElement | undefined): DomainClock | undefined {
  if (!clock) return undefined;
  const out: DomainClock = {};
  set(out, 'offset', attr(clock, 'offset') as DomainClock['offset']);
  set(out, 'timezone', attr(clock, 'timezone'));
  const timers = children(clock, 'timer').map((t) => {
    const timer: NonNullable<DomainClock['timers']>[number] = {
      name: attr(t, 'name') as NonNullable<DomainClock['timers']>[number]['name'],
    };
    const present = attr(t, 'present');
    if (present !== undefined) timer.present = yes(present);
    set(timer, 'tickpolicy', attr(t, 'tickpolicy') as NonNullable<DomainClock['timers']>[number]['tickpolicy']);
    return timer;
  });
  if (timers.length) out.timers = timers;
  return out;
}

function readDisk(disk: XmlElement): DomainDisk | undefined {
  const device = attr(disk, 'device') ?? 'disk';
  if (device !== 'disk' && device !== 'cdrom') return undefined;
  const target = attr(child(disk, 'target'), 'dev');
  if (!target) return undefined;
  const out: DomainDisk = { device, target } as DomainDisk;
  const source = child(disk, 'source');
  const type = attr(disk, 'type') ?? 'file';
  if (type === 'volume' && attr(source, 'pool') && attr(source, 'volume')) {
    out.volume = { pool: attr(source, 'pool') as string, name: attr(source, 'volume') as string };
  } else if (type === 'file' && attr(source, 'file')) {
    out.file = attr(source, 'file');
  } else if (type === 'block' && attr(source, 'dev')) {
    out.block = attr(source, 'dev');
  } else if (type === 'network' && NETWORK_PROTOCOLS.has(attr(source, 'protocol') ?? '')) {
    out.network = readNetworkSource(source!);
  } else if (source && device === 'disk') {
    return undefined; // nvme, vhostuser and the like: not expressible with friendly fields
  }
  // Inside <source> (libvirt ≥ 3.9) or, written the old way, directly in <disk>.
  const luks = secretRef(find(source, 'encryption', 'secret') ?? find(disk, 'encryption', 'secret'));
  if (luks !== undefined) out.encryption = { secret: luks };
  set(out, 'bus', attr(child(disk, 'target'), 'bus') as DomainDisk['bus']);
  const driver = child(disk, 'driver');
  const format = attr(driver, 'type');
  if (format !== undefined && isDiskFormat(format)) out.format = format;
  if (child(disk, 'readonly')) out.readonly = true;
  set(out, 'cache', attr(driver, 'cache') as DomainDisk['cache']);
  set(out, 'discard', attr(driver, 'discard') as DomainDisk['discard']);
  set(out, 'serial', text(child(disk, 'serial')));
  return out;
}

const NETWORK_PROTOCOLS = new Set<string>(['rbd', 'iscsi', 'nbd', 'gluster', 'http', 'https']);

function readNetworkSource(source: XmlElement): NonNullable<DomainDisk['network']> {
  const out: NonNullable<DomainDisk['network']> = { protocol: attr(source, 'protocol') as NonNullable<DomainDisk['network']>['protocol'] };
  set(out, 'name', attr(source, 'name'));
  const hosts = children(source, 'host').flatMap((h) => {
    const name = attr(h, 'name');
    if (name === undefined) return [];
    const port = attr(h, 'port');
    return [port !== undefined ? { name, port: Number(port) } : { name }];
  });
  if (hosts.length) out.hosts = hosts;
  const auth = child(source, 'auth');
  const secret = secretRef(child(auth, 'secret'));
  const username = attr(auth, 'username');
  if (username !== undefined && secret !== undefined) out.auth = { username, secret };
  return out;
}

/** A `<secret>` reference as resolveSpec writes one ("usage:…"), or "uuid:…". */
function secretRef(secret: XmlElement | undefined): string | undefined {
  return readSecretRef(attr(secret, 'usage'), attr(secret, 'uuid'));
}

function readInterface(nic: XmlElement): DomainInterface | undefined {
  const type = attr(nic, 'type');
  const source = child(nic, 'source');
  const out: DomainInterface = {};
  if (type === 'network') out.network = attr(source, 'network');
  else if (type === 'bridge') out.bridge = attr(source, 'bridge');
  else return undefined;
  set(out, 'model', attr(child(nic, 'model'), 'type') as DomainInterface['model']);
  set(out, 'mac', attr(child(nic, 'mac'), 'address')?.toLowerCase());
  return out;
}

function readGraphics(g: XmlElement): DomainGraphics | undefined {
  const type = attr(g, 'type');
  if (type !== 'vnc' && type !== 'spice') return undefined;
  const out: DomainGraphics = { type };
  set(
    out,
    'listen',
    attr(g, 'listen') ??
      attr(
        children(g, 'listen').find((l) => attr(l, 'type') === 'address'),
        'address',
      ),
  );
  const port = num(attr(g, 'port'));
  if (attr(g, 'autoport') !== 'yes' && port !== undefined && port !== -1) out.port = port;
  set(out, 'keymap', attr(g, 'keymap'));
  return out;
}

function readChar<T extends DomainCharDevice>(dev: XmlElement): T {
  const out = { type: (attr(dev, 'type') ?? 'pty') as DomainCharDevice['type'] } as T;
  const source = child(dev, 'source');
  set(out, 'path', attr(source, 'path'));
  set(out, 'host', attr(source, 'host'));
  set(out, 'port', num(attr(source, 'service')));
  set(out, 'mode', attr(source, 'mode') as DomainCharDevice['mode']);
  return out;
}

function readConsole(c: XmlElement): DomainConsole {
  const out = readChar<DomainConsole>(c);
  set(out, 'targetType', attr(child(c, 'target'), 'type') as DomainConsole['targetType']);
  return out;
}

function readSerial(s: XmlElement): DomainSerial {
  const out = readChar<DomainSerial>(s);
  set(out, 'targetPort', num(attr(child(s, 'target'), 'port')));
  return out;
}

function readHostdev(h: XmlElement): DomainHostdev | undefined {
  if (attr(h, 'mode') !== 'subsystem') return undefined;
  const source = child(h, 'source');
  const out: DomainHostdev = { managed: yes(attr(h, 'managed')) };
  if (attr(h, 'type') === 'pci') {
    const a = child(source, 'address');
    const bus = num(attr(a, 'bus'));
    const slot = num(attr(a, 'slot'));
    const fn = num(attr(a, 'function'));
    if (bus === undefined || slot === undefined || fn === undefined) return undefined;
    out.pci = { domain: num(attr(a, 'domain')) ?? 0, bus, slot, function: fn };
    return out;
  }
  if (attr(h, 'type') === 'usb') {
    const vendor = num(attr(find(source, 'vendor'), 'id'));
    const product = num(attr(find(source, 'product'), 'id'));
    if (vendor !== undefined && product !== undefined) {
      out.usb = { vendor, product };
      return out;
    }
    const a = child(source, 'address');
    const bus = num(attr(a, 'bus'));
    const device = num(attr(a, 'device'));
    if (bus === undefined || device === undefined) return undefined;
    out.usb = { bus, device };
    return out;
  }
  return undefined;
}
