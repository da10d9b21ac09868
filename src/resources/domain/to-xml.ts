// spec → libvirt domain XML.
//
// Decision: an existing domain is updated by editing a copy of its live persistent XML, not by
// generating a new document. Every element the manifest governs is replaced or inserted (at
// libvirt's position); everything else — defaults libvirt filled in (emulator, controllers,
// video, memballoon, seclabels), elements the manifest does not set, other tools' metadata —
// stays exactly as libvirt stored it, so the second apply of a manifest changes nothing.
// Device lists the manifest sets (disks, interfaces, …) are generated fresh and carry over the
// identities of their live counterparts (see devices.ts). New domains start from an empty
// <domain> and get only what the manifest says plus libvirt's required minimum.
import { kindKey } from '../../manifests/identity.js';
import type { DomainClock, DomainCpu, DomainFeatures, DomainOs, DomainSpec } from './schema.js';
import {
  applyXmlOverlay,
  child,
  children,
  cloneElement,
  el,
  parseXml,
  text,
  textEl,
  toXmlString,
  type XmlElement,
  type XmlNode,
} from '../xml.js';
import {
  consoleElement,
  diskWithCarryOver,
  graphicsWithCarryOver,
  hostdevWithCarryOver,
  interfaceWithCarryOver,
  matchInterfaces,
  serialElement,
  carryAddress,
} from './devices.js';
import { machineMatches } from './diff.js';
import { expressible } from './from-xml.js';
import { readMark, writeMark } from './mark.js';
import { libvirtMemoryToBytes, sizeToKiB } from './memory.js';
import { dropShadowed, prepareOverlay } from './overlay.js';
import {
  CPU_ORDER,
  DEVICE_ORDER,
  DOMAIN_FEATURES,
  DOMAIN_ORDER,
  FEATURE_ORDER,
  OS_ORDER,
  ensureChild,
  replaceChildren,
  restoreOrder,
  setChild,
  setText,
} from './tree.js';

export interface BuildOptions {
  /** The live persistent XML, when the domain exists. */
  liveXml?: string;
  /**
   * Start from an empty document even though the domain exists (replace): only the uuid
   * (unless the manifest sets one), MACs and device addresses are carried over.
   */
  fresh?: boolean;
}

