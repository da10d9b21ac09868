// Checks across documents: one object declared twice, references to objects no manifest
// declares, and conflicts only visible with all manifests at hand. Pure.
import { identityKey, kindKey, volumeKey } from './identity.js';
import type { FieldPath } from './paths.js';
import { driverFormatOf } from './formats.js';
import { parseIp, spansOverlap, subnetSpan, type AddressSpan } from './ip.js';
import type { AnyManifest, DomainManifest, IdentityKey, ManifestKind, NetworkManifest, PciAddress, SourceLocation } from './types.js';

export interface Candidate {
  manifest: AnyManifest;
  /** Position of a field in this manifest's document. */
  locate(path: FieldPath, anchor?: 'value' | 'key'): SourceLocation;
}

export interface CrossIssue {
  candidate: Pick<Candidate, 'locate'>;
  path: FieldPath;
  message: string;
  anchor?: 'value' | 'key';
}

export interface CrossResult {
  /** First declaration of every identity. */
  unique: Candidate[];
  issues: CrossIssue[];
  /** What may work but deserves a look (a MAC shared by domains that do not run together); never blocks. */
  warnings: CrossIssue[];
}

/** A document whose references are checked: valid or not, so a user sees every problem in one run. */
export interface Referrer {
  kind: ManifestKind;
  value: unknown;
  locate(path: FieldPath, anchor?: 'value' | 'key'): SourceLocation;
}

export function checkAcross(
  candidates: readonly Candidate[],
  referrers: readonly Referrer[],
  declaredInvalid: ReadonlySet<IdentityKey> = new Set(),
): CrossResult {
  const issues: CrossIssue[] = [];
  const byKey = new Map<IdentityKey, Candidate>();
  for (const c of candidates) {
    const key = identityKey(c.manifest);
    const first = byKey.get(key);
    if (first) {
      const at = first.locate(['metadata', 'name']);
      issues.push({ candidate: c, path: ['metadata', 'name'], message: `${describe(key)} is already declared at ${at.file}:${at.line}:${at.column}` });
    } else byKey.set(key, c);
  }
  const unique = [...byKey.values()];
  const has = (key: IdentityKey) => byKey.has(key) || declaredInvalid.has(key);

  for (const r of referrers) {
    for (const ref of findReferences(r.kind, r.value)) {
      if (!has(ref.key)) issues.push({ candidate: r, path: ref.path, message: `refers to ${describe(ref.key)}, which no manifest declares` });
      const usageProblem = ref.secretUsage && secretUsageProblem(byKey.get(ref.key)?.manifest, ref.secretUsage);
      if (usageProblem) issues.push({ candidate: r, path: ref.path, message: usageProblem });
    }
  }
  const macs = sharedMacs(unique);
  const subnets = overlappingSubnets(unique);
  issues.push(...disksOnUnreadableVolumes(unique, byKey), ...macs.errors, ...duplicateUuids(unique), ...sharedBridges(unique), ...subnets.errors, ...duplicateNodeDevices(unique), ...volumeCycles(unique));
  return { unique, issues, warnings: [...macs.warnings, ...subnets.warnings] };
}

export interface Reference {
  path: FieldPath;
  key: IdentityKey;
  /** A Secret reference where libvirt looks the secret up by a usage of this type; what needs it. */
  secretUsage?: { type: 'volume' | 'ceph' | 'iscsi'; for: string };
}

/** The usage type libvirt looks an auth secret up by: rbd's is ceph, iscsi's is iscsi. */
export function authUsageType(protocolOrAuthType: unknown): 'ceph' | 'iscsi' | undefined {
  if (protocolOrAuthType === 'rbd' || protocolOrAuthType === 'ceph') return 'ceph';
  if (protocolOrAuthType === 'iscsi' || protocolOrAuthType === 'chap') return 'iscsi';
  return undefined;
}

/**
 * References in a document, read defensively: the document may have failed its schema, and a
 * reference that is itself malformed is the schema's error to report, not ours.
 */
