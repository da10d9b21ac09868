// Rules a JSON Schema cannot express (arithmetic on sizes, subnets, uniqueness inside one
// document, well-formed XML fragments). Runs only on documents that passed their schema, so the
// typed view is trustworthy. Pure.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { inSubnet, parseIp, type ParsedIp } from './ip.js';
import type { FieldPath } from './paths.js';
import type {
  AnyManifest,
  DomainSpec,
  InterfaceSpec,
  NetworkSpec,
  Size,
  StoragePoolSpec,
  StorageVolumeSpec,
} from './types.js';
import { parseSize, SizeError } from './units.js';
import { hasUserinfo } from './redact-url.js';

export interface CheckIssue {
  path: FieldPath;
  message: string;
  anchor?: 'value' | 'key';
}

export function checkManifest(m: AnyManifest): CheckIssue[] {
  const issues: CheckIssue[] = [...checkXmlCharacters(m)];
  const spec = ['spec'] as const;
  switch (m.kind) {
    case 'Domain':
      issues.push(...checkDomain(m.spec).map(prefix(spec)));
      break;
    case 'Network':
      issues.push(...checkNetwork(m.spec).map(prefix(spec)));
      break;
    case 'StoragePool':
      issues.push(...checkPool(m.spec).map(prefix(spec)));
      break;
    case 'StorageVolume':
      issues.push(...checkVolume(m.metadata.name, m.spec).map(prefix(spec)));
      break;
    case 'Interface':
      issues.push(...checkInterface(m.metadata.name, m.spec).map(prefix(spec)));
      break;
    case 'NodeDevice':
    case 'Secret':
      break;
  }
  // A Secret has no xml overlay: its whole document is its usage and description.
  if (m.kind !== 'Secret' && m.spec.xml?.merge !== undefined) {
    const root = { Domain: 'domain', Network: 'network', StoragePool: 'pool', StorageVolume: 'volume', Interface: 'interface', NodeDevice: 'device' }[m.kind];
    issues.push(...checkXmlFragment(m.spec.xml.merge, root).map((message) => ({ path: ['spec', 'xml', 'merge'], message })));
  }
  return issues;
}

const prefix = (p: readonly string[]) => (i: CheckIssue): CheckIssue => ({ ...i, path: [...p, ...i.path] });

// ------------------------------------------------------------------ strings XML cannot carry

// XML 1.0 has no way to represent these, not even escaped; libvirt would reject the document.
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkXmlCharacters(m: AnyManifest): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: m, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const bad = XML_ILLEGAL.exec(value);
      if (bad) issues.push({ path, message: `contains the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which XML cannot carry` });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const bad = XML_ILLEGAL.exec(k);
        if (bad) issues.push({ path: [...path, k], message: 'key contains a control character, which XML cannot carry', anchor: 'key' });
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return issues;
}

// ------------------------------------------------------------------ xml escape hatch

export function checkXmlFragment(fragment: string, root: string): string[] {
  if (/<!DOCTYPE|<!ENTITY/i.test(fragment)) return ['must not contain DOCTYPE or ENTITY declarations'];
  if (/<\?xml[\s?]/i.test(fragment)) return ['must not contain an XML declaration (<?xml ...?>): write only the elements'];
  const wrapped = `<${root}>${fragment}</${root}>`;
  const result = XMLValidator.validate(wrapped);
  if (result !== true) {
    const { msg, line } = result.err;
    return [`is not well-formed XML: ${msg.replace(/\(opened in line \d+, col \d+\) /, '')}${line > 1 ? ` (line ${line} of the fragment)` : ''}`];
  }
  const parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: true }).parse(wrapped) as Array<Record<string, unknown>>;
  const children = (parsed[0]?.[root] ?? []) as Array<Record<string, unknown>>;
  const problems: string[] = [];
  for (const child of children) {
    for (const key of Object.keys(child)) {
      if (key === '#text' && String(child[key]).trim() !== '') problems.push('must contain only elements, no text outside them');
      if (key === 'name') problems.push('must not set <name>: the name comes from metadata.name');
    }
  }
  return problems;
}

// ------------------------------------------------------------------ sizes

