// Shapes validate now accepts because libvirt 9.0 does (issue #12): applied through `virtkeeper
// apply` to the test driver of a private libvirtd, libvirt takes every one of them, and the next
// plan is empty — what virtkeeper writes is what it reads back.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { loadManifests } from '../../../src/manifests/loader.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { apply, plan } from '../reconciler/support.js';

const MANIFESTS = `apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: vk9-vepa}
spec:
  forward: {mode: vepa, dev: eth1, interfaces: [eth1, eth2]}
---
apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: vk9-vfs}
spec:
  forward: {mode: hostdev, pf: eth3, managed: true}
---
apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: vk9-open}
spec:
  forward: {mode: open}
  bridge: vk9open0
  ips:
    - address: 10.91.0.1
      prefix: 24
      dhcp:
        hosts:
          - {mac: "52:54:00:91:00:01", name: a.example.com, ip: 10.91.0.11}
    - address: "fd00:91::1"
      prefix: 64
      dhcp:
        hosts:
          - {id: "0:3:0:1:0:16:3e:11:22:33", name: b.example.com, ip: "fd00:91::11"}
---
apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: vk9-rbd}
spec:
  type: rbd
  source: {name: vms, host: mon1.example, port: 6789}
---
apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: vk9-san}
spec:
  type: iscsi-direct
  source: {host: san.example, iqn: target0, initiatorIqn: host0}
---
apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: vk9-vhba}
spec:
  type: scsi
  source: {adapter: {parent: scsi_host5, wwnn: 20000000c9831b4b, wwpn: 10000000c9831b4b}}
---
apiVersion: virtkeeper.io/v1
kind: StoragePool
metadata: {name: vk9-images}
spec: {type: dir, path: /vk9-images}
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: appliance.vmdk}
spec: {pool: vk9-images, capacity: 1GiB, format: vmdk}
---
apiVersion: virtkeeper.io/v1
kind: StorageVolume
metadata: {name: rounded.img}
spec: {pool: vk9-images, capacity: 1000000B, allocation: 1003520B, format: raw}
---
apiVersion: virtkeeper.io/v1
kind: Interface
metadata: {name: vk9br0}
spec:
  type: bridge
  startMode: onboot
  mtu: 65536
  members: [eth9]
  bridge: {stp: false, delay: 0.01}
---
apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: vk9-guest}
spec:
  type: test
  memory: 256MiB
  disks:
    - {volume: {pool: vk9-images, name: appliance.vmdk}, target: sda, bus: sd}
  consoles:
    - {targetType: sclp}
`;

describe('libvirt 9.0 shapes through virtkeeper apply (test driver)', () => {
  const fixture = usePrivateLibvirtd();
  // The test driver forgets everything when its last connection closes: this one spans the file.
  let keepAlive: LibvirtClient;
  let work: string;
  let manifests: string;
  let stateDir: string;
  beforeAll(async () => {
    keepAlive = await LibvirtClient.connect(fixture.daemon.testUri);
    work = await mkdtemp(path.join(os.tmpdir(), 'vk-libvirt9-'));
    manifests = path.join(work, 'manifests');
    stateDir = path.join(work, 'state');
    await mkdir(manifests, { recursive: true });
    await writeFile(path.join(manifests, 'shapes.yaml'), MANIFESTS);
  });
  afterAll(async () => {
    await keepAlive?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('validates, applies, and then plans nothing', async () => {
    const loaded = await loadManifests(manifests);
    expect(loaded.errors).toEqual([]);

    const uri = fixture.daemon.testUri;
    const applied = await apply(manifests, { connect: uri, stateDir, autoApprove: true });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const after = await plan(manifests, { connect: uri, stateDir, detailedExitcode: true });
    expect(after.code, after.stdout + after.stderr).toBe(0);

    // What libvirt holds is the shape asked for, not a fallback.
    const net = await keepAlive.getNetworkXml(await keepAlive.getNetwork('vk9-open'));
    expect(net).toContain("id='0:3:0:1:0:16:3e:11:22:33'");
    expect(net).toContain("name='a.example.com'");
    const vepa = await keepAlive.getNetworkXml(await keepAlive.getNetwork('vk9-vepa'));
    expect(vepa).toMatch(/<forward dev='eth1' mode='vepa'>\s*<interface dev='eth1'\/>\s*<interface dev='eth2'\/>/);
    const guest = await keepAlive.getDomainXml(await keepAlive.getDomain('vk9-guest'));
    expect(guest).toMatch(/<driver name='qemu' type='vmdk'\/>/);
    expect(guest).toMatch(/<target dev='sda' bus='sd'\/>/);
    expect(guest).toMatch(/<target type='sclp'/);
  });
});
