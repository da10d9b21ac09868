// Editing helpers for a domain document that must keep libvirt's element order. libvirt does not
// care about sibling order when parsing, but it prints in a fixed order; following that order
// keeps generated documents readable next to `virsh dumpxml` and keeps golden files stable.
import { el, isElement, type XmlElement, type XmlNode } from '../xml.js';

/** Top-level children of <domain>, in the order libvirt formats them. */
export const DOMAIN_ORDER = [
  'name',
  'uuid',
  'genid',
  'title',
  'description',
  'metadata',
  'maxMemory',
  'memory',
  'currentMemory',
  'blkiotune',
  'memtune',
  'memoryBacking',
  'vcpu',
  'vcpus',
  'iothreads',
  'iothreadids',
  'defaultiothread',
  'cputune',
  'numatune',
  'resource',
  'sysinfo',
  'bootloader',
  'bootloader_args',
  'os',
  'idmap',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'on_lockfailure',
  'pm',
  'perf',
  'devices',
  'seclabel',
  'keywrap',
  'launchSecurity',
] as const;

/** Children of <devices>, in the order libvirt formats them. */
export const DEVICE_ORDER = [
  'emulator',
  'disk',
  'controller',
  'lease',
  'filesystem',
  'interface',
  'smartcard',
  'serial',
  'parallel',
  'console',
  'channel',
  'input',
  'tpm',
  'graphics',
  'sound',
  'audio',
  'video',
  'hostdev',
  'redirdev',
  'redirfilter',
  'hub',
  'watchdog',
  'memballoon',
  'rng',
  'nvram',
  'panic',
  'shmem',
  'memory',
  'iommu',
  'vsock',
  'crypto',
] as const;

/** Children of <os>. */
export const OS_ORDER = [
  'type',
  'firmware',
  'loader',
  'nvram',
  'kernel',
  'initrd',
  'cmdline',
  'shim',
  'dtb',
  'acpi',
  'boot',
  'bootmenu',
  'smbios',
  'bios',
  'init',
  'initarg',
  'initenv',
  'initdir',
  'inituser',
  'initgroup',
] as const;

/** Children of <features> that virtkeeper manages, plus their usual neighbours. */
export const FEATURE_ORDER = [
  'acpi',
  'apic',
  'pae',
  'hap',
  'viridian',
  'privnet',
  'hyperv',
  'kvm',
  'xen',
  'pvspinlock',
  'pmu',
  'vmport',
  'gic',
  'smm',
  'ioapic',
  'hpt',
  'htm',
  'nested-hv',
  'msrs',
  'ccf-assist',
  'cfpc',
  'sbbc',
  'ibs',
  'tcg',
  'async-teardown',
] as const;

/** The <features> children the friendly `features` field manages. */
export const DOMAIN_FEATURES = ['acpi', 'apic', 'pae', 'hap', 'smm', 'vmport'] as const;

export const CPU_ORDER = ['model', 'vendor', 'topology', 'cache', 'maxphysaddr', 'feature', 'numa'] as const;

/** Children of a <disk>/<interface>/<hostdev>/<graphics>/char device in libvirt's order. */
export const DISK_ORDER = [
  'driver',
  'source',
  'backingStore',
  'target',
  'iotune',
  'boot',
  'readonly',
  'shareable',
  'transient',
  'serial',
  'wwn',
  'vendor',
  'product',
  'encryption',
  'alias',
  'address',
] as const;

function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i === -1 ? Number.POSITIVE_INFINITY : i;
}

/**
 * Inserts `nodes` (all named `name`) before the first known sibling that libvirt prints after
 * `name`; unknown siblings are stepped over so hand-written extras stay where they were.
 */
export function insertOrdered(parent: XmlElement, order: readonly string[], name: string, nodes: XmlElement[]): void {
  if (nodes.length === 0) return;
  const r = rank(order, name);
  const at = parent.children.findIndex((c) => isElement(c) && rank(order, c.name) > r && rank(order, c.name) !== Number.POSITIVE_INFINITY);
  if (at === -1) parent.children.push(...nodes);
  else parent.children.splice(at, 0, ...nodes);
}

/** Removes every child named `name` except those in `keep`; returns what was removed. */
export function removeChildren(parent: XmlElement, name: string, keep: ReadonlySet<XmlNode> = new Set()): XmlElement[] {
  const removed: XmlElement[] = [];
  parent.children = parent.children.filter((c) => {
    if (isElement(c) && c.name === name && !keep.has(c)) {
      removed.push(c);
      return false;
    }
    return true;
  });
  return removed;
}

/**
 * Replaces the children named `name` with `nodes`, at the place of the first one replaced, or at
 * libvirt's position when there was none.
 */
export function replaceChildren(
  parent: XmlElement,
  order: readonly string[],
  name: string,
  nodes: XmlElement[],
  keep?: ReadonlySet<XmlNode>,
): void {
  const first = parent.children.findIndex((c) => isElement(c) && c.name === name && !keep?.has(c));
  removeChildren(parent, name, keep);
  if (first === -1) insertOrdered(parent, order, name, nodes);
  else parent.children.splice(Math.min(first, parent.children.length), 0, ...nodes);
}

/** Sets the single child `name` to `node` (or removes it when node is undefined). */
export function setChild(parent: XmlElement, order: readonly string[], name: string, node: XmlElement | undefined): void {
  replaceChildren(parent, order, name, node ? [node] : []);
}

/** The child `name`, created at libvirt's position when missing. */
export function ensureChild(parent: XmlElement, order: readonly string[], name: string): XmlElement {
  const existing = parent.children.find((c): c is XmlElement => isElement(c) && c.name === name);
  if (existing) return existing;
  const created = el(name);
  insertOrdered(parent, order, name, [created]);
  return created;
}

/**
 * Moves children that sit after a sibling libvirt prints later (e.g. an element appended by the
 * xml.merge overlay) to libvirt's position; elements of unknown names keep their place.
 */
export function restoreOrder(parent: XmlElement, order: readonly string[]): void {
  const misplaced: XmlElement[] = [];
  let highest = -1;
  for (const c of parent.children) {
    if (!isElement(c)) continue;
    const r = rank(order, c.name);
    if (r === Number.POSITIVE_INFINITY) continue;
    if (r < highest) misplaced.push(c);
    else highest = r;
  }
  for (const m of misplaced) {
    parent.children = parent.children.filter((c) => c !== m);
    insertOrdered(parent, order, m.name, [m]);
  }
}

/** Replaces an element's text content, keeping its attributes. */
export function setText(node: XmlElement, value: string): void {
  node.children = [{ type: 'text', value }];
}
