// host-info's capabilities summary and text layout, on a QEMU-shaped capabilities document.
import { describe, expect, it } from 'vitest';
import { formatHostInfo, parseCapabilities, type HostInfo } from '../../../../src/cli/commands/host-info.js';

const QEMU_CAPS = `<capabilities>
  <host>
    <uuid>4c4c4544-0042-3010-8052-b4c04f4e3632</uuid>
    <cpu>
      <arch>x86_64</arch>
      <model>Skylake-Client-IBRS</model>
      <vendor>Intel</vendor>
      <topology sockets='1' dies='1' cores='4' threads='2'/>
      <feature name='vmx'/>
    </cpu>
    <migration_features><live/></migration_features>
  </host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine maxCpus='288'>pc-q35-7.2</machine>
      <domain type='qemu'/>
      <domain type='kvm'/>
    </arch>
    <features><acpi default='on' toggle='yes'/></features>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='aarch64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-aarch64</emulator>
      <machine maxCpus='512'>virt</machine>
      <domain type='qemu'/>
    </arch>
  </guest>
</capabilities>`;

describe('parseCapabilities', () => {
  it('summarises host CPU and every guest arch with its domain types and machines', () => {
    expect(parseCapabilities(QEMU_CAPS)).toEqual({
      hostArch: 'x86_64',
      hostCpuModel: 'Skylake-Client-IBRS',
      hostCpuVendor: 'Intel',
      hostUuid: '4c4c4544-0042-3010-8052-b4c04f4e3632',
      guests: [
        {
          osType: 'hvm',
          arch: 'x86_64',
          wordsize: 64,
          emulator: '/usr/bin/qemu-system-x86_64',
          domainTypes: ['qemu', 'kvm'],
          machines: ['pc-i440fx-7.2', 'pc', 'pc-q35-7.2'],
        },
        {
          osType: 'hvm',
          arch: 'aarch64',
          wordsize: 64,
          emulator: '/usr/bin/qemu-system-aarch64',
          domainTypes: ['qemu'],
          machines: ['virt'],
        },
      ],
    });
  });

  it('copes with a host that offers no guests', () => {
    expect(parseCapabilities('<capabilities><host><cpu><arch>s390x</arch></cpu></host></capabilities>')).toEqual({
      hostArch: 's390x',
      guests: [],
    });
  });

  it('rejects a document that is not capabilities XML', () => {
    expect(() => parseCapabilities('<domain/>')).toThrow(/no <capabilities> root/);
  });
});

describe('formatHostInfo', () => {
  it('prints one line per fact and one per guest arch', () => {
    const info: HostInfo = {
      uri: 'qemu:///system',
      hostname: 'hv1',
      libvirtVersion: '9.0.0',
      hypervisor: { type: 'QEMU', version: '7.2.0' },
      node: {
        cpuModel: 'x86_64',
        cpus: 8,
        mhz: 2400,
        numaNodes: 1,
        sockets: 1,
        coresPerSocket: 4,
        threadsPerCore: 2,
        memoryBytes: 16 * 1024 ** 3,
      },
      capabilities: parseCapabilities(QEMU_CAPS),
    };
    expect(formatHostInfo(info)).toBe(
      [
        'Host:        hv1 (qemu:///system)',
        'libvirt:     9.0.0',
        'Hypervisor:  QEMU 7.2.0',
        'CPU:         8 × Intel Skylake-Client-IBRS @ 2400 MHz (1 NUMA node, 1 socket, 4 cores/socket, 2 threads/core)',
        'Memory:      16.0 GiB',
        'Host arch:   x86_64',
        'Guests:      os type  arch      domain types',
        '             hvm      x86_64    qemu, kvm',
        '             hvm      aarch64   qemu',
        '',
      ].join('\n'),
    );
  });
});
