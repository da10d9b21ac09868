// Pure planning of one host interface on the persistent-object template (common/persistent-object.ts). An interface with startMode onboot is meant to be up, so
// it is started when inactive (created or found down); other start modes are left as they are.
import type { InterfaceManifest } from './schema.js';
import type { LoadedManifest } from '../../manifests/types.js';
import { dependencyKeys } from '../contract.js';
import { interfaceDefinition } from './contract.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange } from '../types.js';
import type { InterfaceStep } from './steps.js';
import { buildChange, noOp, updateReason } from '../common/change.js';
import { activeChange, defineStep, startStep } from '../common/lifecycle.js';
import { planObject, removeSteps, type ObjectPlanAdapter } from '../common/persistent-object.js';
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
  const change = planObject(interfacePlanning, desired, live, ctx);
  // Refused at plan time: apply would otherwise fail half-way with VIR_ERR_NO_SUPPORT.
  if (change.action === 'no-op' || ctx.host?.interfaceBackend !== 'read-only') return change;
  return { ...change, refused: READ_ONLY_INTERFACES };
}

const interfacePlanning: ObjectPlanAdapter<'Interface'> = {
  kind: 'Interface',
  noun: 'interface',
  deleteReason: 'interface left the manifests',
  deleteSteps: (live) => removeSteps('interface', live),
  dependsOn: (manifest, ctx) => dependencyKeys(interfaceDefinition, manifest, ctx.desired),
  createSteps: (m, ctx) => {
    const label = `interface ${m.metadata.name}`;
    const steps: InterfaceStep[] = [defineStep(label, { name: m.metadata.name }, interfaceToXml(m, ctx))];
    if (m.spec.startMode === 'onboot') steps.push(startStep(label, { name: m.metadata.name }));
    return steps;
  },
  planUpdate: (id, m, live, ctx) => {
    const { name } = id;
    const label = `interface ${name}`;
    const config = diffInterface(m.spec, live.spec, live.xml);
    const active = m.spec.startMode === 'onboot' ? activeChange(live.active) : undefined;
    const changes = [...config, active].filter((c): c is FieldChange => c !== undefined);
    if (changes.length === 0) return noOp(id);
    const steps: InterfaceStep[] = [];
    if (config.length) steps.push(defineStep(label, { name }, interfaceToXml(m, ctx)));
    if (active) steps.push(startStep(label, { name }));
    const restartRequired = config.length > 0 && live.active;
    const reason = updateReason(config, restartRequired, active ? 'interface is down, start mode onboot' : undefined);
    return buildChange(id, { action: 'update', reason, changes, steps, restartRequired });
  },
};
