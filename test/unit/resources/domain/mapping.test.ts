import { describe, expect, it } from 'vitest';
import type { DomainSpec } from '../../../../src/resources/domain/schema.js';
import type { AnyManifest } from '../../../../src/manifests/types.js';
import { diffDomain, domainSpecFromXml, domainXmlString, resolveSpec } from '../../../../src/resources/domain/index.js';
import { attr, children, find, parseXml, text } from '../../../../src/resources/xml.js';
import { domainsOf, loadDomainFixtures, loadExampleState, stateWith, validateDomainXml } from './helpers.js';

const VARIANTS: Array<[string, DomainSpec]> = [
  ['bare number memory is KiB', { memory: 1048576 }],
  ['odd memory', { memory: '1536KiB', currentMemory: '1000KiB' }],
  ['fractional GiB', { memory: '1.25GiB', vcpus: 3 }],
  ['stopped and autostart off', { memory: '1GiB', state: 'stopped', autostart: false }],
  ['paused', { memory: '1GiB', state: 'paused', autostart: true }],
  ['direct kernel boot', { memory: '1GiB', os: { kernel: '/boot/vmlinuz', initrd: '/boot/initrd', cmdline: 'console=ttyS0' } }],
  ['efi on aarch64', { memory: '1GiB', type: 'qemu', os: { arch: 'aarch64', machine: 'virt', firmware: 'efi' } }],
  ['features off', { memory: '1GiB', features: { acpi: false, smm: true, vmport: false } }],
  ['cpu only topology', { memory: '1GiB', cpu: { topology: { sockets: 2, cores: 1, threads: 1 } } }],
  ['empty lists', { memory: '1GiB', disks: [], interfaces: [], hostdevs: [] }],
  ['lifecycle', { memory: '1GiB', onPoweroff: 'preserve', onReboot: 'destroy', onCrash: 'coredump-destroy' }],
  ['tcp serial', { memory: '1GiB', serials: [{ type: 'tcp', host: '0.0.0.0', port: 7000, mode: 'bind', targetPort: 0 }] }],
  ['null console', { memory: '1GiB', consoles: [{ type: 'null' }] }],
  ['usb hostdev by address, unmanaged', { memory: '1GiB', hostdevs: [{ usb: { bus: 2, device: 7 }, managed: false }] }],
  ['pci in another PCI domain', { memory: '1GiB', hostdevs: [{ pci: { domain: 0x10, bus: 0xff, slot: 0x1f, function: 7 } }] }],
  ['spice on fixed port', { memory: '1GiB', graphics: [{ type: 'spice', port: 5930, listen: '::1' }] }],
  [
    'disk format stated',
    { memory: '1GiB', disks: [{ file: '/x.qcow2', target: 'vda', format: 'qcow2', cache: 'none', readonly: true, serial: 'S1' }] },
  ],
  ['timezone clock', { memory: '1GiB', clock: { offset: 'variable', timers: [{ name: 'kvmclock', present: true }] } }],
  ['overlay only', { memory: '1GiB', xml: { merge: '<iothreads>2</iothreads>' } }],
  [
    'nbd and http disks',
    {
      memory: '1GiB',
      disks: [
        { target: 'vda', network: { protocol: 'nbd', name: 'export', hosts: [{ name: 'nbd.example', port: 10809 }] } },
        { target: 'vdb', readonly: true, network: { protocol: 'https', name: '/images/base.img', hosts: [{ name: 'images.example' }] } },
      ],
    },
  ],
];

