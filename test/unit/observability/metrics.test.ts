import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.js';
import { virtkeeperVersion } from '../../../src/version.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Minimal parser of the text exposition format: enough for the label values we use. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(samples, name, labels);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

describe('createMetrics', () => {
  it('counts reconciles and records durations by kind and result', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.observeReconcile('Domain', 'changed', 0.2);
    m.observeReconcile('Domain', 'changed', 3);
    m.observeReconcile('Domain', 'error', 0.01);
    m.observeReconcile('Network', 'unchanged', 0.004);
    const s = parse(await m.text());

    expect(value(s, 'virtkeeper_reconcile_total', { kind: 'Domain', result: 'changed' })).toBe(2);
    expect(value(s, 'virtkeeper_reconcile_total', { kind: 'Domain', result: 'error' })).toBe(1);
    expect(value(s, 'virtkeeper_reconcile_total', { kind: 'Network', result: 'unchanged' })).toBe(1);
    expect(value(s, 'virtkeeper_reconcile_duration_seconds_count', { kind: 'Domain', result: 'changed' })).toBe(2);
    expect(value(s, 'virtkeeper_reconcile_duration_seconds_sum', { kind: 'Domain', result: 'changed' })).toBeCloseTo(3.2);
    expect(value(s, 'virtkeeper_reconcile_duration_seconds_bucket', { kind: 'Domain', result: 'changed', le: '0.25' })).toBe(1);
    expect(value(s, 'virtkeeper_reconcile_duration_seconds_bucket', { kind: 'Domain', result: 'changed', le: '5' })).toBe(2);
  });

  it('counts drift by kind', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.driftDetected('Domain');
    m.driftDetected('Domain', 2);
    const s = parse(await m.text());
    expect(value(s, 'virtkeeper_drift_detected_total', { kind: 'Domain' })).toBe(3);
    expect(value(s, 'virtkeeper_drift_detected_total', { kind: 'Network' })).toBeUndefined();
  });

  it('replaces managed_objects series from a status list', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setManagedObjects([
      { kind: 'Domain', state: 'synced' },
      { kind: 'Domain', state: 'synced' },
      { kind: 'Domain', state: 'failed' },
      { kind: 'Network', state: 'pending' },
    ]);
    let s = parse(await m.text());
    expect(value(s, 'virtkeeper_managed_objects', { kind: 'Domain', state: 'synced' })).toBe(2);
    expect(value(s, 'virtkeeper_managed_objects', { kind: 'Domain', state: 'failed' })).toBe(1);
    expect(value(s, 'virtkeeper_managed_objects', { kind: 'Network', state: 'pending' })).toBe(1);

    m.setManagedObjects([{ kind: 'Domain', state: 'synced' }]);
    s = parse(await m.text());
    expect(find(s, 'virtkeeper_managed_objects').map((x) => [x.labels, x.value])).toEqual([[{ kind: 'Domain', state: 'synced' }, 1]]);
  });

  it('counts managed objects from their source at each scrape, not at each change', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const objects = [{ kind: 'Domain', state: 'pending' }];
    let counted = 0;
    m.countManagedObjectsFrom(() => {
      counted++;
      return objects;
    });
    objects[0] = { kind: 'Domain', state: 'restart-pending' };
    objects.push({ kind: 'Network', state: 'synced' });
    expect(counted).toBe(0);
    const s = parse(await m.text());
    expect(value(s, 'virtkeeper_managed_objects', { kind: 'Domain', state: 'restart-pending' })).toBe(1);
    expect(value(s, 'virtkeeper_managed_objects', { kind: 'Network', state: 'synced' })).toBe(1);
    expect(value(s, 'virtkeeper_restart_pending', { kind: 'Domain' })).toBe(1);
  });

  it('counts restart-pending objects in virtkeeper_restart_pending, dropping to none once restarted', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setManagedObjects([
      { kind: 'Domain', state: 'restart-pending' },
      { kind: 'Domain', state: 'restart-pending' },
      { kind: 'Domain', state: 'synced' },
    ]);
    let s = parse(await m.text());
    expect(value(s, 'virtkeeper_restart_pending', { kind: 'Domain' })).toBe(2);
    m.setManagedObjects([{ kind: 'Domain', state: 'synced' }]);
    s = parse(await m.text());
    expect(find(s, 'virtkeeper_restart_pending')).toEqual([]);
  });

  it('keeps a single git_revision_info series across revision changes', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setGitRevision('aaaa111');
    m.setGitRevision('bbbb222');
    let s = parse(await m.text());
    expect(find(s, 'virtkeeper_git_revision_info').map((x) => [x.labels.revision, x.value])).toEqual([['bbbb222', 1]]);
    m.setGitRevision(null);
    s = parse(await m.text());
    expect(find(s, 'virtkeeper_git_revision_info')).toEqual([]);
  });

  it('sets sync time, queue depth, connection state and libvirt call latency', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let s = parse(await m.text());
    expect(value(s, 'virtkeeper_libvirt_connection_up')).toBe(0);
    expect(value(s, 'virtkeeper_queue_depth')).toBe(0);

    m.setLastSuccessfulSync(new Date('2025-03-01T12:00:00.500Z'));
    m.setQueueDepth(7);
    m.setLibvirtConnectionUp(true);
    m.observeLibvirtCall('REMOTE_PROC_DOMAIN_GET_XML_DESC', 0.002);
    m.observeLibvirtCall('REMOTE_PROC_DOMAIN_GET_XML_DESC', 0.02);
    s = parse(await m.text());
    expect(value(s, 'virtkeeper_last_successful_sync_timestamp_seconds')).toBe(Date.parse('2025-03-01T12:00:00.500Z') / 1000);
    expect(value(s, 'virtkeeper_queue_depth')).toBe(7);
    expect(value(s, 'virtkeeper_libvirt_connection_up')).toBe(1);
    const proc = { procedure: 'REMOTE_PROC_DOMAIN_GET_XML_DESC' };
    expect(value(s, 'virtkeeper_libvirt_call_duration_seconds_count', proc)).toBe(2);
    expect(value(s, 'virtkeeper_libvirt_call_duration_seconds_bucket', { ...proc, le: '0.0025' })).toBe(1);
  });

  it('keeps instances isolated and exports the runtime metrics under their standard names', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.observeReconcile('Domain', 'changed', 1);
    const sb = parse(await b.text());
    expect(value(sb, 'virtkeeper_reconcile_total', { kind: 'Domain', result: 'changed' })).toBeUndefined();
    const names = new Set(parse(await a.text()).map((x) => x.name));
    // process_* and nodejs_* unprefixed, as standard Node.js dashboards and alerts expect them.
    expect(names.has('process_cpu_user_seconds_total')).toBe(true);
    expect(names.has('process_resident_memory_bytes')).toBe(true);
    expect(names.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect([...names].filter((n) => !/^(virtkeeper|process|nodejs)_/.test(n))).toEqual([]);
    // Gauges may not end in _total (promtool check metrics).
    expect([...names].filter((n) => /^nodejs_active_\w+_total$/.test(n))).toEqual([]);
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('says which build it is', async () => {
    const s = parse(await createMetrics({ defaultMetrics: false }).text());
    const info = s.find((x) => x.name === 'virtkeeper_build_info');
    expect(info?.labels).toEqual({ version: virtkeeperVersion(), nodejs_version: process.versions.node });
    expect(info?.value).toBe(1);
    expect(virtkeeperVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('passes promtool check metrics', async () => {
    const m = createMetrics();
    m.observeReconcile('Domain', 'changed', 0.2);
    m.setManagedObjects([{ kind: 'Domain', state: 'synced' }]);
    m.setGitRevision('0123abc');
    m.observeLibvirtCall('REMOTE_PROC_CONNECT_GET_URI', 0.001);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await m.text(), encoding: 'utf8' });
    expect(r.error, 'promtool missing: apt-get install prometheus (scripts/setup-host.sh)').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
