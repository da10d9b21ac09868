import { describe, expect, it } from 'vitest';
import type { NodeDeviceManifest, NodeDeviceSpec } from '../../../../src/resources/node-device/schema.js';
import type { LiveResource } from '../../../../src/resources/types.js';
import { nodeDeviceKind, pciDeviceName } from '../../../../src/resources/node-device/index.js';
import { contextOf, liveFromXml, loaded, manifest } from '../common/live.js';
import { payloadOf } from '../common/payload-of.js';

/** `virsh nodedev-dumpxml` of an NVMe drive, bound to the host driver or to vfio-pci. */
const nvmeXml = (driver: string | undefined) => `<device>
  <name>pci_0000_06_00_0</name>
  <path>/sys/devices/pci0000:00/0000:00:1c.0/0000:06:00.0</path>
  <parent>pci_0000_00_1c_0</parent>
  ${driver ? `<driver><name>${driver}</name></driver>` : ''}
  <capability type='pci'>
    <class>0x010802</class>
    <domain>0</domain>
    <bus>6</bus>
    <slot>0</slot>
    <function>0</function>
    <product id='0xa808'>NVMe SSD Controller SM981/PM981/PM983</product>
    <vendor id='0x144d'>Samsung Electronics Co Ltd</vendor>
    <iommuGroup number='14'>
      <address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
    </iommuGroup>
  </capability>
</device>`;

const USB_XML = `<device>
  <name>usb_1_5</name>
  <driver><name>usb</name></driver>
  <capability type='usb_device'>
    <bus>1</bus>
    <device>5</device>
    <product id='0xc52b'>Unifying Receiver</product>
    <vendor id='0x046d'>Logitech, Inc.</vendor>
  </capability>
</device>`;

const NVME: NodeDeviceSpec = { pci: { domain: 0, bus: 6, slot: 0, function: 0 }, detached: true, driver: 'vfio' };
const nvme = (spec: Partial<NodeDeviceSpec> = {}): NodeDeviceManifest => manifest('NodeDevice', 'nvme0', { ...NVME, ...spec });

function plan(m: NodeDeviceManifest, deviceXml: string, name = 'pci_0000_06_00_0') {
  const live = liveFromXml(nodeDeviceKind, name, deviceXml);
  // The planner looks live objects up by manifest key, which never matches a libvirt device name.
  return nodeDeviceKind.plan(loaded(m), undefined, contextOf([loaded(m)], [live]));
}

describe('NodeDevice XML', () => {
  it('names PCI devices as libvirt does', () => {
    expect(pciDeviceName({ domain: 0, bus: 0x0a, slot: 0x1f, function: 7 })).toBe('pci_0000_0a_1f_7');
  });

  it('fromXml(toXml(manifest)) keeps the address', () => {
    expect(nodeDeviceKind.fromXml(nodeDeviceKind.toXml(nvme(), undefined, contextOf([])), {}).pci).toEqual(NVME.pci);
    const usb = manifest('NodeDevice', 'dongle', { usb: { vendor: 0x046d, product: 0xc52b } });
    expect(nodeDeviceKind.fromXml(nodeDeviceKind.toXml(usb, undefined, contextOf([])), {}).usb).toEqual(usb.spec.usb);
  });

  it('reads address and passthrough driver', () => {
    expect(nodeDeviceKind.fromXml(nvmeXml('vfio-pci'), {})).toEqual({ pci: NVME.pci, detached: true, driver: 'vfio' });
    expect(nodeDeviceKind.fromXml(nvmeXml('nvme'), {})).toEqual({ pci: NVME.pci, detached: false });
    expect(nodeDeviceKind.fromXml(nvmeXml(undefined), {})).toEqual({ pci: NVME.pci, detached: false });
    expect(nodeDeviceKind.fromXml(USB_XML, {})).toEqual({ usb: { bus: 1, device: 5, vendor: 0x046d, product: 0xc52b } });
  });
});