describe('disks with secrets', () => {
  const secrets = [
    {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Secret',
      metadata: { name: 'san' },
      spec: { usage: { iscsi: 'libvirtiscsi' }, valueFrom: { env: 'X' } },
    },
    {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Secret',
      metadata: { name: 'luks' },
      spec: { usage: { volume: '/var/lib/libvirt/images/enc.img' }, valueFrom: { env: 'Y' } },
    },
  ] as AnyManifest[];
  const spec: DomainSpec = {
    memory: '1GiB',
    disks: [
      { target: 'vda', bus: 'virtio', file: '/var/lib/libvirt/images/enc.img', encryption: { secret: 'luks' } },
      {
        target: 'vdc',
        bus: 'virtio',
        network: {
          protocol: 'iscsi',
          name: 'iqn.2013-06.com.example:iscsi-pool/1',
          hosts: [{ name: 'example.com', port: 3260 }],
          auth: { username: 'myuser', secret: 'san' },
        },
      },
    ],
  };
  /** libvirt 9.0's QEMU driver returned these for the same disks (dumpxml --inactive): engine added, secrets by usage. */
  const LIBVIRT_DISKS = `<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/enc.img'>
        <encryption format='luks' engine='qemu'>
          <secret type='passphrase' usage='/var/lib/libvirt/images/enc.img'/>
        </encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw'/>
      <source protocol='iscsi' name='iqn.2013-06.com.example:iscsi-pool/1'>
        <host name='example.com' port='3260'/>
        <auth username='myuser'>
          <secret type='iscsi' usage='libvirtiscsi'/>
        </auth>
      </source>
      <target dev='vdc' bus='virtio'/>
    </disk>`;

  it('writes the secrets by usage, validates, and finds no drift in what libvirt returns', () => {
    const { state } = stateWith('sealed', spec, secrets);
    const resolved = resolveSpec(spec, state);
    const xml = domainXmlString('sealed', resolved);
    expect(validateDomainXml(xml)).toBeUndefined();
    expect(xml).toContain('<secret type="passphrase" usage="/var/lib/libvirt/images/enc.img"/>');
    expect(xml).toContain('<secret type="iscsi" usage="libvirtiscsi"/>');
    const live = domainSpecFromXml(
      `<domain type='kvm'><name>sealed</name><memory unit='KiB'>1048576</memory><devices>${LIBVIRT_DISKS}</devices></domain>`,
      { state: 'running' },
    );
    expect(diffDomain(resolved, live)).toEqual([]);
    // Another login is drift, shown by usage (what libvirt stores).
    const other = resolveSpec(
      {
        ...spec,
        disks: [
          spec.disks![0]!,
          { ...spec.disks![1]!, network: { ...spec.disks![1]!.network!, auth: { username: 'other', secret: 'san' } } },
        ],
      },
      state,
    );
    expect(diffDomain(other, live).map((c) => c.path)).toEqual(['spec.disks[1].network.auth.username']);
  });

  it("gives a volume disk its volume's LUKS encryption", () => {
    const volume = {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'StorageVolume',
      metadata: { name: 'enc.img' },
      spec: { pool: 'images', capacity: '1GiB', encryption: { secret: 'luks' } },
    } as AnyManifest;
    const { state } = stateWith('sealed', { memory: '1GiB', disks: [{ target: 'vda', volume: { pool: 'images', name: 'enc.img' } }] }, [
      ...secrets,
      volume,
    ]);
    expect(resolveSpec((state.byKey.get('Domain/sealed')!.manifest as { spec: DomainSpec }).spec, state).disks![0]!.encryption).toEqual({
      secret: 'usage:/var/lib/libvirt/images/enc.img',
    });
  });
});

function runtimeFor(spec: DomainSpec): { state: string; autostart?: boolean } {
  const state = { running: 'running', paused: 'paused', stopped: 'shutoff', saved: 'saved' }[spec.state ?? 'running'];
  return spec.autostart === undefined ? { state } : { state, autostart: spec.autostart };
}

