// The shipped alert rules and dashboard: valid for Prometheus' own tools, and naming only metrics
// virtkeeper exports (a renamed metric would silently blind both).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../../../src/observability/metrics.js';
import { registerDomainStats } from '../../../src/observability/domain-stats.js';
import { createDaemonMetrics } from '../../../src/reconciler/daemon-metrics.js';

const deploy = path.resolve(import.meta.dirname, '../../../deploy');

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: path.join(deploy, 'prometheus'), encoding: 'utf8' });
  expect(r.error, 'promtool missing: bash scripts/setup-host.sh').toBeUndefined();
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Metric names an expression reads (identifiers followed by { or [ or an operator, not functions). */
function metricNames(expr: string): string[] {
  const names = expr.match(/\b(virtkeeper|process|nodejs)_[a-z_]+\b/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

describe('deploy/ monitoring', () => {
  it('promtool check rules accepts the alert rules', () => {
    const r = promtool('check', 'rules', 'alerts.yml');
    expect(r.output).toContain('SUCCESS: 9 rules found');
    expect(r.status).toBe(0);
  });

  it('promtool test rules: every alert fires after its for: and not before', () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the dashboard is a Grafana dashboard whose every panel queries something', () => {
    const d = JSON.parse(readFileSync(path.join(deploy, 'grafana/virtkeeper-dashboard.json'), 'utf8')) as {
      uid: string;
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(d.uid).toBe('virtkeeper');
    expect(d.panels.length).toBeGreaterThanOrEqual(10);
    for (const p of d.panels) expect(p.targets.flatMap((t) => metricNames(t.expr)).length, p.title).toBeGreaterThan(0);
  });

  it('names only metrics the daemon exports, in the alert rules and in every dashboard panel', () => {
    const metrics = createMetrics();
    createDaemonMetrics(metrics);
    registerDomainStats(metrics.registry, { fetch: async () => [] });
    const exported = new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
    const rules = parseYaml(readFileSync(path.join(deploy, 'prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const dashboard = JSON.parse(readFileSync(path.join(deploy, 'grafana/virtkeeper-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const uses = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel ${p.title}`, expr: t.expr }))),
    ];
    expect(uses.length).toBeGreaterThan(15);
    const unknown = uses.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });
});
