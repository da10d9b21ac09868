// Rules a JSON Schema cannot express (arithmetic on sizes, subnets, uniqueness inside one
// document, well-formed XML fragments). Runs only on documents that passed their schema, so the
// typed view is trustworthy. Pure.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { inSubnet, isGroupMac, parseIp, spansOverlap, type AddressSpan, type ParsedIp } from './ip.js';
import type { FieldPath } from './paths.js';
import { BACKING_CAPABLE_FORMATS } from './types.js';
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
import { lexicalProblem, undeclaredPrefix, undeclaredPrefixMessage } from './xml-wellformed.js';

export interface CheckIssue {
  path: FieldPath;
  message: string;
  anchor?: 'value' | 'key';
  /** A finding libvirt accepts but that deserves a look: printed, never makes the manifest invalid. */
  warning?: true;
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
  const lexical = lexicalProblem(fragment);
  if (lexical) return [`is not well-formed XML: ${lexical}`];
  const wrapped = `<${root}>${fragment}</${root}>`;
  const result = XMLValidator.validate(wrapped);
  if (result !== true) {
    const { msg, line } = result.err;
    return [`is not well-formed XML: ${msg.replace(/\(opened in line \d+, col \d+\) /, '')}${line > 1 ? ` (line ${line} of the fragment)` : ''}`];
  }
  const prefix = undeclaredPrefix(wrapped);
  if (prefix !== undefined) return [`is not well-formed XML: ${undeclaredPrefixMessage(fragment, prefix)}`];
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
  (spec.interfaces ?? []).forEach((n, i) => {
    if (n.mac !== undefined && isGroupMac(n.mac)) issues.push({ path: ['interfaces', i, 'mac'], message: GROUP_MAC_MESSAGE });
  });
  firstDuplicate(spec.hostdevs ?? [], hostdevKey, (i, first) => issues.push({ path: ['hostdevs', i], message: `passes through the same device as hostdevs[${first}]` }));
  (spec.graphics ?? []).forEach((g, i) => {
    if (g.port !== undefined && g.port < 5900 && g.type === 'vnc') issues.push({ path: ['graphics', i, 'port'], message: 'must be 5900 or more for vnc' });
  });
  return issues;
}

