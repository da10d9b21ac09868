import type { DomainManifest, DomainSpec, DomainState, StopMode } from './schema.js';
import { ANNOTATION_ALLOW_REPLACE, type LoadedManifest } from '../../manifests/types.js';
import type { FieldChange, LiveResource, PendingRestart, PlanContext, ResourceChange } from '../types.js';
import type { DomainDefineStep, DomainStep, DomainUndefineStep } from './steps.js';
import { changeClassOf, diffDomain } from './diff.js';
import { describePending, diffRunning, pendingRestarts, planLiveChanges, type LivePlan } from './running.js';
import { resolveSpec } from './resolve.js';
import { durationMs } from './duration.js';
import { domainXmlString } from './to-xml.js';
import { parseXml, child } from '../xml.js';
import { mergePasswordChange, passwordChanges, passwordSources, type PasswordSource } from './passwords.js';
import { buildChange, changeIdentity, type ChangeIdentity } from '../common/change.js';
import { dependencyKeys, liveReferenceKeys } from '../contract.js';
import { domainDefinition } from './contract.js';

export { durationMs };

/** How long a graceful shutdown may take before the domain is destroyed. */
export const SHUTDOWN_TIMEOUT_MS = 60_000;

export type { DomainStepOp } from './steps.js';

/** How a domain is stopped: the manifest's stopMode and shutdownTimeout. */
export interface StopOptions {
  mode: StopMode;
  timeoutMs: number;
}

const DEFAULT_STOP: StopOptions = { mode: 'shutdown', timeoutMs: SHUTDOWN_TIMEOUT_MS };

