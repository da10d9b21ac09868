// `virtkeeper host-info --connect URI [--json]`: what the host behind a libvirt URI is and can
// run. A quick check that a URI works before pointing plan/apply at it; read-only.
import type { Command } from 'commander';
import { connectOption } from '../connect-option.js';
import { XMLParser } from 'fast-xml-parser';
import { LibvirtClient, type NodeInfo } from '../../libvirt/client.js';
import { LibvirtError } from '../../libvirt/errors.js';
import { formatBytes } from '../../manifests/units.js';

export interface GuestCapability {
  /** "hvm", "xen", "exe", ... */
  osType: string;
  arch: string;
  wordsize?: number;
  emulator?: string;
  /** Domain types that can run this guest: "kvm", "qemu", "test", ... */
  domainTypes: string[];
  /** Machine types (canonical names only when libvirt lists aliases). */
  machines: string[];
}

export interface CapabilitiesSummary {
  hostArch: string;
  hostCpuModel?: string;
  hostCpuVendor?: string;
  hostUuid?: string;
  guests: GuestCapability[];
}

/**
 * The client's NodeInfo as host-info reports it: `model` is named cpuModel, and memoryBytes is a
 * number, not a bigint, so --json stays plain JSON (exact below 8 PiB).
 */
export type HostNodeInfo = Omit<NodeInfo, 'model' | 'memoryBytes'> & { cpuModel: string; memoryBytes: number };

export interface HostInfo {
  uri: string;
  hostname: string;
  libvirtVersion: string;
  hypervisor: { type: string; version: string };
  node: HostNodeInfo;
  capabilities: CapabilitiesSummary;
}

export interface HostInfoOptions {
  connect: string;
  json?: boolean;
}

/** Where output goes; the CLI writes to the process, tests collect strings. */
export interface HostInfoIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Elements that repeat in capabilities XML; always arrays so one guest looks like many.
  isArray: (name) => ['guest', 'arch', 'domain', 'machine'].includes(name),
});

type XmlNode = Record<string, unknown>;

function node(v: unknown): XmlNode | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as XmlNode) : undefined;
}

function nodes(v: unknown): XmlNode[] {
  return Array.isArray(v) ? v.map(node).filter((n): n is XmlNode => n !== undefined) : [];
}

/** Text of an element that may also carry attributes (then the text sits under '#text'). */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  const n = node(v);
  return n && typeof n['#text'] === 'string' ? n['#text'].trim() || undefined : undefined;
}

