// Checks that need every manifest at once and are not just an error: a MAC two domains share is
// an error only when both run; otherwise a warning that validate prints and nothing acts on.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderValidation } from '../../../src/cli/commands/validate.js';
import { formatError, formatWarning } from '../../../src/manifests/errors.js';
import { loadManifests } from '../../../src/manifests/loader.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'vk-cross-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(rel: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), content);
}

const domain = (name: string, state: string, mac = '52:54:00:00:00:01') => `apiVersion: virtkeeper.io/v1
kind: Domain
metadata: {name: ${name}}
spec:
  state: ${state}
  memory: 1GiB
  interfaces:
    - {bridge: br0, mac: "${mac}"}
`;

describe('a MAC shared by two domains', () => {
  it('is an error when both run (running or paused)', async () => {
    await put('a.yaml', domain('web-1', 'running'));
    await put('b.yaml', domain('web-2', 'paused', '52:54:00:00:00:01'));
    const result = await loadManifests(root);
    expect(result.errors.map(formatError)).toEqual(['b.yaml:8:26 spec.interfaces[0].mac: is already used by Domain "web-1", and both run']);
    expect(result.warnings).toEqual([]);
  });

  it('is only a warning when one of them is stopped or saved: valid, exit 0, the warning on stderr', async () => {
    await put('a.yaml', domain('web-1', 'running'));
    await put('b.yaml', domain('web-1-spare', 'stopped', '52:54:00:00:00:01'));
    await put('c.yaml', domain('web-1-old', 'saved', '52:54:00:00:00:01'));
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map(formatWarning)).toEqual([
      'b.yaml:8:26 spec.interfaces[0].mac: warning: is also used by Domain "web-1"; fine while they never run at the same time, their NICs clash if they do',
      'c.yaml:8:26 spec.interfaces[0].mac: warning: is also used by Domain "web-1"; fine while they never run at the same time, their NICs clash if they do',
    ]);
    const out = renderValidation('m', result, {});
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe('m: 3 manifests in 3 files, all valid, 2 warnings (on stderr)\n');
    expect(out.stderr).toContain('b.yaml:8:26 spec.interfaces[0].mac: warning: is also used by Domain "web-1"');
    const json = JSON.parse(renderValidation('m', result, { json: true }).stdout) as {
      valid: boolean;
      warnings: Array<{ file: string; path: string }>;
    };
    expect(json.valid).toBe(true);
    expect(json.warnings.map((w) => `${w.file} ${w.path}`)).toEqual(['b.yaml spec.interfaces[0].mac', 'c.yaml spec.interfaces[0].mac']);
  });

  it('MAC case does not hide the clash', async () => {
    await put('a.yaml', domain('web-1', 'running', '52:54:00:AB:CD:EF'));
    await put('b.yaml', domain('web-2', 'running', '52:54:00:ab:cd:ef'));
    expect((await loadManifests(root)).errors).toHaveLength(1);
  });
});

describe('overlaps libvirt 9.0 starts anyway (measured on its network driver): warnings', () => {
  const net = (name: string, bridge: string, ips: string) => `apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: ${name}}
spec:
  bridge: ${bridge}
  ips: ${ips}
---
`;

  it('a nested IPv4 subnet and an identical IPv6 subnet warn; the manifests stay valid', async () => {
    await put(
      'n.yaml',
      [
        net('wide', 'virbr1', '[{address: 10.63.0.1, prefix: 16}, {address: "fd00:70::1", prefix: 64}]'),
        net('inner', 'virbr2', '[{address: 10.63.5.1, prefix: 24}]'),
        net('v6', 'virbr3', '[{address: "fd00:70::2", prefix: 64}]'),
      ].join(''),
    );
    const result = await loadManifests(root);
    expect(result.errors.map(formatError)).toEqual([]);
    expect(result.warnings.map(formatWarning)).toEqual([
      'n.yaml:13:9 spec.ips[0]: warning: 10.63.5.1/24 overlaps 10.63.0.1/16 of Network "wide" (ips[0]): the host routes the shared addresses to only one of the two bridges',
      'n.yaml:20:9 spec.ips[0]: warning: fd00:70::2/64 overlaps fd00:70::1/64 of Network "wide" (ips[1]): the host routes the shared addresses to only one of the two bridges',
    ]);
  });

  it('overlapping DHCP ranges in one subnet warn (dnsmasq serves their union)', async () => {
    await put(
      'n.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: lan}
spec:
  bridge: virbr10
  ips:
    - address: 192.168.100.1
      prefix: 24
      dhcp:
        ranges:
          - {start: 192.168.100.10, end: 192.168.100.20}
          - {start: 192.168.100.15, end: 192.168.100.25}
`,
    );
    const result = await loadManifests(root);
    expect(result.errors).toEqual([]);
    expect(result.state.manifests).toHaveLength(1);
    expect(result.warnings.map(formatWarning)).toEqual([
      'n.yaml:12:13 spec.ips[0].dhcp.ranges[1]: warning: overlaps ranges[0]: the shared addresses are listed twice',
    ]);
  });
});

describe('what libvirt takes and these checks must not refuse', () => {
  it('the same UUID on a Domain and a Secret (separate drivers), and two networks on one host bridge', async () => {
    const uuid = '4dea22b3-1d52-d8f3-2516-782e98ab3fa0';
    await put('d.yaml', `apiVersion: virtkeeper.io/v1\nkind: Domain\nmetadata: {name: web-1}\nspec: {memory: 1GiB, uuid: ${uuid}}\n`);
    await put(
      's.yaml',
      `apiVersion: virtkeeper.io/v1\nkind: Secret\nmetadata: {name: s}\nspec: {uuid: ${uuid}, usage: {ceph: client.admin}, valueFrom: {env: CEPH_KEY}}\n`,
    );
    for (const n of ['a', 'b'])
      await put(
        `${n}.yaml`,
        `apiVersion: virtkeeper.io/v1\nkind: Network\nmetadata: {name: host-${n}}\nspec: {forward: {mode: bridge}, bridge: br0}\n`,
      );
    const result = await loadManifests(root);
    expect(result.errors.map(formatError)).toEqual([]);
  });

  it('DNS forwarders on a host-bridge network, and a pf beside an interface list (libvirt 9.0 defines both, measured)', async () => {
    await put(
      'n.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: host}
spec: {forward: {mode: bridge}, bridge: br0, dns: {forwarders: [9.9.9.9]}}
---
apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: vfs}
spec: {forward: {mode: vepa, pf: eth0, interfaces: [eth1]}}
`,
    );
    expect((await loadManifests(root)).errors.map(formatError)).toEqual([]);
  });

  it('adjacent subnets and DHCP ranges that only touch are not overlaps', async () => {
    await put(
      'n.yaml',
      `apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: a}
spec:
  bridge: virbr1
  ips:
    - address: 10.0.0.1
      prefix: 25
      dhcp:
        ranges: [{start: 10.0.0.10, end: 10.0.0.19}, {start: 10.0.0.20, end: 10.0.0.29}]
---
apiVersion: virtkeeper.io/v1
kind: Network
metadata: {name: b}
spec:
  bridge: virbr2
  ips: [{address: 10.0.0.129, prefix: 25}]
`,
    );
    expect((await loadManifests(root)).errors.map(formatError)).toEqual([]);
  });
});
