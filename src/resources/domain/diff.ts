// Desired vs live DomainSpec. Only fields the (resolved) manifest sets are compared; values are
// normalised first so that equal things written differently ("2GiB" vs 2097152 KiB, "0x06" vs
// 6, MAC case, q35 vs pc-q35-7.2) are not drift.
import type { DomainDisk, DomainInterface, DomainSpec } from './schema.js';
import { matchNics } from './nic-match.js';
import type { ChangeClass, FieldChange } from '../types.js';
import { sizeToKiB } from './memory.js';
import { markableMerge, mergeCovers, overlayPresent } from './overlay.js';
import { parseXml } from '../xml.js';

/** Whether the live document carries the merge (without its passwords, which libvirt hides from reads). */
function mergeInPlace(merge: string | undefined, liveXml: string | undefined): boolean {
  const comparable = markableMerge(merge);
  if (comparable === undefined || liveXml === undefined) return false;
  return overlayPresent(parseXml(liveXml, { fromLibvirt: true }), comparable);
}

/** Which class a top-level field's change has. */
export function changeClassOf(field: string): ChangeClass {
  switch (field) {
    case 'type':
    case 'uuid':
      return 'replace';
    case 'state':
    case 'autostart':
    case 'title':
    case 'description':
      return 'live';
    default:
      return 'redefine';
  }
}

/** Fields that say how virtkeeper acts, not what libvirt stores. */
const NOT_COMPARED = new Set(['restartPolicy', 'shutdownTimeout', 'stopMode', 'detachTimeout']);

/** Compared as one value (through NORMALISE): a change anywhere inside is reported at this path. */
const ATOMIC = new Set(['disks[].volume', 'hostdevs[].pci', 'hostdevs[].usb', 'cpu.topology', 'os.boot', 'graphics[].passwordFrom']);

function toNumber(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*0x[0-9a-f]+\s*$/i.test(v)) return parseInt(v, 16);
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return v;
}

function numbers(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toNumber(x)]));
}

function size(v: unknown): unknown {
  try {
    return sizeToKiB(v as string | number);
  } catch {
    return v;
  }
}

