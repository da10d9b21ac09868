// Pure planning of one NodeDevice: detach from / reattach to the host driver, both live.
// USB devices have nothing to detach (the hypervisor claims them when a domain attaches them),
// so a USB NodeDevice only checks that the device is present.
import type { LoadedManifest, NodeDeviceManifest } from '../../manifests/types.js';
import { kindKey } from '../../manifests/identity.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange, Step } from '../types.js';
import { buildChange, noOp, type ChangeIdentity } from '../common/change.js';
import { describeDevice, findDevices, matches } from './identity.js';

type DeviceLive = LiveResource<'NodeDevice'>;

function detachStep(device: string, what: string, driver: string): Step {
  return { op: 'detach', description: `detach ${what} (${device}) from its host driver, bind ${driver}`, payload: { name: device, driver } };
}

function reattachStep(device: string, what: string): Step {
  return { op: 'reattach', description: `give ${what} (${device}) back to its host driver`, payload: { name: device } };
}

function planDesired(id: ChangeIdentity<'NodeDevice'>, m: NodeDeviceManifest, given: DeviceLive | undefined, ctx: PlanContext): ResourceChange<'NodeDevice'> {
  const spec = m.spec;
  const what = describeDevice(spec);
  const found = given && matches(spec, given.spec) ? [given] : findDevices(spec, ctx);
  if (found.length === 0) {
    return buildChange(id, { action: 'update', reason: `${what} is not present on this host`, refused: `${what} is not present on this host` });
  }
  if (found.length > 1) {
    const names = found.map((d) => d.name).join(', ');
    return buildChange(id, { action: 'update', reason: `${what} matches ${names}`, refused: `${what} is ambiguous (${names}): give bus and device instead` });
  }
  const device = found[0];
  if (spec.usb) return noOp(id, `${what} is present (${device.name}); USB devices need no detaching`);

  const wantDetached = spec.detached ?? true;
  const driver = spec.driver ?? 'vfio';
  const isDetached = device.spec.detached ?? false;
  const changes: FieldChange[] = [];
  const steps: Step[] = [];
  if (wantDetached && !isDetached) {
    changes.push({ path: 'spec.detached', before: false, after: true, class: 'live' });
    steps.push(detachStep(device.name, what, driver));
  } else if (!wantDetached && isDetached) {
    changes.push({ path: 'spec.detached', before: true, after: false, class: 'live' });
    steps.push(reattachStep(device.name, what));
  } else if (wantDetached && spec.driver !== undefined && device.spec.driver !== undefined && device.spec.driver !== spec.driver) {
    changes.push({ path: 'spec.driver', before: device.spec.driver, after: spec.driver, class: 'live' });
    steps.push(reattachStep(device.name, what), detachStep(device.name, what, driver));
  }
  if (changes.length === 0) return noOp(id, `${what} (${device.name}) is ${isDetached ? 'detached' : 'with its host driver'}`);
  return buildChange(id, { action: 'update', reason: `${what} (${device.name}) ${steps.map((s) => s.op).join(' + ')}`, changes, steps });
}

export function planNodeDevice(
  desired: LoadedManifest<NodeDeviceManifest> | undefined,
  live: DeviceLive | undefined,
  ctx: PlanContext,
): ResourceChange<'NodeDevice'> {
  const name = desired?.manifest.metadata.name ?? live?.name ?? '';
  const id: ChangeIdentity<'NodeDevice'> = { key: desired?.key ?? live?.key ?? kindKey('NodeDevice', name), kind: 'NodeDevice', name, dependsOn: [] };
  if (desired) return planDesired(id, desired.manifest, live, ctx);
  if (!live || !live.spec.detached || !live.spec.pci) return noOp(id, 'nothing to give back');
  return buildChange(id, {
    action: 'delete',
    reason: 'device left the manifests: it goes back to its host driver',
    steps: [reattachStep(live.name, describeDevice(live.spec))],
  });
}