describe('fromXml(toXml(spec)) has no diff', () => {
  const sets = [['fixtures', loadDomainFixtures()] as const];
  it.each(VARIANTS)('%s', (_label, spec) => {
    const { state } = stateWith('rt', spec);
    const resolved = resolveSpec(spec, state);
    const xml = domainXmlString('rt', resolved);
    expect(validateDomainXml(xml)).toBeUndefined();
    expect(diffDomain(resolved, domainSpecFromXml(xml, runtimeFor(spec)))).toEqual([]);
  });

  it('for every example and fixture domain', async () => {
    for (const state of [await loadExampleState(), ...sets.map(([, s]) => s)]) {
      for (const { manifest } of domainsOf(state)) {
        const resolved = resolveSpec(manifest.spec, state);
        const xml = domainXmlString(manifest.metadata.name, resolved);
        expect(diffDomain(resolved, domainSpecFromXml(xml, runtimeFor(manifest.spec))), manifest.metadata.name).toEqual([]);
      }
    }
  });
});

describe('toXml', () => {
  it('escapes markup in title, description and paths', () => {
    const spec: DomainSpec = {
      memory: '1GiB',
      title: `</title><script>alert("x")</script>`,
      description: `a & b <c/> ]]> '"`,
      disks: [{ file: `/srv/"quoted" & <odd>.img`, target: 'vda' }],
    };
    const xml = domainXmlString('hostile', resolveSpec(spec, undefined));
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('&lt;/title&gt;&lt;script&gt;');
    expect(validateDomainXml(xml)).toBeUndefined();
    const back = parseXml(xml);
    expect(text(find(back, 'title'))).toBe(spec.title);
    expect(text(find(back, 'description'))).toBe(spec.description);
    expect(attr(find(back, 'devices', 'disk', 'source'), 'file')).toBe(spec.disks?.[0]?.file);
  });

  it('writes memory in KiB, rounding partial KiB up', () => {
    const xml = parseXml(domainXmlString('m', resolveSpec({ memory: '1000B' }, undefined)));
    expect(attr(find(xml, 'memory'), 'unit')).toBe('KiB');
    expect(text(find(xml, 'memory'))).toBe('1');
  });

  it('defaults: kvm, one vcpu, hvm, running', () => {
    const xml = parseXml(domainXmlString('d', resolveSpec({ memory: '1GiB' }, undefined)));
    expect(attr(xml, 'type')).toBe('kvm');
    expect(text(find(xml, 'vcpu'))).toBe('1');
    expect(text(find(xml, 'os', 'type'))).toBe('hvm');
    expect(resolveSpec({ memory: '1GiB' }, undefined).state).toBe('running');
  });

  it('takes the disk format from the referenced volume, iso as raw', () => {
    const state = loadDomainFixtures();
    const spec: DomainSpec = {
      memory: '1GiB',
      disks: [
        { volume: { pool: 'dk-pool', name: 'dk-root.qcow2' }, target: 'vda' },
        { volume: { pool: 'dk-pool', name: 'dk-data.img' }, target: 'vdb' },
        { device: 'cdrom', volume: { pool: 'dk-pool', name: 'dk-installer.iso' }, target: 'sda' },
        { volume: { pool: 'dk-pool', name: 'dk-root.qcow2' }, target: 'vdc', format: 'raw' },
      ],
    };
    const xml = parseXml(domainXmlString('f', resolveSpec(spec, state)));
    expect(children(find(xml, 'devices'), 'disk').map((d) => attr(find(d, 'driver'), 'type'))).toEqual(['qcow2', 'raw', 'raw', 'raw']);
  });

  it('resolves nodeDevice hostdevs to their PCI/USB address and fails on unknown ones', () => {
    const state = loadDomainFixtures();
    const xml = parseXml(
      domainXmlString('h', resolveSpec({ memory: '1GiB', hostdevs: [{ nodeDevice: 'dk-gpu' }, { nodeDevice: 'dk-token' }] }, state)),
    );
    const [gpu, token] = children(find(xml, 'devices'), 'hostdev');
    expect(find(gpu, 'source', 'address')?.attrs).toEqual({ domain: '0x0000', bus: '0x0a', slot: '0x00', function: '0x1' });
    expect(attr(find(token, 'source', 'vendor'), 'id')).toBe('0x1050');
    expect(() => resolveSpec({ memory: '1GiB', hostdevs: [{ nodeDevice: 'nope' }] }, state)).toThrow(/NodeDevice nope/);
  });

  it('marks ownership and applies the overlay in libvirt order', () => {
    const xml = parseXml(
      domainXmlString(
        'o',
        resolveSpec(
          { memory: '1GiB', xml: { merge: '<memoryBacking><hugepages/></memoryBacking><devices><watchdog model="i6300esb"/></devices>' } },
          undefined,
        ),
      ),
    );
    const names = children(xml).map((c) => c.name);
    expect(names.indexOf('memoryBacking')).toBeLessThan(names.indexOf('vcpu'));
    expect(find(xml, 'metadata', 'vk:managed')?.attrs).toMatchObject({ 'xmlns:vk': 'https://virtkeeper.io/xmlns/v1', key: 'Domain/o' });
    expect(children(find(xml, 'devices'), 'watchdog')).toHaveLength(1);
  });
});