export function findReferences(kind: ManifestKind, value: unknown): Reference[] {
  const spec = field(value, 'spec');
  const refs: Reference[] = [];
  if (kind === 'Domain') {
    list(spec, 'disks').forEach((d, i) => {
      const v = field(d, 'volume');
      const pool = text(v, 'pool');
      const name = text(v, 'name');
      if (pool && name) refs.push({ path: ['spec', 'disks', i, 'volume'], key: volumeKey(pool, name) });
      const luks = text(field(d, 'encryption'), 'secret');
      if (luks) refs.push({ path: ['spec', 'disks', i, 'encryption', 'secret'], key: kindKey('Secret', luks), secretUsage: { type: 'volume', for: 'LUKS encryption' } });
      const network = field(d, 'network');
      const login = text(field(network, 'auth'), 'secret');
      const usage = authUsageType(text(network, 'protocol'));
      if (login) refs.push({ path: ['spec', 'disks', i, 'network', 'auth', 'secret'], key: kindKey('Secret', login), ...(usage ? { secretUsage: { type: usage, for: `${text(network, 'protocol')} auth` } } : {}) });
    });
    list(spec, 'interfaces').forEach((n, i) => {
      const network = text(n, 'network');
      if (network) refs.push({ path: ['spec', 'interfaces', i, 'network'], key: kindKey('Network', network) });
    });
    list(spec, 'graphics').forEach((g, i) => {
      const secret = text(field(g, 'passwordFrom'), 'secret');
      if (secret) refs.push({ path: ['spec', 'graphics', i, 'passwordFrom', 'secret'], key: kindKey('Secret', secret) });
    });
    const seedPool = text(field(spec, 'cloudInit'), 'pool');
    if (seedPool) refs.push({ path: ['spec', 'cloudInit', 'pool'], key: kindKey('StoragePool', seedPool) });
    list(field(spec, 'cloudInit'), 'secretRefs').forEach((r, i) => {
      const secret = text(r, 'secret');
      if (secret) refs.push({ path: ['spec', 'cloudInit', 'secretRefs', i, 'secret'], key: kindKey('Secret', secret) });
    });
    list(spec, 'hostdevs').forEach((h, i) => {
      const nd = text(h, 'nodeDevice');
      if (nd) refs.push({ path: ['spec', 'hostdevs', i, 'nodeDevice'], key: kindKey('NodeDevice', nd) });
    });
  } else if (kind === 'StoragePool') {
    const auth = field(field(spec, 'source'), 'auth');
    const login = text(auth, 'secret');
    const usage = authUsageType(text(auth, 'type'));
    if (login) refs.push({ path: ['spec', 'source', 'auth', 'secret'], key: kindKey('Secret', login), ...(usage ? { secretUsage: { type: usage, for: `${text(auth, 'type')} auth` } } : {}) });
  } else if (kind === 'StorageVolume') {
    const pool = text(spec, 'pool');
    if (pool) refs.push({ path: ['spec', 'pool'], key: kindKey('StoragePool', pool) });
    const luks = text(field(spec, 'encryption'), 'secret');
    if (luks) refs.push({ path: ['spec', 'encryption', 'secret'], key: kindKey('Secret', luks), secretUsage: { type: 'volume', for: 'LUKS encryption' } });
    list(field(spec, 'source'), 'headers').forEach((h, i) => {
      const secret = text(h, 'secret');
      if (secret) refs.push({ path: ['spec', 'source', 'headers', i, 'secret'], key: kindKey('Secret', secret) });
    });
    const volumeRef = (ref: unknown, path: FieldPath) => {
      const name = text(ref, 'name');
      const refPool = text(ref, 'pool') ?? pool;
      if (name && refPool) refs.push({ path, key: volumeKey(refPool, name) });
    };
    volumeRef(field(field(spec, 'backingStore'), 'volume'), ['spec', 'backingStore', 'volume']);
    volumeRef(field(spec, 'cloneFrom'), ['spec', 'cloneFrom']);
  }
  return refs;
}

/**
 * libvirt finds the secret by a usage of one type (a LUKS passphrase by its volume usage, rbd's key
 * by its ceph usage): a Secret without that usage would be found by nothing.
 */
function secretUsageProblem(secret: AnyManifest | undefined, expected: NonNullable<Reference['secretUsage']>): string | undefined {
  if (secret?.kind !== 'Secret') return undefined;
  const usage = secret.spec.usage ?? {};
  if (usage[expected.type] !== undefined) return undefined;
  const has = Object.keys(usage).filter((k) => usage[k as keyof typeof usage] !== undefined);
  return `refers to Secret ${JSON.stringify(secret.metadata.name)}, whose usage is ${has.length ? has.join(', ') : 'not set'}; ${expected.for} needs a Secret with usage ${expected.type} (libvirt looks it up by that usage)`;
}

function field(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}
function text(v: unknown, key: string): string | undefined {
  const f = field(v, key);
  return typeof f === 'string' ? f : undefined;
}
function list(v: unknown, key: string): unknown[] {
  const f = field(v, key);
  return Array.isArray(f) ? f : [];
}