function size(path: FieldPath, value: Size | undefined, issues: CheckIssue[]): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSize(value);
  } catch (e) {
    if (e instanceof SizeError) {
      issues.push({ path, message: e.message });
      return undefined;
    }
    throw e;
  }
}

// ------------------------------------------------------------------ Domain

function checkDomain(spec: DomainSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const memory = size(['memory'], spec.memory, issues);
  const current = size(['currentMemory'], spec.currentMemory, issues);
  if (memory !== undefined && memory < 1024 * 1024) issues.push({ path: ['memory'], message: 'must be at least 1MiB' });
  if (memory !== undefined && current !== undefined && current > memory)
    issues.push({ path: ['currentMemory'], message: 'must not be more than memory' });

  const topo = spec.cpu?.topology;
  if (topo && topo.sockets * topo.cores * topo.threads !== (spec.vcpus ?? 1))
    issues.push({ path: ['cpu', 'topology'], message: `sockets × cores × threads is ${topo.sockets * topo.cores * topo.threads}, but vcpus is ${spec.vcpus ?? 1}` });
  if (spec.cpu?.mode === 'custom' && !spec.cpu.model) issues.push({ path: ['cpu', 'model'], message: 'is required with mode custom' });
  if (spec.cpu?.model && spec.cpu.mode && spec.cpu.mode !== 'custom') issues.push({ path: ['cpu', 'model'], message: 'is only used with mode custom' });

  if (spec.os && (spec.os.initrd || spec.os.cmdline) && !spec.os.kernel)
    issues.push({ path: ['os', spec.os.initrd ? 'initrd' : 'cmdline'], message: 'needs os.kernel (direct kernel boot)' });

  firstDuplicate(spec.disks ?? [], (d) => d.target, (i, first) => issues.push({ path: ['disks', i, 'target'], message: `is already used by disks[${first}]` }));
  (spec.disks ?? []).forEach((d, i) => {
    if (d.device === 'cdrom' && d.bus === 'virtio') issues.push({ path: ['disks', i, 'bus'], message: 'a cdrom cannot be on the virtio bus; use sata, scsi or ide' });
  });
  firstDuplicate(spec.interfaces ?? [], (n) => n.mac?.toLowerCase(), (i, first) => issues.push({ path: ['interfaces', i, 'mac'], message: `is already used by interfaces[${first}]` }));
  firstDuplicate(spec.hostdevs ?? [], hostdevKey, (i, first) => issues.push({ path: ['hostdevs', i], message: `passes through the same device as hostdevs[${first}]` }));
  (spec.graphics ?? []).forEach((g, i) => {
    if (g.port !== undefined && g.port < 5900 && g.type === 'vnc') issues.push({ path: ['graphics', i, 'port'], message: 'must be 5900 or more for vnc' });
  });
  return issues;
}

function hostdevKey(h: NonNullable<DomainSpec['hostdevs']>[number]): string | undefined {
  if (h.nodeDevice) return `nd:${h.nodeDevice}`;
  if (h.pci) return `pci:${h.pci.domain ?? 0}:${h.pci.bus}:${h.pci.slot}:${h.pci.function}`;
  if (h.usb) return `usb:${JSON.stringify(h.usb)}`;
  return undefined;
}

function firstDuplicate<T>(items: readonly T[], key: (t: T) => string | undefined, report: (index: number, first: number) => void): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) report(i, first);
    else seen.set(k, i);
  });
}

// ------------------------------------------------------------------ Network

