// Per-domain statistics: libvirt's parameters mapped to metrics in Prometheus units, and one
// libvirt call serving every scrape within the cache time.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { DomainStatsRecord } from '../../../src/libvirt/client.js';
import { DOMAIN_STATS_CACHE_MS, domainSamples, registerDomainStats } from '../../../src/observability/domain-stats.js';

const web: DomainStatsRecord = {
  name: 'web-1',
  params: new Map<string, number | bigint | string | boolean>([
    ['cpu.time', 2_500_000_000n],
    ['balloon.current', 262144n],
    ['balloon.maximum', 524288n],
    ['balloon.rss', 131072n],
    ['vcpu.current', 2],
    ['vcpu.0.time', 1_000_000_000n],
    ['vcpu.1.time', 500_000_000n],
    ['block.count', 1],
    ['block.0.name', 'vda'],
    ['block.0.rd.bytes', 4096n],
    ['block.0.wr.bytes', 8192n],
    ['block.0.rd.reqs', 1n],
    ['block.0.wr.reqs', 2n],
    ['net.count', 1],
    ['net.0.name', 'vnet0'],
    ['net.0.rx.bytes', 100n],
    ['net.0.tx.bytes', 200n],
    ['net.0.rx.errs', 0n],
    ['net.0.tx.errs', 3n],
  ]),
};

describe('domainSamples', () => {
  it('maps libvirt parameters to seconds and bytes, one series per vCPU, disk and interface', () => {
    const by = Object.fromEntries(domainSamples(web).map((s) => [`${s.metric}${JSON.stringify(s.labels)}`, s.value]));
    expect(by).toEqual({
      'domain_cpu_seconds_total{"domain":"web-1"}': 2.5,
      'domain_balloon_current_bytes{"domain":"web-1"}': 256 * 1024 * 1024,
      'domain_balloon_maximum_bytes{"domain":"web-1"}': 512 * 1024 * 1024,
      'domain_memory_rss_bytes{"domain":"web-1"}': 128 * 1024 * 1024,
      'domain_vcpu_seconds_total{"domain":"web-1","vcpu":"0"}': 1,
      'domain_vcpu_seconds_total{"domain":"web-1","vcpu":"1"}': 0.5,
      'domain_block_read_bytes_total{"domain":"web-1","device":"vda"}': 4096,
      'domain_block_write_bytes_total{"domain":"web-1","device":"vda"}': 8192,
      'domain_block_read_requests_total{"domain":"web-1","device":"vda"}': 1,
      'domain_block_write_requests_total{"domain":"web-1","device":"vda"}': 2,
      'domain_interface_receive_bytes_total{"domain":"web-1","interface":"vnet0"}': 100,
      'domain_interface_transmit_bytes_total{"domain":"web-1","interface":"vnet0"}': 200,
      'domain_interface_receive_errors_total{"domain":"web-1","interface":"vnet0"}': 0,
      'domain_interface_transmit_errors_total{"domain":"web-1","interface":"vnet0"}': 3,
    });
  });

  it('leaves out what libvirt did not report (a stopped domain, a driver without balloon)', () => {
    expect(domainSamples({ name: 'off', params: new Map([['state.state', 5]]) })).toEqual([]);
  });
});

describe('registerDomainStats', () => {
  it('asks libvirt once per cache time however often it is scraped, and shows nothing on failure', async () => {
    const registry = new Registry();
    let clock = 0;
    let calls = 0;
    let fail = false;
    const errors: unknown[] = [];
    registerDomainStats(
      registry,
      { fetch: async () => (calls++, fail ? Promise.reject(new Error('no connection')) : [web]) },
      { now: () => clock, onError: (e) => errors.push(e) },
    );
    const text = await registry.metrics();
    expect(text).toContain('# TYPE virtkeeper_domain_cpu_seconds_total counter');
    expect(text).toContain('virtkeeper_domain_cpu_seconds_total{domain="web-1"} 2.5');
    expect(text).toContain('virtkeeper_domain_block_read_bytes_total{domain="web-1",device="vda"} 4096');
    await registry.metrics();
    expect(calls).toBe(1);
    clock += DOMAIN_STATS_CACHE_MS;
    fail = true;
    expect(await registry.metrics()).not.toContain('domain="web-1"');
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('passes promtool check metrics', async () => {
    const registry = new Registry();
    registerDomainStats(registry, { fetch: async () => [web] });
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
    expect(r.error, 'promtool missing: apt-get install prometheus (scripts/setup-host.sh)').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
