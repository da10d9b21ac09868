// What virNetworkUpdate can change on an active network without restarting it: DHCP static
// hosts, DHCP ranges (libvirt restarts dnsmasq with the new range) and DNS host records
// (dnsmasq re-reads them). Each list is diffed into delete, modify and add commands, deletes
// first so an address moving between entries never collides. Pure.
import type { NetworkSpec } from './schema.js';
import type { NetworkUpdateStep } from './steps.js';
import { toXmlString, type XmlElement } from '../xml.js';
import { normIp } from '../common/normalize.js';
import { hostOps } from './dhcp-hosts.js';
import { dnsHostEl, hostEl, rangeEl } from './to-xml.js';

/** Paths of NetworkSpec fields virNetworkUpdate changes in place. */
export const LIVE_UPDATE_PATH = /^spec\.(ips\[\d+\]\.dhcp\.(hosts|ranges)|dns\.hosts)$/;

/** Where a step changes the network: both configs, or only the running one (the config already has it). */
export interface UpdateTarget {
  affectLive: boolean;
  affectConfig: boolean;
}

function updateStep(
  name: string,
  section: string,
  command: string,
  parentIndex: number,
  xml: XmlElement,
  what: string,
  target: UpdateTarget,
): NetworkUpdateStep {
  const verb = command === 'add-last' ? 'add' : command;
  return {
    op: 'networkUpdate',
    description: `${verb} ${what} in network ${name}${target.affectConfig ? '' : ' (running config)'}`.replace(/ +/g, ' '),
    payload: { name, command, section, parentIndex, xml: toXmlString(xml).trim(), ...target },
  };
}

/** Entries of `have` not in `want` are deleted, entries of `want` not in `have` added, by canonical key. */
function setOps<T>(want: readonly T[], have: readonly T[], key: (t: T) => string): { deletes: T[]; adds: T[] } {
  const wantKeys = new Set(want.map(key));
  const haveKeys = new Set(have.map(key));
  return { deletes: have.filter((t) => !wantKeys.has(key(t))), adds: want.filter((t) => !haveKeys.has(key(t))) };
}

/**
 * The steps bringing `have`'s live-updatable lists at `paths` (e.g. "spec.ips[0].dhcp.ranges")
 * to `want`'s; lists elsewhere, or that the manifest leaves out, are not touched.
 */
export function liveUpdateSteps(
  name: string,
  want: NetworkSpec,
  have: NetworkSpec,
  target: UpdateTarget,
  paths: ReadonlySet<string>,
): NetworkUpdateStep[] {
  const steps: NetworkUpdateStep[] = [];
  (want.ips ?? []).forEach((ip, i) => {
    const haveDhcp = have.ips?.[i]?.dhcp;
    if (ip.dhcp?.ranges && paths.has(`spec.ips[${i}].dhcp.ranges`)) {
      const { deletes, adds } = setOps(ip.dhcp.ranges, haveDhcp?.ranges ?? [], (r) => `${normIp(r.start)}-${normIp(r.end)}`);
      for (const r of deletes)
        steps.push(updateStep(name, 'ip-dhcp-range', 'delete', i, rangeEl(r), `DHCP range ${r.start}-${r.end}`, target));
      for (const r of adds)
        steps.push(updateStep(name, 'ip-dhcp-range', 'add-last', i, rangeEl(r), `DHCP range ${r.start}-${r.end}`, target));
    }
    if (ip.dhcp?.hosts && paths.has(`spec.ips[${i}].dhcp.hosts`)) {
      for (const op of hostOps(i, ip.dhcp.hosts, haveDhcp?.hosts ?? [])) {
        steps.push(
          updateStep(
            name,
            'ip-dhcp-host',
            op.command,
            op.parentIndex,
            hostEl(op.host),
            `DHCP host ${op.host.mac ?? op.host.name ?? ''} ${op.host.ip}`,
            target,
          ),
        );
      }
    }
  });
  if (want.dns?.hosts && paths.has('spec.dns.hosts')) {
    // libvirt cannot modify a DNS host record, only delete and add it.
    const { deletes, adds } = setOps(want.dns.hosts, have.dns?.hosts ?? [], (h) => `${normIp(h.ip)}=${h.hostnames.join(',')}`);
    for (const h of deletes)
      steps.push(updateStep(name, 'dns-host', 'delete', -1, dnsHostEl(h), `DNS host ${h.ip} (${h.hostnames.join(', ')})`, target));
    for (const h of adds)
      steps.push(updateStep(name, 'dns-host', 'add-last', -1, dnsHostEl(h), `DNS host ${h.ip} (${h.hostnames.join(', ')})`, target));
  }
  return steps;
}
