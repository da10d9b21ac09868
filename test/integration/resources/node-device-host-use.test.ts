// The host-use refusal on libvirt's real node-device driver: the private libvirtd's
// qemu:///system lists this machine's own PCI devices. The test finds the PCI device behind the
// interface that carries this machine's default route (and behind the root filesystem's disk),
// plans a NodeDevice for it and expects the refusal. It only ever PLANS, over a read-only
// connection: nothing here may detach a device of this machine.
import { readFile, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { nodeDeviceKind } from '../../../src/resources/node-device/index.js';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import type { JsonPlan } from '../../../src/reconciler/render/json.js';
import type { PlanCommandOptions } from '../../../src/cli/commands/plan.js';
import { plan, planJson } from '../reconciler/support.js';

/** A refused plan exits 1: parse its JSON anyway. */
async function refusedPlanJson(dir: string, options: PlanCommandOptions): Promise<JsonPlan> {
  const run = await plan(dir, { ...options, json: true });
  expect(run.code, run.stderr).toBe(1);
  return JSON.parse(run.stdout) as JsonPlan;
}

const PCI_ADDRESS = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

interface PciFound {
  text: string;
  libvirtName: string;
  address: { domain: number; bus: number; slot: number; function: number };
}

/** The nearest PCI function above a sysfs device path (a virtio NIC sits below its virtio-pci function). */
async function pciAbove(sysPath: string): Promise<PciFound | undefined> {
  const real = await realpath(sysPath).catch(() => undefined);
  if (!real) return undefined;
  const parts = real.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = PCI_ADDRESS.exec(parts[i]);
    if (!m) continue;
    const [d, b, s, f] = m.slice(1).map((x) => parseInt(x, 16));
    return { text: parts[i], libvirtName: `pci_${m[1]}_${m[2]}_${m[3]}_${m[4]}`, address: { domain: d, bus: b, slot: s, function: f } };
  }
  return undefined;
}

/** The interface of this machine's default route, from /proc/net/route. */
async function defaultRouteInterface(): Promise<string | undefined> {
  const lines = (await readFile('/proc/net/route', 'utf8')).split('\n').slice(1);
  return lines.map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000')?.[0];
}

const nodeDeviceYaml = (name: string, pci: PciFound['address'], annotations = '') =>
  `apiVersion: virtkeeper.io/v1\nkind: NodeDevice\nmetadata:\n  name: ${name}\n${annotations}spec:\n  pci: {domain: ${pci.domain}, bus: ${pci.bus}, slot: ${pci.slot}, function: ${pci.function}}\n  detached: true\n`;

describe('NodeDevice host-use refusal on the real node-device driver (read-only, plan only)', () => {
  const fixture = usePrivateLibvirtd();
  let skipReason: string | undefined;
  let readOnlyUri: string;
  let client: LibvirtClient;
  let work: string;
  let iface: string | undefined;
  let nic: PciFound | undefined;
  let rootController: PciFound | undefined;

  const listed = async (found: PciFound) => (await client.lookupNodeDevice(found.libvirtName)) !== null;
  const requireDevice = (ctx: TestContext, found: PciFound | undefined, what: string): PciFound => {
    if (skipReason) ctx.skip(skipReason);
    if (!found) {
      console.warn(`node-device-host-use: skipped: ${what}`);
      ctx.skip(what);
    }
    return found!;
  };

  beforeAll(async () => {
    if (fixture.daemon.isolation !== 'namespaces') {
      skipReason = `needs root and unshare for the private daemon's real node-device driver (isolation is ${fixture.daemon.isolation})`;
      console.warn(`node-device-host-use: skipped: ${skipReason}`);
      return;
    }
    readOnlyUri = `qemu+unix:///system?socket=${fixture.daemon.readOnlySocketPath}`;
    client = await LibvirtClient.connect(readOnlyUri, { readOnly: true });
    work = await mkdtemp(path.join(os.tmpdir(), 'vk-hostdev-'));
    iface = await defaultRouteInterface();
    const nicFound = iface ? await pciAbove(`/sys/class/net/${iface}/device`) : undefined;
    nic = nicFound && (await listed(nicFound)) ? nicFound : undefined;
    const dev = statSync('/').dev;
    const rootFound = await pciAbove(`/sys/dev/block/${(dev >> 8) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`);
    rootController = rootFound && (await listed(rootFound)) ? rootFound : undefined;
  });

  afterAll(async () => {
    await client?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reads, through libvirt, that the default-route interface hangs off its PCI device', async (ctx) => {
    const found = requireDevice(ctx, nic, `the default route's interface (${iface ?? 'none'}) is not below a PCI device libvirt lists`);
    const live = (await nodeDeviceKind.readLive(client)).find((d) => d.name === found.libvirtName);
    expect(live?.hostUse?.nets.map((n) => n.interface)).toContain(iface);
  });

  it('plan refuses to detach the PCI device of the default-route interface, naming it', async (ctx) => {
    const found = requireDevice(ctx, nic, `the default route's interface (${iface ?? 'none'}) is not below a PCI device libvirt lists`);
    const dir = await mkdtemp(path.join(work, 'nic-'));
    await writeFile(path.join(dir, 'nic.yaml'), nodeDeviceYaml('host-nic', found.address));
    const opts = { connect: readOnlyUri, stateDir: path.join(work, 'state'), color: false };
    const json = await refusedPlanJson(dir, opts);
    const change = json.resource_changes.find((c) => c.address === 'NodeDevice/host-nic');
    expect(change?.refused).toMatch(new RegExp(`the host uses ${found.libvirtName}: network interface ${iface} \\(link up`));
    expect(json.summary.refused).toBe(1);
    const human = await plan(dir, opts);
    expect(human.stdout).toMatch(new RegExp(`REFUSED: the host uses ${found.libvirtName}: network interface ${iface}`));
  });

  it('the allow-host-device annotation lifts the refusal (planned only, never applied)', async (ctx) => {
    const found = requireDevice(ctx, nic, `the default route's interface (${iface ?? 'none'}) is not below a PCI device libvirt lists`);
    const dir = await mkdtemp(path.join(work, 'nic-allowed-'));
    await writeFile(
      path.join(dir, 'nic.yaml'),
      nodeDeviceYaml('host-nic', found.address, `  annotations:\n    virtkeeper.io/allow-host-device: "true"\n`),
    );
    const json = await planJson(dir, { connect: readOnlyUri, stateDir: path.join(work, 'state-allowed'), color: false });
    const change = json.resource_changes.find((c) => c.address === 'NodeDevice/host-nic');
    expect(change?.refused).toBeUndefined();
    expect(change?.steps).toEqual(['detach']);
  });

  it('plan refuses to detach the controller of the root filesystem', async (ctx) => {
    const found = requireDevice(ctx, rootController, 'the root filesystem is not on a disk below a PCI device libvirt lists');
    const dir = await mkdtemp(path.join(work, 'root-'));
    await writeFile(path.join(dir, 'disk.yaml'), nodeDeviceYaml('root-disk', found.address));
    const json = await refusedPlanJson(dir, { connect: readOnlyUri, stateDir: path.join(work, 'state-root'), color: false });
    const change = json.resource_changes.find((c) => c.address === 'NodeDevice/root-disk');
    expect(change?.refused).toMatch(/which holds the root filesystem/);
  });
});