export function stopOptionsOf(spec: Pick<DomainSpec, 'stopMode' | 'shutdownTimeout'>): StopOptions {
  return { mode: spec.stopMode ?? 'shutdown', timeoutMs: durationMs(spec.shutdownTimeout, SHUTDOWN_TIMEOUT_MS) };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** How a stop reads in a plan: "shutdown, then force off after 60s" or "destroy (power off at once)". */
export function describeStop(stop: StopOptions): string {
  return stop.mode === 'destroy' ? 'destroy (power off at once)' : `shutdown, then force off after ${seconds(stop.timeoutMs)}`;
}

/**
 * Operations taking a domain from one lifecycle state to another. A saved domain is resumed by
 * start (libvirt restores the managed save image); it is saved to resume running, whatever
 * state it was saved in, so that the start of a later plan decides (paused: START_PAUSED).
 */
export function lifecycleSteps(name: string, from: DomainState, to: DomainState, stop: StopOptions = DEFAULT_STOP): DomainStep[] {
  if (from === to) return [];
  const save: DomainStep = {
    op: 'managedSave',
    description: `save domain ${name} (managed save: its memory to disk, resumed by the next start)`,
  };
  switch (`${from}->${to}`) {
    case 'stopped->running':
      return [{ op: 'start', description: `start domain ${name}` }];
    case 'stopped->paused':
      return [{ op: 'start', description: `start domain ${name} paused`, payload: { paused: true } }];
    case 'running->paused':
      return [{ op: 'suspend', description: `suspend domain ${name}` }];
    case 'paused->running':
      return [{ op: 'resume', description: `resume domain ${name}` }];
    case 'running->stopped':
      return [stopStep(name, stop)];
    case 'running->saved':
    case 'paused->saved':
      return [save];
    case 'stopped->saved':
      return [{ op: 'start', description: `start domain ${name}` }, save];
    case 'saved->running':
      return [{ op: 'start', description: `resume saved domain ${name} (restore its managed save image)` }];
    case 'saved->paused':
      return [
        { op: 'start', description: `resume saved domain ${name} paused (restore its managed save image)`, payload: { paused: true } },
      ];
    case 'saved->stopped':
      // Destroy mode powers it off: the saved memory goes. Shutdown mode lets the guest stop itself.
      if (stop.mode === 'destroy')
        return [{ op: 'discardSave', description: `discard the managed save image of domain ${name} (power off)` }];
      return [{ op: 'start', description: `resume saved domain ${name} to shut it down` }, stopStep(name, stop)];
    default: // paused->stopped: a paused guest cannot react to an ACPI request
      return [{ op: 'destroy', description: `destroy (power off) domain ${name}` }];
  }
}

/** Graceful first, but bounded: the step waits for shut off and then forces it off, so apply ends in a known state. */
function stopStep(name: string, stop: StopOptions, restart = false): DomainStep {
  if (stop.mode === 'destroy') return { op: 'destroy', description: `${restart ? 'restart: ' : ''}destroy (power off) domain ${name}` };
  return {
    op: 'shutdown',
    description: `${restart ? 'restart: ' : ''}shut down domain ${name} (force off after ${seconds(stop.timeoutMs)})`,
    payload: { timeoutMs: stop.timeoutMs },
  };
}

/** Stop (however the manifest says) and start again in the wanted state: the restart that applies pending config. */
function restartSteps(name: string, from: DomainState, to: DomainState, stop: StopOptions): DomainStep[] {
  const stopping =
    from === 'stopped' ? [] : from === 'paused' ? lifecycleSteps(name, 'paused', 'stopped', stop) : [stopStep(name, stop, true)];
  return [...stopping, ...lifecycleSteps(name, 'stopped', to, stop)];
}

function liveState(live: LiveResource<'Domain'>): DomainState {
  return live.spec.state ?? (live.active ? 'running' : 'stopped');
}

/** Fields that say how virtkeeper acts, not what the domain is. */
const BEHAVIOUR_FIELDS = new Set(['restartPolicy', 'shutdownTimeout', 'stopMode', 'detachTimeout']);

function setFieldChanges(spec: object, side: 'before' | 'after'): FieldChange[] {
  return Object.entries(spec)
    .filter(([k, v]) => v !== undefined && !BEHAVIOUR_FIELDS.has(k))
    .map(([k, v]) => ({ path: `spec.${k}`, [side]: v, class: changeClassOf(k) }) as FieldChange);
}

/** A define; with graphics passwords from Secrets, the step also says where apply reads each one. */
function defineStep(description: string, xml: string, passwords: readonly PasswordSource[]): DomainDefineStep {
  return { op: 'define', description, payload: passwords.length > 0 ? { xml, passwords: passwords.map((p) => ({ ...p })) } : { xml } };
}

function undefineStep(name: string, xml: string | undefined, keepNvram: boolean): DomainUndefineStep {
  // Snapshot/checkpoint metadata and a managed save image would make undefine fail; they belong
  // to the domain being removed. NVRAM is removed on delete and kept on replace.
  const hasNvram = xml ? child(child(parseXml(xml), 'os'), 'nvram') !== undefined : false;
  const payload: DomainUndefineStep['payload'] = { managedSave: true, snapshotsMetadata: true, checkpointsMetadata: true };
  if (keepNvram) payload.keepNvram = hasNvram;
  else payload.nvram = hasNvram;
  return { op: 'undefine', description: `undefine domain ${name}`, payload };
}

export function planDomain(
  desired: LoadedManifest<DomainManifest> | undefined,
  live: LiveResource<'Domain'> | undefined,
  ctx: PlanContext,
): ResourceChange<'Domain'> {
  if (desired === undefined && live === undefined) throw new Error('planDomain needs a manifest or a live domain');
  const manifest = desired?.manifest;
  const identity = changeIdentity('Domain', desired, live, manifest ? dependencyKeys(domainDefinition, manifest, ctx.desired) : []);
  const { name } = identity;
  if (!desired || !manifest) {
    if (!live) return buildChange(identity, { action: 'no-op', reason: `domain ${name} is neither in the manifests nor on the host` });
    return planDelete(identity, live);
  }
  const spec = resolveSpec(manifest.spec, ctx.desired);
  const passwords = passwordSources(spec, ctx.desired);
  if (!live) return planCreate(identity, manifest, spec, passwords);

  const mergePassword = mergePasswordChange(identity.key, ctx);
  const changes = [
    ...diffDomain(spec, live.spec, live.xml),
    ...passwordChanges(identity.key, spec, ctx),
    ...(mergePassword ? [mergePassword] : []),
  ];
  if (changes.some((c) => c.class === 'replace')) return planReplace(identity, manifest, spec, live, changes, passwords);
  const running = live.active && live.running ? diffRunning(spec, live.running) : [];
  if (changes.length === 0 && running.length === 0)
    return buildChange(identity, { action: 'no-op', reason: `domain ${name} matches the manifest` });
  return planUpdate(identity, manifest, spec, live, changes, running, passwords);
}

function planCreate(
  id: ChangeIdentity<'Domain'>,
  manifest: DomainManifest,
  spec: DomainSpec,
  passwords: readonly PasswordSource[],
): ResourceChange<'Domain'> {
  const { name } = id;
  return buildChange(id, {
    action: 'create',
    changes: setFieldChanges(manifest.spec, 'after'),
    reason: `domain ${name} does not exist on the host`,
    steps: defineAndStartSteps(name, spec, domainXmlString(name, spec), passwords),
  });
}

/**
 * A fresh definition brought up, for a create and the second half of a replace: define, enable
 * autostart if wanted, then stopped → the manifest's state.
 */
function defineAndStartSteps(name: string, spec: DomainSpec, xml: string, passwords: readonly PasswordSource[]): DomainStep[] {
  const steps: DomainStep[] = [defineStep(`define domain ${name}`, xml, passwords)];
  if (spec.autostart) steps.push({ op: 'setAutostart', description: `enable autostart of domain ${name}`, payload: { autostart: true } });
  steps.push(...lifecycleSteps(name, 'stopped', spec.state ?? 'running', stopOptionsOf(spec)));
  return steps;
}

function planDelete(id: ChangeIdentity<'Domain'>, live: LiveResource<'Domain'>): ResourceChange<'Domain'> {
  const { name } = id;
  const steps: DomainStep[] = [];
  if (live.active) steps.push({ op: 'destroy', description: `destroy (power off) domain ${name}` });
  if (live.persistent) steps.push(undefineStep(name, live.xml, false));
  // Everything it uses on the host now, its passed-through devices included: they are deleted
  // (given back, for a NodeDevice) only after it.
  return buildChange(
    { ...id, dependsOn: liveReferenceKeys(domainDefinition, live) },
    {
      action: 'delete',
      changes: setFieldChanges(live.spec, 'before'),
      reason: `domain ${name} is managed by virtkeeper but no longer in the manifests`,
      steps,
    },
  );
}

function planReplace(
  id: ChangeIdentity<'Domain'>,
  manifest: DomainManifest,
  spec: DomainSpec,
  live: LiveResource<'Domain'>,
  changes: FieldChange[],
  passwords: readonly PasswordSource[],
): ResourceChange<'Domain'> {
  const { name } = id;
  const fields = changes.filter((c) => c.class === 'replace').map((c) => c.path);
  const steps: DomainStep[] = [];
  if (live.active) steps.push({ op: 'destroy', description: `destroy (power off) domain ${name}` });
  steps.push(undefineStep(name, live.xml, true));
  // Only identities (uuid unless changed, MACs, device addresses) survive a replace.
  steps.push(...defineAndStartSteps(name, spec, domainXmlString(name, spec, { liveXml: live.xml, fresh: true }), passwords));
  const refused =
    manifest.metadata.annotations?.[ANNOTATION_ALLOW_REPLACE] === 'true'
      ? undefined
      : `replacing domain ${name} (${fields.join(', ')}) powers it off and drops its snapshots; annotate it ${ANNOTATION_ALLOW_REPLACE}: "true" to allow`;
  return buildChange(id, {
    action: 'replace',
    changes,
    reason: `${fields.join(' and ')} cannot change in place, so domain ${name} must be undefined and defined again`,
    steps,
    ...(refused !== undefined ? { refused } : {}),
  });
}

function planUpdate(
  id: ChangeIdentity<'Domain'>,
  manifest: DomainManifest,
  spec: DomainSpec,
  live: LiveResource<'Domain'>,
  persistentChanges: FieldChange[],
  runningDifferences: FieldChange[],
  passwords: readonly PasswordSource[],
): ResourceChange<'Domain'> {
  const { name } = id;
  const stop = stopOptionsOf(spec);
  const from = liveState(live);
  const to = spec.state ?? 'running';
  const keepsRunning = live.active && to !== 'stopped';

  // What the running guest can take as it is (balloon, vCPU and device hotplug) is live, not
  // redefine. Live steps write the config too unless a redefine does; whether one is needed
  // is known only once the live plan says what it cannot do, hence a second pass without config.
  const livePlanFor = (config: boolean): LivePlan | undefined =>
    keepsRunning && live.running ? planLiveChanges(name, spec, live.running, live.spec, runningDifferences, config) : undefined;
  const redefinesConfig = persistentChanges.some((c) => c.class === 'redefine' && !(keepsRunning && isLiveCapable(c.path)));
  let livePlan = livePlanFor(!redefinesConfig) ?? NOTHING_LIVE;
  let changes = classify(persistentChanges, runningDifferences, livePlan);
  let redefine = changes.some((c) => c.class === 'redefine' && !livePlan.covers(c.path));
  if (redefine && !redefinesConfig && keepsRunning && live.running) {
    // The first pass knows why a device list could not be plugged; the second only that the
    // redefine takes it.
    const first = livePlan;
    const second = livePlanFor(false) ?? NOTHING_LIVE;
    livePlan = { ...second, whyNotLive: (path) => first.whyNotLive(path) ?? second.whyNotLive(path) };
    changes = classify(persistentChanges, runningDifferences, livePlan);
    redefine = changes.some((c) => c.class === 'redefine' && !livePlan.covers(c.path));
  }
  const changedPaths = new Set(persistentChanges.map((c) => c.path));

  const steps: DomainStep[] = [];
  if (redefine) {
    steps.push(defineStep(`redefine domain ${name}`, domainXmlString(name, spec, { liveXml: live.xml }), passwords));
  }
  for (const field of ['title', 'description'] as const) {
    if (!changes.some((c) => c.path === `spec.${field}`)) continue;
    // A define already wrote the config; the running instance still shows the old text.
    const config = !steps.some((s) => s.op === 'define');
    if (config || live.active) {
      steps.push({
        op: 'setMetadata',
        description: `set ${field} of domain ${name}`,
        payload: { type: field, value: spec[field] ?? null, config, live: live.active },
      });
    }
  }
  if (changes.some((c) => c.path === 'spec.autostart')) {
    steps.push({
      op: 'setAutostart',
      description: `${spec.autostart ? 'enable' : 'disable'} autostart of domain ${name}`,
      payload: { autostart: spec.autostart === true },
    });
  }

  // Running differences left after this plan: those it redefines now (restart required) and
  // those already defined but not yet running (restart pending).
  const needsRestart = keepsRunning && (redefine || runningDifferences.some((d) => !livePlan.covers(d.path)));
  const pending: PendingRestart[] = keepsRunning
    ? pendingRestarts(
        runningDifferences.filter((d) => !changedPaths.has(d.path)),
        livePlan.covers,
      )
    : [];
  let restartRequired = false;
  let restartNote: string | undefined;
  if (needsRestart && manifest.spec.restartPolicy === 'auto') {
    steps.push(...restartSteps(name, from, to, stop));
    restartNote = `will restart: ${describeStop(stop)}`;
  } else {
    steps.push(...livePlan.steps, ...lifecycleSteps(name, from, to, stop));
    // A saved guest resumes with the config it was saved with: a new one applies after a restart.
    restartRequired = (keepsRunning || from === 'saved') && redefine;
  }
  const restartPending = restartNote ? [] : pending;
  const action = steps.length > 0 ? 'update' : 'no-op';
  const reason = updateReason(name, changes, from, to, restartRequired, restartPending, restartNote);
  const change = buildChange(id, { action, changes: action === 'no-op' ? [] : changes, restartRequired, reason, steps });
  if (restartPending.length > 0) change.restartPending = restartPending;
  return change;
}

/** Fields a running guest may take without a restart (see running.ts): memory, vCPUs and device lists. */
function isLiveCapable(path: string): boolean {
  return path === 'spec.currentMemory' || path === 'spec.vcpus' || /^spec\.(disks|interfaces)(\[|$)/.test(path);
}

const NOTHING_LIVE: LivePlan = { steps: [], covers: () => false, whyNotLive: () => undefined };

/**
 * The field list of an update: persistent differences, with the class they really have on this
 * host now (live when a live step applies them), plus running-only differences a live step
 * fixes (the config already had them).
 */
function classify(persistent: FieldChange[], running: FieldChange[], livePlan: LivePlan): FieldChange[] {
  const out = persistent.map((c) => {
    if (livePlan.covers(c.path)) return { ...c, class: 'live' as const };
    const why = livePlan.whyNotLive(c.path);
    return why ? { ...c, reason: why } : c;
  });
  for (const r of running) {
    if (livePlan.covers(r.path) && !persistent.some((c) => c.path === r.path)) out.push({ ...r, class: 'live' });
  }
  return out;
}

const STATE_WORDS: Record<DomainState, string> = { running: 'running', paused: 'paused', stopped: 'shut off', saved: 'saved' };

function updateReason(
  name: string,
  changes: FieldChange[],
  from: DomainState,
  to: DomainState,
  restartRequired: boolean,
  pending: PendingRestart[],
  restartNote: string | undefined,
): string {
  const others = changes.filter((c) => c.path !== 'spec.state').map((c) => c.path);
  const stateText = from !== to ? `domain ${name} is ${STATE_WORDS[from]}, manifest wants ${to}` : undefined;
  const fieldText = others.length ? `${others.join(', ')} differ${others.length === 1 ? 's' : ''} from the manifest` : undefined;
  const pendingText = pending.length ? `restart pending: ${pending.map(describePending).join('; ')}` : undefined;
  const text = [fieldText, stateText, pendingText, restartNote].filter(Boolean).join('; ');
  return restartRequired ? `${text} (takes effect at the next restart)` : text;
}
