// Planning one domain: which libvirt operations bring the host to the manifest. Pure: the XML to
// define is generated here and carried in the step payload, so a printed plan is what apply does.
import { kindKey, volumeKey } from '../../manifests/identity.js';
import {
  ANNOTATION_ALLOW_REPLACE,
  type DomainManifest,
  type DomainSpec,
  type DomainState,
  type IdentityKey,
  type LoadedManifest,
  type NodeDeviceManifest,
} from '../../manifests/types.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, Step } from '../types.js';
import { changeClassOf, diffDomain } from './diff.js';
import { resolveSpec } from './resolve.js';
import { domainXmlString } from './to-xml.js';
import { parseXml, child } from '../xml.js';

/** How long a graceful shutdown may take before the domain is destroyed. */
export const SHUTDOWN_TIMEOUT_MS = 60_000;

export type DomainStepOp =
  | 'define'
  | 'undefine'
  | 'start'
  | 'shutdown'
  | 'destroy'
  | 'suspend'
  | 'resume'
  | 'setAutostart'
  | 'setMetadata';

function step(op: DomainStepOp, description: string, payload?: Record<string, unknown>): Step {
  return payload ? { op, description, payload } : { op, description };
}

/** Keys a domain manifest refers to: volumes, networks, node devices. */
export function domainDependencies(m: DomainManifest): IdentityKey[] {
  const keys = new Set<IdentityKey>();
  for (const d of m.spec.disks ?? []) if (d.volume) keys.add(volumeKey(d.volume.pool, d.volume.name));
  for (const n of m.spec.interfaces ?? []) if (n.network !== undefined) keys.add(kindKey('Network', n.network));
  for (const h of m.spec.hostdevs ?? []) if (h.nodeDevice !== undefined) keys.add(kindKey('NodeDevice', h.nodeDevice));
  return [...keys];
}

/**
 * Also waits for objects referred to only softly: a host bridge that an Interface manifest
 * creates, and an inline hostdev address that a NodeDevice manifest detaches.
 */
function planDependencies(spec: DomainSpec, base: IdentityKey[], ctx: PlanContext): IdentityKey[] {
  const keys = new Set(base);
  for (const n of spec.interfaces ?? []) {
    if (n.bridge !== undefined && ctx.desired.byKey.has(kindKey('Interface', n.bridge))) keys.add(kindKey('Interface', n.bridge));
  }
  const inline = (spec.hostdevs ?? []).filter((h) => h.nodeDevice === undefined);
  if (inline.length) {
    for (const lm of ctx.desired.manifests) {
      if (lm.manifest.kind !== 'NodeDevice') continue;
      const nd = (lm.manifest as NodeDeviceManifest).spec;
      const hit = inline.some((h) => (h.pci && nd.pci && sameJson(h.pci, nd.pci)) || (h.usb && nd.usb && sameJson(h.usb, nd.usb)));
      if (hit) keys.add(lm.key);
    }
  }
  return [...keys];
}

function sameJson(a: object, b: object): boolean {
  const norm = (o: object): string => JSON.stringify(Object.entries({ domain: 0, ...o }).sort(([x], [y]) => (x < y ? -1 : 1)));
  return norm(a) === norm(b);
}

/** Operations taking a domain from one lifecycle state to another. */
export function lifecycleSteps(name: string, from: DomainState, to: DomainState): Step[] {
  if (from === to) return [];
  switch (`${from}->${to}`) {
    case 'stopped->running':
      return [step('start', `start domain ${name}`)];
    case 'stopped->paused':
      return [step('start', `start domain ${name} paused`, { paused: true })];
    case 'running->paused':
      return [step('suspend', `suspend domain ${name}`)];
    case 'paused->running':
      return [step('resume', `resume domain ${name}`)];
    case 'running->stopped':
      return [shutdownStep(name)];
    default: // paused->stopped: a paused guest cannot react to an ACPI request
      return [step('destroy', `destroy (power off) domain ${name}`)];
  }
}

/** Graceful first, but bounded: the step waits for shut off and then powers off, so apply ends in a known state. */
function shutdownStep(name: string): Step {
  return step('shutdown', `shut down domain ${name} (power off after ${SHUTDOWN_TIMEOUT_MS / 1000}s)`, { timeoutMs: SHUTDOWN_TIMEOUT_MS });
}

