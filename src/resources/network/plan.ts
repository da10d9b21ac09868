// Pure planning of one network on the persistent-object template (common/persistent-object.ts).
// Networks have no state field: a managed network is kept active.
import type { NetworkManifest } from './schema.js';
import type { LoadedManifest } from '../../manifests/types.js';
import type { FieldChange, LiveResource, PendingRestart, PlanContext, ResourceChange } from '../types.js';
import type { NetworkStep } from './steps.js';
import { buildChange, noOp, updateReason, type ChangeIdentity } from '../common/change.js';
import { activeChange, autostartChange, defineStep, setAutostartStep, startStep } from '../common/lifecycle.js';
import { planObject, removeSteps, type ObjectPlanAdapter } from '../common/persistent-object.js';
import { diffNetwork } from './diff.js';
import { LIVE_UPDATE_PATH, liveUpdateSteps } from './live-update.js';
import { networkToXml } from './to-xml.js';
import { describePending } from '../common/pending.js';

type NetworkLive = LiveResource<'Network'>;

/** Created: defined, autostart set when wanted, then started (a managed network is kept active). */
function createSteps(manifest: NetworkManifest): NetworkStep[] {
  const name = manifest.metadata.name;
  const label = `network ${name}`;
  const steps: NetworkStep[] = [defineStep(label, { name }, networkToXml(manifest, undefined))];
  if (manifest.spec.autostart) steps.push(setAutostartStep(label, { name }, true));
  steps.push(startStep(label, { name }));
  return steps;
}

/**
 * An active network runs with the config it was started with: a redefine changes only the
 * persistent one. Differences between the manifest and the running config that the persistent
 * config already has are fixed live where virNetworkUpdate can (running config only), and are
 * otherwise restart pending — a network restart cuts every guest on it off, so it is reported,
 * never done by itself.
 */
function runningDifferences(manifest: NetworkManifest, live: NetworkLive, configPaths: ReadonlySet<string>): FieldChange[] {
  if (!live.active || !live.running) return [];
  return diffNetwork(manifest.spec, live.running).filter((d) => !configPaths.has(d.path));
}

function planUpdate(id: ChangeIdentity<'Network'>, manifest: NetworkManifest, live: NetworkLive): ResourceChange<'Network'> {
  const name = manifest.metadata.name;
  const label = `network ${name}`;
  const config = diffNetwork(manifest.spec, live.spec, live.xml);
  const redefine = config.some((c) => c.class === 'redefine');
  const autostart = autostartChange(manifest.spec.autostart, live.spec.autostart);
  const active = activeChange(live.active);
  const configPaths = new Set(config.map((c) => c.path));
  const running = runningDifferences(manifest, live, configPaths);
  const liveRunning = running.filter((d) => LIVE_UPDATE_PATH.test(d.path));
  const pending: PendingRestart[] = running
    .filter((d) => !LIVE_UPDATE_PATH.test(d.path))
    .map((d) => ({ path: d.path, running: d.before, defined: d.after }));
  const changes = [...config, ...liveRunning.map((d) => ({ ...d, class: 'live' as const })), autostart, active].filter(
    (c): c is FieldChange => c !== undefined,
  );
  if (changes.length === 0 && pending.length === 0) return noOp(id);

  const steps: NetworkStep[] = [];
  if (redefine) steps.push(defineStep(label, { name }, networkToXml(manifest, live.xml)));
  else if (config.length)
    steps.push(...liveUpdateSteps(name, manifest.spec, live.spec, { affectLive: live.active, affectConfig: true }, configPaths));
  if (liveRunning.length && live.running) {
    steps.push(
      ...liveUpdateSteps(
        name,
        manifest.spec,
        live.running,
        { affectLive: true, affectConfig: false },
        new Set(liveRunning.map((d) => d.path)),
      ),
    );
  }
  if (autostart) steps.push(setAutostartStep(label, { name }, autostart.after as boolean));
  if (active) steps.push(startStep(label, { name }));

  const restartRequired = redefine && live.active;
  const pendingText = pending.length ? `restart pending: ${pending.map(describePending).join('; ')}` : undefined;
  const reason = updateReason(
    config,
    restartRequired,
    autostart ? 'autostart differs' : undefined,
    active ? 'network is inactive' : undefined,
    pendingText,
  );
  const change = buildChange(id, {
    action: steps.length ? 'update' : 'no-op',
    reason,
    changes: steps.length ? changes : [],
    steps,
    restartRequired,
  });
  if (pending.length) change.restartPending = pending;
  return change;
}

const networkPlanning: ObjectPlanAdapter<'Network'> = {
  kind: 'Network',
  noun: 'network',
  deleteReason: 'network left the manifests',
  deleteSteps: (live) => removeSteps('network', live),
  createSteps,
  planUpdate,
};

export function planNetwork(
  desired: LoadedManifest<NetworkManifest> | undefined,
  live: NetworkLive | undefined,
  ctx: PlanContext,
): ResourceChange<'Network'> {
  return planObject(networkPlanning, desired, live, ctx);
}