const NORMALISE: Record<string, (v: unknown) => unknown> = {
  uuid: (v) => (typeof v === 'string' ? v.toLowerCase().replace(/-/g, '') : v),
  title: (v) => (typeof v === 'string' ? v.trim() : v),
  description: (v) => (typeof v === 'string' ? v.trim() : v),
  memory: size,
  currentMemory: size,
  'interfaces[].mac': (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  'hostdevs[].pci': (v) => {
    const n = numbers(v) as Record<string, unknown> | undefined;
    return n ? { ...n, domain: n.domain ?? 0 } : n;
  },
  'hostdevs[].usb': numbers,
  'disks[].readonly': (v) => v === true,
  // No driver type: libvirt does not probe formats, the image is used as raw.
  'disks[].format': (v) => v ?? 'raw',
  // Without secure attributes: the mark (the live side) never keeps a password (markableMerge).
  'xml.merge': (v) => markableMerge(v as string | undefined),
  'os.type': (v) => v ?? 'hvm',
  // libvirt hides passwords from plans (read-only): a password is compared by its digest (passwords.ts).
  'graphics[].passwordFrom': () => undefined,
};
for (const f of ['acpi', 'apic', 'pae', 'hap', 'smm', 'vmport']) NORMALISE[`features.${f}`] = (v) => v === true;

/** libvirt expands machine aliases: q35 → pc-q35-7.2, pc → pc-i440fx-7.2, virt → virt-7.2. */
export function machineMatches(desired: string, live: string | undefined): boolean {
  if (live === undefined) return false;
  if (live === desired) return true;
  // "pc-q35-" and "pc-i440fx-" are unambiguous, whatever follows (distributions add "jammy",
  // "rhel9.2.0"); a bare "<alias>-" must be followed by a version, or "pc" would match "pc-q35-7.2".
  const after = (prefix: string, rest: RegExp): boolean => live.startsWith(prefix) && rest.test(live.slice(prefix.length));
  const anything = /^[\w.+-]+$/;
  return after(`${desired}-`, /^\d/) || after(`pc-${desired}-`, anything) || (desired === 'pc' && after('pc-i440fx-', anything));
}

const SAME: Record<string, (desired: unknown, live: unknown) => boolean> = {
  'os.machine': (d, l) => machineMatches(String(d), l === undefined ? undefined : String(l)),
};

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

function same(schema: string, d: unknown, l: unknown): boolean {
  const custom = SAME[schema];
  if (custom) return custom(d, l);
  const norm = NORMALISE[schema] ?? ((x: unknown) => x);
  return canonical(norm(d)) === canonical(norm(l));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(path: string, schema: string, d: unknown, l: unknown, cls: ChangeClass, out: FieldChange[]): void {
  if (d === undefined) return;
  // libvirt has no empty list: an absent device list is the same as [].
  if (Array.isArray(d) && l === undefined) l = [];
  const change = (p: string, before: unknown, after: unknown): void => {
    const c: FieldChange = { path: p, class: cls };
    if (before !== undefined) c.before = before;
    if (after !== undefined) c.after = after;
    out.push(c);
  };
  if (ATOMIC.has(schema) || !(isPlainObject(d) || (Array.isArray(d) && d.some(isPlainObject)))) {
    if (!same(schema, d, l)) change(path, l, d);
    return;
  }
  if (Array.isArray(d)) {
    const la = Array.isArray(l) ? l : [];
    d.forEach((item, i) => {
      if (la[i] === undefined) change(`${path}[${i}]`, undefined, item);
      else walk(`${path}[${i}]`, `${schema}[]`, item, la[i], cls, out);
    });
    for (let i = d.length; i < la.length; i++) change(`${path}[${i}]`, la[i], undefined);
    return;
  }
  const lo = isPlainObject(l) ? l : {};
  for (const [key, value] of Object.entries(d)) walk(`${path}.${key}`, `${schema}.${key}`, value, lo[key], cls, out);
}

/**
 * Live disks in the manifest's order, matched by target (a disk's identity in the guest). libvirt
 * orders disks itself, by bus and name, whatever order the XML lists them in: that order is not
 * drift. Live disks the manifest does not list come last, reported as removed.
 */
function alignDisks(desired: readonly DomainDisk[], live: readonly DomainDisk[]): Array<DomainDisk | undefined> {
  const byTarget = new Map(live.map((d) => [d.target, d]));
  const wanted = new Set(desired.map((d) => d.target));
  return [...desired.map((d) => byTarget.get(d.target)), ...live.filter((d) => !wanted.has(d.target))];
}

/** Live NICs in the manifest's order, each the NIC it is (nic-match.ts); unmatched ones last. */
function alignNics(desired: readonly DomainInterface[], live: readonly DomainInterface[]): Array<DomainInterface | undefined> {
  const matches = matchNics(desired, live);
  // A NIC matching none (its network or MAC changed) is compared with an unclaimed one at its
  // index, so it reads as the change it is ("network: lan → dmz"); hotplug still matches by
  // identity (hotplug.ts).
  desired.forEach((_, i) => {
    if (matches[i] === undefined && live[i] !== undefined && !matches.includes(i)) matches[i] = i;
  });
  const matched = new Set(matches);
  return [...matches.map((j) => (j === undefined ? undefined : live[j])), ...live.filter((_, j) => !matched.has(j))];
}

/**
 * Field changes from `live` to `desired`. `desired` must be resolved (resolveSpec) so that
 * defaults virtkeeper writes (state running, hostdev managed, disk format) are compared too.
 * `liveXml`, the live persistent document, lets an xml.merge other than the one the ownership
 * mark recorded (or with no mark at all: an export being adopted) count as in place when the
 * document carries it and it drops nothing the recorded one added (which apply would remove).
 */
export function diffDomain(desired: DomainSpec, live: DomainSpec, liveXml?: string): FieldChange[] {
  const out: FieldChange[] = [];
  // libvirt writes no current= when all vCPUs are online: the maximum is then the count.
  const effectiveLive = desired.maxVcpus !== undefined && live.maxVcpus === undefined ? { ...live, maxVcpus: live.vcpus ?? 1 } : live;
  const liveRecord: Record<string, unknown> = { ...effectiveLive };
  if (desired.disks && live.disks) liveRecord.disks = alignDisks(desired.disks, live.disks);
  if (desired.interfaces && live.interfaces) liveRecord.interfaces = alignNics(desired.interfaces, live.interfaces);
  if (mergeInPlace(desired.xml?.merge, liveXml) && mergeCovers(markableMerge(desired.xml?.merge), live.xml?.merge))
    liveRecord.xml = desired.xml;
  for (const [field, value] of Object.entries(desired)) {
    if (NOT_COMPARED.has(field)) continue;
    walk(`spec.${field}`, field, value, liveRecord[field], changeClassOf(field), out);
  }
  return out;
}