function stopSteps(name: string, from: DomainState): Step[] {
  return from === 'stopped' ? [] : lifecycleSteps(name, from, 'stopped');
}

function liveState(live: LiveResource<'Domain'>): DomainState {
  return live.spec.state ?? (live.active ? 'running' : 'stopped');
}

function setFieldChanges(spec: object, side: 'before' | 'after'): FieldChange[] {
  return Object.entries(spec)
    .filter(([k, v]) => v !== undefined && k !== 'restartPolicy')
    .map(([k, v]) => ({ path: `spec.${k}`, [side]: v, class: changeClassOf(k) }) as FieldChange);
}

function undefineStep(name: string, xml: string | undefined, keepNvram: boolean): Step {
  // Snapshot/checkpoint metadata and a managed save image would make undefine fail; they belong
  // to the domain being removed. NVRAM is removed on delete and kept on replace.
  const hasNvram = xml ? child(child(parseXml(xml), 'os'), 'nvram') !== undefined : false;
  const payload: Record<string, unknown> = { managedSave: true, snapshotsMetadata: true, checkpointsMetadata: true };
  if (keepNvram) payload.keepNvram = hasNvram;
  else payload.nvram = hasNvram;
  return step('undefine', `undefine domain ${name}`, payload);
}

export function planDomain(
  desired: LoadedManifest<DomainManifest> | undefined,
  live: LiveResource<'Domain'> | undefined,
  ctx: PlanContext,
): ResourceChange<'Domain'> {
  const name = desired?.manifest.metadata.name ?? live?.name;
  if (name === undefined) throw new Error('planDomain needs a manifest or a live domain');
  const base: ResourceChange<'Domain'> = {
    key: kindKey('Domain', name),
    kind: 'Domain',
    name,
    action: 'no-op',
    changes: [],
    restartRequired: false,
    reason: '',
    steps: [],
    dependsOn: [],
  };
  if (!desired) {
    if (!live) return { ...base, reason: `domain ${name} is neither in the manifests nor on the host` };
    return planDelete(base, live);
  }
  const manifest = desired.manifest;
  const spec = resolveSpec(manifest.spec, ctx.desired);
  base.dependsOn = planDependencies(manifest.spec, domainDependencies(manifest), ctx);
  if (!live) return planCreate(base, manifest, spec);

  const changes = diffDomain(spec, live.spec);
  if (changes.length === 0) return { ...base, reason: `domain ${name} matches the manifest` };
  if (changes.some((c) => c.class === 'replace')) return planReplace(base, manifest, spec, live, changes);
  return planUpdate(base, manifest, spec, live, changes);
}

function planCreate(base: ResourceChange<'Domain'>, manifest: DomainManifest, spec: DomainSpec): ResourceChange<'Domain'> {
  const { name } = base;
  return {
    ...base,
    action: 'create',
    changes: setFieldChanges(manifest.spec, 'after'),
    reason: `domain ${name} does not exist on the host`,
    steps: defineAndStartSteps(name, spec, domainXmlString(name, spec)),
  };
}

/**
 * A fresh definition brought up, for a create and the second half of a replace: define, enable
 * autostart if wanted, then stopped → the manifest's state.
 */
function defineAndStartSteps(name: string, spec: DomainSpec, xml: string): Step[] {
  const steps = [step('define', `define domain ${name}`, { xml })];
  if (spec.autostart) steps.push(step('setAutostart', `enable autostart of domain ${name}`, { autostart: true }));
  steps.push(...lifecycleSteps(name, 'stopped', spec.state ?? 'running'));
  return steps;
}

function planDelete(base: ResourceChange<'Domain'>, live: LiveResource<'Domain'>): ResourceChange<'Domain'> {
  const { name } = base;
  const steps: Step[] = [];
  if (live.active) steps.push(step('destroy', `destroy (power off) domain ${name}`));
  if (live.persistent) steps.push(undefineStep(name, live.xml, false));
  const dependsOn = new Set<IdentityKey>();
  for (const d of live.spec.disks ?? []) if (d.volume) dependsOn.add(volumeKey(d.volume.pool, d.volume.name));
  for (const n of live.spec.interfaces ?? []) if (n.network !== undefined) dependsOn.add(kindKey('Network', n.network));
  return {
    ...base,
    action: 'delete',
    changes: setFieldChanges(live.spec, 'before'),
    reason: `domain ${name} is managed by virtkeeper but no longer in the manifests`,
    steps,
    dependsOn: [...dependsOn],
  };
}