function describe(key: IdentityKey): string {
  const slash = key.indexOf('/');
  return `${key.slice(0, slash)} "${key.slice(slash + 1)}"`;
}

/** A disk on a volume no QEMU disk reads (a dir, fat, ploop or cow volume) cannot start. */
function disksOnUnreadableVolumes(candidates: readonly Candidate[], byKey: ReadonlyMap<IdentityKey, Candidate>): CrossIssue[] {
  const issues: CrossIssue[] = [];
  for (const c of candidates) {
    if (c.manifest.kind !== 'Domain') continue;
    (c.manifest.spec.disks ?? []).forEach((d, i) => {
      if (!d.volume || d.format !== undefined) return;
      const vol = byKey.get(volumeKey(d.volume.pool, d.volume.name))?.manifest;
      const format = vol?.kind === 'StorageVolume' ? vol.spec.format : undefined;
      if (format !== undefined && driverFormatOf(format) === undefined)
        issues.push({ candidate: c, path: ['spec', 'disks', i, 'volume'], message: `refers to a volume of format ${format}, which QEMU cannot open as a disk` });
    });
  }
  return issues;
}

/** A domain whose NICs are on a network now: its MACs clash with any other such domain's. */
function runs(d: DomainManifest): boolean {
  const state = d.spec.state ?? 'running';
  return state === 'running' || state === 'paused';
}

/**
 * Two NICs with one MAC break networking for both guests when both run (running or paused): an
 * error. When one of them is stopped or saved it only breaks the day both run: a warning, since
 * a spare copy of a guest kept stopped is a real pattern.
 */
function sharedMacs(candidates: readonly Candidate[]): { errors: CrossIssue[]; warnings: CrossIssue[] } {
  const errors: CrossIssue[] = [];
  const warnings: CrossIssue[] = [];
  const seen = new Map<string, Array<{ name: string; running: boolean }>>();
  for (const c of candidates) {
    if (c.manifest.kind !== 'Domain') continue;
    const domain = c.manifest;
    const running = runs(domain);
    const local = new Set<string>(); // duplicates inside one domain are reported by checks.ts
    (domain.spec.interfaces ?? []).forEach((n, i) => {
      const mac = n.mac?.toLowerCase();
      if (!mac || local.has(mac)) return;
      local.add(mac);
      const before = seen.get(mac) ?? [];
      seen.set(mac, [...before, { name: domain.metadata.name, running }]);
      if (before.length === 0) return;
      const path = ['spec', 'interfaces', i, 'mac'];
      const clash = running ? before.find((b) => b.running) : undefined;
      if (clash) errors.push({ candidate: c, path, message: `is already used by Domain "${clash.name}", and both run` });
      else warnings.push({ candidate: c, path, message: `is also used by Domain "${before[0].name}"; fine while they never run at the same time, their NICs clash if they do` });
    });
  }
  return { errors, warnings };
}

/** UUIDs compare as 32 hex digits: libvirt reads them with or without dashes, in any case. */
const normUuid = (u: string): string => u.replace(/-/g, '').toLowerCase();

/** libvirt refuses a second domain (or secret) with a UUID another one already has. */
function duplicateUuids(candidates: readonly Candidate[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    const m = c.manifest;
    if ((m.kind !== 'Domain' && m.kind !== 'Secret') || m.spec.uuid === undefined) continue;
    // Each driver has its own UUID space: a domain and a secret may share one.
    const key = `${m.kind}:${normUuid(m.spec.uuid)}`;
    const prev = seen.get(key);
    if (prev) issues.push({ candidate: c, path: ['spec', 'uuid'], message: `is already used by ${m.kind} "${prev}"` });
    else seen.set(key, m.metadata.name);
  }
  return issues;
}

/** Modes in which libvirt makes the bridge itself, so two networks cannot both make one name. */
const OWN_BRIDGE_MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'isolated']);

function ownsBridge(n: NetworkManifest): boolean {
  return OWN_BRIDGE_MODES.has(n.spec.forward?.mode ?? 'isolated');
}

/**
 * libvirt's network driver refuses a bridge name another network already makes ("bridge name
 * already in use"). Networks that attach to an existing host bridge (forward mode bridge) may share it.
 */
function sharedBridges(candidates: readonly Candidate[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    if (c.manifest.kind !== 'Network' || !ownsBridge(c.manifest) || c.manifest.spec.bridge === undefined) continue;
    const bridge = c.manifest.spec.bridge;
    const prev = seen.get(bridge);
    if (prev) issues.push({ candidate: c, path: ['spec', 'bridge'], message: `is already the bridge of Network "${prev}"` });
    else seen.set(bridge, c.manifest.metadata.name);
  }
  return issues;
}

