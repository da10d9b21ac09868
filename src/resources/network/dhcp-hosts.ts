// DHCP static hosts change without a network restart through virNetworkUpdate. The host list of
// each <ip> is diffed into delete/modify/add-last commands; libvirt's modify matches an entry by
// MAC, so a host without a MAC (or whose MAC changed) is deleted and added instead.
import type { NetworkDhcpHost } from './schema.js';
import { normIp, normMac } from '../common/normalize.js';
import { sameValue } from '../common/compare.js';

export type HostCommand = 'add-last' | 'delete' | 'modify';

export interface HostOp {
  command: HostCommand;
  /** Index of the <ip> element among the network's <ip> elements (virNetworkUpdate parentIndex). */
  parentIndex: number;
  host: NetworkDhcpHost;
}

export function normHost(h: NetworkDhcpHost): NetworkDhcpHost {
  return { mac: h.mac === undefined ? undefined : normMac(h.mac), id: h.id?.toLowerCase(), name: h.name, ip: normIp(h.ip) };
}

function hostKey(h: NetworkDhcpHost): string {
  return h.mac !== undefined ? `mac:${normMac(h.mac)}` : `ip:${normIp(h.ip)}`;
}

/** Deletes first, then modifies, then adds, so an IP moving between hosts never collides. */
export function hostOps(parentIndex: number, desired: readonly NetworkDhcpHost[], live: readonly NetworkDhcpHost[]): HostOp[] {
  const liveByKey = new Map(live.map((h) => [hostKey(h), h]));
  const desiredKeys = new Set(desired.map(hostKey));
  const deletes: HostOp[] = [];
  const modifies: HostOp[] = [];
  const adds: HostOp[] = [];
  for (const h of live) {
    if (!desiredKeys.has(hostKey(h))) deletes.push({ command: 'delete', parentIndex, host: h });
  }
  for (const h of desired) {
    const current = liveByKey.get(hostKey(h));
    if (!current) adds.push({ command: 'add-last', parentIndex, host: h });
    else if (!sameValue(normHost(current), normHost(h))) {
      if (h.mac !== undefined) modifies.push({ command: 'modify', parentIndex, host: h });
      else {
        deletes.push({ command: 'delete', parentIndex, host: current });
        adds.push({ command: 'add-last', parentIndex, host: h });
      }
    }
  }
  return [...deletes, ...modifies, ...adds];
}