function checkNetwork(spec: NetworkSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const mode = spec.forward?.mode;
  if (mode === 'bridge' && spec.ips?.length)
    issues.push({ path: ['ips'], message: 'cannot be set with forward mode bridge: addresses belong to the host bridge' });
  if (mode === 'bridge' && spec.dns) issues.push({ path: ['dns'], message: 'cannot be set with forward mode bridge' });
  if (spec.forward?.dev && mode !== 'nat' && mode !== 'route')
    issues.push({ path: ['forward', 'dev'], message: 'is only used with forward mode nat or route' });

  const seenMacs = new Map<string, string>();
  const seenIps = new Map<string, string>();
  (spec.ips ?? []).forEach((ip, i) => {
    const net = parseIp(ip.address);
    if (!net) return;
    const max = net.family === 4 ? 32 : 128;
    if (ip.prefix > max) {
      issues.push({ path: ['ips', i, 'prefix'], message: `must be at most ${max} for an IPv${net.family} address` });
      return;
    }
    const outside = (path: FieldPath, text: string): ParsedIp | undefined => {
      const addr = parseIp(text);
      if (addr && !inSubnet(addr, net, ip.prefix)) {
        issues.push({ path, message: `${text} is outside ${ip.address}/${ip.prefix}` });
        return undefined;
      }
      return addr;
    };
    (ip.dhcp?.ranges ?? []).forEach((r, j) => {
      const start = outside(['ips', i, 'dhcp', 'ranges', j, 'start'], r.start);
      const end = outside(['ips', i, 'dhcp', 'ranges', j, 'end'], r.end);
      if (start && end && start.value > end.value) issues.push({ path: ['ips', i, 'dhcp', 'ranges', j], message: 'start must not be after end' });
    });
    (ip.dhcp?.hosts ?? []).forEach((h, j) => {
      const at = ['ips', i, 'dhcp', 'hosts', j];
      outside([...at, 'ip'], h.ip);
      if (net.family === 4 && !h.mac) issues.push({ path: at, message: 'an IPv4 static host needs a mac' });
      const mac = h.mac?.toLowerCase();
      if (mac) {
        const prev = seenMacs.get(mac);
        if (prev) issues.push({ path: [...at, 'mac'], message: `is already used by ${prev}` });
        else seenMacs.set(mac, `ips[${i}].dhcp.hosts[${j}]`);
      }
      const prevIp = seenIps.get(h.ip);
      if (prevIp) issues.push({ path: [...at, 'ip'], message: `is already used by ${prevIp}` });
      else seenIps.set(h.ip, `ips[${i}].dhcp.hosts[${j}]`);
    });
  });
  return issues;
}

// ------------------------------------------------------------------ StoragePool

function checkPool(spec: StoragePoolSpec): CheckIssue[] {
  const devices = spec.source?.devices;
  if ((spec.type === 'fs' || spec.type === 'disk') && devices && devices.length !== 1)
    return [{ path: ['source', 'devices'], message: `a ${spec.type} pool uses exactly one device` }];
  return [];
}

// ------------------------------------------------------------------ StorageVolume

// The message never repeats the URL: it would print the password it warns about.
const USERINFO_MESSAGE =
  'must not carry a user name or password (user:pass@): they would be sent in clear and shown in plans, errors and logs, and Node\'s fetch refuses them anyway; ' +
  'remove them and give the credentials as a header from a Secret: headers: [{name: Authorization, secret: NAME}] (the Secret\'s value "Basic <base64 of user:pass>" or "Bearer <token>")';

function checkVolume(name: string, spec: StorageVolumeSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const capacity = size(['capacity'], spec.capacity, issues);
  const allocation = size(['allocation'], spec.allocation, issues);
  if (capacity !== undefined && allocation !== undefined && allocation > capacity)
    issues.push({ path: ['allocation'], message: 'must not be more than capacity' });
  if (spec.backingStore && (spec.format ?? 'raw') !== 'qcow2')
    issues.push({ path: spec.format ? ['format'] : ['backingStore'], message: 'a volume with a backing store must have format qcow2' });
  const self = (ref: { pool?: string; name: string } | undefined) => ref && ref.name === name && (ref.pool ?? spec.pool) === spec.pool;
  if (self(spec.backingStore?.volume)) issues.push({ path: ['backingStore', 'volume'], message: 'a volume cannot be its own backing store' });
  if (self(spec.cloneFrom)) issues.push({ path: ['cloneFrom'], message: 'a volume cannot be cloned from itself' });
  if (spec.source?.url !== undefined && hasUserinfo(spec.source.url)) issues.push({ path: ['source', 'url'], message: USERINFO_MESSAGE });
  return issues;
}

// ------------------------------------------------------------------ Interface

function checkInterface(name: string, spec: InterfaceSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  if (spec.members?.includes(name)) issues.push({ path: ['members'], message: 'an interface cannot be its own member' });
  if (spec.vlan?.parent === name) issues.push({ path: ['vlan', 'parent'], message: 'an interface cannot be its own parent' });
  return issues;
}
