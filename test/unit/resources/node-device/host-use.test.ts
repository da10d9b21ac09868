// The pure decision: facts about how the host uses a PCI device in, a refusal out.
import { describe, expect, it } from 'vitest';
import { hostUseByDevice, parseMounts, parseSwaps, type LocalHostFacts } from '../../../../src/resources/node-device/host-facts.js';
import { judgeDetach, type DeviceHostUse } from '../../../../src/resources/node-device/host-use.js';

const idle: DeviceHostUse = { nets: [], blocks: [], unchecked: [] };
const none = () => undefined;

describe('judgeDetach', () => {
  it('refuses a device whose network interface is up, naming it', () => {
    const use: DeviceHostUse = { ...idle, nets: [{ interface: 'eth0', linkState: 'up' }] };
    const v = judgeDetach({ device: 'pci_0000_00_03_0', use, useOf: none, allowed: false });
    expect(v.refused).toMatch(/the host uses pci_0000_00_03_0: network interface eth0 \(link up\)/);
    expect(v.refused).toContain('virtkeeper.io/allow-host-device: "true"');
  });
  it('refuses an interface that is down but has an address', () => {
    const use: DeviceHostUse = { ...idle, nets: [{ interface: 'eno1', linkState: 'down', addresses: ['192.0.2.7'] }] };
    expect(judgeDetach({ device: 'd', use, useOf: none, allowed: false }).refused).toMatch(/eno1 \(address 192\.0\.2\.7\)/);
  });
  it('lets a down interface without addresses go', () => {
    const use: DeviceHostUse = { ...idle, nets: [{ interface: 'eno2', linkState: 'down', addresses: [] }] };
    expect(judgeDetach({ device: 'd', use, useOf: none, allowed: false }).refused).toBeUndefined();
  });
  it('refuses the root disk, a mounted disk and a swap disk, each said', () => {
    const use: DeviceHostUse = {
      ...idle,
      blocks: [
        { device: '/dev/vda', mountedOn: ['/', '/boot'] },
        { device: '/dev/vdb', swap: true, mountedOn: [] },
      ],
    };
    const refused = judgeDetach({ device: 'd', use, useOf: none, allowed: false }).refused ?? '';
    expect(refused).toContain('/dev/vda, which holds the root filesystem');
    expect(refused).toContain('/dev/vda, mounted on /boot');
    expect(refused).toContain('/dev/vdb, used as swap');
  });
  it('the annotation allows it', () => {
    const use: DeviceHostUse = { ...idle, nets: [{ interface: 'eth0', linkState: 'up' }] };
    expect(judgeDetach({ device: 'd', use, useOf: none, allowed: true }).refused).toBeUndefined();
  });
  it('refuses one function of an IOMMU group whose other member the host uses, listing the group', () => {
    const group = { number: 14, members: ['pci_0000_06_00_0', 'pci_0000_06_00_1'] };
    const target: DeviceHostUse = { ...idle, iommuGroup: group };
    const sibling: DeviceHostUse = { ...idle, nets: [{ interface: 'enp6s0f1', linkState: 'up' }], iommuGroup: group };
    const v = judgeDetach({
      device: 'pci_0000_06_00_0',
      use: target,
      useOf: (n) => (n === 'pci_0000_06_00_1' ? sibling : undefined),
      allowed: false,
    });
    expect(v.refused).toMatch(/IOMMU group 14 \(pci_0000_06_00_0, pci_0000_06_00_1\)/);
    expect(v.refused).toMatch(/must be assigned together/);
    expect(v.refused).toMatch(/pci_0000_06_00_1 \(network interface enp6s0f1 \(link up\)\)/);
  });
  it('an idle group is no obstacle; unchecked facts are passed on', () => {
    const target: DeviceHostUse = { ...idle, iommuGroup: { number: 3, members: ['a', 'b'] }, unchecked: ['mounts: remote'] };
    expect(judgeDetach({ device: 'a', use: target, useOf: () => idle, allowed: false })).toEqual({ unchecked: ['mounts: remote'] });
  });
});

const pci = (name: string, iommu = '') =>
  `<device><name>${name}</name><parent>computer</parent><capability type='pci'><domain>0</domain><bus>6</bus><slot>0</slot><function>${name.slice(-1)}</function>${iommu}</capability></device>`;
const net = (name: string, parent: string, ifname: string, state: string) =>
  `<device><name>${name}</name><parent>${parent}</parent><capability type='net'><interface>${ifname}</interface><link state='${state}'/></capability></device>`;
const GROUP = `<iommuGroup number='14'><address domain='0x0000' bus='0x06' slot='0x00' function='0x0'/><address domain='0x0000' bus='0x06' slot='0x00' function='0x1'/></iommuGroup>`;

describe('hostUseByDevice', () => {
  const xml = [
    pci('pci_0000_06_00_0', GROUP),
    pci('pci_0000_06_00_1', GROUP),
    net('net_eth0_aa', 'pci_0000_06_00_0', 'eth0', 'up'),
    `<device><name>scsi_host0</name><parent>pci_0000_06_00_1</parent><capability type='scsi_host'/></device>`,
    `<device><name>block_sda</name><parent>scsi_host0</parent><capability type='storage'><block>/dev/sda</block></capability></device>`,
  ];
  it('attaches net children and storage grandchildren to their PCI device, and reads the IOMMU group', () => {
    const local: LocalHostFacts = {
      mountsByDisk: new Map([['sda', ['/']]]),
      swapDisks: new Set(),
      addresses: new Map([['eth0', ['10.0.0.2']]]),
    };
    const uses = hostUseByDevice(xml, local);
    expect(uses.get('pci_0000_06_00_0')).toEqual({
      nets: [{ interface: 'eth0', linkState: 'up', addresses: ['10.0.0.2'] }],
      blocks: [],
      iommuGroup: { number: 14, members: ['pci_0000_06_00_0', 'pci_0000_06_00_1'] },
      unchecked: [],
    });
    expect(uses.get('pci_0000_06_00_1')?.blocks).toEqual([{ device: '/dev/sda', mountedOn: ['/'], swap: false }]);
  });
  it('on a remote host says which checks it could not make', () => {
    const use = hostUseByDevice(xml, undefined).get('pci_0000_06_00_1');
    expect(use?.blocks).toEqual([{ device: '/dev/sda' }]);
    expect(use?.unchecked.join(' ')).toMatch(/mounts, swap and the root filesystem: the host is remote/);
  });
});

describe('/proc readers', () => {
  it('parseMounts keeps /dev sources and unescapes spaces', () => {
    expect(parseMounts('/dev/vda1 / ext4 rw 0 0\nproc /proc proc rw 0 0\n/dev/sdb1 /mnt/my\\040disk xfs rw 0 0\n')).toEqual([
      ['/dev/vda1', '/'],
      ['/dev/sdb1', '/mnt/my disk'],
    ]);
  });
  it('parseSwaps skips the header and swap files', () => {
    expect(parseSwaps('Filename\tType\tSize\tUsed\tPriority\n/dev/vdb2  partition\t1 0 -2\n/swapfile file 1 0 -3\n')).toEqual([
      '/dev/vdb2',
    ]);
  });
});
