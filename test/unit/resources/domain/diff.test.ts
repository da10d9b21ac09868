import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../../../src/resources/domain/schema.js';
import { diffDomain, machineMatches, resolveSpec } from '../../../../src/resources/domain/index.js';
import type { FieldChange } from '../../../../src/resources/types.js';

const LIVE: DomainSpec = {
  type: 'kvm',
  uuid: '0b6f1d9e-8e2a-4c51-9d3e-5f0a7b2c4d11',
  title: 'web',
  description: 'the web server',
  state: 'running',
  autostart: true,
  memory: '2GiB',
  currentMemory: '2GiB',
  vcpus: 2,
  cpu: { mode: 'host-model', topology: { sockets: 1, cores: 2, threads: 1 } },
  os: { type: 'hvm', arch: 'x86_64', machine: 'pc-q35-7.2', boot: ['hd'] },
  features: { acpi: true, apic: true },
  clock: { offset: 'utc', timers: [{ name: 'rtc', tickpolicy: 'catchup' }] },
  onPoweroff: 'destroy',
  onReboot: 'restart',
  onCrash: 'destroy',
  disks: [{ device: 'disk', volume: { pool: 'images', name: 'web.qcow2' }, target: 'vda', bus: 'virtio', format: 'qcow2' }],
  interfaces: [{ network: 'lan', model: 'virtio', mac: '52:54:00:aa:bb:cc' }],
  graphics: [{ type: 'vnc', listen: '127.0.0.1' }],
  consoles: [{ type: 'pty', targetType: 'serial' }],
  serials: [{ type: 'pty', targetPort: 0 }],
  hostdevs: [{ managed: true, pci: { domain: 0, bus: 6, slot: 0x12, function: 5 } }],
};

/** The manifest that matches LIVE while writing things differently, as users do. */
const SAME: DomainSpec = {
  memory: 2097152,
  currentMemory: '2048MiB',
  vcpus: 2,
  os: { machine: 'q35', boot: ['hd'] },
  features: { acpi: true, smm: false },
  disks: [{ volume: { pool: 'images', name: 'web.qcow2' }, target: 'vda', format: 'qcow2' }],
  interfaces: [{ network: 'lan', mac: '52:54:00:AA:BB:CC' }],
  hostdevs: [{ pci: { bus: 0x06, slot: 0x12, function: 0x5 } }],
  consoles: [{ targetType: 'serial' }],
  description: 'the web server\n',
  uuid: '0B6F1D9E-8E2A-4C51-9D3E-5F0A7B2C4D11',
  restartPolicy: 'auto',
};

const diff = (desired: DomainSpec): FieldChange[] => diffDomain(resolveSpec(desired, undefined), LIVE);