function attr(n: XmlNode | undefined, name: string): string | undefined {
  const v = n?.[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

/** Summarises a capabilities document (virConnectGetCapabilities). */
export function parseCapabilities(xml: string): CapabilitiesSummary {
  const caps = node(node(parser.parse(xml))?.['capabilities']);
  if (!caps) throw new Error('capabilities XML has no <capabilities> root');
  const host = node(caps['host']);
  const cpu = node(host?.['cpu']);
  const guests: GuestCapability[] = [];
  for (const guest of nodes(caps['guest'])) {
    const osType = text(guest['os_type']) ?? 'unknown';
    for (const arch of nodes(guest['arch'])) {
      const wordsize = Number(text(arch['wordsize']));
      const emulator = text(arch['emulator']);
      guests.push({
        osType,
        arch: attr(arch, 'name') ?? 'unknown',
        ...(Number.isFinite(wordsize) && wordsize > 0 ? { wordsize } : {}),
        ...(emulator ? { emulator } : {}),
        domainTypes: nodes(arch['domain'])
          .map((d) => attr(d, 'type'))
          .filter((t): t is string => t !== undefined),
        machines: (Array.isArray(arch['machine']) ? arch['machine'] : []).map(text).filter((m): m is string => m !== undefined),
      });
    }
  }
  const hostCpuModel = text(cpu?.['model']);
  const hostCpuVendor = text(cpu?.['vendor']);
  const hostUuid = text(host?.['uuid']);
  return {
    hostArch: firstText(cpu?.['arch']) ?? 'unknown',
    ...(hostCpuModel ? { hostCpuModel } : {}),
    ...(hostCpuVendor ? { hostCpuVendor } : {}),
    ...(hostUuid ? { hostUuid } : {}),
    guests,
  };
}

/** The parser makes every <arch> an array (it repeats under <guest>); the host CPU has one. */
function firstText(v: unknown): string | undefined {
  return Array.isArray(v) ? text(v[0]) : text(v);
}

export async function collectHostInfo(client: LibvirtClient): Promise<HostInfo> {
  const [uri, hostname, lib, type, hv, nodeInfo, capsXml] = await Promise.all([
    client.getUri(),
    client.getHostname(),
    client.getLibVersion(),
    client.getHypervisorType(),
    client.getHypervisorVersion(),
    client.getNodeInfo(),
    client.getCapabilities(),
  ]);
  return {
    uri,
    hostname,
    libvirtVersion: lib.text,
    hypervisor: { type, version: hv.text },
    node: {
      cpuModel: nodeInfo.model,
      cpus: nodeInfo.cpus,
      mhz: nodeInfo.mhz,
      numaNodes: nodeInfo.numaNodes,
      sockets: nodeInfo.sockets,
      coresPerSocket: nodeInfo.coresPerSocket,
      threadsPerCore: nodeInfo.threadsPerCore,
      memoryBytes: Number(nodeInfo.memoryBytes),
    },
    capabilities: parseCapabilities(capsXml),
  };
}

export function formatHostInfo(info: HostInfo): string {
  const n = info.node;
  const caps = info.capabilities;
  const cpuName = [caps.hostCpuVendor, caps.hostCpuModel].filter(Boolean).join(' ') || n.cpuModel;
  const lines = [
    `Host:        ${info.hostname} (${info.uri})`,
    `libvirt:     ${info.libvirtVersion}`,
    `Hypervisor:  ${info.hypervisor.type} ${info.hypervisor.version}`,
    `CPU:         ${n.cpus} × ${cpuName} @ ${n.mhz} MHz (${n.numaNodes} NUMA node${n.numaNodes === 1 ? '' : 's'}, ` +
      `${n.sockets} socket${n.sockets === 1 ? '' : 's'}, ${n.coresPerSocket} cores/socket, ${n.threadsPerCore} threads/core)`,
    `Memory:      ${formatBytes(n.memoryBytes)}`,
    `Host arch:   ${caps.hostArch}`,
  ];
  if (caps.guests.length === 0) {
    lines.push('Guests:      none');
  } else {
    lines.push('Guests:      os type  arch      domain types');
    for (const g of caps.guests) {
      lines.push(`             ${g.osType.padEnd(8)} ${g.arch.padEnd(9)} ${g.domainTypes.join(', ') || '-'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** JSON.stringify with a stable layout; HostInfo holds no bigint, so plain JSON suffices. */
export function hostInfoJson(info: HostInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

/** Runs the command; resolves with the exit code (0 ok, 1 error). */
export async function runHostInfo(opts: HostInfoOptions, io: HostInfoIo): Promise<number> {
  let client: LibvirtClient | undefined;
  try {
    client = await LibvirtClient.connect(opts.connect, { readOnly: true });
    const info = await collectHostInfo(client);
    io.stdout(opts.json ? hostInfoJson(info) : formatHostInfo(info));
    return 0;
  } catch (err) {
    const message = err instanceof LibvirtError ? err.message : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    io.stderr(`host-info: ${opts.connect}: ${message}\n`);
    return 1;
  } finally {
    await client?.close();
  }
}

export function registerHostInfoCommand(program: Command): void {
  program
    .command('host-info')
    .description('show the host behind a libvirt URI: versions, CPUs, memory, and the guests it can run (read-only)')
    .addOption(connectOption())
    .option('--json', 'machine-readable output')
    .action(async (opts: HostInfoOptions) => {
      process.exitCode = await runHostInfo(opts, {
        stdout: (t) => void process.stdout.write(t),
        stderr: (t) => void process.stderr.write(t),
      });
    });
}