describe('fromXml', () => {
  it('reads memory in any libvirt unit into the most natural manifest unit', () => {
    const read = (m: string): string =>
      domainSpecFromXml(`<domain type="kvm"><name>x</name>${m}<os><type>hvm</type></os></domain>`).memory as string;
    expect(read(`<memory unit='KiB'>2097152</memory>`)).toBe('2GiB');
    expect(read(`<memory>1536</memory>`)).toBe('1536KiB');
    expect(read(`<memory unit='MiB'>512</memory>`)).toBe('512MiB');
    expect(read(`<memory unit='G'>4</memory>`)).toBe('4GiB');
    expect(read(`<memory unit='MB'>1000</memory>`)).toBe('1000000000B');
  });

  it('maps libvirt states onto the manifest states', () => {
    const x = `<domain type="test"><name>x</name><memory>1024</memory></domain>`;
    expect(domainSpecFromXml(x, { state: 'running' }).state).toBe('running');
    expect(domainSpecFromXml(x, { state: 'blocked' }).state).toBe('running');
    expect(domainSpecFromXml(x, { state: 'paused' }).state).toBe('paused');
    expect(domainSpecFromXml(x, { state: 'pmsuspended' }).state).toBe('paused');
    expect(domainSpecFromXml(x, { state: 'shutoff' }).state).toBe('stopped');
    expect(domainSpecFromXml(x, { state: 'crashed' }).state).toBe('stopped');
    expect(domainSpecFromXml(x, {}).state).toBeUndefined();
  });

  it('reports only what is present', () => {
    const spec = domainSpecFromXml(`<domain type="test"><name>x</name><memory>1024</memory><devices/></domain>`, {});
    expect(spec).toEqual({ type: 'test', memory: '1MiB' });
  });

  it('skips devices the friendly fields cannot express', () => {
    const spec = domainSpecFromXml(`<domain type="kvm"><name>x</name><memory>1024</memory><devices>
      <disk type="file" device="floppy"><source file="/f.img"/><target dev="fda"/></disk>
      <disk type="nvme" device="disk"><source type="pci" managed="yes" namespace="1"><address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/></source><target dev="vdz"/></disk>
      <interface type="user"/><graphics type="sdl"/><hostdev mode="capabilities" type="storage"/>
    </devices></domain>`);
    expect(spec.disks).toBeUndefined();
    expect(spec.interfaces).toBeUndefined();
    expect(spec.graphics).toBeUndefined();
    expect(spec.hostdevs).toBeUndefined();
  });

  it('drops a recorded overlay that was edited away by hand', () => {
    const withRng = `<domain type="kvm"><name>x</name><metadata><vk:managed xmlns:vk="https://virtkeeper.io/xmlns/v1"><vk:merge>&lt;devices&gt;&lt;rng model="virtio"/&gt;&lt;/devices&gt;</vk:merge></vk:managed></metadata><memory>1024</memory><devices>DEV</devices></domain>`;
    expect(
      domainSpecFromXml(withRng.replace('DEV', `<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>`)).xml?.merge,
    ).toContain('rng');
    expect(domainSpecFromXml(withRng.replace('DEV', '')).xml).toBeUndefined();
  });
});
