// Pure planning of one NodeDevice: detach from / reattach to the host driver, both live.
// USB devices have nothing to detach (the hypervisor claims them when a domain attaches them),
// so a USB NodeDevice only checks that the device is present.
//
// Every change that found its device carries the device's live key (`NodeDevice/pci_0000_06_00_0`):
// live devices are keyed by libvirt's name, manifests by the user's (`nvme0`), and the inventory
// records the live key so that a released device (manifest removed, apply --prune) can be found
// and given back to its host driver.
import type { NodeDeviceManifest, NodeDeviceSpec } from './schema.js';
import type { LoadedManifest } from '../../manifests/types.js';
import type { FieldChange, LiveResource, PlanContext, ResourceChange } from '../types.js';
import type { NodeDeviceStep } from './steps.js';
import { buildChange, changeIdentity, noOp, type ChangeIdentity } from '../common/change.js';
import { describeDevice, findDevices, matches } from './identity.js';
import { kindKey } from '../../manifests/keys.js';
import { annotationIsTrue } from '../common/annotations.js';
import { ANNOTATION_ALLOW_HOST_DEVICE, judgeDetach } from './host-use.js';

type DeviceLive = LiveResource<'NodeDevice'>;

function detachStep(device: string, what: string, driver: string): NodeDeviceStep {
  return {
    op: 'detach',
    description: `detach ${what} (${device}) from its host driver, bind ${driver}`,
    payload: { name: device, driver },
  };
}

function reattachStep(device: string, what: string): NodeDeviceStep {
  return { op: 'reattach', description: `give ${what} (${device}) back to its host driver`, payload: { name: device } };
}

function planDesired(
  id: ChangeIdentity<'NodeDevice'>,
  m: NodeDeviceManifest,
  given: DeviceLive | undefined,
  ctx: PlanContext,
): ResourceChange<'NodeDevice'> {
  const spec = m.spec;
  const what = describeDevice(spec);
  const found = given && matches(spec, given.spec) ? [given] : findDevices(spec, ctx);
  if (found.length === 0) {
    return buildChange(id, {
      action: 'update',
      reason: `${what} is not present on this host`,
      refused: `${what} is not present on this host`,
    });
  }
  if (found.length > 1) {
    const names = found.map((d) => d.name).join(', ');
    return buildChange(id, {
      action: 'update',
      reason: `${what} matches ${names}`,
      refused: `${what} is ambiguous (${names}): give bus and device instead`,
    });
  }
  const device = found[0];
  return { ...planOnDevice(id, m, what, device, ctx), liveKey: device.key };
}

function planOnDevice(
  id: ChangeIdentity<'NodeDevice'>,
  m: NodeDeviceManifest,
  what: string,
  device: DeviceLive,
  ctx: PlanContext,
): ResourceChange<'NodeDevice'> {
  const spec: NodeDeviceSpec = m.spec;
  if (spec.usb) return noOp(id, `${what} is present (${device.name}); USB devices need no detaching`);

  const wantDetached = spec.detached ?? true;
  const driver = spec.driver ?? 'vfio';
  const isDetached = device.spec.detached ?? false;
  const changes: FieldChange[] = [];
  const steps: NodeDeviceStep[] = [];
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
  const reason = `${what} (${device.name}) ${steps.map((s) => s.op).join(' + ')}`;
  if (!isDetached && wantDetached) {
    // Taking a device from the host: refused while the host itself uses it (or its IOMMU group).
    const verdict = judgeDetach({
      device: device.name,
      use: device.hostUse,
      useOf: (name) => (ctx.live.get(kindKey('NodeDevice', name)) as DeviceLive | undefined)?.hostUse,
      allowed: annotationIsTrue(m, ANNOTATION_ALLOW_HOST_DEVICE),
    });
    const caveat = verdict.unchecked.length > 0 ? ` (not checked: ${verdict.unchecked.join('; ')})` : '';
    return buildChange(id, { action: 'update', reason: `${reason}${caveat}`, changes, steps, refused: verdict.refused });
  }
  return buildChange(id, { action: 'update', reason, changes, steps });
}

export function planNodeDevice(
  desired: LoadedManifest<NodeDeviceManifest> | undefined,
  live: DeviceLive | undefined,
  ctx: PlanContext,
): ResourceChange<'NodeDevice'> {
  const id = changeIdentity('NodeDevice', desired, live);
  if (desired) return planDesired(id, desired.manifest, live, ctx);
  // Released (manifest gone, --prune): `live` is the device the inventory record resolved to.
  // Deleting a node device means giving it back to its host driver; the device itself stays.
  if (!live) return noOp(id, 'nothing to give back');
  const what = describeDevice(live.spec);
  if (!live.spec.pci) return { ...noOp(id, `${what} (${live.name}): USB devices have nothing to give back`), liveKey: live.key };
  if (!live.spec.detached) return { ...noOp(id, `${what} (${live.name}) is already with its host driver`), liveKey: live.key };
  const change = buildChange(id, {
    action: 'delete',
    reason: `${what} (${live.name}) left the manifests: it goes back to its host driver`,
    steps: [reattachStep(live.name, what)],
  });
  return { ...change, liveKey: live.key };
}