describe('diffDomain', () => {
  it('finds nothing when values are equal but written differently', () => {
    expect(diff(SAME)).toEqual([]);
  });

  it('ignores every field the manifest does not set', () => {
    expect(diff({ memory: '2GiB' })).toEqual([]);
  });

  it('treats an unset state as running', () => {
    expect(diffDomain(resolveSpec({ memory: '2GiB' }, undefined), { ...LIVE, state: 'stopped' })).toEqual([
      { path: 'spec.state', before: 'stopped', after: 'running', class: 'live' },
    ]);
  });

  const CASES: Array<[string, Partial<DomainSpec>, FieldChange]> = [
    ['type', { type: 'qemu' }, { path: 'spec.type', before: 'kvm', after: 'qemu', class: 'replace' }],
    [
      'uuid',
      { uuid: '11111111-2222-3333-4444-555555555555' },
      { path: 'spec.uuid', before: LIVE.uuid, after: '11111111-2222-3333-4444-555555555555', class: 'replace' },
    ],
    ['title', { title: 'new' }, { path: 'spec.title', before: 'web', after: 'new', class: 'live' }],
    ['description', { description: 'x' }, { path: 'spec.description', before: 'the web server', after: 'x', class: 'live' }],
    ['state', { state: 'paused' }, { path: 'spec.state', before: 'running', after: 'paused', class: 'live' }],
    ['autostart', { autostart: false }, { path: 'spec.autostart', before: true, after: false, class: 'live' }],
    ['memory', { memory: '4GiB' }, { path: 'spec.memory', before: '2GiB', after: '4GiB', class: 'redefine' }],
    ['currentMemory', { currentMemory: '1GiB' }, { path: 'spec.currentMemory', before: '2GiB', after: '1GiB', class: 'redefine' }],
    ['vcpus', { vcpus: 4 }, { path: 'spec.vcpus', before: 2, after: 4, class: 'redefine' }],
    [
      'cpu.mode',
      { cpu: { mode: 'host-passthrough' } },
      { path: 'spec.cpu.mode', before: 'host-model', after: 'host-passthrough', class: 'redefine' },
    ],
    [
      'cpu.topology',
      { cpu: { topology: { sockets: 1, cores: 4, threads: 1 } } },
      {
        path: 'spec.cpu.topology',
        before: { sockets: 1, cores: 2, threads: 1 },
        after: { sockets: 1, cores: 4, threads: 1 },
        class: 'redefine',
      },
    ],
    ['os.boot', { os: { boot: ['network', 'hd'] } }, { path: 'spec.os.boot', before: ['hd'], after: ['network', 'hd'], class: 'redefine' }],
    ['os.machine', { os: { machine: 'pc' } }, { path: 'spec.os.machine', before: 'pc-q35-7.2', after: 'pc', class: 'redefine' }],
    ['os.arch', { os: { arch: 'aarch64' } }, { path: 'spec.os.arch', before: 'x86_64', after: 'aarch64', class: 'redefine' }],
    ['features', { features: { pae: true } }, { path: 'spec.features.pae', after: true, class: 'redefine' }],
    ['feature off', { features: { apic: false } }, { path: 'spec.features.apic', before: true, after: false, class: 'redefine' }],
    ['clock', { clock: { offset: 'localtime' } }, { path: 'spec.clock.offset', before: 'utc', after: 'localtime', class: 'redefine' }],
    [
      'timer',
      { clock: { timers: [{ name: 'rtc', tickpolicy: 'delay' }] } },
      { path: 'spec.clock.timers[0].tickpolicy', before: 'catchup', after: 'delay', class: 'redefine' },
    ],
    ['onCrash', { onCrash: 'restart' }, { path: 'spec.onCrash', before: 'destroy', after: 'restart', class: 'redefine' }],
    [
      'disk bus',
      { disks: [{ volume: { pool: 'images', name: 'web.qcow2' }, target: 'vda', bus: 'sata', format: 'qcow2' }] },
      { path: 'spec.disks[0].bus', before: 'virtio', after: 'sata', class: 'redefine' },
    ],
    [
      'disk volume',
      { disks: [{ volume: { pool: 'images', name: 'other.qcow2' }, target: 'vda', format: 'qcow2' }] },
      {
        path: 'spec.disks[0].volume',
        before: { pool: 'images', name: 'web.qcow2' },
        after: { pool: 'images', name: 'other.qcow2' },
        class: 'redefine',
      },
    ],
    [
      'disk format (resolved default raw)',
      { disks: [{ volume: { pool: 'images', name: 'web.qcow2' }, target: 'vda' }] },
      { path: 'spec.disks[0].format', before: 'qcow2', after: 'raw', class: 'redefine' },
    ],
    [
      'nic model',
      { interfaces: [{ network: 'lan', model: 'e1000' }] },
      { path: 'spec.interfaces[0].model', before: 'virtio', after: 'e1000', class: 'redefine' },
    ],
    [
      'nic mac',
      { interfaces: [{ network: 'lan', mac: '52:54:00:00:00:01' }] },
      { path: 'spec.interfaces[0].mac', before: '52:54:00:aa:bb:cc', after: '52:54:00:00:00:01', class: 'redefine' },
    ],
    ['graphics port', { graphics: [{ type: 'vnc', port: 5900 }] }, { path: 'spec.graphics[0].port', after: 5900, class: 'redefine' }],
    ['serial port', { serials: [{ targetPort: 1 }] }, { path: 'spec.serials[0].targetPort', before: 0, after: 1, class: 'redefine' }],
    [
      'console target',
      { consoles: [{ targetType: 'virtio' }] },
      { path: 'spec.consoles[0].targetType', before: 'serial', after: 'virtio', class: 'redefine' },
    ],
    [
      'hostdev address',
      { hostdevs: [{ pci: { bus: 6, slot: 0x12, function: 4 } }] },
      { path: 'spec.hostdevs[0].pci', before: LIVE.hostdevs?.[0]?.pci, after: { bus: 6, slot: 0x12, function: 4 }, class: 'redefine' },
    ],
    [
      'hostdev managed (default true)',
      { hostdevs: [{ pci: { bus: 6, slot: 0x12, function: 5 }, managed: false }] },
      { path: 'spec.hostdevs[0].managed', before: true, after: false, class: 'redefine' },
    ],
    [
      'overlay',
      { xml: { merge: '<iothreads>2</iothreads>' } },
      { path: 'spec.xml.merge', after: '<iothreads>2</iothreads>', class: 'redefine' },
    ],
  ];

  it.each(CASES)('%s → exactly that change', (_label, patch, expected) => {
    expect(diff({ memory: '2GiB', ...patch })).toEqual([expected]);
  });

  it('reports added and removed list entries', () => {
    const nic2 = { network: 'dmz' };
    expect(diff({ memory: '2GiB', interfaces: [{ network: 'lan' }, nic2] })).toEqual([
      { path: 'spec.interfaces[1]', after: nic2, class: 'redefine' },
    ]);
    expect(diff({ memory: '2GiB', disks: [] })).toEqual([{ path: 'spec.disks', before: LIVE.disks, after: [], class: 'redefine' }]);
    expect(
      diffDomain(resolveSpec({ memory: '2GiB', serials: [] }, undefined), {
        ...LIVE,
        serials: [{ type: 'pty' }, { type: 'pty', targetPort: 1 }],
      }),
    ).toHaveLength(1);
    expect(
      diffDomain(resolveSpec({ memory: '2GiB', serials: [{}] }, undefined), {
        ...LIVE,
        serials: [{ type: 'pty' }, { type: 'pty', targetPort: 1 }],
      }),
    ).toEqual([{ path: 'spec.serials[1]', before: { type: 'pty', targetPort: 1 }, class: 'redefine' }]);
  });

  it('compares the overlay by content, not formatting', () => {
    const live = { ...LIVE, xml: { merge: '<devices>\n  <rng model="virtio"/>\n</devices>' } };
    expect(
      diffDomain(resolveSpec({ memory: '2GiB', xml: { merge: "<devices><rng model='virtio'/></devices>" } }, undefined), live),
    ).toEqual([]);
  });
});

describe('machineMatches', () => {
  it.each([
    ['q35', 'pc-q35-7.2', true],
    ['pc', 'pc-i440fx-7.2', true],
    ['virt', 'virt-7.2', true],
    ['pc-q35-7.2', 'pc-q35-7.2', true],
    ['q35', 'pc-i440fx-7.2', false],
    ['pc-q35-8.0', 'pc-q35-7.2', false],
    ['pc', 'pc-q35-7.2', false],
    ['pc', 'pc-i440fx-jammy', true],
    ['q35', 'pc-q35-rhel9.2.0', true],
  ])('%s vs %s → %s', (d, l, want) => {
    expect(machineMatches(d, l)).toBe(want);
  });
});
