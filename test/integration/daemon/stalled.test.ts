// The convergence guard against real libvirt: the test driver accepts <memoryBacking/> through
// spec.xml.merge and drops it, so every plan finds it missing again. The daemon must stall the
// domain after a bounded number of defines instead of redefining it at every sync.
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../../src/cli/commands/plan.js';
import { domainYaml, fetchMetrics, sample, until, useDaemonTest, useKeptPrivateLibvirtd, writeManifest } from './harness.js';

const fx = useKeptPrivateLibvirtd();
const daemon = useDaemonTest();

describe('virtkeeper run and an xml.merge element libvirt drops', () => {
  it('stalls the domain after a bounded number of defines, with a resync every 100 ms', async () => {
    const dirs = await daemon.dirs();
    await writeManifest(dirs.manifests, 'drop.yaml', domainYaml('drop-1') + '  xml:\n    merge: "<memoryBacking/>"\n');
    const c = await daemon.start({ dir: dirs.manifests, uri: fx.daemon.testUri, stateDir: dirs.state, resyncIntervalMs: 100 });
    await c.whenReady(20_000);
    await until(() => c.status().objects.find((o) => o.name === 'drop-1')?.state === 'stalled', 15_000, 'drop-1 stalled');
    const defines = async () =>
      sample(await fetchMetrics(c.url!), 'virtkeeper_libvirt_call_duration_seconds_count', { procedure: 'DOMAIN_DEFINE_XML_FLAGS' }) ?? 0;
    const atStall = await defines();
    expect(atStall).toBeGreaterThanOrEqual(1);
    expect(atStall).toBeLessThanOrEqual(3);
    // Ten more resyncs: not one more define.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await defines()).toBe(atStall);
    expect(c.status().objects.find((o) => o.name === 'drop-1')?.lastError?.message).toMatch(/libvirt does not keep .*spec\.xml/);
    expect(sample(await fetchMetrics(c.url!), 'virtkeeper_stalled_objects')).toBe(1);

    // `virtkeeper plan` in another process sees it too, from the state store.
    const planText = async () => {
      let out = '';
      const code = await runPlan(
        dirs.manifests,
        { connect: fx.daemon.testUri, stateDir: dirs.state, json: true },
        { stdout: (t) => void (out += t), stderr: (t) => void (out += t) },
      );
      expect(code).toBe(0);
      return JSON.parse(out) as { resource_changes: Array<{ address: string; stalled?: { message: string; retry_at: string } }> };
    };
    await until(async () => (await planText()).resource_changes.some((r) => r.stalled), 5_000, 'plan shows the stall');
    const planned = (await planText()).resource_changes.find((r) => r.address === 'Domain/drop-1');
    expect(planned?.stalled?.message).toMatch(/libvirt does not keep .*spec\.xml/);
    expect(Date.parse(planned!.stalled!.retry_at)).toBeGreaterThan(Date.now());
  });
});
