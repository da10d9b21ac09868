// Desired vs live NetworkSpec. Everything but autostart, DHCP static hosts and ranges and DNS
// host records needs a redefine; changes only to those go live through virNetworkUpdate
// (live-update.ts), and anything else changing too makes them all redefine, because then one
// define carries it all.
import type { NetworkIp, NetworkSpec } from './schema.js';
import type { FieldChange } from '../types.js';
import { FieldDiff } from '../common/field-diff.js';
import { normIp } from '../common/normalize.js';
import { normHost } from './dhcp-hosts.js';
import { overlayDrift } from '../common/overlay-diff.js';
import { LIVE_UPDATE_PATH } from './live-update.js';

function normForward(f: NetworkSpec['forward']): { mode: string; dev?: string } {
  if (!f || f.mode === 'isolated') return { mode: 'isolated' };
  return { mode: f.mode, dev: f.dev };
}

/** The host NICs a manifest names that live differs on (only those it names count). */
function forwardNicsDiffer(want: NetworkSpec['forward'], have: NetworkSpec['forward']): boolean {
  if (!want) return false;
  // Read back, a dev-only list is folded into dev (from-xml.ts): compare with that in mind.
  const haveIfs = have?.interfaces ?? (have?.dev !== undefined ? [have.dev] : []);
  return (
    (want.dev !== undefined && want.dev !== have?.dev) ||
    (want.interfaces !== undefined && want.interfaces.join(' ') !== haveIfs.join(' ')) ||
    (want.pf !== undefined && want.pf !== have?.pf) ||
    (want.managed !== undefined && want.managed !== (have?.managed ?? false))
  );
}

function diffIp(diff: FieldDiff, i: number, want: NetworkIp, have: NetworkIp): void {
  const p = `spec.ips[${i}]`;
  diff.field(`${p}.address`, want.address, have.address, 'redefine', normIp);
  diff.field(`${p}.prefix`, want.prefix, have.prefix, 'redefine');
  diff.field(`${p}.dhcp.ranges`, want.dhcp?.ranges, have.dhcp?.ranges ?? [], 'live', (rs) =>
    rs.map((r) => ({ start: normIp(r.start), end: normIp(r.end) })),
  );
  diff.field(`${p}.dhcp.hosts`, want.dhcp?.hosts, have.dhcp?.hosts ?? [], 'live', (hs) => hs.map(normHost));
}

/** Field changes of the network's configuration (autostart and active are the planner's). */
export function diffNetwork(want: NetworkSpec, have: NetworkSpec, liveXml?: string): FieldChange[] {
  const diff = new FieldDiff();
  // Absent forward means isolated (no <forward>): compared even when the manifest omits it,
  // because libvirt never adds a <forward> of its own.
  const wantForward = normForward(want.forward);
  const haveForward = normForward(have.forward);
  if (wantForward.mode !== haveForward.mode || forwardNicsDiffer(want.forward, have.forward)) {
    diff.add({ path: 'spec.forward', before: have.forward, after: want.forward, class: 'redefine' });
  }
  diff.field('spec.bridge', want.bridge, have.bridge, 'redefine');
  diff.field('spec.mtu', want.mtu, have.mtu, 'redefine');
  diff.field('spec.domain', want.domain, have.domain, 'redefine');
  if (want.dns) {
    // libvirt's DNS server is on unless enable='no'.
    diff.field('spec.dns.enable', want.dns.enable, have.dns?.enable ?? true, 'redefine');
    diff.field('spec.dns.forwarders', want.dns.forwarders, have.dns?.forwarders ?? [], 'redefine', (fs) => fs.map(normIp));
    diff.field('spec.dns.hosts', want.dns.hosts, have.dns?.hosts ?? [], 'live', (hs) =>
      hs.map((h) => ({ ip: normIp(h.ip), hostnames: h.hostnames })),
    );
  }
  if (want.ips) {
    const haveIps = have.ips ?? [];
    if (want.ips.length !== haveIps.length) {
      diff.add({ path: 'spec.ips', before: have.ips, after: want.ips, class: 'redefine' });
    } else {
      want.ips.forEach((ip, i) => diffIp(diff, i, ip, haveIps[i]));
    }
  }
  const drift = overlayDrift(want.xml?.merge, liveXml);
  if (drift.length) diff.add({ path: 'spec.xml.merge', before: undefined, after: want.xml?.merge, class: 'redefine' });
  const changes = diff.changes;
  const onlyLive = changes.every((c) => LIVE_UPDATE_PATH.test(c.path));
  return onlyLive ? changes : changes.map((c) => ({ ...c, class: 'redefine' as const }));
}