function planReplace(
  base: ResourceChange<'Domain'>,
  manifest: DomainManifest,
  spec: DomainSpec,
  live: LiveResource<'Domain'>,
  changes: FieldChange[],
): ResourceChange<'Domain'> {
  const { name } = base;
  const fields = changes.filter((c) => c.class === 'replace').map((c) => c.path);
  const steps: Step[] = [];
  if (live.active) steps.push(step('destroy', `destroy (power off) domain ${name}`));
  steps.push(undefineStep(name, live.xml, true));
  // Only identities (uuid unless changed, MACs, device addresses) survive a replace.
  steps.push(...defineAndStartSteps(name, spec, domainXmlString(name, spec, { liveXml: live.xml, fresh: true })));
  const change: ResourceChange<'Domain'> = {
    ...base,
    action: 'replace',
    changes,
    reason: `${fields.join(' and ')} cannot change in place, so domain ${name} must be undefined and defined again`,
    steps,
  };
  if (manifest.metadata.annotations?.[ANNOTATION_ALLOW_REPLACE] !== 'true') {
    change.refused = `replacing domain ${name} (${fields.join(', ')}) powers it off and drops its snapshots; annotate it ${ANNOTATION_ALLOW_REPLACE}: "true" to allow`;
  }
  return change;
}

function planUpdate(
  base: ResourceChange<'Domain'>,
  manifest: DomainManifest,
  spec: DomainSpec,
  live: LiveResource<'Domain'>,
  changes: FieldChange[],
): ResourceChange<'Domain'> {
  const { name } = base;
  const steps: Step[] = [];
  const redefine = changes.some((c) => c.class === 'redefine');
  if (redefine) steps.push(step('define', `redefine domain ${name}`, { xml: domainXmlString(name, spec, { liveXml: live.xml }) }));

  for (const field of ['title', 'description'] as const) {
    if (!changes.some((c) => c.path === `spec.${field}`)) continue;
    // A define already wrote the config; the running instance still shows the old text.
    const config = !redefine;
    if (config || live.active) {
      steps.push(step('setMetadata', `set ${field} of domain ${name}`, { type: field, value: spec[field] ?? null, config, live: live.active }));
    }
  }
  if (changes.some((c) => c.path === 'spec.autostart')) {
    steps.push(step('setAutostart', `${spec.autostart ? 'enable' : 'disable'} autostart of domain ${name}`, { autostart: spec.autostart === true }));
  }

  const from = liveState(live);
  const to = spec.state ?? 'running';
  let restartRequired = false;
  if (redefine && live.active && to !== 'stopped') {
    if (manifest.spec.restartPolicy === 'auto') {
      steps.push(...stopSteps(name, from), ...lifecycleSteps(name, 'stopped', to));
    } else {
      restartRequired = true;
      steps.push(...lifecycleSteps(name, from, to));
    }
  } else {
    steps.push(...lifecycleSteps(name, from, to));
  }
  return { ...base, action: 'update', changes, restartRequired, reason: updateReason(name, changes, from, to, restartRequired), steps };
}

const STATE_WORDS: Record<DomainState, string> = { running: 'running', paused: 'paused', stopped: 'shut off' };

function updateReason(name: string, changes: FieldChange[], from: DomainState, to: DomainState, restartRequired: boolean): string {
  const others = changes.filter((c) => c.path !== 'spec.state').map((c) => c.path);
  const stateText = from !== to ? `domain ${name} is ${STATE_WORDS[from]}, manifest wants ${to}` : undefined;
  const fieldText = others.length ? `${others.join(', ')} differ${others.length === 1 ? 's' : ''} from the manifest` : undefined;
  const text = [fieldText, stateText].filter(Boolean).join('; ');
  return restartRequired ? `${text} (takes effect at the next restart)` : text;
}
