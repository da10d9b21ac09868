// Pure planning of one host interface. An interface with startMode onboot is meant to be up, so
// it is started when inactive (created or found down); other start modes are left as they are.
import type { InterfaceManifest, LoadedManifest } from '../../manifests/types.js';
import { dependencyKeys } from '../contract.js';
import { interfaceDefinition } from './contract.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, Step } from '../types.js';
import { buildChange, changeIdentity, createChanges, noOp, updateReason } from '../common/change.js';
import { activeChange, defineStep, startStep, stopStep, undefineStep } from '../common/lifecycle.js';
import { diffInterface } from './diff.js';
import { interfaceToXml } from './to-xml.js';

type InterfaceLive = LiveResource<'Interface'>;

/** Why nothing can change interfaces on a host whose libvirt lists them read-only, and the fix. */
export const READ_ONLY_INTERFACES =
  "this host's libvirt manages interfaces read-only (its udev backend, as on Debian 12 and Ubuntu): it lists them but cannot define, start or remove them; use a libvirt built with netcf, or configure host interfaces with the system's network tools";

export function planInterface(
  desired: LoadedManifest<InterfaceManifest> | undefined,
  live: InterfaceLive | undefined,
  ctx: PlanContext,
): ResourceChange<'Interface'> {
  const change = planInterfaceChange(desired, live, ctx);
  // Refused at plan time: apply would otherwise fail half-way with VIR_ERR_NO_SUPPORT.
  if (change.action === 'no-op' || ctx.host?.interfaceBackend !== 'read-only') return change;
  return { ...change, refused: READ_ONLY_INTERFACES };
}

function planInterfaceChange(
  desired: LoadedManifest<InterfaceManifest> | undefined,
  live: InterfaceLive | undefined,
  ctx: PlanContext,
): ResourceChange<'Interface'> {
  const id = changeIdentity('Interface', desired, live, desired ? dependencyKeys(interfaceDefinition, desired.manifest, ctx.desired) : []);
  const { name } = id;
  const label = `interface ${name}`;
  if (!desired) {
    if (!live) return noOp(id, 'absent on both sides');
    const steps: Step[] = [];
    if (live.active) steps.push(stopStep(label, { name }));
    steps.push(undefineStep(label, { name }));
    return buildChange(id, { action: 'delete', reason: 'interface left the manifests', steps });
  }
  const m = desired.manifest;
  const wantsUp = m.spec.startMode === 'onboot';
  if (!live) {
    const steps = [defineStep(label, { name }, interfaceToXml(m, ctx))];
    if (wantsUp) steps.push(startStep(label, { name }));
    return buildChange(id, { action: 'create', reason: 'interface does not exist', changes: createChanges(m.spec), steps });
  }
  const config = diffInterface(m.spec, live.spec, live.xml);
  const active = wantsUp ? activeChange(live.active) : undefined;
  const changes = [...config, active].filter((c): c is FieldChange => c !== undefined);
  if (changes.length === 0) return noOp(id);
  const steps: Step[] = [];
  if (config.length) steps.push(defineStep(label, { name }, interfaceToXml(m, ctx)));
  if (active) steps.push(startStep(label, { name }));
  const restartRequired = config.length > 0 && live.active;
  const reason = updateReason(config, restartRequired, active ? 'interface is down, start mode onboot' : undefined);
  return buildChange(id, { action: 'update', reason, changes, steps, restartRequired });
}
