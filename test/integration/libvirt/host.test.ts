// Host procedures and the host-info command against a private libvirtd's test driver.
import { describe, expect, it } from 'vitest';
import { usePrivateLibvirtd } from '../../support/libvirtd.js';
import { LibvirtClient } from '../../../src/libvirt/client.js';
import { runHostInfo, type HostInfo } from '../../../src/cli/commands/host-info.js';

function collectingIo(): { out: string[]; err: string[]; io: { stdout(t: string): void; stderr(t: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) } };
}

describe('host procedures', () => {
  const fixture = usePrivateLibvirtd();

  it('report versions, node info and capabilities of the test driver', async () => {
    const c = await LibvirtClient.connect(fixture.daemon.testUri, { readOnly: true });
    try {
      expect((await c.getLibVersion()).major).toBeGreaterThanOrEqual(9);
      expect(await c.getHypervisorType()).toBe('TEST');
      expect((await c.getHypervisorVersion()).text).toBe('0.0.2');
      expect(await c.getUri()).toBe('test:///default');
      expect((await c.getHostname()).length).toBeGreaterThan(0);
      // The test driver's fixed node: 16 CPUs in 2 cells, 3 GiB (nodeinfo of test:///default).
      expect(await c.getNodeInfo()).toEqual({
        model: 'i686',
        memoryBytes: 3n * 1024n ** 3n,
        cpus: 16,
        mhz: 1400,
        numaNodes: 2,
        sockets: 2,
        coresPerSocket: 2,
        threadsPerCore: 2,
      });
      expect(await c.getCapabilities()).toMatch(/^<capabilities>/);
    } finally {
      await c.close();
    }
  });

  it('host-info prints a human summary', async () => {
    const { out, err, io } = collectingIo();
    expect(await runHostInfo({ connect: fixture.daemon.testUri }, io)).toBe(0);
    expect(err).toEqual([]);
    const text = out.join('');
    expect(text).toContain('libvirt:     9.');
    expect(text).toContain('Hypervisor:  TEST 0.0.2');
    expect(text).toContain('CPU:         16 × i686 @ 1400 MHz (2 NUMA nodes, 2 sockets, 2 cores/socket, 2 threads/core)');
    expect(text).toContain('Memory:      3.0 GiB');
    expect(text).toContain('Host arch:   i686');
    expect(text).toMatch(/hvm +i686 +test/);
  });

  it('host-info --json is parseable and complete', async () => {
    const { out, io } = collectingIo();
    expect(await runHostInfo({ connect: fixture.daemon.testUri, json: true }, io)).toBe(0);
    const info = JSON.parse(out.join('')) as HostInfo;
    expect(info).toMatchObject({
      uri: 'test:///default',
      hypervisor: { type: 'TEST', version: '0.0.2' },
      node: { cpus: 16, memoryBytes: 3 * 1024 ** 3 },
      capabilities: { hostArch: 'i686' },
    });
    expect(info.capabilities.guests).toContainEqual(expect.objectContaining({ osType: 'hvm', arch: 'i686', domainTypes: ['test'] }));
  });

  it('host-info exits 1 with a one-line message when the URI cannot be reached', async () => {
    const { out, err, io } = collectingIo();
    const uri = fixture.daemon.testUri.replace('libvirt-sock', 'no-such-sock');
    expect(await runHostInfo({ connect: uri }, io)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/^host-info: test\+unix:.*no-such-sock.*\n$/);
  });
});