// libvirt refuses these for a guest NIC and a DHCP host ("expected unicast mac address").
const GROUP_MAC_MESSAGE = 'is a multicast or broadcast address (the first octet\'s lowest bit is set); a NIC needs a unicast MAC, e.g. 52:54:00:…';

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
  const issues: CheckIssue[] = [...checkForward(spec)];
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
    const spans: Array<AddressSpan | undefined> = (ip.dhcp?.ranges ?? []).map((r, j) => {
      const start = outside(['ips', i, 'dhcp', 'ranges', j, 'start'], r.start);
      const end = outside(['ips', i, 'dhcp', 'ranges', j, 'end'], r.end);
      if (start && end && start.value > end.value) issues.push({ path: ['ips', i, 'dhcp', 'ranges', j], message: 'start must not be after end' });
      return start && end && start.value <= end.value ? { family: start.family, first: start.value, last: end.value } : undefined;
    });
    spans.forEach((span, j) => {
      const k = spans.findIndex((other, at) => at < j && other !== undefined && span !== undefined && spansOverlap(span, other));
      // libvirt 9.0 starts such a network (measured) and dnsmasq serves the union: only a warning.
      if (k >= 0) issues.push({ path: ['ips', i, 'dhcp', 'ranges', j], message: `overlaps ranges[${k}]: the shared addresses are listed twice`, warning: true });
    });
    (ip.dhcp?.hosts ?? []).forEach((h, j) => {
      const at = ['ips', i, 'dhcp', 'hosts', j];
      outside([...at, 'ip'], h.ip);
      if (net.family === 6 && h.mac) issues.push({ path: [...at, 'mac'], message: 'cannot identify a DHCPv6 host (libvirt refuses it): use id, the guest\'s DUID, or name' });
      const mac = h.mac?.toLowerCase();
      if (mac !== undefined && isGroupMac(mac)) issues.push({ path: [...at, 'mac'], message: GROUP_MAC_MESSAGE });
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

/** Modes whose guests sit on host NICs (macvtap) or SR-IOV VFs rather than on a bridge libvirt makes. */
const HOST_NIC_MODES: ReadonlySet<string> = new Set(['private', 'vepa', 'passthrough', 'hostdev']);

/**
 * What libvirt 9.0's network driver refuses for a forward mode (measured on the sandbox's real
 * driver): a bridge name beside host NICs, and addresses, DNS host records, a domain or an MTU on
 * a network whose guests bypass a bridge libvirt makes (DNS forwarders it takes there).
 */
function checkForward(spec: NetworkSpec): CheckIssue[] {
  const f = spec.forward;
  const mode = f?.mode ?? 'isolated';
  const issues: CheckIssue[] = [];
  const nics = f?.dev !== undefined || f?.interfaces !== undefined || f?.pf !== undefined;
  const onHost = HOST_NIC_MODES.has(mode) || mode === 'bridge';
  if (mode === 'bridge' && spec.bridge === undefined && !nics)
    issues.push({ path: ['forward'], message: 'forward mode bridge needs the existing host bridge (bridge) or host NICs (forward.dev, forward.interfaces or forward.pf)' });
  if (mode === 'bridge' && spec.bridge !== undefined && nics)
    issues.push({ path: ['bridge'], message: 'forward mode bridge takes a host bridge or host NICs (forward.dev, interfaces, pf), not both' });
  if (HOST_NIC_MODES.has(mode) && !nics)
    issues.push({ path: ['forward'], message: `forward mode ${mode} needs host NICs: set forward.dev, forward.interfaces or forward.pf` });
  if (HOST_NIC_MODES.has(mode) && spec.bridge !== undefined)
    issues.push({ path: ['bridge'], message: `cannot be set with forward mode ${mode}: guests use host NICs, not a bridge` });
  if (onHost) {
    if (spec.ips?.length) issues.push({ path: ['ips'], message: `cannot be set with forward mode ${mode}: addresses belong to the host's own interfaces` });
    if (spec.dns?.hosts?.length) issues.push({ path: ['dns', 'hosts'], message: `cannot be set with forward mode ${mode}: no libvirt DNS server runs there` });
    if (spec.domain !== undefined) issues.push({ path: ['domain'], message: `cannot be set with forward mode ${mode}` });
    if (spec.mtu !== undefined) issues.push({ path: ['mtu'], message: `cannot be set with forward mode ${mode}: libvirt only sets the MTU of a bridge it makes (nat, route, open, isolated)` });
  }
  if (f?.dev !== undefined && mode !== 'nat' && mode !== 'route' && !onHost)
    issues.push({ path: ['forward', 'dev'], message: 'is only used with forward mode nat, route, bridge, private, vepa, passthrough or hostdev' });
  if (f?.interfaces !== undefined && !onHost)
    issues.push({ path: ['forward', 'interfaces'], message: 'is only used with forward mode bridge, private, vepa, passthrough or hostdev' });
  if (f?.pf !== undefined && !onHost) issues.push({ path: ['forward', 'pf'], message: 'is only used with forward mode bridge, private, vepa, passthrough or hostdev' });
  // libvirt writes dev as the first interface and refuses a dev that is not.
  if (f?.dev !== undefined && f.interfaces !== undefined && f.interfaces[0] !== f.dev)
    issues.push({ path: ['forward', 'dev'], message: `must be the first of forward.interfaces (${f.interfaces[0]}) when both are set` });
  // libvirt takes managed with any mode but writes it back only for hostdev: elsewhere it would be drift forever.
  if (f?.managed !== undefined && mode !== 'hostdev') issues.push({ path: ['forward', 'managed'], message: 'is only used with forward mode hostdev' });
  return issues;
}

// ------------------------------------------------------------------ StoragePool

/** netfs formats whose source is a share or volume name, which libvirt takes relative (storagepool.rng). */
const NAMED_SHARE_FORMATS: ReadonlySet<string> = new Set(['cifs', 'glusterfs']);

function checkPool(spec: StoragePoolSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const devices = spec.source?.devices;
  if ((spec.type === 'fs' || spec.type === 'disk') && devices && devices.length !== 1)
    issues.push({ path: ['source', 'devices'], message: `a ${spec.type} pool uses exactly one device` });
  const dir = spec.source?.dir;
  const shareName = spec.type === 'netfs' && NAMED_SHARE_FORMATS.has(spec.source?.format ?? '');
  if (dir !== undefined && !dir.startsWith('/') && !shareName)
    issues.push({ path: ['source', 'dir'], message: 'must be an absolute path (starting with /); only a netfs pool of format cifs or glusterfs names its share relatively' });
  return issues;
}

// ------------------------------------------------------------------ StorageVolume

// The message never repeats the URL: it would print the password it warns about.
const USERINFO_MESSAGE =
  'must not carry a user name or password (user:pass@): they would be sent in clear and shown in plans, errors and logs, and Node\'s fetch refuses them anyway; ' +
  'remove them and give the credentials as a header from a Secret: headers: [{name: Authorization, secret: NAME}] (the Secret\'s value "Basic <base64 of user:pass>" or "Bearer <token>")';

/**
 * Storage allocates in blocks and extents (4KiB filesystem blocks, 1MiB qemu-img alignment, 4MiB
 * LVM extents), so a volume read back or exported can report a little more allocation than
 * capacity; libvirt takes that. More than such a rounding is a mistake.
 */
const ALLOCATION_ROUNDING = 4 * 1024 * 1024;

function roundUp(bytes: number, unit: number): number {
  return Math.ceil(bytes / unit) * unit;
}

function checkVolume(name: string, spec: StorageVolumeSpec): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const capacity = size(['capacity'], spec.capacity, issues);
  const allocation = size(['allocation'], spec.allocation, issues);
  if (capacity !== undefined && allocation !== undefined && allocation > roundUp(capacity, ALLOCATION_ROUNDING))
    issues.push({ path: ['allocation'], message: 'must not be more than capacity (beyond rounding it up to whole 4MiB extents)' });
  if (spec.backingStore && !BACKING_CAPABLE_FORMATS.includes(spec.format ?? 'raw'))
    issues.push({ path: spec.format ? ['format'] : ['backingStore'], message: `a volume with a backing store must have format ${BACKING_CAPABLE_FORMATS.join(', ')}` });
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
  // The kernel keeps the forward delay in hundredths of a second: a finer value would be written
  // as given but read back rounded, a change that never settles.
  const delay = spec.bridge?.delay;
  if (delay !== undefined && Math.abs(delay * 100 - Math.round(delay * 100)) > 1e-9)
    issues.push({ path: ['bridge', 'delay'], message: 'must have at most two decimals (the kernel counts hundredths of a second)' });
  return issues;
}
