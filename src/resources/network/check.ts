// A Network's rules a JSON Schema cannot express (subnets, DHCP ranges and hosts, what a forward mode allows). Pure.
import type { FieldPath } from '../../manifests/paths.js';
import type { NetworkManifest, NetworkSpec } from './schema.js';
import { inSubnet, isGroupMac, parseIp, spansOverlap, type AddressSpan, type ParsedIp } from '../../manifests/ip.js';
import type { CheckIssue } from '../contract.js';
import { GROUP_MAC_MESSAGE, prefixed } from '../common/checks.js';

export function checkNetwork(m: NetworkManifest): CheckIssue[] {
  return checkNetworkSpec(m.spec).map(prefixed(['spec']));
}

function checkNetworkSpec(spec: NetworkSpec): CheckIssue[] {
  const issues: CheckIssue[] = [...checkForward(spec)];
  const seenMacs = new Map<string, string>();
  const seenIps = new Map<string, string>();
  (spec.ips ?? []).forEach((ip, i) => {
    const net = parseIp(ip.address);
    if (!net) return;
    const max = net.family === 4 ? 32 : 128;
    if (ip.prefix > max) {
      issues.push({ path: ['ips', i, 'prefix'], message: `must be at most ${max} for an IPv${net.family} address` });
      return;
    }
    const outside = (path: FieldPath, text: string): ParsedIp | undefined => {
      const addr = parseIp(text);
      if (addr && !inSubnet(addr, net, ip.prefix)) {
        issues.push({ path, message: `${text} is outside ${ip.address}/${ip.prefix}` });
        return undefined;
      }
      return addr;
    };
    const spans: Array<AddressSpan | undefined> = (ip.dhcp?.ranges ?? []).map((r, j) => {
      const start = outside(['ips', i, 'dhcp', 'ranges', j, 'start'], r.start);
      const end = outside(['ips', i, 'dhcp', 'ranges', j, 'end'], r.end);
      if (start && end && start.value > end.value)
        issues.push({ path: ['ips', i, 'dhcp', 'ranges', j], message: 'start must not be after end' });
      return start && end && start.value <= end.value ? { family: start.family, first: start.value, last: end.value } : undefined;
    });
    spans.forEach((span, j) => {
      const k = spans.findIndex((other, at) => at < j && other !== undefined && span !== undefined && spansOverlap(span, other));
      // libvirt 9.0 starts such a network (measured) and dnsmasq serves the union: only a warning.
      if (k >= 0)
        issues.push({
          path: ['ips', i, 'dhcp', 'ranges', j],
          message: `overlaps ranges[${k}]: the shared addresses are listed twice`,
          warning: true,
        });
    });
    (ip.dhcp?.hosts ?? []).forEach((h, j) => {
      const at = ['ips', i, 'dhcp', 'hosts', j];
      outside([...at, 'ip'], h.ip);
      if (net.family === 6 && h.mac)
        issues.push({
          path: [...at, 'mac'],
          message: "cannot identify a DHCPv6 host (libvirt refuses it): use id, the guest's DUID, or name",
        });
      const mac = h.mac?.toLowerCase();
      if (mac !== undefined && isGroupMac(mac)) issues.push({ path: [...at, 'mac'], message: GROUP_MAC_MESSAGE });
      if (mac) {
        const prev = seenMacs.get(mac);
        if (prev) issues.push({ path: [...at, 'mac'], message: `is already used by ${prev}` });
        else seenMacs.set(mac, `ips[${i}].dhcp.hosts[${j}]`);
      }
      const prevIp = seenIps.get(h.ip);
      if (prevIp) issues.push({ path: [...at, 'ip'], message: `is already used by ${prevIp}` });
      else seenIps.set(h.ip, `ips[${i}].dhcp.hosts[${j}]`);
    });
  });
  return issues;
}

/** Modes whose guests sit on host NICs (macvtap) or SR-IOV VFs rather than on a bridge libvirt makes. */
const HOST_NIC_MODES: ReadonlySet<string> = new Set(['private', 'vepa', 'passthrough', 'hostdev']);

/**
 * What libvirt 9.0's network driver refuses for a forward mode (measured on the sandbox's real
 * driver): a bridge name beside host NICs, and addresses, DNS host records, a domain or an MTU on
 * a network whose guests bypass a bridge libvirt makes (DNS forwarders it takes there).
 */
function checkForward(spec: NetworkSpec): CheckIssue[] {
  const f = spec.forward;
  const mode = f?.mode ?? 'isolated';
  const issues: CheckIssue[] = [];
  const nics = f?.dev !== undefined || f?.interfaces !== undefined || f?.pf !== undefined;
  const onHost = HOST_NIC_MODES.has(mode) || mode === 'bridge';
  if (mode === 'bridge' && spec.bridge === undefined && !nics)
    issues.push({
      path: ['forward'],
      message: 'forward mode bridge needs the existing host bridge (bridge) or host NICs (forward.dev, forward.interfaces or forward.pf)',
    });
  if (mode === 'bridge' && spec.bridge !== undefined && nics)
    issues.push({
      path: ['bridge'],
      message: 'forward mode bridge takes a host bridge or host NICs (forward.dev, interfaces, pf), not both',
    });
  if (HOST_NIC_MODES.has(mode) && !nics)
    issues.push({ path: ['forward'], message: `forward mode ${mode} needs host NICs: set forward.dev, forward.interfaces or forward.pf` });
  if (HOST_NIC_MODES.has(mode) && spec.bridge !== undefined)
    issues.push({ path: ['bridge'], message: `cannot be set with forward mode ${mode}: guests use host NICs, not a bridge` });
  if (onHost) {
    if (spec.ips?.length)
      issues.push({ path: ['ips'], message: `cannot be set with forward mode ${mode}: addresses belong to the host's own interfaces` });
    if (spec.dns?.hosts?.length)
      issues.push({ path: ['dns', 'hosts'], message: `cannot be set with forward mode ${mode}: no libvirt DNS server runs there` });
    if (spec.domain !== undefined) issues.push({ path: ['domain'], message: `cannot be set with forward mode ${mode}` });
    if (spec.mtu !== undefined)
      issues.push({
        path: ['mtu'],
        message: `cannot be set with forward mode ${mode}: libvirt only sets the MTU of a bridge it makes (nat, route, open, isolated)`,
      });
  }
  if (f?.dev !== undefined && mode !== 'nat' && mode !== 'route' && !onHost)
    issues.push({
      path: ['forward', 'dev'],
      message: 'is only used with forward mode nat, route, bridge, private, vepa, passthrough or hostdev',
    });
  if (f?.interfaces !== undefined && !onHost)
    issues.push({
      path: ['forward', 'interfaces'],
      message: 'is only used with forward mode bridge, private, vepa, passthrough or hostdev',
    });
  if (f?.pf !== undefined && !onHost)
    issues.push({ path: ['forward', 'pf'], message: 'is only used with forward mode bridge, private, vepa, passthrough or hostdev' });
  // libvirt writes dev as the first interface and refuses a dev that is not.
  if (f?.dev !== undefined && f.interfaces !== undefined && f.interfaces[0] !== f.dev)
    issues.push({ path: ['forward', 'dev'], message: `must be the first of forward.interfaces (${f.interfaces[0]}) when both are set` });
  // libvirt takes managed with any mode but writes it back only for hostdev: elsewhere it would be drift forever.
  if (f?.managed !== undefined && mode !== 'hostdev')
    issues.push({ path: ['forward', 'managed'], message: 'is only used with forward mode hostdev' });
  return issues;
}