/** `spec` must be resolved (resolveSpec): disk formats and hostdev addresses filled in. */
export function buildDomainXml(name: string, spec: DomainSpec, opts: BuildOptions = {}): XmlElement {
  const live = opts.liveXml ? parseXml(opts.liveXml) : undefined;
  const base = live && !opts.fresh ? cloneElement(live) : undefined;
  const root = base ?? el('domain');
  root.attrs.type = spec.type ?? live?.attrs.type ?? 'kvm';
  delete root.attrs.id;

  const overlay = prepareOverlay(root, base ? readMark(base)?.merge : undefined, spec.xml?.merge);

  setChild(root, DOMAIN_ORDER, 'name', textEl('name', name));
  const uuid = spec.uuid ?? text(child(live, 'uuid'));
  if (uuid) setChild(root, DOMAIN_ORDER, 'uuid', textEl('uuid', uuid.toLowerCase()));
  if (spec.title !== undefined) setChild(root, DOMAIN_ORDER, 'title', textEl('title', spec.title));
  if (spec.description !== undefined) setChild(root, DOMAIN_ORDER, 'description', textEl('description', spec.description));
  writeMark(ensureChild(root, DOMAIN_ORDER, 'metadata'), { key: kindKey('Domain', name), merge: spec.xml?.merge });

  applyMemory(root, spec);
  if (spec.vcpus !== undefined || spec.maxVcpus !== undefined || !child(root, 'vcpu')) {
    const vcpu = ensureChild(root, DOMAIN_ORDER, 'vcpu');
    const count = spec.vcpus ?? 1;
    const max = Math.max(spec.maxVcpus ?? count, count);
    setText(vcpu, String(max));
    // <vcpu current='N'>MAX</vcpu>: N online at boot, up to MAX by hotplug.
    if (max > count) vcpu.attrs.current = String(count);
    else delete vcpu.attrs.current;
  }
  if (spec.os || !child(root, 'os')) applyOs(ensureChild(root, DOMAIN_ORDER, 'os'), spec.os ?? {});
  if (spec.features) applyFeatures(root, spec.features);
  if (spec.cpu) applyCpu(ensureChild(root, DOMAIN_ORDER, 'cpu'), spec.cpu);
  if (spec.clock) applyClock(ensureChild(root, DOMAIN_ORDER, 'clock'), spec.clock);
  if (spec.onPoweroff) setChild(root, DOMAIN_ORDER, 'on_poweroff', textEl('on_poweroff', spec.onPoweroff));
  if (spec.onReboot) setChild(root, DOMAIN_ORDER, 'on_reboot', textEl('on_reboot', spec.onReboot));
  if (spec.onCrash) setChild(root, DOMAIN_ORDER, 'on_crash', textEl('on_crash', spec.onCrash));

  // Carry-over reads the devices of the document being edited (the live copy, whose nodes the
  // overlay's keep-set refers to) or, for a fresh document, those of the live one.
  const devices = ensureChild(root, DOMAIN_ORDER, 'devices');
  const liveDevices = base ? { ...devices, children: devices.children.filter((c) => !overlay.keep.has(c)) } : child(live, 'devices');
  applyDevices(devices, spec, liveDevices, overlay.keep);
  dropShadowed(devices, overlay.keep);
  const merged = applyXmlOverlay(root, overlay.merge);
  // A merged <metadata> (other tools' metadata, as export carries it) replaced the one holding
  // the ownership mark: the mark goes back in.
  writeMark(ensureChild(merged, DOMAIN_ORDER, 'metadata'), { key: kindKey('Domain', name), merge: spec.xml?.merge });
  restoreOrder(merged, DOMAIN_ORDER);
  const mergedDevices = child(merged, 'devices');
  if (mergedDevices) restoreOrder(mergedDevices, DEVICE_ORDER);
  return merged;
}

export function domainXmlString(name: string, spec: DomainSpec, opts: BuildOptions = {}): string {
  return toXmlString(buildDomainXml(name, spec, opts));
}

function applyMemory(root: XmlElement, spec: DomainSpec): void {
  const kib = sizeToKiB(spec.memory);
  const old = child(root, 'memory');
  const oldBytes = old ? libvirtMemoryToBytes(text(old) ?? '', old.attrs.unit) : undefined;
  setChild(root, DOMAIN_ORDER, 'memory', el('memory', { unit: 'KiB' }, String(kib)));
  if (spec.currentMemory !== undefined) {
    setChild(root, DOMAIN_ORDER, 'currentMemory', el('currentMemory', { unit: 'KiB' }, String(sizeToKiB(spec.currentMemory))));
  } else if (oldBytes !== kib * 1024) {
    // A balloon size left from the old maximum would silently cap the new one; without a
    // currentMemory in the manifest libvirt sets it to the new maximum.
    setChild(root, DOMAIN_ORDER, 'currentMemory', undefined);
  }
}

function applyOs(os: XmlElement, spec: DomainOs): void {
  if (spec.firmware) os.attrs.firmware = spec.firmware;
  const type = ensureChild(os, OS_ORDER, 'type');
  if (spec.type || !text(type)) setText(type, spec.type ?? 'hvm');
  if (spec.arch) type.attrs.arch = spec.arch;
  // Keep libvirt's expansion of an alias (q35 → pc-q35-7.2): writing the alias back would move
  // the guest to the newest machine version at the next start.
  if (spec.machine && !machineMatches(spec.machine, type.attrs.machine)) type.attrs.machine = spec.machine;
  if (spec.kernel !== undefined) setChild(os, OS_ORDER, 'kernel', textEl('kernel', spec.kernel));
  if (spec.initrd !== undefined) setChild(os, OS_ORDER, 'initrd', textEl('initrd', spec.initrd));
  if (spec.cmdline !== undefined) setChild(os, OS_ORDER, 'cmdline', textEl('cmdline', spec.cmdline));
  if (spec.boot)
    replaceChildren(
      os,
      OS_ORDER,
      'boot',
      spec.boot.map((dev) => el('boot', { dev })),
    );
}