describe('NodeDevice plan', () => {
  it('detached wanted, host driver holds it → live detach to vfio', () => {
    const change = plan(nvme(), nvmeXml('nvme'));
    expect(change.key).toBe('NodeDevice/nvme0');
    // The inventory keeps this, to find the device again once the manifest is gone.
    expect(change.liveKey).toBe('NodeDevice/pci_0000_06_00_0');
    expect(change.changes).toEqual([{ path: 'spec.detached', before: false, after: true, class: 'live' }]);
    expect(change.steps).toEqual([
      {
        op: 'detach',
        description: 'detach PCI device 0000:06:00.0 (pci_0000_06_00_0) from its host driver, bind vfio',
        payload: { name: 'pci_0000_06_00_0', driver: 'vfio' },
      },
    ]);
  });

  it('already on vfio-pci → no-op', () => {
    expect(plan(nvme(), nvmeXml('vfio-pci'))).toMatchObject({ action: 'no-op', liveKey: 'NodeDevice/pci_0000_06_00_0' });
    expect(plan(nvme({ detached: undefined, driver: undefined }), nvmeXml('vfio-pci')).action).toBe('no-op');
  });

  it('detached: false on a detached device → live reattach', () => {
    const change = plan(nvme({ detached: false }), nvmeXml('vfio-pci'));
    expect(change.changes).toEqual([{ path: 'spec.detached', before: true, after: false, class: 'live' }]);
    expect(change.steps.map((s) => s.op)).toEqual(['reattach']);
  });

  it('another passthrough driver → reattach then detach', () => {
    const change = plan(nvme({ driver: 'xen' }), nvmeXml('vfio-pci'));
    expect(change.changes.map((c) => [c.path, c.class])).toEqual([['spec.driver', 'live']]);
    expect(change.steps.map((s) => [s.op, payloadOf(s).driver])).toEqual([
      ['reattach', undefined],
      ['detach', 'xen'],
    ]);
  });

  it('a device not on this host is refused', () => {
    const change = plan(nvme({ pci: { bus: 7, slot: 0, function: 0 } }), nvmeXml('nvme'));
    expect(change.refused).toMatch(/0000:07:00\.0 is not present/);
    expect(change.steps).toEqual([]);
    expect(change.liveKey).toBeUndefined();
  });

  it('USB devices are only checked for presence', () => {
    const usb = manifest('NodeDevice', 'dongle', { usb: { vendor: 0x046d, product: 0xc52b } });
    expect(plan(usb, USB_XML, 'usb_1_5')).toMatchObject({ action: 'no-op', steps: [], liveKey: 'NodeDevice/usb_1_5' });
    const missing = manifest('NodeDevice', 'dongle', { usb: { bus: 2, device: 1 } });
    expect(plan(missing, USB_XML, 'usb_1_5').refused).toMatch(/not present/);
  });

  it('leaving the manifests gives a detached device back', () => {
    const live = liveFromXml(nodeDeviceKind, 'pci_0000_06_00_0', nvmeXml('vfio-pci'));
    const change = nodeDeviceKind.plan(undefined, live, contextOf([], [live]));
    expect(change).toMatchObject({ action: 'delete', liveKey: 'NodeDevice/pci_0000_06_00_0' });
    expect(change.steps).toEqual([
      {
        op: 'reattach',
        description: 'give PCI device 0000:06:00.0 (pci_0000_06_00_0) back to its host driver',
        payload: { name: 'pci_0000_06_00_0' },
      },
    ]);
  });

  it('leaving the manifests: nothing to give back when on the host driver, or USB', () => {
    const onHost = liveFromXml(nodeDeviceKind, 'pci_0000_06_00_0', nvmeXml('nvme'));
    expect(nodeDeviceKind.plan(undefined, onHost, contextOf([], [onHost]))).toMatchObject({ action: 'no-op', steps: [] });
    const usb = liveFromXml(nodeDeviceKind, 'usb_1_5', USB_XML);
    expect(nodeDeviceKind.plan(undefined, usb, contextOf([], [usb]))).toMatchObject({ action: 'no-op', steps: [] });
  });
});

describe('NodeDevice plan: devices the host uses', () => {
  const GROUP = { number: 14, members: ['pci_0000_06_00_0', 'pci_0000_06_00_1'] };
  const withUse = (name: string, hostUse: LiveResource<'NodeDevice'>['hostUse']) => ({
    ...liveFromXml(
      nodeDeviceKind,
      name,
      nvmeXml('nvme')
        .replace('pci_0000_06_00_0', name)
        .replace('<function>0</function>', `<function>${name.slice(-1)}</function>`),
    ),
    hostUse,
  });

  it('refuses to detach the device of the root disk, keeping the step so the plan shows what was refused', () => {
    const live = withUse('pci_0000_06_00_0', { nets: [], blocks: [{ device: '/dev/nvme0n1', mountedOn: ['/'] }], unchecked: [] });
    const change = nodeDeviceKind.plan(loaded(nvme()), undefined, contextOf([loaded(nvme())], [live]));
    expect(change.refused).toMatch(/the host uses pci_0000_06_00_0: \/dev\/nvme0n1, which holds the root filesystem/);
    expect(change.steps.map((s) => s.op)).toEqual(['detach']);
  });

  it('virtkeeper.io/allow-host-device: "true" plans the detach', () => {
    const live = withUse('pci_0000_06_00_0', { nets: [{ interface: 'eth0', linkState: 'up' }], blocks: [], unchecked: [] });
    const m = manifest('NodeDevice', 'nvme0', NVME, { 'virtkeeper.io/allow-host-device': 'true' }) as NodeDeviceManifest;
    const change = nodeDeviceKind.plan(loaded(m), undefined, contextOf([loaded(m)], [live]));
    expect(change.refused).toBeUndefined();
    expect(change.action).toBe('update');
  });

  it('refuses a function whose IOMMU group sibling the host uses, with the group listed', () => {
    const target = withUse('pci_0000_06_00_0', { nets: [], blocks: [], iommuGroup: GROUP, unchecked: [] });
    const sibling = withUse('pci_0000_06_00_1', {
      nets: [{ interface: 'eno1', linkState: 'up' }],
      blocks: [],
      iommuGroup: GROUP,
      unchecked: [],
    });
    const change = nodeDeviceKind.plan(loaded(nvme()), undefined, contextOf([loaded(nvme())], [target, sibling]));
    expect(change.refused).toMatch(/IOMMU group 14 \(pci_0000_06_00_0, pci_0000_06_00_1\).*pci_0000_06_00_1 \(network interface eno1/);
  });

  it('says in the reason which checks a remote host could not answer', () => {
    const live = withUse('pci_0000_06_00_0', {
      nets: [],
      blocks: [{ device: '/dev/nvme0n1' }],
      unchecked: ['mounts, swap: the host is remote'],
    });
    const change = nodeDeviceKind.plan(loaded(nvme()), undefined, contextOf([loaded(nvme())], [live]));
    expect(change.refused).toBeUndefined();
    expect(change.reason).toMatch(/not checked: mounts, swap: the host is remote/);
  });
});
