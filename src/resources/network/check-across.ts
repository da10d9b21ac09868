// Conflicts between Network manifests (bridge names, subnets), visible only with all documents
// at hand. Pure.
import { parseIp, spansOverlap, subnetSpan, type AddressSpan } from '../../manifests/ip.js';
import type { NetworkManifest } from './schema.js';
import type { Candidate, CrossFindings, CrossIssue, CrossScope } from '../contract.js';

export function checkNetworksAcross({ mine }: CrossScope<NetworkManifest>): CrossFindings {
  const subnets = overlappingSubnets(mine);
  return { errors: [...sharedBridges(mine), ...subnets.errors], warnings: subnets.warnings };
}

/** Modes in which libvirt makes the bridge itself, so two networks cannot both make one name. */
const OWN_BRIDGE_MODES: ReadonlySet<string> = new Set(['nat', 'route', 'open', 'isolated']);

function ownsBridge(n: NetworkManifest): boolean {
  return OWN_BRIDGE_MODES.has(n.spec.forward?.mode ?? 'isolated');
}

/**
 * libvirt's network driver refuses a bridge name another network already makes ("bridge name
 * already in use"). Networks that attach to an existing host bridge (forward mode bridge) may share it.
 */
function sharedBridges(candidates: ReadonlyArray<Candidate<NetworkManifest>>): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    if (!ownsBridge(c.manifest) || c.manifest.spec.bridge === undefined) continue;
    const bridge = c.manifest.spec.bridge;
    const prev = seen.get(bridge);
    if (prev) issues.push({ candidate: c, path: ['spec', 'bridge'], message: `is already the bridge of Network "${prev}"` });
    else seen.set(bridge, c.manifest.metadata.name);
  }
  return issues;
}

interface Subnet {
  network: string;
  index: number;
  text: string;
  span: AddressSpan;
}

function subnetsOf(n: NetworkManifest): Subnet[] {
  return (n.spec.ips ?? []).flatMap((ip, index) => {
    const net = parseIp(ip.address);
    return net ? [{ network: n.metadata.name, index, text: `${ip.address}/${ip.prefix}`, span: subnetSpan(net, ip.prefix) }] : [];
  });
}

const sameSpan = (a: AddressSpan, b: AddressSpan): boolean => a.family === b.family && a.first === b.first && a.last === b.last;

/**
 * Two networks on overlapping subnets route the same addresses to two bridges. libvirt 9.0 refuses
 * to start the second only when both are the same IPv4 subnet (its route check, measured: "Network
 * is already in use by interface …"): an error. A nested IPv4 subnet or any IPv6 overlap it starts,
 * and the host then reaches part of one network through the other's bridge: a warning.
 */
function overlappingSubnets(candidates: ReadonlyArray<Candidate<NetworkManifest>>): CrossFindings {
  const errors: CrossIssue[] = [];
  const warnings: CrossIssue[] = [];
  const earlier: Subnet[] = [];
  for (const c of candidates) {
    const mine = subnetsOf(c.manifest);
    for (const s of mine) {
      const other = earlier.find((e) => spansOverlap(e.span, s.span));
      if (!other) continue;
      const path = ['spec', 'ips', s.index];
      const what = `${s.text} overlaps ${other.text} of Network "${other.network}" (ips[${other.index}])`;
      if (s.span.family === 4 && sameSpan(s.span, other.span))
        errors.push({ candidate: c, path, message: `${what}: libvirt refuses to start a second network on the same IPv4 subnet` });
      else warnings.push({ candidate: c, path, message: `${what}: the host routes the shared addresses to only one of the two bridges` });
    }
    earlier.push(...mine);
  }
  return { errors, warnings };
}
