// Pure planning of one network. Networks have no state field: a managed network is kept active.
import type { LoadedManifest, NetworkManifest, NetworkSpec } from '../../manifests/types.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, Step } from '../types.js';
import { toXmlString } from '../xml.js';
import { buildChange, changeIdentity, createChanges, noOp, updateReason, type ChangeIdentity } from '../common/change.js';
import { activeChange, autostartChange, defineStep, setAutostartStep, startStep, stopStep, undefineStep } from '../common/lifecycle.js';
import { HOSTS_PATH, diffNetwork } from './diff.js';
import { hostOps, type HostOp } from './dhcp-hosts.js';
import { hostEl, networkToXml } from './to-xml.js';

type NetworkLive = LiveResource<'Network'>;

function hostUpdateStep(name: string, op: HostOp, affectLive: boolean): Step {
  const xml = toXmlString(hostEl(op.host)).trim();
  const verb = op.command === 'add-last' ? 'add' : op.command;
  return {
    op: 'networkUpdate',
    description: `${verb} DHCP host ${op.host.mac ?? op.host.name ?? ''} ${op.host.ip} in network ${name}`.replace(/ +/g, ' '),
    payload: { name, command: op.command, section: 'ip-dhcp-host', parentIndex: op.parentIndex, xml, affectLive, affectConfig: true },
  };
}

function hostSteps(name: string, want: NetworkSpec, have: NetworkSpec, affectLive: boolean): Step[] {
  const steps: Step[] = [];
  (want.ips ?? []).forEach((ip, i) => {
    if (!ip.dhcp?.hosts) return;
    for (const op of hostOps(i, ip.dhcp.hosts, have.ips?.[i]?.dhcp?.hosts ?? [])) steps.push(hostUpdateStep(name, op, affectLive));
  });
  return steps;
}

function planDelete(id: ChangeIdentity<'Network'>, live: NetworkLive): ResourceChange<'Network'> {
  const label = `network ${live.name}`;
  const payload = { name: live.name };
  const steps: Step[] = [];
  if (live.active) steps.push(stopStep(label, payload));
  if (live.persistent) steps.push(undefineStep(label, payload));
  return buildChange(id, { action: 'delete', reason: 'network left the manifests', steps });
}

function planCreate(id: ChangeIdentity<'Network'>, manifest: NetworkManifest): ResourceChange<'Network'> {
  const name = manifest.metadata.name;
  const label = `network ${name}`;
  const steps: Step[] = [defineStep(label, { name }, networkToXml(manifest, undefined))];
  if (manifest.spec.autostart) steps.push(setAutostartStep(label, { name }, true));
  steps.push(startStep(label, { name }));
  return buildChange(id, { action: 'create', reason: 'network does not exist', changes: createChanges(manifest.spec), steps });
}

function planUpdate(id: ChangeIdentity<'Network'>, manifest: NetworkManifest, live: NetworkLive): ResourceChange<'Network'> {
  const name = manifest.metadata.name;
  const label = `network ${name}`;
  const config = diffNetwork(manifest.spec, live.spec, live.xml);
  const redefine = config.some((c) => c.class === 'redefine');
  const autostart = autostartChange(manifest.spec.autostart, live.spec.autostart);
  const active = activeChange(live.active);
  const changes = [...config, autostart, active].filter((c): c is FieldChange => c !== undefined);
  if (changes.length === 0) return noOp(id);

  const steps: Step[] = [];
  if (redefine) steps.push(defineStep(label, { name }, networkToXml(manifest, live.xml)));
  else if (config.some((c) => HOSTS_PATH.test(c.path))) steps.push(...hostSteps(name, manifest.spec, live.spec, live.active));
  if (autostart) steps.push(setAutostartStep(label, { name }, autostart.after as boolean));
  if (active) steps.push(startStep(label, { name }));

  const restartRequired = redefine && live.active;
  const reason = updateReason(config, restartRequired, autostart ? 'autostart differs' : undefined, active ? 'network is inactive' : undefined);
  return buildChange(id, { action: 'update', reason, changes, steps, restartRequired });
}

export function planNetwork(
  desired: LoadedManifest<NetworkManifest> | undefined,
  live: NetworkLive | undefined,
  _ctx: PlanContext,
): ResourceChange<'Network'> {
  const id = changeIdentity('Network', desired, live);
  if (!desired) return live ? planDelete(id, live) : noOp(id, 'absent on both sides');
  if (!live) return planCreate(id, desired.manifest);
  return planUpdate(id, desired.manifest, live);
}
