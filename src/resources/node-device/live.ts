// I/O: reading PCI and USB node devices and detaching/reattaching them. Listing uses capability
// filters (the test driver rejects other list flags). Alongside, the facts of how the host uses
// each PCI device (host-facts.ts turns them into DeviceHostUse; plan.ts judges): the whole device
// tree from libvirt, and only when libvirt runs on this very machine, /proc and sysfs.
import { readFile, readdir, realpath } from 'node:fs/promises';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LibvirtClient } from '../../libvirt/client.js';
import { VIR_ERR_NO_NODE_DEVICE } from '../../libvirt/errors.js';
import { mapBounded, READ_CONCURRENCY, unlessGone } from '../common/bounded.js';
import { hostUseByDevice, parseMounts, parseSwaps, type LocalHostFacts } from './host-facts.js';
import type { DeviceHostUse } from './host-use.js';
import { kindKey } from '../../manifests/keys.js';
import type { LiveResource, ResourceChange } from '../types.js';
import type { NodeDeviceStep } from './steps.js';
import { payloadOptionalString, payloadString, unknownStep } from '../common/payload.js';
import { nodeDeviceFromXml } from './xml.js';

export async function readNodeDevices(client: LibvirtClient): Promise<Array<LiveResource<'NodeDevice'>>> {
  const refs = await client.listNodeDevices({ capabilities: ['pci', 'usb_device'] });
  // With PCI devices the whole tree is read once (how the host uses each device); the devices
  // themselves are part of it, so none is read twice.
  const tree = refs.some((r) => r.name.startsWith('pci_')) ? await readTree(client) : undefined;
  const hostUse = tree
    ? hostUseByDevice([...tree.values()], (await isLocalHost(client)) ? await readLocalHostFacts() : undefined)
    : new Map<string, DeviceHostUse>();
  return mapBounded(refs, READ_CONCURRENCY, async (ref) => {
    const xml = tree ? tree.get(ref.name) : await unlessGone(client.getNodeDeviceXml(ref), VIR_ERR_NO_NODE_DEVICE);
    if (xml === undefined) return undefined;
    const spec = nodeDeviceFromXml(xml, {});
    return {
      hostUse: hostUse.get(ref.name),
      key: kindKey('NodeDevice', ref.name),
      kind: 'NodeDevice' as const,
      name: ref.name,
      xml,
      spec,
      active: spec.detached ?? false,
      persistent: true,
      markedOwned: false,
    };
  });
}

export async function executeNodeDeviceStep(
  step: NodeDeviceStep,
  _change: ResourceChange<'NodeDevice'>,
  client: LibvirtClient,
): Promise<void> {
  const name = payloadString(step, 'name');
  switch (step.op) {
    case 'detach': {
      const driver = payloadOptionalString(step, 'driver');
      return client.detachNodeDevice(name, driver ? { driver } : {});
    }
    case 'reattach':
      return client.reattachNodeDevice(name);
    default:
      throw unknownStep('NodeDevice', step);
  }
}

/**
 * Every node device's XML by name. The device tree comes from libvirt (so it holds on a remote
 * host too); a device whose XML cannot be read (unplugged meanwhile) carries nothing the host
 * uses any more and is left out.
 */
async function readTree(client: LibvirtClient): Promise<Map<string, string>> {
  const refs = await client.listNodeDevices();
  const read = await mapBounded(refs, READ_CONCURRENCY, async (ref) => {
    try {
      return [ref.name, await client.getNodeDeviceXml(ref)] as const;
    } catch {
      return undefined;
    }
  });
  return new Map(read);
}

/**
 * libvirt runs on this machine when it reports our own hostname: then /proc and sysfs here are
 * the host's. Any doubt (an error, another name) counts as remote, which only means fewer checks
 * and says so in the plan, never a wrong answer from the wrong machine's /proc.
 */
async function isLocalHost(client: LibvirtClient): Promise<boolean> {
  try {
    return (await client.getHostname()) === os.hostname();
  } catch {
    return false;
  }
}

async function readOptional(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** Disk names behind a block device: a partition's disk, a device-mapper/md device's slaves. */
async function disksOf(sysBlock: string, seen = new Set<string>()): Promise<string[]> {
  let real: string;
  try {
    real = await realpath(sysBlock);
  } catch {
    return [];
  }
  const name = path.basename(real);
  if (seen.has(name)) return [];
  seen.add(name);
  const slaves = await readdir(path.join(real, 'slaves')).catch(() => [] as string[]);
  if (slaves.length > 0) return (await Promise.all(slaves.map((s) => disksOf(`/sys/class/block/${s}`, seen)))).flat();
  const isPartition = await readFile(path.join(real, 'partition'), 'utf8').then(
    () => true,
    () => false,
  );
  return [isPartition ? path.basename(path.dirname(real)) : name];
}

async function disksOfDevPath(devPath: string): Promise<string[]> {
  const real = await realpath(devPath).catch(() => devPath);
  return disksOf(`/sys/class/block/${path.basename(real)}`);
}

async function readLocalHostFacts(): Promise<LocalHostFacts> {
  const mountsByDisk = new Map<string, string[]>();
  const addMount = (disk: string, target: string) => {
    const list = mountsByDisk.get(disk) ?? [];
    if (!list.includes(target)) mountsByDisk.set(disk, [...list, target]);
  };
  for (const [source, target] of parseMounts(await readOptional('/proc/mounts'))) {
    for (const disk of await disksOfDevPath(source)) addMount(disk, target);
  }
  // The root filesystem by its device number, which holds even when /proc/mounts says /dev/root.
  try {
    const dev = statSync('/').dev;
    for (const disk of await disksOf(`/sys/dev/block/${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`))
      addMount(disk, '/');
  } catch {
    // No device behind / (a network or overlay root without a block device): nothing to protect here.
  }
  const swapDisks = new Set<string>();
  for (const source of parseSwaps(await readOptional('/proc/swaps'))) for (const disk of await disksOfDevPath(source)) swapDisks.add(disk);
  const addresses = new Map<string, string[]>();
  for (const [name, infos] of Object.entries(os.networkInterfaces())) {
    addresses.set(
      name,
      (infos ?? []).filter((i) => !(i.family === 'IPv6' && i.address.startsWith('fe80'))).map((i) => i.address),
    );
  }
  return { mountsByDisk, swapDisks, addresses };
}