function applyFeatures(root: XmlElement, spec: DomainFeatures): void {
  const features = ensureChild(root, DOMAIN_ORDER, 'features');
  for (const name of DOMAIN_FEATURES) {
    const want = spec[name];
    if (want === undefined) continue;
    if (!want) {
      setChild(features, FEATURE_ORDER, name, undefined);
      continue;
    }
    const existing = child(features, name);
    if (!existing) ensureChild(features, FEATURE_ORDER, name);
    else if (existing.attrs.state === 'off') existing.attrs.state = 'on';
  }
  if (children(features).length === 0) setChild(root, DOMAIN_ORDER, 'features', undefined);
}

function applyCpu(cpu: XmlElement, spec: DomainCpu): void {
  if (spec.mode) cpu.attrs.mode = spec.mode;
  if (spec.model !== undefined) {
    const model = ensureChild(cpu, CPU_ORDER, 'model');
    setText(model, spec.model);
  }
  if (spec.topology) {
    const { sockets, cores, threads } = spec.topology;
    // libvirt 9 also prints dies='1'; keep whatever else the live element carries.
    const topo = ensureChild(cpu, CPU_ORDER, 'topology');
    Object.assign(topo.attrs, { sockets: String(sockets), cores: String(cores), threads: String(threads) });
  }
}

function applyClock(clock: XmlElement, spec: DomainClock): void {
  if (spec.offset) clock.attrs.offset = spec.offset;
  if (spec.timezone !== undefined) clock.attrs.timezone = spec.timezone;
  if (spec.timers) {
    replaceChildren(
      clock,
      ['timer'],
      'timer',
      spec.timers.map((t) => el('timer', { name: t.name, tickpolicy: t.tickpolicy, present: t.present })),
    );
  }
}

function applyDevices(devices: XmlElement, spec: DomainSpec, liveDevices: XmlElement | undefined, keep: ReadonlySet<XmlNode>): void {
  // Devices the friendly fields cannot express (floppies, network disks, user-mode NICs, …) are
  // invisible to diff, so they are never removed either.
  const untouchable = new Set<XmlNode>([...keep, ...children(devices).filter((d) => !expressible(d))]);
  const liveOf = (name: string): XmlElement[] => children(liveDevices, name).filter((d) => expressible(d));
  const put = (name: string, nodes: XmlElement[]): void => replaceChildren(devices, DEVICE_ORDER, name, nodes, untouchable);

  if (spec.disks) {
    const live = liveOf('disk');
    put(
      'disk',
      spec.disks.map((d) => diskWithCarryOver(d, live)),
    );
  }
  if (spec.interfaces) {
    const live = liveOf('interface');
    const matches = matchInterfaces(spec.interfaces, live);
    put(
      'interface',
      spec.interfaces.map((n, i) => interfaceWithCarryOver(n, matches[i])),
    );
  }
  if (spec.serials) {
    const live = liveOf('serial');
    put(
      'serial',
      spec.serials.map((s, i) => carryAddress(serialElement(s), live[i])),
    );
  }
  if (spec.consoles) {
    const live = liveOf('console');
    put(
      'console',
      spec.consoles.map((c, i) => carryAddress(consoleElement(c), live[i])),
    );
  }
  if (spec.graphics) {
    const live = liveOf('graphics');
    put(
      'graphics',
      spec.graphics.map((g, i) => graphicsWithCarryOver(g, live[i])),
    );
  }
  if (spec.hostdevs) {
    const live = liveOf('hostdev');
    const claimed = new Set<XmlElement>();
    put(
      'hostdev',
      spec.hostdevs.map((h) => hostdevWithCarryOver(h, live, claimed)),
    );
  }
}