interface Subnet {
  network: string;
  index: number;
  text: string;
  span: AddressSpan;
}

function subnetsOf(n: NetworkManifest): Subnet[] {
  return (n.spec.ips ?? []).flatMap((ip, index) => {
    const net = parseIp(ip.address);
    return net ? [{ network: n.metadata.name, index, text: `${ip.address}/${ip.prefix}`, span: subnetSpan(net, ip.prefix) }] : [];
  });
}

const sameSpan = (a: AddressSpan, b: AddressSpan): boolean => a.family === b.family && a.first === b.first && a.last === b.last;

/**
 * Two networks on overlapping subnets route the same addresses to two bridges. libvirt 9.0 refuses
 * to start the second only when both are the same IPv4 subnet (its route check, measured: "Network
 * is already in use by interface …"): an error. A nested IPv4 subnet or any IPv6 overlap it starts,
 * and the host then reaches part of one network through the other's bridge: a warning.
 */
function overlappingSubnets(candidates: readonly Candidate[]): { errors: CrossIssue[]; warnings: CrossIssue[] } {
  const errors: CrossIssue[] = [];
  const warnings: CrossIssue[] = [];
  const earlier: Subnet[] = [];
  for (const c of candidates) {
    if (c.manifest.kind !== 'Network') continue;
    const mine = subnetsOf(c.manifest);
    for (const s of mine) {
      const other = earlier.find((e) => spansOverlap(e.span, s.span));
      if (!other) continue;
      const path = ['spec', 'ips', s.index];
      const what = `${s.text} overlaps ${other.text} of Network "${other.network}" (ips[${other.index}])`;
      if (s.span.family === 4 && sameSpan(s.span, other.span)) errors.push({ candidate: c, path, message: `${what}: libvirt refuses to start a second network on the same IPv4 subnet` });
      else warnings.push({ candidate: c, path, message: `${what}: the host routes the shared addresses to only one of the two bridges` });
    }
    earlier.push(...mine);
  }
  return { errors, warnings };
}

function pciText(p: PciAddress): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${hex(p.domain ?? 0, 4)}:${hex(p.bus, 2)}:${hex(p.slot, 2)}.${p.function}`;
}

function duplicateNodeDevices(candidates: readonly Candidate[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    if (c.manifest.kind !== 'NodeDevice') continue;
    const s = c.manifest.spec;
    const key = s.pci ? `PCI device ${pciText(s.pci)}` : `USB device ${JSON.stringify(s.usb)}`;
    const prev = seen.get(key);
    if (prev) issues.push({ candidate: c, path: ['spec', s.pci ? 'pci' : 'usb'], message: `${key} is already declared by NodeDevice "${prev}"` });
    else seen.set(key, c.manifest.metadata.name);
  }
  return issues;
}

/** A volume whose backing chain or clone source leads back to itself can never be created. */
function volumeCycles(candidates: readonly Candidate[]): CrossIssue[] {
  const next = new Map<IdentityKey, { key: IdentityKey; candidate: Candidate; path: FieldPath }>();
  for (const c of candidates) {
    if (c.manifest.kind !== 'StorageVolume') continue;
    const s = c.manifest.spec;
    const ref = s.backingStore?.volume ?? s.cloneFrom;
    if (!ref) continue;
    const path: FieldPath = s.backingStore?.volume ? ['spec', 'backingStore', 'volume'] : ['spec', 'cloneFrom'];
    next.set(identityKey(c.manifest), { key: volumeKey(ref.pool ?? s.pool, ref.name), candidate: c, path });
  }
  const issues: CrossIssue[] = [];
  const reported = new Set<IdentityKey>();
  for (const startKey of next.keys()) {
    const chain: IdentityKey[] = [];
    let k: IdentityKey | undefined = startKey;
    while (k !== undefined && next.has(k) && !chain.includes(k)) {
      chain.push(k);
      k = next.get(k)!.key;
    }
    // A self-reference is checks.ts's business; report longer loops once, on their first member.
    if (k === startKey && chain.length > 1 && !chain.some((c) => reported.has(c))) {
      chain.forEach((c) => reported.add(c));
      const edge = next.get(startKey)!;
      const names = [...chain, startKey].map((c) => c.replace(/^StorageVolume\//, ''));
      issues.push({ candidate: edge.candidate, path: edge.path, message: `volumes refer to each other in a loop: ${names.join(' → ')}` });
    }
  }
  return issues;
}
