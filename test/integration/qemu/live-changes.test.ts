// Live configuration changes and restarts on a real TCG guest (test/support/guest): balloon and
// vCPU hotplug while the guest keeps running (seen by libvirt and by the guest itself on its
// serial console), a non-live change shown as restart pending until the guest restarts, and
// restartPolicy auto forcing off a guest that ignores ACPI after spec.shutdownTimeout; disks
// and NICs plugged and unplugged and a cdrom's medium changed while the guest runs.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildIso } from '../../../src/iso/index.js';
import { bootIds, consoleOffset, userDataSeen, waitForConsole, waitForReboot, waitForStatus } from '../../support/guest/console.js';
import { guestDomain, qemuUnavailable, useQemuSandbox, type GuestDomainOptions } from '../../support/qemu.js';
import { Registry } from 'prom-client';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE } from '../../../src/libvirt/generated/constants.js';
import { DOMAIN_STATS_GROUPS, registerDomainStats } from '../../../src/observability/domain-stats.js';
import { apply, plan } from '../reconciler/support.js';
import type { DomainSpec } from '../../../src/resources/domain/schema.js';

const skip = qemuUnavailable();
const MiB = 1024;

describe.skipIf(skip)('live changes on a TCG guest', () => {
  const sb = useQemuSandbox();
  const applyGuest = async (name: string, options: GuestDomainOptions) => {
    await sb.write(name, guestDomain(sb, name, options));
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    return run;
  };
  const planHost = () => plan(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir, detailedExitcode: true });
  const dominfo = (name: string): Record<string, string> =>
    Object.fromEntries(
      sb
        .virsh('dominfo', name)
        .split('\n')
        .map((l) => l.split(/:\s+/, 2) as [string, string]),
    );
  /** libvirt reports the balloon's actual size; it settles once the guest's driver has moved it. */
  const waitForUsedMemory = async (name: string, kib: number) => {
    const deadline = Date.now() + 60_000;
    while (dominfo(name)['Used memory'] !== `${kib} KiB`) {
      if (Date.now() > deadline) throw new Error(`balloon of ${name} never reached ${kib} KiB: ${dominfo(name)['Used memory']}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  it('balloons memory 256→384 MiB and hot-plugs vCPUs 1→2 while the guest keeps running', async () => {
    const base = { memory: '512MiB', currentMemory: '256MiB', vcpus: 1, maxVcpus: 2 };
    await applyGuest('live-1', base);
    const log = sb.consoleFile('live-1');
    await waitForUsedMemory('live-1', 256 * MiB);
    const before = await waitForStatus(log, (s) => s.nproc === 1 && s.memTotalKiB < 300 * MiB, { timeoutMs: 90_000 });
    const id = sb.virsh('domid', 'live-1');

    await sb.write('live-1', guestDomain(sb, 'live-1', { ...base, currentMemory: '384MiB', vcpus: 2 }));
    const planned = await planHost();
    expect(planned.stdout).toContain('~ spec.currentMemory: "256MiB" → "384MiB"  [live]');
    expect(planned.stdout).toContain('~ spec.vcpus: 1 → 2  [live]');
    expect(planned.stdout).not.toContain('restart');
    const offset = consoleOffset(log);
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout).toBe(0);

    expect(sb.virsh('domid', 'live-1')).toBe(id); // the same QEMU process: no restart
    await waitForUsedMemory('live-1', 384 * MiB);
    expect(dominfo('live-1')['CPU(s)']).toBe('2');
    // The guest's own view: MemTotal follows the balloon (less what the kernel keeps, ~40 MiB).
    const after = await waitForStatus(log, (s) => s.nproc === 2 && s.memTotalKiB > 320 * MiB, { fromOffset: offset, timeoutMs: 60_000 });
    expect(after.memTotalKiB).toBeLessThanOrEqual(384 * MiB);
    expect(after.memTotalKiB - before.memTotalKiB).toBeGreaterThan(64 * MiB);
    const again = await planHost();
    expect(again.code, again.stdout).toBe(0);
  }, 300_000);

  it("exports the running guest's statistics from one virConnectGetAllDomainStats call", async () => {
    const client = await LibvirtClient.connect(sb.uri, { readOnly: true });
    try {
      const registry = new Registry();
      registerDomainStats(registry, {
        fetch: () => client.getAllDomainStats(DOMAIN_STATS_GROUPS, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE),
      });
      const text = await registry.metrics();
      const value = (line: RegExp) => Number(line.exec(text)?.[1] ?? NaN);
      expect(value(/^virtkeeper_domain_cpu_seconds_total\{domain="live-1"\} (\S+)$/m)).toBeGreaterThan(0);
      expect(value(/^virtkeeper_domain_vcpu_seconds_total\{domain="live-1",vcpu="0"\} (\S+)$/m)).toBeGreaterThan(0);
      expect(value(/^virtkeeper_domain_balloon_current_bytes\{domain="live-1"\} (\S+)$/m)).toBe(384 * MiB * 1024);
      expect(value(/^virtkeeper_domain_memory_rss_bytes\{domain="live-1"\} (\S+)$/m)).toBeGreaterThan(16 * MiB * 1024);
    } finally {
      await client.close();
    }
  });

  it('shows a non-live change as restart pending until the guest is restarted', async () => {
    await sb.write('live-1', guestDomain(sb, 'live-1', { memory: '640MiB', currentMemory: '384MiB', vcpus: 2, maxVcpus: 2 }));
    const first = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(first.stdout).toContain('(restart required)');
    expect(first.code).toBe(0);

    const pending = await planHost();
    expect(pending.code).toBe(2);
    expect(pending.stdout).toContain('restart pending: spec.memory 512MiB running, 640MiB defined');
    expect(pending.stdout).toContain('1 restart pending');
    expect(pending.stdout).not.toContain('No changes');

    const log = sb.consoleFile('live-1');
    const boot = bootIds(log).at(-1)!;
    sb.virsh('destroy', 'live-1');
    sb.virsh('start', 'live-1');
    await waitForReboot(log, boot);
    await waitForUsedMemory('live-1', 384 * MiB);
    const settled = await planHost();
    expect(settled.code, settled.stdout).toBe(0);
    expect(settled.stdout).toContain('No changes');
    sb.virsh('destroy', 'live-1');
  }, 300_000);

  it('restartPolicy auto forces off a guest that ignores ACPI after spec.shutdownTimeout, and says so', async () => {
    const deaf = { memory: '256MiB', ignoreAcpi: true, extra: { restartPolicy: 'auto' as const, shutdownTimeout: '3s' } };
    await applyGuest('deaf-1', deaf);
    const log = sb.consoleFile('deaf-1');
    await waitForConsole(log, /VK-ACPI ignored/, { timeoutMs: 90_000 });

    await sb.write('deaf-1', guestDomain(sb, 'deaf-1', { ...deaf, memory: '320MiB' }));
    const planned = await planHost();
    expect(planned.stdout).toContain('will restart: shutdown, then force off after 3s');
    const boot = bootIds(log).at(-1)!;
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Domain/deaf-1: asked domain deaf-1 to shut down (ACPI); forcing it off after 3s');
    expect(run.stdout).toContain('Domain/deaf-1: domain deaf-1 ignored the shutdown request for 3s: forced off');
    await waitForReboot(log, boot);
    expect(dominfo('deaf-1')['Max memory']).toBe(`${320 * MiB} KiB`);
    expect((await planHost()).code).toBe(0);
  }, 300_000);

  it('plugs and unplugs a disk and a NIC and changes the cdrom while the guest keeps running', async () => {
    const dir = path.join(sb.manifests, '..');
    const iso = async (name: string, id: string) => {
      const file = path.join(dir, `${name}.iso`);
      await writeFile(file, buildIso({ volumeId: id, files: [{ name: 'id.txt', data: Buffer.from(`${id}\n`) }], date: new Date(0) }));
      return file;
    };
    const [isoA, isoB] = [await iso('a', 'MEDIUM-A'), await iso('b', 'MEDIUM-B')];
    const data = path.join(dir, 'data.img');
    await writeFile(data, Buffer.alloc(8 * 1024 * 1024));
    const network = { apiVersion: 'virtkeeper.io/v1', kind: 'Network', metadata: { name: 'plug' }, spec: { bridge: 'vkplug0' } };
    const nicA = { network: 'plug', model: 'virtio' as const, mac: '52:54:00:aa:00:01' };
    const nicB = { network: 'plug', model: 'virtio' as const, mac: '52:54:00:aa:00:02' };
    const cdrom = (file: string) => ({ device: 'cdrom' as const, target: 'hdc', bus: 'ide' as const, file });
    const vdb = { target: 'vdb', bus: 'virtio' as const, file: data };
    const guest = (extra: Partial<DomainSpec>) => guestDomain(sb, 'plug-1', { memory: '256MiB', extra });
    const log = sb.consoleFile('plug-1');

    await sb.write('plug-1', network, guest({ disks: [cdrom(isoA)], interfaces: [nicA] }));
    const first = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await waitForStatus(log, (s) => s.nics.length === 1 && s.cdrom === 'MEDIUM-A', { timeoutMs: 90_000 });
    const id = sb.virsh('domid', 'plug-1');

    await sb.write('plug-1', network, guest({ disks: [cdrom(isoB), vdb], interfaces: [nicA, nicB] }));
    const planned = await planHost();
    expect(planned.stdout).toContain('~ spec.disks[0].file: ');
    expect(planned.stdout).toMatch(/\+ spec\.disks\[1\].*\[live\]/);
    expect(planned.stdout).toMatch(/\+ spec\.interfaces\[1\].*\[live\]/);
    expect(planned.stdout).not.toContain('restart');
    let offset = consoleOffset(log);
    const plugged = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(plugged.code, plugged.stdout + plugged.stderr).toBe(0);
    expect(sb.virsh('domid', 'plug-1')).toBe(id);
    const seen = await waitForStatus(log, (s) => s.nics.length === 2 && s.blocks.includes('vda') && s.cdrom === 'MEDIUM-B', {
      fromOffset: offset,
      timeoutMs: 60_000,
    });
    expect(seen.blocks).toContain('sr0');
    // Both the running guest and the config have the new devices, with the same MAC.
    for (const flags of [[], ['--inactive']]) {
      expect(sb.virsh('domiflist', 'plug-1', ...flags)).toContain('52:54:00:aa:00:02');
      expect(sb.virsh('domblklist', 'plug-1', ...flags)).toMatch(new RegExp(`vdb\\s+${data}`));
      expect(sb.virsh('domblklist', 'plug-1', ...flags)).toContain(isoB);
    }
    expect((await planHost()).code).toBe(0);

    await sb.write('plug-1', network, guest({ disks: [cdrom(isoB)], interfaces: [nicB] }));
    const toUnplug = await planHost();
    expect(toUnplug.stdout).toContain('- spec.interfaces[1]: {"network":"plug","model":"virtio","mac":"52:54:00:aa:00:01"}  [live]');
    expect(toUnplug.stdout).toMatch(/- spec\.disks\[1\]: \{"device":"disk","target":"vdb".*\[live\]/);
    expect(toUnplug.stdout).not.toContain('restart');
    offset = consoleOffset(log);
    const unplugged = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(unplugged.code, unplugged.stdout + unplugged.stderr).toBe(0);
    expect(sb.virsh('domid', 'plug-1')).toBe(id);
    // apply returned only after libvirt reported both devices removed: they are gone at once.
    for (const flags of [[], ['--inactive']]) {
      expect(sb.virsh('domiflist', 'plug-1', ...flags)).not.toContain('52:54:00:aa:00:01');
      expect(sb.virsh('domblklist', 'plug-1', ...flags)).not.toContain('vdb');
    }
    await waitForStatus(log, (s) => s.nics.length === 1 && !s.blocks.includes('vda'), { fromOffset: offset, timeoutMs: 60_000 });
    expect((await planHost()).code).toBe(0);
    sb.virsh('destroy', 'plug-1');
  }, 300_000);

  it('reports a NIC the guest does not release within spec.detachTimeout, and the plan still shows it', async () => {
    const network = { apiVersion: 'virtkeeper.io/v1', kind: 'Network', metadata: { name: 'plug' }, spec: { bridge: 'vkplug0' } };
    const nics = [
      { network: 'plug', model: 'virtio' as const, mac: '52:54:00:bb:00:01' },
      { network: 'plug', model: 'virtio' as const, mac: '52:54:00:bb:00:02' },
    ];
    const guest = (interfaces: typeof nics) =>
      guestDomain(sb, 'sticky-1', { ignoreHotplug: true, extra: { interfaces, detachTimeout: '3s' } });
    await sb.write('plug-1', network);
    await sb.write('sticky-1', guest(nics));
    const first = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await waitForStatus(sb.consoleFile('sticky-1'), (s) => s.nics.length === 2, { timeoutMs: 90_000 });

    await sb.write('sticky-1', guest(nics.slice(0, 1)));
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Domain/sticky-1: waiting up to 3s for the guest of domain sticky-1 to release NIC 52:54:00:bb:00:02');
    expect(run.stdout + run.stderr).toMatch(/the guest of domain sticky-1 did not release NIC 52:54:00:bb:00:02 \(alias net1\) within 3s/);
    expect(sb.virsh('domiflist', 'sticky-1')).toContain('52:54:00:bb:00:02');
    const after = await planHost();
    expect(after.code).toBe(2);
    expect(after.stdout).toContain('- spec.interfaces[1]: {"network":"plug","model":"virtio","mac":"52:54:00:bb:00:02"}  [live]');
    sb.virsh('destroy', 'sticky-1');
  }, 300_000);

  it('state saved: managed save, then resumed where it was by the next start (no boot)', async () => {
    const running = { memory: '256MiB', extra: { state: 'running' as const } };
    const saved = { memory: '256MiB', extra: { state: 'saved' as const } };
    await applyGuest('save-1', running);
    const log = sb.consoleFile('save-1');
    await waitForStatus(log, () => true, { timeoutMs: 90_000 });
    const boots = bootIds(log);

    await sb.write('save-1', guestDomain(sb, 'save-1', saved));
    expect((await planHost()).stdout).toContain('domain save-1 is running, manifest wants saved');
    await applyGuest('save-1', saved);
    expect(sb.virsh('domstate', 'save-1')).toBe('shut off');
    expect(dominfo('save-1')['Managed save']).toBe('yes');
    const settled = await planHost();
    expect(settled.code, settled.stdout).toBe(0);

    const offset = consoleOffset(log);
    await applyGuest('save-1', running);
    expect(sb.virsh('domstate', 'save-1')).toBe('running');
    expect(dominfo('save-1')['Managed save']).toBe('no');
    // The guest goes on printing status lines and never booted again.
    await waitForStatus(log, () => true, { fromOffset: offset, timeoutMs: 60_000 });
    expect(bootIds(log).filter((id) => !boots.includes(id))).toEqual([]);
    expect((await planHost()).code).toBe(0);
    sb.virsh('destroy', 'save-1');
  }, 300_000);

  it("changes a running network's DHCP range and DNS hosts live, and shows a non-live change as restart pending", async () => {
    const net = (spec: object) => ({ apiVersion: 'virtkeeper.io/v1', kind: 'Network', metadata: { name: 'dhcp' }, spec });
    const base = {
      forward: { mode: 'nat' },
      bridge: 'vkdhcp0',
      ips: [{ address: '192.168.150.1', prefix: 24, dhcp: { ranges: [{ start: '192.168.150.100', end: '192.168.150.199' }] } }],
    };
    // The bridge's index inside the daemon's network namespace: a restarted network gets a new bridge.
    const ifindex = () =>
      execFileSync('nsenter', ['-t', String(sb.daemon.pid), '-n', 'ip', '-o', 'link', 'show', 'vkdhcp0'], { encoding: 'utf8' }).split(
        ':',
      )[0];
    await sb.write('net-dhcp', net(base));
    const created = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const bridge = ifindex();

    const changed = {
      ...base,
      ips: [{ ...base.ips[0], dhcp: { ranges: [{ start: '192.168.150.10', end: '192.168.150.20' }] } }],
      dns: { hosts: [{ ip: '192.168.150.5', hostnames: ['files'] }] },
    };
    await sb.write('net-dhcp', net(changed));
    const planned = await planHost();
    expect(planned.stdout).toContain('~ spec.ips[0].dhcp.ranges[0].start: "192.168.150.100" → "192.168.150.10"  [live]');
    expect(planned.stdout).not.toContain('restart');
    const run = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(ifindex()).toBe(bridge); // the network was not restarted
    for (const flags of [[], ['--inactive']]) {
      const xml = sb.virsh('net-dumpxml', 'dhcp', ...flags);
      expect(xml).toContain("<range start='192.168.150.10' end='192.168.150.20'/>");
      expect(xml).not.toContain('192.168.150.100');
      expect(xml).toContain('<hostname>files</hostname>');
    }
    expect((await planHost()).code).toBe(0);

    await sb.write('net-dhcp', net({ ...changed, mtu: 1400 }));
    const redefined = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(redefined.stdout).toContain('(restart required)');
    const pending = await planHost();
    expect(pending.code).toBe(2);
    expect(pending.stdout).toContain('restart pending: spec.mtu (absent) running, 1400 defined');
    expect(pending.stdout).not.toContain('No changes');
    sb.virsh('net-destroy', 'dhcp');
    sb.virsh('net-start', 'dhcp');
    expect((await planHost()).code).toBe(0);
  }, 300_000);
  it('boots with a cloud-init seed the guest reads byte for byte; edited user-data changes the medium live and drops the old seed', async () => {
    const poolDir = path.join(sb.manifests, '..', 'seed-pool');
    await mkdir(poolDir, { recursive: true });
    const pool = { apiVersion: 'virtkeeper.io/v1', kind: 'StoragePool', metadata: { name: 'seeds' }, spec: { type: 'dir', path: poolDir } };
    const userDataFile = path.join(sb.manifests, 'seed-1.user-data.yaml');
    // Not ASCII, and not a manifest although it ends in .yaml: the loader must leave it to the seed.
    // @MOTD_TOKEN@ becomes a Secret's value in the seed only: the plan shows the placeholder.
    const first = '#cloud-config\nwrite_files:\n  - path: /etc/motd\n    content: "premier été @MOTD_TOKEN@"\n';
    const second = '#cloud-config\nruncmd:\n  - [sh, -c, "echo second seed @MOTD_TOKEN@"]\n';
    const token = `tok-${Date.now().toString(36)}`;
    const tokenFile = path.join(sb.manifests, '..', 'motd-token');
    await writeFile(tokenFile, token);
    const tokenSecret = {
      apiVersion: 'virtkeeper.io/v1',
      kind: 'Secret',
      metadata: { name: 'motd-token' },
      spec: { valueFrom: { file: tokenFile } },
    };
    await writeFile(userDataFile, first);
    const guest = (extra: Partial<DomainSpec>) =>
      guestDomain(sb, 'seed-1', {
        memory: '256MiB',
        extra: {
          cloudInit: {
            pool: 'seeds',
            userData: { fromFile: 'seed-1.user-data.yaml' },
            secretRefs: [{ placeholder: '@MOTD_TOKEN@', secret: 'motd-token' }],
          },
          ...extra,
        },
      });
    const log = sb.consoleFile('seed-1');
    const seedFiles = async () => (await readdir(poolDir)).filter((f) => f.startsWith('seed-1-cidata-'));

    await sb.write('seed-1', pool, tokenSecret, guest({}));
    const created = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).not.toContain(token);
    await waitForConsole(log, /^VK-USERDATA /, { timeoutMs: 90_000 });
    const firstWithToken = first.replace('@MOTD_TOKEN@', token);
    expect(userDataSeen(log).at(-1)?.toString('utf8')).toBe(firstWithToken);
    // An independent ISO reader sees the same bytes in the uploaded volume, under its Joliet name.
    const [volume] = await seedFiles();
    expect(execFileSync('isoinfo', ['-J', '-x', '/user-data', '-i', path.join(poolDir, volume!)], { encoding: 'utf8' })).toBe(
      firstWithToken,
    );
    expect((await planHost()).code).toBe(0);
    const id = sb.virsh('domid', 'seed-1');

    await writeFile(userDataFile, second);
    const planned = await planHost();
    expect(planned.code, planned.stdout).toBe(2);
    // Against the seed the guest has now (its files are in the state store): only what changed.
    expect(planned.stdout).toContain(`~ seed.user-data: ${JSON.stringify(first)} → ${JSON.stringify(second)}`);
    expect(planned.stdout).not.toContain('seed.meta-data');
    expect(planned.stdout).toMatch(
      /~ spec\.disks\[0\]\.volume\.name: "seed-1-cidata-[0-9a-f]{12}\.iso" → "seed-1-cidata-[0-9a-f]{12}\.iso" {2}\[live\]/,
    );
    expect(planned.stdout).toContain(`- StorageVolume/seeds/${volume} delete`);
    expect(planned.stdout).not.toContain('restart');
    expect(planned.stdout).not.toContain(token);
    const offset = consoleOffset(log);
    const changed = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    expect(sb.virsh('domid', 'seed-1')).toBe(id); // the medium changed under the running guest
    await waitForConsole(log, /^VK-USERDATA /, { fromOffset: offset, timeoutMs: 60_000 });
    expect(userDataSeen(log).at(-1)?.toString('utf8')).toBe(second.replace('@MOTD_TOKEN@', token));
    const left = await seedFiles();
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(volume);
    expect((await planHost()).code).toBe(0);

    await sb.write('seed-1', pool, tokenSecret, guest({ state: 'stopped', stopMode: 'destroy' }));
    expect((await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir })).code).toBe(0);
  }, 300_000);

  it('boots a guest on a LUKS volume that QEMU opens with the passphrase of a Secret', async () => {
    const poolDir = path.join(sb.manifests, '..', 'vault-pool');
    await mkdir(poolDir, { recursive: true });
    const passphraseFile = path.join(sb.manifests, '..', 'vault-passphrase');
    await writeFile(passphraseFile, 'luks in the sandbox\n');
    const volumePath = path.join(poolDir, 'sealed.img');
    const docs = (state: 'running' | 'stopped') => [
      {
        apiVersion: 'virtkeeper.io/v1',
        kind: 'Secret',
        metadata: { name: 'sealed-pass' },
        spec: { usage: { volume: volumePath }, valueFrom: { file: passphraseFile } },
      },
      { apiVersion: 'virtkeeper.io/v1', kind: 'StoragePool', metadata: { name: 'vault' }, spec: { type: 'dir', path: poolDir } },
      {
        apiVersion: 'virtkeeper.io/v1',
        kind: 'StorageVolume',
        metadata: { name: 'sealed.img' },
        spec: { pool: 'vault', capacity: '8MiB', format: 'raw', encryption: { secret: 'sealed-pass' } },
      },
      // The disk takes the volume's encryption: QEMU gets the passphrase through libvirt's secret.
      guestDomain(sb, 'sealed', {
        memory: '256MiB',
        extra: { state, stopMode: 'destroy', disks: [{ target: 'vda', bus: 'virtio', volume: { pool: 'vault', name: 'sealed.img' } }] },
      }),
    ];
    await sb.write('sealed', ...docs('running'));
    const created = await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(execFileSync('qemu-img', ['info', volumePath], { encoding: 'utf8' })).toContain('file format: luks');
    // The guest sees the decrypted disk: 8 MiB of it, as vda.
    await waitForStatus(sb.consoleFile('sealed'), (s) => s.blocks.includes('vda'), { timeoutMs: 90_000 });
    expect(sb.virsh('domstate', 'sealed')).toBe('running');
    expect((await planHost()).code).toBe(0);
    await sb.write('sealed', ...docs('stopped'));
    expect((await apply(sb.manifests, { connect: sb.uri, stateDir: sb.stateDir })).code).toBe(0);
  }, 300_000);
});
